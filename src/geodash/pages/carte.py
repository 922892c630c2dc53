"""The map page ("Carte", the app's root URL): filters in the sidebar, the map, the export of the
view, key figures and the project table; the projector mode (``?mode=projecteur``) keeps the map only.

Every view is a link: the page reads its view from the URL query and writes it back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from .. import atlas, bilan, comparison, dashboard, layers, legend, mapframe, style, weblayers, webmap
from ..selection import Base, Filters, Selection, select
from ..views import View, parse_view, view_params
from . import STATIC_DIR, french_dataframe, indicators, markdown_text, page_style, text_table

__all__ = ["render"]

TITLE_DEPARTEMENT = "Pas-de-Calais — contrats territoriaux de développement durable"


@dataclass(frozen=True)
class Choice:
    """What the sidebar decided: the filters, the context layers shown and the display mode."""

    filters: Filters
    shown: tuple[str, ...]  # context layer kinds drawn
    mode: str
    indicator: bilan.Indicator | None = None  # compared on the département view (None: an EPCI's view)

    @property
    def projector(self) -> bool:
        return self.mode == "projecteur"


def render(base: Base) -> None:
    """The whole map page."""
    view = view_of(base, st.query_params.to_dict())
    page_style(view.mode == "projecteur")
    choice = sidebar(base, view)
    keep_view_in_url(base, view, choice)
    chosen = selected(base, choice.filters)
    header(base, choice)
    problems(base, choice.projector)
    if not choice.projector:
        in_brief(base, chosen)
    draw_map(base, view, choice, chosen)
    if not choice.projector:
        if choice.indicator is not None:
            indicators.ranking(base, choice.indicator, compact=True)
        export(base, choice)
        key_figures(base, chosen)
        project_table(base, chosen)


def view_of(base: Base, params: dict) -> View:
    """The view a link's query opens."""
    indicator_ids = comparison.indicator_ids(base.data.chiffres)
    return parse_view(params, base.terr.sirens, indicator_ids, amount_top=amount_top(base))


# Every part of the page derived from the data is kept with them (Base.memo) for every session: a
# view seen once is served again without being computed again, until the data change. The server
# prepares the views a link opens when it starts (:func:`prepare`, called by geodash.startup).

#: The map's position on a session's first run without a position in its link, and on its later runs.
UNLINKED = (None, None, True)


def selected(base: Base, filters: Filters) -> Selection:
    """:func:`geodash.selection.select`, kept with the data."""
    return base.memo(("selection", filters), lambda: select(base, filters))


def map_script(base: Base, choice: Choice, chosen: Selection, position=UNLINKED) -> str:
    """The map of a view as the script the page's map frame runs (:mod:`geodash.mapframe`);
    ``position`` is (centre, zoom, restore the tab's last position)."""
    indicator = choice.indicator.id if choice.indicator is not None else None
    label = option_labels(base)[choice.filters.epci]
    return base.memo(
        ("map", choice.filters, choice.shown, choice.mode, indicator, position),
        lambda: mapframe.view_script(map_of(base, choice, chosen, *position), label),
    )


def switch_script(base: Base, params: dict, *, to: str | None = None, step: int = 0) -> str | None:
    """The map script a page on an EPCI's link (``params``) will show once its visitor has chosen the
    territory labelled ``to`` in the sidebar, or moved ``step`` places in the list as the projector's
    buttons do (:func:`_go`): the link's other settings kept, as the page's next run draws it
    (:func:`draw_map`: a territory left for another has no position of its own). Asked by the map
    frame, to draw the view ahead of that run (:mod:`geodash.ahead`); ``None`` when the page is not on
    an EPCI or the next view is not one (the département's map has a frame of its own).
    """
    view = view_of(base, params)
    current = view.filters.epci
    if current is None:
        return None
    if to is not None:
        target = {label: siren for siren, label in option_labels(base).items()}.get(to)
    else:
        options = _epci_options(base)
        target = options[(options.index(current) + step) % len(options)]
    if target is None:
        return None
    choice, chosen = _opened_view(base, replace(view, filters=replace(view.filters, epci=target)))
    return map_script(base, choice, chosen)


def _opened_view(base: Base, view: View) -> tuple[Choice, Selection]:
    """What a session's first run decides and selects for ``view``, with the sidebar as it opens."""
    choice = choice_of(base, opened(base, view))
    return choice, selected(base, choice.filters)


def brief(base: Base, chosen: Selection) -> str:
    """The paragraph above an EPCI's map: its bilan, then the count of the projects its contract names."""
    terr, epci = base.terr, chosen.filters.epci

    def text() -> str:
        has_contract = epci in set(base.data.chiffres["epci_siren"])
        bilan_line = comparison.epci_bilan_line(base.data.chiffres, terr.communes, epci, terr.epci_name(epci))
        named = comparison.named_projects_line(chosen.rows, has_contract=has_contract, detail=False)
        return markdown_text(f"{bilan_line} {named}")

    return base.memo(("brief", chosen.filters), text)


def projects_table(base: Base, chosen: Selection):
    """The table of the selected projects, numbered as on the map."""

    def table():
        commune_names = dict(zip(base.terr.communes["insee"], base.terr.communes["nom"]))
        return dashboard.project_table(chosen.rows, legend.number_projects(chosen.placed), commune_names)

    return base.memo(("projects", chosen.filters), table)


def prepare(base: Base, params: dict) -> None:
    """Compute what the page shows for the view ``params`` (a link's query) opens, as its first
    visitor's run would, and keep it with the data."""
    choice, chosen = _opened_view(base, view_of(base, params))
    mapframe.base()  # the frame the view is drawn into (the same for every view)
    map_script(base, choice, chosen)
    if choice.projector:
        return
    if choice.indicator is not None:
        indicators.ranking_parts(base, choice.indicator)
    if choice.filters.epci is not None:
        brief(base, chosen)
        key_figures_of(base, chosen)
    projects_table(base, chosen)


# --- Sidebar ----------------------------------------------------------------------------------------


def amount_top(base: Base) -> float:
    """The top of the amount filter: the largest amount of the data (1 € when there is none)."""
    return float(max(1.0, base.data.financements["montant_departement_eur"].max(skipna=True) or 1.0))


def _epci_options(base: Base) -> list[str | None]:
    return [None, *base.terr.sirens]


def option_labels(base: Base) -> dict[str | None, str]:
    """What the territory list shows for each option: EPCI short names, the département for ``None``."""

    def labels() -> dict[str | None, str]:
        names = dict(zip(base.terr.epci["siren"], base.terr.epci["nom_court"]))
        return {siren: "Tout le département" if siren is None else names[siren] for siren in _epci_options(base)}

    return base.memo(("option-labels",), labels)


def _chosen(keys: tuple[str, ...] | None, allowed) -> list[str]:
    """Widget value of a filter: ``None`` (no filter) is every key."""
    return list(allowed) if keys is None else list(keys)


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


def opened(base: Base, view: View) -> Widgets:
    """The sidebar as ``view`` opens it: every widget's default value."""
    flt, top = view.filters, amount_top(base)
    available = base.context.available
    shown = [k for k in view.couches if k in available]
    routes = None
    if base.roads is not None:
        present = _roads_present(base)
        routes = [k for k in _chosen(flt.routes, style.ROAD_CLASSES) if k in present]
    indicator = None
    if flt.epci is None:
        ids = comparison.indicator_ids(base.data.chiffres)
        indicator = view.indicateur if view.indicateur in ids else comparison.DEFAULT_INDICATOR
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
    indicator = None
    if w.epci is None and w.indicator is not None:
        indicator = {i.id: i for i in bilan.comparable_indicators(base.data.chiffres)}[w.indicator]
    return Choice(filters, tuple(w.shown), "projecteur" if w.projector else "normal", indicator)


def _roads_present(base: Base) -> list[str]:
    return [k for k in style.ROAD_CLASSES if k in set(base.roads["style"])]


def sidebar(base: Base, view: View) -> Choice:
    """Territory and filter widgets, opened on ``view``."""
    d, labels = opened(base, view), option_labels(base)
    options = _epci_options(base)
    if "epci_from_map" in st.session_state:  # a click on the département map (previous run)
        st.session_state["epci"] = st.session_state.pop("epci_from_map")
    with st.sidebar:
        st.header("Territoire")
        epci = st.selectbox(
            "Intercommunalité",
            options,
            # The link's EPCI opens the session; afterwards the widget keeps its own state (set by
            # the buttons and the map too, so no second default is given).
            index=0 if "epci" in st.session_state else options.index(d.epci),
            format_func=labels.__getitem__,
            key="epci",
        )
        indicator = indicators.choose_indicator(base, view.indicateur).id if epci is None else None
        st.header("Filtres")
        themes = st.multiselect("Thématiques", list(style.THEMES), default=d.themes)
        periodes = st.multiselect(
            "Période", list(style.PERIODS), default=d.periodes, format_func=lambda p: style.PERIODS[p].label
        )
        natures = st.multiselect(
            "Nature", list(style.NATURES), default=d.natures, format_func=lambda n: style.NATURES[n]
        )
        amounts = st.slider("Montant du Département (€)", 0.0, amount_top(base), d.amounts, step=1000.0, format="%.0f")
        text = st.text_input("Rechercher un projet ou une commune", value=d.text)
        shown, road_keys = _layer_widgets(base, d)
        projector = st.toggle("Mode projecteur", value=d.projector)
    return choice_of(
        base, Widgets(epci, themes, periodes, natures, amounts, text, shown, road_keys, projector, indicator)
    )


def _layer_widgets(base: Base, d: Widgets) -> tuple[list[str], list[str] | None]:
    """Context layer toggles and, when roads are shown, the road categories (``None``: no road filter)."""
    available = base.context.available
    if not available:
        return [], None
    shown = st.multiselect(
        "Couches du Département", available, default=d.shown, format_func=lambda k: layers.LAYER_LABELS[k]
    )
    if base.roads is None or "routes" not in shown:
        return shown, None
    present = _roads_present(base)
    road_keys = st.multiselect(
        "Routes",
        present,
        default=d.routes,
        format_func=lambda k: style.ROAD_CLASSES[k].label,
        help="Catégories de la table du Département ; les travaux routiers suivent le même filtre.",
    )
    return shown, road_keys


def keep_view_in_url(base: Base, view: View, choice: Choice) -> None:
    """Write the view in the URL (the map writes its own position); rerun when the mode changed."""
    flt = choice.filters
    current = View(
        # Hidden roads keep the road categories of the link for when they are shown again.
        filters=flt if flt.routes is not None else replace(flt, routes=view.filters.routes),
        couches=list(choice.shown) if set(choice.shown) != set(base.context.available) else View().couches,
        mode=choice.mode,
        lat=view.lat,
        lng=view.lng,
        zoom=view.zoom,
        # An EPCI's view has no indicator widget: the link keeps the département's for the way back.
        indicateur=view.indicateur if choice.indicator is None else indicators.url_value(choice.indicator),
    )
    if flt.epci != view.filters.epci:
        current.lat = current.lng = current.zoom = None
    st.query_params.from_dict(view_params(current))
    if choice.mode != view.mode:
        st.rerun()


# --- Title, problems ----------------------------------------------------------------------------------


def _go(options: list[str | None], step: int) -> None:
    i = options.index(st.session_state["epci"])
    st.session_state["epci"] = options[(i + step) % len(options)]


def header(base: Base, choice: Choice) -> None:
    """The title; in projector mode, between the « Précédent » / « Suivant » buttons (and arrow keys)."""
    epci = choice.filters.epci
    title = markdown_text(TITLE_DEPARTEMENT if epci is None else base.terr.epci_name(epci))
    if not choice.projector:
        st.title(title)
        return
    options = _epci_options(base)
    left, mid, right = st.columns([1.4, 5, 1.4], vertical_alignment="center")
    left.button("◀ Précédent", on_click=_go, args=(options, -1), width="stretch", key="prev")
    mid.title(title)
    right.button("Suivant ▶", on_click=_go, args=(options, 1), width="stretch", key="next")
    keys = (STATIC_DIR / "projector_keys.js").read_text(encoding="utf-8")
    st.html(f"<script>{keys}</script>", unsafe_allow_javascript=True)


def problems(base: Base, projector: bool) -> None:
    """A discreet line when rows are set aside or a context layer is missing, with a link to the
    Sources page where the staff read the details (nothing on the projector)."""
    if projector:
        return
    parts = []
    if base.data.rejected:
        n = base.data.rejected
        parts.append(
            f"{n} ligne{'s' if n > 1 else ''} du fichier des projets en cours de correction, non affichée{'s' if n > 1 else ''}"
        )
    if base.context.errors:
        parts.append("une couche du Département n'a pas pu être affichée")
    if parts:
        st.caption("ℹ️ " + " ; ".join(parts) + " — [qualité des données](sources)")


# --- Map ------------------------------------------------------------------------------------------------


def draw_map(base: Base, view: View, choice: Choice, chosen: Selection) -> None:
    """The folium map; a click on an EPCI of the département map opens it (next run)."""
    epci, mode = choice.filters.epci, choice.mode
    first_run = not st.session_state.get("view_from_url_used")
    st.session_state["view_from_url_used"] = True
    # A link's position is used on the session's first run; afterwards the map keeps its own.
    lat, lng, zoom = (view.lat, view.lng, view.zoom) if epci == view.filters.epci else (None, None, None)
    linked = bool(first_run and lat and lng)
    position = ((lat, lng) if linked else None, zoom if first_run else None, not linked)
    script = map_script(base, choice, chosen, position)
    # One frame for the EPCI views and one for the département's (which reports clicks), per mode:
    # going from an EPCI to another redraws the map in place. Only a click on the département map
    # comes back to Python; the map writes its position to the page URL itself (webmap.py), so
    # panning and zooming rerun nothing.
    result = mapframe.show_script(
        script,
        key=f"map-{'epci' if epci else 'departement'}-{mode}",
        height=900 if choice.projector else 580,
        returned_objects=["last_object_clicked"] if epci is None else [],
    )
    clicked = (result or {}).get("last_object_clicked")
    if epci is None and clicked:
        hit = webmap.epci_at(base.terr, clicked["lat"], clicked["lng"])
        if hit:
            st.session_state["epci_from_map"] = hit  # applied before the selectbox exists (next run)
            st.rerun()


def map_of(base: Base, choice: Choice, chosen: Selection, center, zoom, restore_view: bool):
    """The folium map of a view: territories, projects, the context layers shown, the indicator."""
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
        center=center,
        zoom=zoom,
        restore_view=restore_view,
        choropleth=indicators.choropleth(base, choice.indicator) if choice.indicator is not None else None,
        context=context,
    )
    return webmap.build_map(terr, chosen.placed, chosen.unplaced, options)


# --- Below the map ----------------------------------------------------------------------------------------


def export(base: Base, choice: Choice) -> None:
    """The current view as a print sheet (PDF or PNG, A4 or A3), prepared on demand.

    The panel's content is written only while it is open (a lazy expander): closed, it costs a switch of
    territory nothing but its title.
    """
    panel = st.expander("Exporter la carte (PDF ou PNG, format A4 ou A3)", key="export-open", on_change="rerun")
    if not panel.open:
        return
    with panel:
        e1, e2, e3, e4 = st.columns([1, 1, 1, 2])
        fmt = e1.radio("Format", ["PDF", "PNG"], horizontal=True)
        paper = e2.radio("Papier", ["A4", "A3"], horizontal=True)
        orientation = e3.radio("Orientation", ["paysage", "portrait"], horizontal=True)
        export_key = (choice.filters, fmt, paper, orientation)
        if e4.button("Préparer la carte à imprimer"):
            with st.spinner("Mise en page de la carte…"):
                request = atlas.SheetRequest(choice.filters, paper, orientation)
                context = base.context.only(choice.shown) if choice.shown else None
                figure = atlas.render_view(base, request, context)
                st.session_state["export"] = (export_key, atlas.figure_bytes(figure, fmt.lower()))
                atlas.close_figure(figure)  # matplotlib is imported only when a sheet is drawn
        ready = st.session_state.get("export")
        if ready and ready[0] == export_key:
            e4.download_button(
                "Télécharger la carte",
                ready[1],
                f"{atlas.sheet_stem(base.terr, choice.filters.epci)}.{fmt.lower()}",
                "application/pdf" if fmt == "PDF" else "image/png",
            )


def in_brief(base: Base, chosen: Selection) -> None:
    """One EPCI, above its map: the bilan first (what the Département states for the territory), then
    the count of the projects the contract names, so that nobody reads the sample as the total."""
    if chosen.filters.epci is None:
        return
    st.markdown(brief(base, chosen))  # one paragraph: the map stays on a laptop's first screen


@dataclass(frozen=True)
class KeyFigures:
    """The tables and lines of :func:`key_figures` for one view (kept with the data, see Base.memo)."""

    bilan_table: object  # DataFrame; empty when the contract states no figure by domain
    bilan_line: str
    has_contract: bool
    named_line: str
    theme_period: object
    contract_figures: object | None
    road_lengths: object | None


def key_figures_of(base: Base, chosen: Selection) -> KeyFigures:
    """The key figures of an EPCI's view (:func:`key_figures`), kept with the data."""
    return base.memo(("key_figures", chosen.filters), lambda: _key_figures(base, chosen))


def _key_figures(base: Base, chosen: Selection) -> KeyFigures:
    terr, epci, chiffres = base.terr, chosen.filters.epci, base.data.chiffres
    has_contract = epci in set(chiffres["epci_siren"])
    return KeyFigures(
        bilan_table=comparison.epci_bilan_table(chiffres, terr.communes, epci),
        bilan_line=markdown_text(comparison.epci_bilan_line(chiffres, terr.communes, epci, terr.epci_name(epci))),
        has_contract=has_contract,
        named_line=markdown_text(comparison.named_projects_line(chosen.rows, has_contract=has_contract)),
        theme_period=dashboard.theme_period_table(chosen.rows),
        contract_figures=dashboard.key_figures(chiffres, epci) if has_contract else None,
        road_lengths=None if base.road_lengths is None else dashboard.road_length_table(base.road_lengths, epci),
    )


def key_figures(base: Base, chosen: Selection) -> None:
    """One EPCI: « Le Département sur le territoire, 2015-2018 » by domain, then the named projects by
    theme and period, the contract's key figures and road lengths (the département's figures are on the
    comparison page)."""
    if chosen.filters.epci is None:
        return
    kf = key_figures_of(base, chosen)
    st.subheader(f"Le Département sur le territoire, {bilan.PERIOD}")
    if kf.bilan_table.empty:
        st.markdown(kf.bilan_line)
    else:
        text_table(kf.bilan_table)
        st.caption(
            "Investissement du Département déclaré par le contrat (Livret I, partie 7), par domaine ; "
            "un domaine que le contrat ne chiffre pas n'a pas de ligne. Par habitant : population municipale "
            "INSEE des communes du Pas-de-Calais."
        )
    st.subheader("Projets cités dans le contrat" if kf.has_contract else "Projets cités dans le document")
    st.markdown(kf.named_line)
    col1, col2 = st.columns([3, 2])
    with col1:
        st.markdown("**Montants des projets cités, par thématique et période**")
        text_table(kf.theme_period, index=True)
    with col2:
        if kf.contract_figures is not None:
            # Written only while open (a lazy expander), as the export panel.
            figures = st.expander(
                "Tous les chiffres clés du contrat (Livret I, partie 7)", key="figures-open", on_change="rerun"
            )
            if figures.open:
                with figures:
                    text_table(kf.contract_figures)
        if kf.road_lengths is not None:
            st.markdown("**Longueur des routes par catégorie** (couche du Département, dans l'EPCI)")
            text_table(kf.road_lengths)


def project_table(base: Base, chosen: Selection) -> None:
    """The selected projects, numbered as on the map, with CSV and Excel downloads."""
    epci = chosen.filters.epci
    st.subheader("Projets")
    table = projects_table(base, chosen)
    # Numbers stay numbers (the table sorts on them), written in French by the server; « montant non
    # précisé » where the source gives none (the files keep numbers).
    french_dataframe(dashboard.french_table(table))
    stem = dashboard.projects_file_stem(epci)
    c1, c2, _ = st.columns([1, 1, 4])
    # The files are built only when a button is clicked (a callable), not on every rerun.
    c1.download_button(
        "Télécharger (CSV)", lambda: dashboard.to_csv_bytes(table), f"{stem}.csv", "text/csv", on_click="ignore"
    )
    c2.download_button(
        "Télécharger (Excel)",
        lambda: dashboard.to_xlsx_bytes(table),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )
    if epci and not chosen.unplaced.empty:
        st.caption(
            f"{len(chosen.unplaced)} projet(s) concernent l'ensemble de l'intercommunalité (sans commune) : "
            "ils figurent dans l'encadré de la légende et dans le tableau (lieu « Ensemble de "
            "l'intercommunalité »)."
        )
    st.caption(base.map_credit)
