"""The comparison's indicator, chosen in the sidebar and kept in the URL, and the ranking shown beside
the map; shared by the map page (département view) and ``/comparaison``."""

from __future__ import annotations

import streamlit as st

from .. import bilan, comparison, legend
from ..formatting import MINIMUM_NOTE, precision_prefix
from ..selection import Base

__all__ = ["choose_indicator", "choropleth", "ranking", "ranking_parts", "url_value"]


def choose_indicator(base: Base, current: str | None) -> bilan.Indicator:
    """The indicator selectbox (opened on ``current``, the URL's, else the default); returns the choice."""
    indicators = {i.id: i for i in bilan.comparable_indicators(base.data.chiffres)}
    ids = list(indicators)
    opened = current if current in indicators else bilan.DEFAULT_INDICATOR
    chosen = st.selectbox(
        "Indicateur comparé",
        ids,
        index=0 if "indicateur" in st.session_state else ids.index(opened),
        format_func=lambda i: comparison.indicator_label(indicators[i]),
        key="indicateur",
        help="Chiffres déclarés par chaque contrat (Livret I, partie 7), pas les projets cités.",
    )
    return indicators[chosen]


def url_value(indicator: bilan.Indicator) -> str | None:
    """``?indicateur=`` of a choice: ``None`` for the default, so that links stay short."""
    return None if indicator.id == bilan.DEFAULT_INDICATOR else indicator.id


def choropleth(base: Base, indicator: bilan.Indicator) -> legend.Choropleth:
    """The choropleth of ``indicator`` (classes and legend texts from :mod:`geodash.legend`)."""
    terr = base.terr
    return legend.bilan_choropleth(base.data.chiffres, terr.epci, terr.communes, indicator.id)


def ranking_parts(base: Base, indicator: bilan.Indicator):
    """The ranking table and the reference text of ``indicator``, kept with the data (Base.memo)."""
    chiffres, terr = base.data.chiffres, base.terr
    return base.memo(
        ("ranking", indicator.id),
        lambda: (
            comparison.ranking_table(chiffres, terr.epci, terr.communes, indicator),
            comparison.reference_text(chiffres, terr.communes, indicator),
        ),
    )


def ranking(base: Base, indicator: bilan.Indicator, *, compact: bool = False, columns: int = 2) -> None:
    """The 20 EPCI ranked on ``indicator``, the département's value as reference; ``compact``: rank,
    name and value only, in ``columns`` tables side by side (two under the map page's map)."""
    table, reference = ranking_parts(base, indicator)
    st.markdown(f"**Classement : {indicator.label}, {indicator.period}**")
    st.markdown(f"Référence — {reference}")
    if compact:
        table = table[["Rang", "Intercommunalité", "Valeur"]]
        size = -(-len(table) // columns)
        for i, col in enumerate(st.columns(columns) if columns > 1 else [st.container()]):
            col.table(table.iloc[i * size : (i + 1) * size], hide_index=True)
    else:
        st.table(table, hide_index=True)
    notes = []
    if table["Valeur"].str.startswith(precision_prefix("minimum")).any():
        notes.append(MINIMUM_NOTE)
    notes.append(f"source : {indicator.source}")
    st.caption(" ; ".join(notes) + ".")
