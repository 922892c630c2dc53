"""The floor of the platform: one selectbox that rewrites one line of text, served as geodash is.

``streamlit run bench/trivial_app.py`` reads this file as ``streamlit run app.py`` reads geodash's:
the server imports it and finds :data:`app`, an ``st.App`` (here with no start-up work), so that both
pages are served by the same server; each session runs it as ``__main__``. bench/run.py measures it
in the same run as geodash so that every time figure has its ratio.
"""

import streamlit as st

OPTIONS = ["Tout le département"] + [f"Territoire {i:02d}" for i in range(1, 21)]


def main() -> None:
    st.set_page_config(page_title="trivial", layout="wide")
    with st.sidebar:
        choice = st.selectbox("Intercommunalité", OPTIONS, key="epci")
    st.markdown(f"Choix : **{choice}**")


if __name__ == "__main__":
    main()
else:  # imported by ``streamlit run bench/trivial_app.py``: the server's application
    app = st.App(__file__)
