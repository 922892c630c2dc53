"""The page's map: a Leaflet component of our own (``st.components.v2``), kept across runs.

The component is declared once per server and mounted by the pages with a key that names the kind
of map: Streamlit keeps one instance for the page's life and hands it each run's view
(:class:`geodash.webmap.WebMap`), which ``static/mapview.js`` draws in place of the previous one, once.
No iframe, no map script compiled or sent per view: only the view's data (the component's own code,
``static/mapview_loader.js``, imports the script once from the app's static files, see
:mod:`geodash.assets`). In projector mode the map fills the screen under its own bar (the territory's
name, « Précédent » / « Suivant », the arrow keys).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import streamlit as st

from ..position import UNLINKED, Position
from . import STATIC_DIR, leaflet_url, map_module_url

if TYPE_CHECKING:
    from ..firstlook import FirstLook
    from ..webmap import WebMap

__all__ = ["Ahead", "Bar", "key_of", "show"]

_LOADER = (STATIC_DIR / "mapview_loader.js").read_text(encoding="utf-8")
_CSS = (STATIC_DIR / "mapview.css").read_text(encoding="utf-8")
_COMPONENT = st.components.v2.component("geodash_map", js=_LOADER, css=_CSS, isolate_styles=False)


@dataclass(frozen=True)
class Bar:
    """The projector's bar: the territory shown, and the ones « Précédent » and « Suivant » go to (their
    names, and their SIRENs: ``prev_to``, ``next_to``)."""

    title: str
    prev: str
    next: str
    prev_to: str
    next_to: str


@dataclass(frozen=True)
class Ahead:
    """A territory's view the map may draw before the page's next run: where its JSON is served, its key,
    the map's label and the title the page will show for it."""

    url: str
    key: str
    label: str
    title: str


def key_of(mode: str) -> str:
    """The map's component key in display ``mode`` (a page keeps one map per mode across its runs)."""
    return f"map-{mode}"


def show(
    web: WebMap | FirstLook,
    *,
    key: str,
    label: str,
    height: int | None,
    position: Position = UNLINKED,
    bar: Bar | None = None,
    ahead: dict[str, Ahead] | None = None,
    served: str | None = None,
    territory: str | None = None,
    on_click: Callable[[str], None] | None = None,
    on_choose: Callable[[str | None], None] | None = None,
    on_missing: Callable[[], None] | None = None,
    on_step: Callable[[int], None] | None = None,
    on_exit: Callable[[], None] | None = None,
    first: bool = False,
) -> None:
    """Draw ``web`` in the page's map named ``key``, where ``position`` says (fitted to its territory
    unless a link gives a centre and zoom); ``height`` in pixels, or ``None`` to fill the screen (the
    projector, with its ``bar``). ``label`` names the map for screen readers. The view goes as the JSON
    text it is kept as (:class:`geodash.webmap.WebMap`), with its key: the component reads it only
    when the key is new. ``ahead``: the territories' views (by SIREN) that the map draws as soon as
    one is chosen, before the page's next run. ``served``: where ``web`` is served when the browser has it
    already (offered ahead by the last run): then only its key and this address are sent, and the map
    fetches it if it has not drawn it. ``territory``: the SIREN shown (``None``: the département), which the
    map announces to the page (the sidebar's list follows the projector's buttons with it).

    The visitor's acts come back before the page's next run, as Streamlit callbacks: ``on_click`` with
    the SIREN of an EPCI clicked on the département's map, ``on_choose`` with the territory chosen in the
    sidebar's list (``static/territory.js`` tells the map, which tells the page: the page part that holds
    the map runs again), ``on_missing`` when a view ``served`` could not be fetched, ``on_step`` with -1 or 1
    (« Précédent », « Suivant », arrow keys), ``on_exit`` when the projector's bar is closed.
    ``first``: ``web`` is the map page's first look (:mod:`geodash.pages.firstlook`); the map marks itself
    ``data-gd-first-look`` and, once the view is drawn (or could not be), tells the page, whose next run
    draws the whole page.
    """

    def value(name: str):
        return (st.session_state.get(key) or {}).get(name)

    def clicked() -> None:
        if on_click is not None and value("clicked"):
            on_click(str(value("clicked")))

    def stepped() -> None:
        if on_step is not None and value("step") in (-1, 1):
            on_step(int(value("step")))

    def chose() -> None:
        if on_choose is not None and value("chosen") is not None:
            on_choose(str(value("chosen")) or None)

    def missing() -> None:
        if on_missing is not None and value("missing"):
            on_missing()

    def exited() -> None:
        if on_exit is not None and value("exit"):
            on_exit()

    data = {
        "key": web.key,
        "view": "" if served else web.text,
        "url": served,
        "territory": territory or "",
        "chooses": on_choose is not None,
        "position": {"center": position.center, "zoom": position.zoom, "restore": position.restore},
        "module": map_module_url(),
        "leaflet": leaflet_url(),
        "height": height,
        "label": label,
        "projector": asdict(bar) if bar is not None else None,
        "ahead": {siren: asdict(view) for siren, view in (ahead or {}).items()},
        "first": first,
    }
    _COMPONENT(
        data=data,
        key=key,
        on_clicked_change=clicked,
        on_chosen_change=chose,
        on_missing_change=missing,
        on_step_change=stepped,
        on_exit_change=exited,
        on_drawn_change=_page_follows,
    )


def _page_follows() -> None:
    """The first look's map is drawn: nothing to change, the run its message starts draws the whole page."""
