"""The map page's first look on a session's first run of the root URL: the title, the territory list
and the département's map, drawn from the look a server's start-up saved (:mod:`geodash.firstlook`)
without the page's libraries or its data.

The map tells the page once it has drawn the view (:func:`geodash.pages.mapview.show`, ``first``); the
page's next run draws the whole page (:mod:`geodash.pages.carte`) in place: the same title, list and map,
now with the sidebar's filters, the figures and the tables. The map is not drawn again (the same view
key). Why on every session's first run, not only while a server starts: the browser then draws the map
before it lays out the rest of the page (the sidebar's widgets, the ranking, the table), which it did
first otherwise. Any other address, a link with a view in its query, or a look that no longer holds:
the page is drawn whole at once, as always.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from .. import firstlook
from . import mapview, territory

__all__ = ["show"]

#: Session key: set on the session's first run (whether a first look was drawn or not).
SEEN = "first_look_seen"
#: The addresses of the map page (the root URL, and the page's own name), under the server's base path.
MAP_PATHS = ("", "carte")


def show() -> bool:
    """Draw the saved first look when this run is a session's first, at the map page's address without a
    query, and one holds; ``True`` when drawn (the run then ends there)."""
    if SEEN in st.session_state:
        return False
    st.session_state[SEEN] = True
    if st.query_params.to_dict() or not _at_map_page():
        return False
    store = firstlook.store_path()
    look = firstlook.load(store) if store is not None else None
    if look is None:
        return False
    sirens = [siren or None for siren, _ in look.options]
    with st.sidebar:
        st.header("Territoire")
        territory.chooser(
            "Intercommunalité",
            sirens,
            {siren or None: name for siren, name in look.options},
            None,
            key="territory",
            on_choose=lambda siren: territory.choose(siren, sirens),
        )
    with st.container():  # where the whole page's view is drawn (geodash.pages.carte.shown_view)
        st.html(look.head)
        mapview.show(
            look,
            key=mapview.key_of(look.mode),
            label=look.label,
            height=580,
            on_click=lambda siren: territory.choose(siren, sirens),
            on_choose=lambda siren: territory.choose(siren, sirens),
            first=True,
        )
    return True


def _at_map_page() -> bool:
    """Whether the browser asked for the map page (``st.context.url``), under the server's base path."""
    path = urlsplit(st.context.url or "").path.strip("/")
    base = st.get_option("server.baseUrlPath").strip("/")
    if base:
        if path != base and not path.startswith(base + "/"):
            return False
        path = path[len(base) :].strip("/")
    return path in MAP_PATHS
