"""The floor of the platform: one selectbox that rewrites one line of text (served like geodash).

bench/run.py measures it in the same run as geodash so that every time figure has its ratio.
Its readiness mark, ``[data-gd-trivial]`` with the chosen option, is written by Streamlit's own
markdown (no component, no iframe), as the text the selectbox rewrites.
"""

import streamlit as st

st.set_page_config(page_title="trivial", layout="wide")
OPTIONS = ["Tout le département"] + [f"Territoire {i:02d}" for i in range(1, 21)]
with st.sidebar:
    choice = st.selectbox("Intercommunalité", OPTIONS, key="epci")
st.markdown(f"Choix : **{choice}**")
