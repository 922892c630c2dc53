"""The pages of the Streamlit app (``app.py`` wires them with ``st.navigation``).

Each page is a function of the shared, read-only :class:`geodash.selection.Base`; page sections are
small functions that turn widgets into library calls. Styles and scripts live in ``geodash/static``.

This package's own module imports neither pandas nor the database's libraries (its helpers import them
when called): the map page's first look (:mod:`geodash.pages.firstlook`) and the components it draws are
sent before those are imported.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import streamlit as st

from .. import assets
from ..text import markdown_text, public_message

if TYPE_CHECKING:
    from ..selection import Base

__all__ = [
    "INTERRUPTED",
    "STATIC_DIR",
    "database_guard",
    "data_errors",
    "footer",
    "open_base",
    "leaflet_url",
    "map_module_url",
    "markdown_text",
    "public_lines",
    "text_alternative",
    "text_table",
    "view_url",
]

#: Tracked CSS and scripts of the pages (Leaflet, generated, is served from the app's ``static/``).
STATIC_DIR = assets.STATIC_DIR


_LOG = logging.getLogger("geodash")
#: Key of ``st.session_state`` counting this session's runs stopped before their page was drawn: the browser
#: then no longer shows the page's widgets, and a form drawn again must send them their values.
INTERRUPTED = "pages_interrupted"


def _interrupted() -> None:
    st.session_state[INTERRUPTED] = st.session_state.get(INTERRUPTED, 0) + 1


def _database_unavailable(exc: BaseException) -> None:
    """A French ``st.error`` saying why the database cannot be used; the driver's message to the log."""
    from .. import db

    _interrupted()
    _LOG.error("base de données : %s", exc)  # the whole message (file, server, SQL), for the staff
    if isinstance(exc, db.StoreError) and not isinstance(exc, db.DatabaseFault):
        reason = public_message(exc)  # a refusal already written in French (a start that would re-import)
    else:
        reason = f"La base de données des financements ne peut pas être utilisée : {db.database_fault(exc).detail}."
    st.error(markdown_text(reason), icon=":material/database:")


def open_base() -> Base:
    """The pages' shared :class:`Base` (:func:`geodash.selection.cached_base`); when the territories or the
    database cannot be read, a French message on every page (the log has the details) and the run stopped."""
    from .. import db, territories
    from ..selection import cached_base

    try:
        return cached_base()
    except territories.TerritoryError as exc:
        _LOG.error("territoires : %s", exc)  # the full path, for the staff
        _interrupted()
        st.error(
            markdown_text(
                f"Les limites territoriales ne peuvent pas être chargées : {public_message(exc)}. "
                "La carte reviendra dès que le fichier sera remplacé."
            )
        )
        st.stop()
    except (db.StoreError, *db.DATABASE_FAULTS) as exc:
        _database_unavailable(exc)
        st.stop()


@contextlib.contextmanager
def database_guard():
    """``with database_guard(): page.run()``: a database that fails during a page is a French message under
    what was drawn, never Streamlit's English error page and its traceback."""
    from .. import db

    try:
        yield
    except db.DATABASE_FAULTS as exc:
        _database_unavailable(exc)


def leaflet_url() -> str:
    """Where the page finds Leaflet: :func:`geodash.assets.leaflet_url` under this server's base path."""
    return assets.leaflet_url(st.get_option("server.baseUrlPath"))


def map_module_url() -> str:
    """Where the page finds the map's script: :func:`geodash.assets.map_module_url` under this server's
    base path."""
    return assets.map_module_url(st.get_option("server.baseUrlPath"))


def view_url(key: str, text: str) -> str | None:
    """Where the page's map fetches a view ahead: :func:`geodash.assets.view_url` under this server's base
    path (``None`` when the app's static files are not written: no view goes ahead)."""
    return assets.view_url(st.get_option("server.baseUrlPath"), key, text)


def footer() -> None:
    """Every page's footer: the link to the accessibility statement, which names the conformity level
    reached (RGAA asks for it in the link)."""
    from . import accessibilite  # the statement's page uses this module's helpers

    with st.container(key="gd-footer"):
        st.divider()
        st.page_link(accessibilite.page(), label=f"Accessibilité : {accessibilite.CONFORMITY}")


def text_alternative(targets: list[tuple[str, str]]) -> None:
    """Show :func:`geodash.webtext.text_alternative`: the line before a map that links to its text."""
    from .. import webtext

    st.html(webtext.text_alternative(targets))


def data_errors(base: Base, *, expanded: bool) -> None:
    """Rows set aside (errors) in a panel: shown on every page where data is read, never hidden."""
    data = base.data
    if not data.errors:
        return
    with st.expander(
        f"⚠️ Données : {len(data.errors)} erreur(s), {data.rejected} ligne(s) mise(s) de côté", expanded=expanded
    ):
        st.write("Les lignes valides sont affichées ; les lignes en erreur sont mises de côté jusqu'à correction.")
        st.code(public_lines(data.problems), language=None, wrap_lines=True)


def public_lines(items) -> str:
    """Problems one per line, as a visitor may read them: file names, never a server path."""
    return "\n".join(public_message(item) for item in items)


def text_table(frame, *, label: str, index: bool = False, anchor: str | None = None) -> None:
    """Show :func:`geodash.webtext.table` of ``frame`` in the page (``label``: its name for screen readers)."""
    from .. import webtext

    st.html(webtext.table(frame, label=label, index=index, anchor=anchor))
