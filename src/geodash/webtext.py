"""The web pages' text as HTML: tables of text, and the map page's sections, each one element.

Streamlit draws each ``st.markdown``, ``st.subheader`` and ``st.caption`` as an element of its own, its
Markdown parsed in the browser on every run: a territory's map page had about twenty of them under and
above its map, all drawn again at each change of territory. Here a section (what is written above the map,
the key figures under it) is one HTML string, written once per view (:meth:`geodash.selection.Base.memo`)
and shown by one ``st.html``. Every text from the data goes through :func:`geodash.text.html_text`; the
markup is ours.

No Streamlit here: the pages show what these functions return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .text import html_text

if TYPE_CHECKING:
    from .viewmodel import KeyFigures

__all__ = [
    "CAPTION",
    "element",
    "link",
    "section",
    "table",
    "text_alternative",
    "map_head",
    "key_figures",
    "ranking",
]

#: Class of a caption (a line of secondary text, the look of ``st.caption``: ``static/page.css``).
CAPTION = "gd-caption"


def element(tag: str, text: str, *, cls: str | None = None, ident: str | None = None, markup: bool = False) -> str:
    """``<tag>`` holding ``text``, escaped unless ``markup`` (then ``text`` is HTML written by this module).

    Examples
    --------
    >>> element("p", "Montant <b>1 000 €</b>", cls=CAPTION)
    '<p class="gd-caption">Montant &lt;b&gt;1 000 €&lt;/b&gt;</p>'
    """
    attrs = (f' class="{html_text(cls)}"' if cls else "") + (f' id="{html_text(ident)}"' if ident else "")
    return f"<{tag}{attrs}>{text if markup else html_text(text)}</{tag}>"


def link(text: str, href: str) -> str:
    """A link to ``href`` (a page of the app, an anchor), both escaped."""
    return f'<a href="{html_text(href)}">{html_text(text)}</a>'


def section(*parts: str | None, cls: str = "gd-section") -> str:
    """The ``parts`` (HTML from this module; ``None`` and empty ones left out) as one block."""
    return f'<div class="{html_text(cls)}">' + "".join(p for p in parts if p) + "</div>"


def text_alternative(targets: list[tuple[str, str]]) -> str:
    """The line just before a map: links to the sections that say in text what it shows (``targets``: link
    text and anchor). A keyboard visitor may follow them and skip the map."""
    links = " et ".join(link(text, f"#{anchor}") for text, anchor in targets)
    # Plain text, not a caption: a caption's links would be drawn faded, below the contrast links need.
    return element("p", f"Alternative textuelle de la carte : {links}.", markup=True)


def table(frame: pd.DataFrame, *, label: str, index: bool = False, anchor: str | None = None) -> str:
    """A table of text as plain HTML (class ``gd-table``, styled by ``page.css`` as ``st.table``): every
    header and cell escaped, a missing value empty, the index as row headers when ``index``.

    The table's box scrolls when the table is wider than the page (a phone): it is a region named
    ``label`` that the keyboard reaches (Tab, then the arrows scroll it). ``anchor``: its ``id``, for links.

    ``st.table`` renders each cell as Markdown; on a territory's page its tables cost the browser more
    than the map on every switch. The key figures are text already written in French, so plain HTML
    shows them the same for a fraction of that.
    """
    names = ([frame.index.name] if index else []) + list(frame.columns)
    head = "".join(f'<th scope="col">{html_text(name)}</th>' for name in names)
    body = "".join(
        "<tr>"
        + (f'<th scope="row">{html_text(row)}</th>' if index else "")
        + "".join(f"<td>{html_text(value)}</td>" for value in values)
        + "</tr>"
        for row, values in zip(frame.index, frame.itertuples(index=False, name=None))
    )
    ident = f' id="{html_text(anchor)}"' if anchor else ""
    return (
        f'<div class="gd-table"{ident} role="region" aria-label="{html_text(label)}" tabindex="0">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


# --- The map page's sections --------------------------------------------------------------------------------


def map_head(
    title: str,
    *,
    notice: str | None = None,
    brief: str | None = None,
    progress: tuple[str, str] | None = None,
    alternative: list[tuple[str, str]],
) -> str:
    """What the map page writes above its map: the ``title`` (``h1``), a ``notice`` (rows set aside, a layer
    missing: with a link to the Sources page), an EPCI's ``brief`` (its bilan, then the projects its contract
    names), its ``progress`` (the headline, and the address of its detail) and the map's text alternative."""
    parts = [element("h1", title)]
    if notice:
        # Not a caption: its link would be drawn faded, below the contrast links need.
        parts.append(element("p", f"ℹ️ {html_text(notice)} — {link('qualité des données', 'sources')}", markup=True))
    if brief:
        parts.append(element("p", brief))  # one paragraph: the map stays on a laptop's first screen
    if progress:
        headline, href = progress
        more = link("Détail et point d'étape", href)
        parts.append(
            element("p", f"<strong>Avancement du contrat</strong> — {html_text(headline)} {more}", markup=True)
        )
    parts.append(text_alternative(alternative))
    return section(*parts)


def key_figures(kf: KeyFigures, *, period: str, anchor: str) -> str:
    """An EPCI's key figures under its map: « Le Département sur le territoire » by domain (``anchor``: its
    heading's id, a target of the map's text alternative), then the projects its contract names, by theme
    and period, the contract's own key figures (folded: a ``details`` element) and the road lengths."""
    heading = f"Le Département sur le territoire, {period}"
    parts = [element("h3", heading, ident=anchor)]
    if kf.bilan_table.empty:
        parts.append(element("p", kf.bilan_line))
    else:
        parts.append(table(kf.bilan_table, label=heading))
        parts.append(
            element(
                "p",
                "Investissement du Département déclaré par le contrat (Livret I, partie 7), par domaine ; "
                "un domaine que le contrat ne chiffre pas n'a pas de ligne. Par habitant : population municipale "
                "INSEE des communes du Pas-de-Calais.",
                cls=CAPTION,
            )
        )
    parts.append(
        element("h3", "Projets cités dans le contrat" if kf.has_contract else "Projets cités dans le document")
    )
    parts.append(element("p", kf.named_line))
    themes = "Montants des projets cités, par thématique et période"
    wide = section(
        element("p", element("strong", themes), markup=True),
        table(kf.theme_period, index=True, label=themes),
        cls="gd-wide",
    )
    narrow = []
    if kf.contract_figures is not None:
        narrow.append(
            element(
                "details",
                element("summary", "Tous les chiffres clés du contrat (Livret I, partie 7)")
                + table(kf.contract_figures, label="Chiffres clés du contrat"),
                cls="gd-details",
                markup=True,
            )
        )
    if kf.road_lengths is not None:
        narrow.append(
            element(
                "p",
                element("strong", "Longueur des routes par catégorie")
                + html_text(" (couche du Département, dans l'EPCI)"),
                markup=True,
            )
        )
        narrow.append(table(kf.road_lengths, label="Longueur des routes par catégorie"))
    parts.append(section(wide, section(*narrow, cls="gd-narrow"), cls="gd-columns"))
    return section(*parts)


def ranking(
    frame: pd.DataFrame, *, title: str, reference: str, note: str, columns: int = 1, anchor: str | None = None
) -> str:
    """A ranking (``frame``) as one block: its title, the reference line, the table (cut into ``columns``
    tables side by side, each named by its rows for screen readers; one under the other on a phone), then
    ``note`` as a caption. ``anchor``: the first table's ``id``.

    One element for the page, written once per indicator, instead of seven (two Markdown texts, the
    columns and their tables, a caption) written at every run.
    """
    size = -(-len(frame) // columns)
    tables = []
    for i in range(columns):
        part = frame.iloc[i * size : (i + 1) * size]
        label = title if columns == 1 else f"{title} (lignes {i * size + 1} à {i * size + len(part)})"
        tables.append(table(part, label=label, anchor=anchor if i == 0 else None))
    return section(
        element("p", element("strong", title), markup=True),
        element("p", f"Référence — {reference}"),
        tables[0] if columns == 1 else section(*tables, cls="gd-columns gd-halves"),
        element("p", note, cls=CAPTION),
    )
