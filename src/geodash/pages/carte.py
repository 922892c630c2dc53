"""The map page ("Carte", the app's root URL): filters in the sidebar, the map, the export of the
view, key figures and the project table; the projector mode (``?mode=projecteur``) keeps the map only.

Every view is a link: the page reads its view from the URL query and writes it back. What a view
shows is decided by :mod:`geodash.viewmodel`; this page turns widgets into a choice and the view's
parts into Streamlit calls.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from .. import atlas, bilan, dashboard, layers, style
from .. import viewmodel as vm
from ..formatting import format_eur, format_number
from ..selection import Base, Selection
from ..viewmodel import Choice, Position, Widgets
from ..views import View, view_params
from . import (
    datagrid,
    footer,
    indicators,
    mapview,
    markdown_text,
    territory,
    text_alternative,
    text_table,
    view_url,
)

__all__ = ["render"]


def render(base: Base) -> None:
    """The whole map page."""
    view = vm.view_of(base, st.query_params.to_dict())
    choice = sidebar(base, view)
    keep_view_in_url(base, view, choice)
    chosen = vm.selected(base, choice.filters)
    if not choice.projector:  # the projector's title is on the map's own bar
        st.title(markdown_text(vm.title(base, choice)))
        problems(base)
        in_brief(base, chosen)
        map_alternative(choice)
    draw_map(base, view, choice)
    if not choice.projector:
        map_keys(choice)
        if choice.indicator is not None:
            indicators.ranking(base, choice.indicator, compact=True)
        export(base, choice)
        key_figures(base, chosen)
        project_table(base, choice, chosen)
        footer()


# --- Sidebar ----------------------------------------------------------------------------------------


def sidebar(base: Base, view: View) -> Choice:
    """Territory and filter widgets, opened on ``view``."""
    d, labels = vm.opened(base, view), vm.option_labels(base)
    options = vm.epci_options(base)
    with st.sidebar:
        st.header("Territoire")
        # The link's EPCI opens the session; afterwards the session keeps its own (set by the list, the
        # projector's buttons and the map before the page's next run).
        if "epci" not in st.session_state:
            st.session_state["epci"] = d.epci
        epci = st.session_state["epci"] if st.session_state["epci"] in options else None
        territory.chooser(
            "Intercommunalité", options, labels, epci, key="territory", on_choose=lambda e: _choose(e, options)
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
    return vm.choice_of(
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


def _choose(siren: str | None, sirens: list[str | None]) -> None:
    """A territory chosen in the list or clicked on the département's map: the page opens it, before the
    page's next run."""
    if siren in sirens:
        st.session_state["epci"] = siren


def _leave_projector() -> None:
    st.session_state["projector"] = False


def problems(base: Base) -> None:
    """A discreet line when rows are set aside or a context layer is missing, with a link to the
    Sources page where the staff read the details (not on the projector)."""
    parts = []
    if base.data.rejected:
        n = base.data.rejected
        parts.append(
            f"{n} ligne{'s' if n > 1 else ''} du fichier des projets en cours de correction, non affichée{'s' if n > 1 else ''}"
        )
    if base.context.errors:
        parts.append("une couche du Département n'a pas pu être affichée")
    if parts:
        # Not a caption: its link would be drawn faded, below the contrast links need.
        st.markdown("ℹ️ " + " ; ".join(parts) + " — [qualité des données](sources)")


# --- Map ------------------------------------------------------------------------------------------------

#: Anchors of the sections that are the map's text alternative.
KEY_FIGURES_ANCHOR, PROJECTS_ANCHOR = "chiffres-cles", "projets"


def map_alternative(choice: Choice) -> None:
    """Before the map: where its content is written as text, and its keys."""
    if choice.filters.epci is None:
        targets = [("classement des intercommunalités", indicators.RANKING_ANCHOR)]
    else:
        targets = [("chiffres clés", KEY_FIGURES_ANCHOR)]
    text_alternative([*targets, ("tableau des projets", PROJECTS_ANCHOR)])


def map_keys(choice: Choice) -> None:
    """Under the map: how it is used with the keyboard (the accessibility statement says more)."""
    moves = "les flèches déplacent la carte, + et - changent le zoom, L affiche ou masque la légende"
    if choice.filters.epci is None:
        st.caption(
            f"Au clavier : Tab atteint la carte, {moves} ; un territoire s'ouvre par la liste « Intercommunalité »."
        )
    else:
        st.caption(
            f"Au clavier : Tab atteint la carte puis chacun de ses projets, Entrée ouvre la fiche d'un projet, {moves}."
        )


def draw_map(base: Base, view: View, choice: Choice) -> None:
    """The map; a click on an EPCI of the département's map opens it."""
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
    mapview.show(
        vm.web_map(base, choice),
        position=position,
        key=f"map-{mode}",
        label=map_label(base, choice),
        height=None if choice.projector else 580,
        bar=bar,
        ahead=maps_ahead(base, choice),
        on_click=lambda siren: _choose(siren, base.terr.sirens) if epci is None else None,
        on_step=lambda step: _go(options, step),
        on_exit=_leave_projector,
    )


def map_label(base: Base, choice: Choice) -> str:
    """The map's name for screen readers: « Carte : » and the territory."""
    return f"Carte : {vm.title(base, choice)}"


def maps_ahead(base: Base, choice: Choice) -> dict[str, mapview.Ahead]:
    """The territories' views the map draws as soon as one is chosen, before the page's next run
    (:func:`geodash.viewmodel.maps_ahead`, published as static files)."""
    found = {}
    for epci, web in vm.maps_ahead(base, choice).items():
        url = view_url(web.key, web.text)
        if url is not None:
            nearby = vm.neighbour(choice, epci)
            found[epci] = mapview.Ahead(
                url=url, key=web.key, label=map_label(base, nearby), title=vm.title(base, nearby)
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


def in_brief(base: Base, chosen: Selection) -> None:
    """One EPCI, above its map: the bilan first (what the Département states for the territory), then
    the count of the projects the contract names, so that nobody reads the sample as the total."""
    if chosen.filters.epci is None:
        return
    st.markdown(vm.brief(base, chosen))  # one paragraph: the map stays on a laptop's first screen
    cp = vm.contract_progress(base, chosen.filters.epci, None)
    if cp is not None:
        st.markdown(
            f"**Avancement du contrat** — {markdown_text(cp.headline)} "
            f"[Détail et point d'étape](avancement?epci={chosen.filters.epci})"
        )


def key_figures(base: Base, chosen: Selection) -> None:
    """One EPCI: « Le Département sur le territoire, 2015-2018 » by domain, then the named projects by
    theme and period, the contract's key figures and road lengths (the département's figures are on the
    comparison page)."""
    if chosen.filters.epci is None:
        return
    kf = vm.key_figures(base, chosen)
    st.subheader(f"Le Département sur le territoire, {bilan.PERIOD}", anchor=KEY_FIGURES_ANCHOR)
    if kf.bilan_table.empty:
        st.markdown(kf.bilan_line)
    else:
        text_table(kf.bilan_table, label=f"Le Département sur le territoire, {bilan.PERIOD}")
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
        text_table(kf.theme_period, index=True, label="Montants des projets cités, par thématique et période")
    with col2:
        if kf.contract_figures is not None:
            # Written only while open (a lazy expander), as the export panel.
            figures = st.expander(
                "Tous les chiffres clés du contrat (Livret I, partie 7)", key="figures-open", on_change="rerun"
            )
            if figures.open:
                with figures:
                    text_table(kf.contract_figures, label="Chiffres clés du contrat")
        if kf.road_lengths is not None:
            st.markdown("**Longueur des routes par catégorie** (couche du Département, dans l'EPCI)")
            text_table(kf.road_lengths, label="Longueur des routes par catégorie")


def project_table(base: Base, choice: Choice, chosen: Selection) -> None:
    """The selected projects, numbered as on the map, with CSV and Excel downloads."""
    epci = chosen.filters.epci
    st.subheader("Projets", anchor=PROJECTS_ANCHOR)
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
    if epci and not chosen.unplaced.empty:
        st.caption(
            f"{len(chosen.unplaced)} projet(s) concernent l'ensemble de l'intercommunalité (sans commune) : "
            "ils figurent dans l'encadré de la légende et dans le tableau (lieu « Ensemble de "
            "l'intercommunalité »)."
        )
    st.caption(base.map_credit)
