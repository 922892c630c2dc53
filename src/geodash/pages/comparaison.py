"""The comparison of territories (``/comparaison``): the Département's amounts per EPCI."""

from __future__ import annotations

import streamlit as st

from .. import dashboard
from ..selection import Base, Filters, select
from . import data_errors, page_style

__all__ = ["render"]


def render(base: Base) -> None:
    """Amount and amount per inhabitant of every EPCI, every project counted."""
    page_style()
    st.title("Comparaison des territoires")
    data_errors(base, expanded=False)
    st.subheader("Financements par intercommunalité")
    st.dataframe(
        dashboard.epci_table(select(base, Filters()).by_epci),
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="localized")
            for c in ("Population", "Montant du Département (€)", "€ par habitant")
        },
    )
    st.caption(base.map_credit)
