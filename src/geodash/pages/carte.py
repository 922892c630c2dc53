"""The map page ("Carte", the app's root URL): filters in the sidebar, the map, the export of the
view, key figures and the project table; the projector mode (``?mode=projecteur``) keeps the map only.

Every view is a link: the page reads its view from the URL query and writes it back. What a view
shows is decided by :mod:`geodash.viewmodel`; this page turns widgets into a choice and the view's
parts into Streamlit calls.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from .. import atlas, dashboard, layers, style, webtext
from .. import viewmodel as vm
from ..formatting import format_eur, format_number
from ..selection import Base, Selection
from ..viewmodel import Choice, Position, Widgets
from ..views import View, view_params
from . import datagrid, footer, indicators, mapview, territory, view_url

__all__ = ["render"]


def render(base: Base) -> None:
    """The whole map page: the sidebar, then the view of the territory chosen (:func:`shown_view`)."""
    view = vm.view_of(base, st.query_params.to_dict())
    widgets = sidebar(base, view)
    shown_view(base, view, widgets)
    if not widgets.projector:
        footer()


@st.fragment
def shown_view(base: Base, view: View, widgets: Widgets) -> None:
    """The view of the territory chosen with the sidebar's filters (``widgets``): title, map, figures, table.

    A fragment: a territory chosen in the list (which tells the map, see :func:`draw_map`), by the
    projector's buttons or on the département's map runs this part of the page again, not the sidebar,
    whose filters did not change: the browser has a dozen elements to draw again instead of thirty. A change
    between the département and a territory (the sidebar shows the département's indicator list) or of mode
    (the projector's ✕ sets the sidebar's toggle) runs the whole page.
    """
    epci = chosen_epci(base)
    if (epci is None) != (widgets.epci is None) or st.session_state.get("projector") != widgets.projector:
        st.rerun(scope="app")  # the sidebar changes too (the indicator list, the mode's toggle)
    choice = vm.choice_of(base, replace(widgets, epci=epci))
    keep_view_in_url(base, view, choice)
    chosen = vm.selected(base, choice.filters)
    if not choice.projector:  # the projector's title is on the map's own bar
        st.html(vm.map_head(base, choice))
    draw_map(base, view, choice)
    if not choice.projector:
        map_keys(choice)
        if choice.indicator is not None:
            indicators.ranking(base, choice.indicator)
        export(base, choice)
        st.html(vm.figures_section(base, chosen))  # an EPCI's key figures, the project table's heading
        project_table(base, choice, chosen)


# --- Sidebar ----------------------------------------------------------------------------------------


def sidebar(base: Base, view: View) -> Widgets:
    """Territory and filter widgets, opened on ``view``; their values."""
    d, labels = vm.opened(base, view), vm.option_labels(base)
    options = vm.epci_options(base)
    with st.sidebar:
        st.header("Territoire")
        # The link's EPCI opens the session; afterwards the session keeps its own (set by the list, the
        # projector's buttons and the map before the page's next run).
        if "epci" not in st.session_state:
            st.session_state["epci"] = d.epci
        epci = chosen_epci(base)
        territory.chooser(
            "Intercommunalité", options, labels, epci, key="territory", on_choose=lambda e: territory.choose(e, options)
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
        amounts = st.select_slider(
            "Montant du Département (€)",
            options=vm.amount_steps(base, *d.amounts),
            value=d.amounts,
            format_func=format_eur,  # « 1 000 000 € », whatever the browser's language
        )
        text = st.text_input("Rechercher un projet ou une commune", value=d.text)
        shown, road_keys = _layer_widgets(base, d)
        if "projector" not in st.session_state:  # the link's mode opens the session; then the widget's own
            st.session_state["projector"] = d.projector
        projector = st.toggle("Mode projecteur", key="projector")
    return Widgets(epci, themes, periodes, natures, amounts, text, shown, road_keys, projector, indicator)


def chosen_epci(base: Base) -> str | None:
    """The territory this session shows: set by the link, then by the list, the map and the projector's
    buttons (``None``: the département)."""
    epci = st.session_state.get("epci")
    return epci if epci in vm.epci_options(base) else None


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
    present = vm.roads_present(base)
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
        indicateur=view.indicateur if choice.indicator is None else vm.url_indicator(choice.indicator),
    )
    if flt.epci != view.filters.epci:
        current.lat = current.lng = current.zoom = None
    st.query_params.from_dict(view_params(current))
    if choice.mode != view.mode:
        st.rerun()


# --- Title, problems ----------------------------------------------------------------------------------


def _go(options: list[str | None], step: int) -> None:
    """« Précédent » / « Suivant » (``step``): the next territory in the list, before the page's next run."""
    i = options.index(st.session_state.get("epci"))
    st.session_state["epci"] = options[(i + step) % len(options)]


def _leave_projector() -> None:
    st.session_state["projector"] = False


# --- Map ------------------------------------------------------------------------------------------------


def map_keys(choice: Choice) -> None:
    """Under the map: how it is used with the keyboard (the accessibility statement says more)."""
    moves = "les flèches déplacent la carte, + et - changent le zoom, L affiche ou masque la légende"
    if choice.filters.epci is None:
        keys = f"Au clavier : Tab atteint la carte, {moves} ; un territoire s'ouvre par la liste « Intercommunalité »."
    else:
        keys = (
            f"Au clavier : Tab atteint la carte puis chacun de ses projets, Entrée ouvre la fiche d'un projet, {moves}."
        )
    st.html(webtext.element("p", keys, cls=webtext.CAPTION))


def draw_map(base: Base, view: View, choice: Choice) -> None:
    """The map; a click on an EPCI of the département's map opens it. A territory chosen in the sidebar's
    list reaches the page through the map (which draws it first): only :func:`shown_view` runs again."""
    epci, mode = choice.filters.epci, choice.mode
    first_run = not st.session_state.get("view_from_url_used")
    st.session_state["view_from_url_used"] = True
    # A link's position is used on the session's first run; afterwards the map keeps its own.
    lat, lng, zoom = (view.lat, view.lng, view.zoom) if epci == view.filters.epci else (None, None, None)
    linked = bool(first_run and lat and lng)
    position = Position((lat, lng) if linked else None, zoom if first_run else None, not linked)
    # One map for the page, drawn again in place for every view: the component keeps it across runs.
    options, labels = vm.epci_options(base), vm.option_labels(base)
    bar = None
    if choice.projector:
        i = options.index(epci)
        before, after = options[(i - 1) % len(options)], options[(i + 1) % len(options)]
        bar = mapview.Bar(
            title=vm.title(base, choice),
            prev=labels[before],
            next=labels[after],
            prev_to=before or "",
            next_to=after or "",
        )
    web, ahead = vm.web_map(base, choice), maps_ahead(base, choice)
    # A view this session's map was offered ahead by the last run is drawn already (or being fetched): the run
    # sends its address, not its data (100-200 KB the browser would decode again for nothing).
    offered = st.session_state.get(OFFERED_AHEAD, frozenset())
    st.session_state[OFFERED_AHEAD] = frozenset(a.key for a in ahead.values())
    mapview.show(
        web,
        position=position,
        key=mapview.key_of(mode),
        label=vm.map_label(base, choice),
        height=None if choice.projector else 580,
        bar=bar,
        ahead=ahead,
        served=view_url(web.key, web.text) if web.key in offered else None,
        territory=epci,
        on_click=lambda siren: territory.choose(siren, base.terr.sirens) if epci is None else None,
        on_choose=lambda siren: territory.choose(siren, options),
        on_missing=_offer_nothing,
        on_step=lambda step: _go(options, step),
        on_exit=_leave_projector,
    )


#: Session key: the keys of the views the last run offered the map ahead (:func:`maps_ahead`).
OFFERED_AHEAD = "map_offered_ahead"


def _offer_nothing() -> None:
    """The map could not fetch a view by its address: the next run sends every view's data."""
    st.session_state[OFFERED_AHEAD] = frozenset()


def maps_ahead(base: Base, choice: Choice) -> dict[str, mapview.Ahead]:
    """The territories' views the map draws as soon as one is chosen, before the page's next run
    (:func:`geodash.viewmodel.maps_ahead`, published as static files)."""
    found = {}
    for epci, web in vm.maps_ahead(base, choice).items():
        url = view_url(web.key, web.text)
        if url is not None:
            nearby = vm.neighbour(choice, epci)
            found[epci] = mapview.Ahead(
                url=url, key=web.key, label=vm.map_label(base, nearby), title=vm.title(base, nearby)
            )
    return found


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


def project_table(base: Base, choice: Choice, chosen: Selection) -> None:
    """The selected projects, numbered as on the map, with CSV and Excel downloads."""
    epci = chosen.filters.epci
    table = vm.projects_table(base, chosen)
    # Written in French by the server, sorted on the numbers; « montant non précisé » where the source
    # gives none (the files keep numbers).
    grid = vm.projects_grid(base, chosen)
    if grid is None:
        st.info(
            f"{format_number(len(table))} projets : trop pour un tableau dans la page. Choisissez un territoire ou "
            "des filtres, ou téléchargez-les tous (CSV, Excel) ci-dessous."
        )
    else:
        datagrid.show(
            grid,
            key="projects",
            label=f"Tableau des projets : {vm.title(base, choice)}",
            empty="Aucun projet ne correspond aux filtres.",
        )
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
    st.html(vm.projects_notes(base, chosen))
