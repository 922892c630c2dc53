"""Sources and data quality (``/sources``): data/SOURCES.md, then every problem found while reading.

The map page only says, discreetly, that rows are set aside and links here: the details (file, line,
reason) are for the staff who maintain the files; no server path is ever shown.
"""

from __future__ import annotations

import streamlit as st

from .. import opendata, sources
from ..selection import Base
from . import data_errors, footer, public_lines

__all__ = ["render"]


def render(base: Base) -> None:
    """Data quality first (what a data editor looks for), then the sources document."""
    st.title("Sources et qualité des données")
    st.subheader("Qualité des données")
    data_errors(base, expanded=True)
    notes = list(base.terr.warnings) + [str(p) for p in base.data.problems if p.level != "erreur"]
    if notes:
        with st.expander(f"Données : {len(notes)} avertissement(s)", expanded=True):
            st.code(public_lines(notes), language=None, wrap_lines=True)
    elif not base.data.errors:
        st.write("Aucune erreur ni aucun avertissement : toutes les lignes des fichiers sont affichées.")
    if base.context.problems:
        with st.expander(f"Couches de contexte : {len(base.context.problems)} problème(s)", expanded=True):
            st.code(public_lines(base.context.messages), language=None, wrap_lines=True)
    st.divider()
    open_data(base)
    st.divider()
    # SOURCES.md is the project's own document (no HTML is rendered from it).
    st.markdown(sources.sources_path().read_text(encoding="utf-8"))
    footer()


def open_data(base: Base) -> None:
    """« Données ouvertes »: the files of ``geodash opendata``, written on demand (once per data version,
    kept with the data) and offered for download."""
    st.subheader("Données ouvertes")
    st.write(
        "Les subventions au format national SCDL Subventions 2.1.1 (avec le rapport des financements que ce "
        "format ne peut pas encore décrire), un GeoPackage pour QGIS en Lambert-93, les projets en GeoJSON, "
        "un mode d'emploi et leur description pour les machines : les fichiers de la commande « geodash opendata »."
    )
    if not st.session_state.get("opendata-open"):
        if not st.button("Préparer les fichiers", key="opendata-prepare"):
            return
        st.session_state["opendata-open"] = True

    def prepare():
        data = opendata.open_data(base)
        return opendata.summary(data), opendata.file_bytes(data)

    summary, files = base.memo(("opendata",), prepare)
    st.code("\n".join(summary), language=None, wrap_lines=True)
    for name, content in files.items():
        st.download_button(
            name,
            content,
            file_name=name,
            mime=opendata.MEDIA_TYPES[name],
            on_click="ignore",
            key=f"opendata-{name}",
        )
