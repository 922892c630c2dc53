"""What a view of the map page shows, decided once, without Streamlit.

A link's query (:func:`view_of`) or the sidebar's values (:class:`Widgets`) resolve to one
:class:`Choice`; a choice gives the view's parts: the selection, the title, the map
(:func:`web_map`), the paragraph above it, the key figures, the ranking of the département view and
the project table. Each part is computed once per data version and kept with the data
(:meth:`geodash.selection.Base.memo`, least recently used first to go), for every session, for the
server's warm-up (:func:`prepare`) and for the benchmarks alike. The pages only turn widgets into a
choice and parts into Streamlit calls.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from . import avancement, bilan, comparison, dashboard, layers, legend, settings, style, weblayers, webmap, webtext
from .firstlook import FirstLook
from .formatting import MINIMUM_NOTE, precision_prefix
from .position import UNLINKED, Position
from .selection import Base, Filters, Selection, select
from .views import View, parse_view

__all__ = [
    "Choice",
    "Widgets",
    "KeyFigures",
    "Position",
    "UNLINKED",
    "TITLE_DEPARTEMENT",
    "view_of",
    "opened",
    "choice_of",
    "amount_steps",
    "amount_top",
    "epci_options",
    "option_labels",
    "roads_present",
    "indicators",
    "url_indicator",
    "selected",
    "title",
    "map_label",
    "web_map",
    "maps_ahead",
    "neighbour",
    "choropleth",
    "ranking",
    "ranking_section",
    "RANKING_COLUMNS",
    "brief",
    "notice",
    "map_head",
    "key_figures",
    "figures_section",
    "projects_notes",
    "KEY_FIGURES_ANCHOR",
    "PROJECTS_ANCHOR",
    "RANKING_ANCHOR",
    "projects_grid",
    "projects_table",
    "prepare",
    "first_look",
]

TITLE_DEPARTEMENT = "Pas-de-Calais — contrats territoriaux de développement durable"

#: Anchors of the sections that say in text what the map shows (the map's text alternative links to them).
KEY_FIGURES_ANCHOR, PROJECTS_ANCHOR, RANKING_ANCHOR = "chiffres-cles", "projets", "classement"

#: The département's ranking under the map: two tables side by side (one under the other on a phone).
RANKING_COLUMNS = 2


@dataclass(frozen=True)
class Widgets:
    """The sidebar's values: what a visitor set, or what a link opens (:func:`opened`)."""

    epci: str | None
    themes: list[str]
    periodes: list[str]
    natures: list[str]
    amounts: tuple[float, float]
    text: str
    shown: list[str]  # context layer kinds
    routes: list[str] | None  # road categories (None: no road layer); drawn when "routes" is shown
    projector: bool
    indicator: str | None  # the département view's indicator id (None on an EPCI's view)


@dataclass(frozen=True)
class Choice:
    """What the sidebar decided: the filters, the context layers shown, the display mode and, on the
    département's view, the indicator compared."""

    filters: Filters
    shown: tuple[str, ...]  # context layer kinds drawn
    mode: str
    indicator: bilan.Indicator | None = None

    @property
    def projector(self) -> bool:
        return self.mode == "projecteur"


# --- From a link or the sidebar to one choice ---------------------------------------------------------


def view_of(base: Base, params: dict) -> View:
    """The view a link's query opens."""
    return parse_view(
        params, base.terr.sirens, comparison.indicator_ids(base.data.chiffres), amount_top=amount_top(base)
    )


def amount_top(base: Base) -> float:
    """The top of the amount filter: the largest amount of the data (1 € when there is none)."""
    return float(max(1.0, base.data.financements["montant_departement_eur"].max(skipna=True) or 1.0))


def amount_steps(base: Base, *values: float) -> list[float]:
    """The positions of the amount filter: 0 €, then 1, 2 and 5 times each power of ten from 1 000 €, up
    to the largest amount of the data (:func:`amount_top`), and ``values`` (a link's bounds) where they
    fall in that range.

    The contracts' amounts run from a few thousand euros to millions: a filter by orders of magnitude
    reaches every range in a few steps on a phone, where 14 000 steps of 1 000 € did not, and each
    position is written in French (« 1 000 000 € »).
    """
    top = amount_top(base)
    steps = {0.0, top}
    power = 1_000.0
    while power < top:
        steps.update(power * m for m in (1, 2, 5) if power * m < top)
        power *= 10
    steps.update(float(v) for v in values if 0 <= v <= top)
    return sorted(steps)


def epci_options(base: Base) -> list[str | None]:
    """The territory list: the département (``None``), then every EPCI."""
    return [None, *base.terr.sirens]


def option_labels(base: Base) -> dict[str | None, str]:
    """What the territory list shows for each option: EPCI short names, the département for ``None``."""

    def labels() -> dict[str | None, str]:
        names = dict(zip(base.terr.epci["siren"], base.terr.epci["nom_court"]))
        return {siren: "Tout le département" if siren is None else names[siren] for siren in epci_options(base)}

    return base.memo(("option-labels",), labels)


def roads_present(base: Base) -> list[str]:
    """The road categories present in the Département's road layer."""
    return [k for k in style.ROAD_CLASSES if k in set(base.roads["style"])]


def indicators(base: Base) -> dict[str, bilan.Indicator]:
    """The indicators the département's view can compare, by id."""
    return base.memo(("indicators",), lambda: {i.id: i for i in bilan.comparable_indicators(base.data.chiffres)})


def url_indicator(indicator: bilan.Indicator | None) -> str | None:
    """``?indicateur=`` of a choice: ``None`` for the default, so that links stay short."""
    return None if indicator is None or indicator.id == bilan.DEFAULT_INDICATOR else indicator.id


def _chosen(keys: tuple[str, ...] | None, allowed) -> list[str]:
    """Widget value of a filter: ``None`` (no filter) is every key."""
    return list(allowed) if keys is None else list(keys)


def opened(base: Base, view: View) -> Widgets:
    """The sidebar as ``view`` opens it: every widget's default value."""
    flt, top = view.filters, amount_top(base)
    shown = [k for k in view.couches if k in base.context.available]
    routes = None
    if base.roads is not None:
        present = roads_present(base)
        routes = [k for k in _chosen(flt.routes, style.ROAD_CLASSES) if k in present]
    indicator = None
    if flt.epci is None:
        indicator = view.indicateur if view.indicateur in indicators(base) else bilan.DEFAULT_INDICATOR
    return Widgets(
        epci=flt.epci,
        themes=_chosen(flt.themes, style.THEMES),
        periodes=_chosen(flt.periodes, style.PERIODS),
        natures=_chosen(flt.natures, style.NATURES),
        amounts=(flt.amount_min or 0.0, min(flt.amount_max or top, top)),
        text=flt.text,
        shown=shown,
        routes=routes,
        projector=view.mode == "projecteur",
        indicator=indicator,
    )


def choice_of(base: Base, w: Widgets) -> Choice:
    """What the sidebar's values decide: the filters, the layers shown, the mode, the indicator."""
    low, high = w.amounts
    top = amount_top(base)
    filters = Filters(
        epci=w.epci,
        themes=w.themes,
        periodes=w.periodes,
        natures=w.natures,
        amount_min=low or None,
        amount_max=high if high < top else None,
        text=w.text,
        routes=w.routes if "routes" in w.shown else None,
    )
    indicator = indicators(base).get(w.indicator) if w.epci is None and w.indicator is not None else None
    return Choice(filters, tuple(w.shown), "projecteur" if w.projector else "normal", indicator)


# --- The parts of a view -------------------------------------------------------------------------------


def selected(base: Base, filters: Filters) -> Selection:
    """:func:`geodash.selection.select`, kept with the data."""
    return base.memo(("selection", filters), lambda: select(base, filters))


def title(base: Base, choice: Choice) -> str:
    """The page's title: the EPCI's official name, or the département's."""
    epci = choice.filters.epci
    return TITLE_DEPARTEMENT if epci is None else base.terr.epci_name(epci)


def map_label(base: Base, choice: Choice) -> str:
    """The map's name for screen readers: « Carte : » and the territory."""
    return f"Carte : {title(base, choice)}"


def choropleth(base: Base, indicator: bilan.Indicator) -> legend.Choropleth:
    """The choropleth of ``indicator`` (classes and legend texts from :mod:`geodash.legend`)."""
    terr = base.terr
    return base.memo(
        ("choropleth", indicator.id),
        lambda: legend.bilan_choropleth(base.data.chiffres, terr.epci, terr.communes, indicator.id),
    )


def web_map(base: Base, choice: Choice) -> webmap.WebMap:
    """The map of a view: territories, projects, the context layers shown, the indicator (where it
    opens is given when it is drawn: :class:`Position`)."""
    return base.memo(("map", choice), lambda: _web_map(base, choice, selected(base, choice.filters)))


def neighbour(choice: Choice, epci: str) -> Choice:
    """The view the territory chooser opens for ``epci`` from ``choice``: the same filters, layers and
    mode (the département's compared indicator does not go to a territory's view)."""
    return replace(choice, filters=replace(choice.filters, epci=epci), indicator=None)


def maps_ahead(base: Base, choice: Choice) -> dict[str, webmap.WebMap]:
    """The territories' maps that the page's map may draw before the page's next run, when the territory
    is changed from ``choice`` (the list, « Précédent » / « Suivant », a click on the département's map):
    the views already computed for these data (by the start-up or any visitor), by SIREN. Nothing is
    computed here: a view not kept yet is drawn by the next run, as any view."""
    found = {}
    for epci in base.terr.sirens:
        if epci != choice.filters.epci:
            web = base.kept(("map", neighbour(choice, epci)))
            if web is not None:
                found[epci] = web
    return found


def _web_map(base: Base, choice: Choice, chosen: Selection) -> webmap.WebMap:
    terr, epci, mode = base.terr, choice.filters.epci, choice.mode
    context = None
    if choice.shown:
        works = None
        if base.roads is not None and epci and "routes" in choice.shown:
            works = layers.road_works(base.roads, chosen.rows, epci, epci=terr.epci)
        context = weblayers.context_layers(
            base.context.only(choice.shown),
            epci_siren=epci,
            categories=list(choice.filters.routes) if choice.filters.routes is not None else None,
            territories=terr,
            works=works,
            mode=mode,
        )
    options = webmap.MapOptions(
        epci=epci,
        mode=mode,
        credit=base.map_credit,
        choropleth=choropleth(base, choice.indicator) if choice.indicator is not None else None,
        context=context,
    )
    return webmap.build_map(terr, chosen.placed, chosen.unplaced, options)


def ranking(base: Base, indicator: bilan.Indicator) -> tuple[pd.DataFrame, str]:
    """The ranking table and the reference text of ``indicator``."""
    chiffres, terr = base.data.chiffres, base.terr
    return base.memo(
        ("ranking", indicator.id),
        lambda: (
            comparison.ranking_table(chiffres, terr.epci, terr.communes, indicator),
            comparison.reference_text(chiffres, terr.communes, indicator),
        ),
    )


def ranking_section(base: Base, indicator: bilan.Indicator, columns: int) -> str:
    """The 20 EPCI ranked on ``indicator`` (rank, name, value), the département's value as reference, as
    one HTML block (:func:`geodash.webtext.ranking`, in ``columns`` tables side by side): « au moins »
    explained when a value is a minimum, and the indicator's source."""

    def html() -> str:
        table, reference = ranking(base, indicator)
        notes = [MINIMUM_NOTE] if table["Valeur"].str.startswith(precision_prefix("minimum")).any() else []
        notes.append(f"source : {indicator.source}")
        return webtext.ranking(
            table[["Rang", "Intercommunalité", "Valeur"]],
            title=f"Classement : {indicator.label}, {indicator.period}",
            reference=reference,
            note=" ; ".join(notes) + ".",
            columns=columns,
            anchor=RANKING_ANCHOR,
        )

    return base.memo(("ranking_section", indicator.id, columns), html)


def brief(base: Base, chosen: Selection) -> str:
    """The paragraph above an EPCI's map (plain text): its bilan, then the count of the projects its
    contract names (so that nobody reads the sample as the total)."""
    terr, epci = base.terr, chosen.filters.epci

    def text() -> str:
        has_contract = epci in set(base.data.chiffres["epci_siren"])
        bilan_line = comparison.epci_bilan_line(base.data.chiffres, terr.communes, epci, terr.epci_name(epci))
        named = comparison.named_projects_line(chosen.rows, has_contract=has_contract, detail=False)
        return f"{bilan_line} {named}"

    return base.memo(("brief", chosen.filters), text)


def notice(base: Base) -> str | None:
    """The discreet line of the map page when rows are set aside or a context layer is missing (the
    Sources page has the details), else ``None``."""
    parts = []
    if base.data.rejected:
        n, s = base.data.rejected, "s" if base.data.rejected > 1 else ""
        parts.append(f"{n} ligne{s} du fichier des projets en cours de correction, non affichée{s}")
    if base.context.errors:
        parts.append("une couche du Département n'a pas pu être affichée")
    return " ; ".join(parts) or None


def map_head(base: Base, choice: Choice) -> str:
    """What the map page writes above its map, as one HTML section (:func:`geodash.webtext.map_head`): the
    title, the :func:`notice`, an EPCI's :func:`brief` and its contract's progress, and the links of the
    map's text alternative; kept per view."""
    epci = choice.filters.epci

    def html() -> str:
        if epci is None:
            brief_text = progress = None
            targets = [("classement des intercommunalités", RANKING_ANCHOR)]
        else:
            brief_text = brief(base, selected(base, choice.filters))
            cp = contract_progress(base, epci, None)
            progress = None if cp is None else (cp.headline, f"avancement?epci={epci}")
            targets = [("chiffres clés", KEY_FIGURES_ANCHOR)]
        return webtext.map_head(
            title(base, choice),
            notice=notice(base),
            brief=brief_text,
            progress=progress,
            alternative=[*targets, ("tableau des projets", PROJECTS_ANCHOR)],
        )

    return base.memo(("map_head", choice.filters), html)


@dataclass(frozen=True)
class KeyFigures:
    """The tables and lines under an EPCI's map."""

    bilan_table: pd.DataFrame  # empty when the contract states no figure by domain
    bilan_line: str
    has_contract: bool
    named_line: str
    theme_period: pd.DataFrame
    contract_figures: pd.DataFrame | None
    road_lengths: pd.DataFrame | None


def key_figures(base: Base, chosen: Selection) -> KeyFigures:
    """The key figures of an EPCI's view."""
    return base.memo(("key_figures", chosen.filters), lambda: _key_figures(base, chosen))


def _key_figures(base: Base, chosen: Selection) -> KeyFigures:
    terr, epci, chiffres = base.terr, chosen.filters.epci, base.data.chiffres
    has_contract = epci in set(chiffres["epci_siren"])
    return KeyFigures(
        bilan_table=comparison.epci_bilan_table(chiffres, terr.communes, epci),
        bilan_line=comparison.epci_bilan_line(chiffres, terr.communes, epci, terr.epci_name(epci)),
        has_contract=has_contract,
        named_line=comparison.named_projects_line(chosen.rows, has_contract=has_contract),
        theme_period=dashboard.theme_period_table(chosen.rows),
        contract_figures=dashboard.key_figures(chiffres, epci) if has_contract else None,
        road_lengths=None if base.road_lengths is None else dashboard.road_length_table(base.road_lengths, epci),
    )


def figures_section(base: Base, chosen: Selection) -> str:
    """What the map page writes between its map and its project table, as one HTML section: an EPCI's
    :func:`key_figures` (:func:`geodash.webtext.key_figures`), then the heading of the project table."""

    def html() -> str:
        epci = chosen.filters.epci
        figures = (
            None
            if epci is None
            else webtext.key_figures(key_figures(base, chosen), period=bilan.PERIOD, anchor=KEY_FIGURES_ANCHOR)
        )
        return webtext.section(figures, webtext.element("h3", "Projets", ident=PROJECTS_ANCHOR))

    return base.memo(("figures_section", chosen.filters), html)


def projects_notes(base: Base, chosen: Selection) -> str:
    """The captions under the project table, as one HTML section: the projects of the whole EPCI (no
    commune), then the sources of the map."""

    def html() -> str:
        lines = []
        if chosen.filters.epci and not chosen.unplaced.empty:
            lines.append(
                f"{len(chosen.unplaced)} projet(s) concernent l'ensemble de l'intercommunalité (sans commune) : "
                "ils figurent dans l'encadré de la légende et dans le tableau (lieu « Ensemble de "
                "l'intercommunalité »)."
            )
        lines.append(base.map_credit)
        return webtext.section(*(webtext.element("p", line, cls=webtext.CAPTION) for line in lines))

    return base.memo(("projects_notes", chosen.filters), html)


def projects_table(base: Base, chosen: Selection) -> pd.DataFrame:
    """The table of the selected projects, numbered as on the map."""

    def table():
        commune_names = dict(zip(base.terr.communes["insee"], base.terr.communes["nom"]))
        return dashboard.project_table(chosen.rows, legend.number_projects(chosen.placed), commune_names)

    return base.memo(("projects", chosen.filters), table)


#: Most rows a page's project table shows (five times the Pas-de-Calais' 1 010 financings): a larger table
#: (a national deployment) is not sent to a browser, which could not show it; its files are downloaded.
GRID_ROWS_MAX = 5_000


def projects_grid(base: Base, chosen: Selection) -> dashboard.Grid | None:
    """:func:`projects_table` as the page shows it (:func:`geodash.dashboard.french_grid`), kept with the
    view: every session's run hands the same JSON text to the table component. ``None`` above
    :data:`GRID_ROWS_MAX` rows."""
    table = projects_table(base, chosen)
    if len(table) > GRID_ROWS_MAX:
        return None
    return base.memo(("projects-grid", chosen.filters), lambda: dashboard.french_grid(table))


# --- « Avancement du contrat » -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressChoice:
    """What the progress page shows: a territory (``None``: the département), the changes since ``since``
    (``None``: none asked), in projector mode or not."""

    epci: str | None
    since: date | None
    projector: bool


def progress_choice(base: Base, params: dict) -> ProgressChoice:
    """The progress page's choice from a link's query: an unknown EPCI is the département, a ``depuis`` that
    is not a past ISO date is ignored, one before the contracts is their date (the page always opens)."""
    epci = str(params.get("epci") or "").strip() or None
    since = None
    with contextlib.suppress(ValueError):  # not a date: ignored
        since = date.fromisoformat(str(params.get("depuis") or "").strip())
    if since is not None and (base.followed is None or since > base.followed.today):
        since = None  # nothing is recorded in the future, nor without a database
    elif since is not None:
        since = max(since, avancement.HISTORY_START)  # the follow-up starts with the contracts
    return ProgressChoice(epci if epci in base.terr.sirens else None, since, params.get("mode") == "projecteur")


def progress_params(choice: ProgressChoice) -> dict[str, str]:
    """The link of a progress view (the inverse of :func:`progress_choice`)."""
    params = {"epci": choice.epci, "depuis": choice.since.isoformat() if choice.since else None}
    params["mode"] = "projecteur" if choice.projector else None
    return {k: v for k, v in params.items() if v}


def contract_progress(base: Base, epci: str | None, since: date | None) -> avancement.ContractProgress | None:
    """The territory's « Avancement du contrat » (``None`` when nothing is followed: CSV files read as they
    are), computed once per data version."""
    if base.followed is None:
        return None
    name = option_labels(base)[epci] if epci else settings.DEPARTEMENT_NOM
    return base.memo(
        ("progress", epci, since),
        lambda: avancement.contract_progress(
            base.data.financements, base.followed, epci_siren=epci, name=name, since=since
        ),
    )


def progress_comparison(base: Base) -> pd.DataFrame | None:
    """The EPCI side by side on shares of their own contract (:func:`avancement.comparison_table`)."""
    if base.followed is None:
        return None
    return base.memo(
        ("progress-comparison",),
        lambda: avancement.comparison_table(base.data.financements, base.followed, base.terr.epci),
    )


def first_look(base: Base, stamp: str) -> FirstLook:
    """The root URL's first look (:mod:`geodash.firstlook`): the title block, the map's name and view and
    the territory list its page draws, made from ``stamp`` (:func:`geodash.firstlook.fingerprint`)."""
    choice = choice_of(base, opened(base, view_of(base, {})))
    web, labels = web_map(base, choice), option_labels(base)
    return FirstLook(
        head=map_head(base, choice),
        label=map_label(base, choice),
        key=web.key,
        text=web.text,
        mode=choice.mode,
        options=[[option or "", labels[option]] for option in epci_options(base)],
        stamp=stamp,
    )


def prepare(base: Base, params: dict) -> Choice:
    """Compute every part of the view a link's query (``params``) opens, as its first visitor's run
    would, and keep them with the data; returns the view's choice."""
    choice = choice_of(base, opened(base, view_of(base, params)))
    chosen = selected(base, choice.filters)
    option_labels(base)  # the sidebar's territory list
    web_map(base, choice)
    if choice.projector:
        return choice
    if choice.indicator is not None:
        ranking_section(base, choice.indicator, RANKING_COLUMNS)
    map_head(base, choice)  # with the EPCI's brief and the line on its contract's progress
    figures_section(base, chosen)  # with the EPCI's key figures
    projects_grid(base, chosen)
    projects_notes(base, chosen)
    return choice
