"""Sources and data quality (``/sources``): data/SOURCES.md, then every problem found while reading.

The map page only says, discreetly, that rows are set aside and links here: the details (file, line,
reason) are for the staff who maintain the files; no server path is ever shown.
"""

from __future__ import annotations

import streamlit as st

from .. import sources
from ..selection import Base
from . import data_errors, page_style, public_lines

__all__ = ["render"]


def render(base: Base) -> None:
    """Data quality first (what a data editor looks for), then the sources document."""
    page_style()
    st.title("Sources et qualité des données")
    st.subheader("Qualité des données")
    data_errors(base, expanded=True)
    notes = list(base.terr.warnings) + [str(p) for p in base.data.problems if p.level != "erreur"]
    if notes:
        with st.expander(f"Données : {len(notes)} avertissement(s)", expanded=True):
            st.code(public_lines(notes), language=None)
    elif not base.data.errors:
        st.write("Aucune erreur ni aucun avertissement : toutes les lignes des fichiers sont affichées.")
    if base.context.problems:
        with st.expander(f"Couches de contexte : {len(base.context.problems)} problème(s)", expanded=True):
            st.code(public_lines(base.context.messages), language=None)
    st.divider()
    # SOURCES.md is the project's own document (no HTML is rendered from it).
    st.markdown(sources.sources_path().read_text(encoding="utf-8"))
