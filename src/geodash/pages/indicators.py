"""The comparison's indicator, chosen in the sidebar and kept in the URL, and the ranking shown beside
the map; shared by the map page (département view) and ``/comparaison``."""

from __future__ import annotations

import streamlit as st

from .. import bilan, comparison
from .. import viewmodel as vm
from ..selection import Base

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


def ranking(base: Base, indicator: bilan.Indicator, *, columns: int = vm.RANKING_COLUMNS) -> None:
    """The 20 EPCI ranked on ``indicator`` (rank, name, value), the département's value as reference, in
    ``columns`` tables side by side: :func:`geodash.viewmodel.ranking_section`, one HTML element."""
    st.html(vm.ranking_section(base, indicator, columns))
