"""The map page's territory chooser (the sidebar's « Intercommunalité » list): a component of our own
(``st.components.v2``, no iframe, ``static/territory.js``).

Why not ``st.selectbox``: a territory chosen must reach the page's map at once, so that the map draws it
while the page runs again (:func:`geodash.pages.carte.maps_ahead`), and no script may read Streamlit's own
page to learn of it. The chooser tells the map itself (an event in the browser), then the page (a
trigger, with a Streamlit callback before the page's next run). It is an editable combobox as the
WAI-ARIA authoring practices describe it: a labelled field, its list filtered as one types, the arrows,
Enter and Escape.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from . import STATIC_DIR

__all__ = ["choose", "chooser"]

_COMPONENT = st.components.v2.component(
    "geodash_territory", js=(STATIC_DIR / "territory.js").read_text(encoding="utf-8"), isolate_styles=False
)


def chooser(
    label: str,
    options: list[str | None],
    labels: dict[str | None, str],
    value: str | None,
    *,
    key: str,
    on_choose: Callable[[str | None], None],
) -> None:
    """The list ``label`` of ``options`` (SIRENs, ``None`` for the département), each shown by its name in
    ``labels``, ``value`` chosen; ``on_choose(siren)`` before the page's next run when another is chosen."""

    def chosen() -> None:
        picked = (st.session_state.get(key) or {}).get("chosen")
        if picked is not None:
            on_choose(picked or None)

    data = {
        "label": label,
        "options": [[option or "", labels[option]] for option in options],
        "value": value or "",
    }
    _COMPONENT(data=data, key=key, on_chosen_change=chosen)


def choose(siren: str | None, sirens: list[str | None]) -> None:
    """A territory chosen in the list or clicked on the département's map (``siren``, one of ``sirens``):
    the map page opens it, from the page's next run (the session's ``epci``)."""
    if siren in sirens:
        st.session_state["epci"] = siren
