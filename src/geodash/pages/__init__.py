"""The pages of the Streamlit app (``app.py`` wires them with ``st.navigation``).

Each page is a function of the shared, read-only :class:`geodash.selection.Base`; page sections are
small functions that turn widgets into library calls. Styles and scripts live in ``geodash/static``.
"""

from __future__ import annotations

import contextlib
import logging

import pandas as pd
import streamlit as st

from .. import assets, db, territories
from ..selection import Base, cached_base
from ..text import html_text, markdown_text, public_message

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
    "text_table_html",
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
    """A line just before a map: links to the sections that say in text what it shows (``targets``: link
    text and anchor). A keyboard visitor may follow them and skip the map."""
    links = " et ".join(f"[{markdown_text(text)}](#{anchor})" for text, anchor in targets)
    # Plain text, not a caption: a caption's links are drawn faded, below the contrast links need.
    st.markdown(f"Alternative textuelle de la carte : {links}.")


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


def text_table_html(frame: pd.DataFrame, *, label: str, index: bool = False, anchor: str | None = None) -> str:
    """A table of text as plain HTML (class ``gd-table``, styled by ``page.css`` as ``st.table``): every
    header and cell escaped, a missing value empty, the index as row headers when ``index``.

    The table's box scrolls when the table is wider than the page (a phone): it is a region named
    ``label`` that the keyboard reaches (Tab, then the arrows scroll it). ``anchor``: its ``id``, for links.

    ``st.table`` renders each cell as markdown; on a territory's page its tables cost the browser more
    than the map on every switch. The key figures are text already written in French, so plain HTML
    shows them the same for a fraction of that.
    """

    def text(value) -> str:
        return "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else html_text(str(value))

    names = ([frame.index.name] if index else []) + list(frame.columns)
    head = "".join(f'<th scope="col">{text(name)}</th>' for name in names)
    body = "".join(
        "<tr>"
        + (f'<th scope="row">{text(label)}</th>' if index else "")
        + "".join(f"<td>{text(value)}</td>" for value in values)
        + "</tr>"
        for label, values in zip(frame.index, frame.itertuples(index=False, name=None))
    )
    ident = f' id="{html_text(anchor)}"' if anchor else ""
    return (
        f'<div class="gd-table"{ident} role="region" aria-label="{html_text(label)}" tabindex="0">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def text_table(frame, *, label: str, index: bool = False, anchor: str | None = None) -> None:
    """Show :func:`text_table_html` of ``frame`` in the page (``label``: its name for screen readers)."""
    st.html(text_table_html(frame, label=label, index=index, anchor=anchor))
