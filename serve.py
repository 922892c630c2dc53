"""geodash server entry: ``streamlit run serve.py`` serves ``app.py`` and loads the data at start-up.

The same page as ``streamlit run app.py``; the difference is that the libraries and the data are
loaded when the server starts (``geodash.startup.lifespan``) rather than in the first visitor's
session.
"""

import streamlit as st

from geodash.startup import lifespan

app = st.App("app.py", lifespan=lifespan)
