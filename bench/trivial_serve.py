"""The trivial page served through ``st.App`` (no lifespan), as ``serve.py`` serves geodash."""

import streamlit as st

app = st.App("trivial_app.py")
