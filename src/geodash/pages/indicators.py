"""The comparison's indicator, chosen in the sidebar and kept in the URL, and the ranking shown beside
the map; shared by the map page (département view) and ``/comparaison``."""

from __future__ import annotations

import streamlit as st

from .. import bilan, comparison
from .. import viewmodel as vm
from ..formatting import MINIMUM_NOTE, precision_prefix
from ..selection import Base
from . import markdown_text, text_table

__all__ = ["RANKING_ANCHOR", "choose_indicator", "ranking"]

#: The ranking table's anchor: the text alternative of the maps in colours of an indicator.
RANKING_ANCHOR = vm.RANKING_ANCHOR


def choose_indicator(base: Base, current: str | None) -> bilan.Indicator:
    """The indicator selectbox (opened on ``current``, the URL's, else the default); returns the choice."""
    indicators = vm.indicators(base)
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


def ranking(base: Base, indicator: bilan.Indicator, *, compact: bool = False, columns: int = 2) -> None:
    """The 20 EPCI ranked on ``indicator``, the département's value as reference; ``compact``: rank,
    name and value only, in ``columns`` tables side by side (two under the map page's map)."""
    table, reference = vm.ranking(base, indicator)
    title = f"Classement : {indicator.label}, {indicator.period}"
    st.markdown(f"**{markdown_text(title)}**")
    st.markdown(markdown_text(f"Référence — {reference}"))
    if compact:
        table = table[["Rang", "Intercommunalité", "Valeur"]]
        size = -(-len(table) // columns)
        for i, col in enumerate(st.columns(columns) if columns > 1 else [st.container()]):
            with col:
                part = table.iloc[i * size : (i + 1) * size]
                text_table(
                    part,
                    label=f"{title} (lignes {i * size + 1} à {i * size + len(part)})",
                    anchor=RANKING_ANCHOR if i == 0 else None,
                )
    else:
        text_table(table, label=title, anchor=RANKING_ANCHOR)
    notes = []
    if table["Valeur"].str.startswith(precision_prefix("minimum")).any():
        notes.append(MINIMUM_NOTE)
    notes.append(f"source : {indicator.source}")
    st.caption(markdown_text(" ; ".join(notes) + "."))
