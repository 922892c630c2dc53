"""geodash — Streamlit page. Widgets ↔ library calls, nothing else: logic lives in src/geodash."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import streamlit as st
import streamlit.components.v1 as components
from streamlit_folium import st_folium

from geodash import atlas, dashboard, layers, projects, settings, sources, style, territories, weblayers, webmap
from geodash.assets import install_static_assets
from geodash.views import View, parse_view, view_params

st.set_page_config(
    page_title="geodash — Contrats territoriaux du Pas-de-Calais",
    page_icon="🗺️",
    layout="wide",
    initial_sidebar_state="expanded",
)
APP_DIR = Path(__file__).parent


@st.cache_resource(show_spinner=False)
def load_base(territories_file: str, projects_dir: str):
    """Territories, projects (validated and placed) and credits: read once, shared by all sessions."""
    install_static_assets(APP_DIR / "static")
    terr = territories.load_territories(Path(territories_file))
    data = projects.load_project_data(terr.communes, set(terr.sirens), Path(projects_dir))
    placed, unplaced = projects.place_projects(data.financements, terr.communes)
    return terr, data, placed, unplaced, sources.map_credit()


@st.cache_resource(show_spinner=False)
def load_context(config: str | None, territories_file: str, _epci):
    """The Département's optional layers (never raises) and road lengths per EPCI and category.

    ``_epci`` (not hashed) is the EPCI layer of ``territories_file``, which keys the cache.
    """
    loaded = layers.load_layers(config)
    lengths = layers.road_length_by_category(loaded.routes, _epci) if loaded.routes is not None else None
    return loaded, lengths


try:
    terr, data, placed_all, unplaced_all, credit = load_base(
        str(settings.territories_path()), str(settings.projects_dir())
    )
except territories.TerritoryError as exc:
    st.error(f"Les limites territoriales ne peuvent pas être chargées : {exc}")
    st.stop()

config = layers.find_config()
context, road_lengths = load_context(str(config) if config else None, str(settings.territories_path()), terr.epci)
if context.credit:  # the Département's layers are credited on the map too
    credit = f"{credit} ; {context.credit}"
roads = context.routes
sirens = terr.sirens
names = dict(zip(terr.epci["siren"], terr.epci["nom_court"]))
commune_names = dict(zip(terr.communes["insee"], terr.communes["nom"]))
view = parse_view(st.query_params.to_dict(), sirens)
projector = view.mode == "projecteur"

st.markdown(
    """<style>
  .block-container {padding-top: 3.2rem !important; padding-bottom: 1rem !important;}
  h1 {font-size: 1.9rem !important; padding: 0.2rem 0 0.4rem 0 !important;}
</style>""",
    unsafe_allow_html=True,
)
if projector:
    st.markdown(
        """<style>
      [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header {display: none !important;}
      .block-container {padding: 0.6rem 1rem 0 1rem !important; max-width: 100% !important;}
      .stButton button {padding: 0.4rem 1.2rem !important; border: 2px solid #0B5394 !important;}
      .stButton button p {font-size: 28px !important; font-weight: 700 !important; white-space: nowrap;}
      h1 {font-size: 34px !important; margin: 0 !important; padding: 0 !important;}
      /* the map fills the screen below the title row, whatever the screen's size */
      iframe[title="streamlit_folium.st_folium"] {height: calc(100vh - 150px) !important;}
    </style>""",
        unsafe_allow_html=True,
    )

# --- Sidebar: choice of territory and filters ----------------------------------------------------
options = [None] + sirens
if "epci_from_map" in st.session_state:
    st.session_state["epci"] = st.session_state.pop("epci_from_map")
with st.sidebar:
    st.header("Territoire")
    epci = st.selectbox(
        "Intercommunalité",
        options,
        index=options.index(view.epci),
        format_func=lambda s: "Tout le département" if s is None else names[s],
        key="epci",
    )
    st.header("Filtres")
    themes = st.multiselect("Thématiques", list(style.THEMES), default=view.themes)
    periodes = st.multiselect(
        "Période", list(style.PERIODS), default=view.periodes, format_func=lambda p: style.PERIODS[p].label
    )
    natures = st.multiselect(
        "Nature", list(style.NATURES), default=view.natures, format_func=lambda n: style.NATURES[n]
    )
    top = float(max(1.0, data.financements["montant_departement_eur"].max(skipna=True) or 1.0))
    low, high = st.slider(
        "Montant du Département (€)",
        0.0,
        top,
        (view.amount_min or 0.0, min(view.amount_max or top, top)),
        step=1000.0,
        format="%.0f",
    )
    text = st.text_input("Rechercher un projet ou une commune", value=view.text)
    layer_kinds = [k for k in layers.LAYER_KINDS if context[k] is not None and not context[k].empty]
    shown_kinds = []
    if layer_kinds:
        shown_kinds = st.multiselect(
            "Couches du Département",
            layer_kinds,
            default=[k for k in view.couches if k in layer_kinds],
            format_func=lambda k: layers.LAYER_LABELS[k],
        )
    road_keys = None
    if roads is not None and "routes" in shown_kinds:
        present = [k for k in style.ROAD_CLASSES if k in set(roads["style"])]
        road_keys = st.multiselect(
            "Routes",
            present,
            default=[k for k in view.routes if k in present],
            format_func=lambda k: style.ROAD_CLASSES[k].label,
            help="Catégories de la table du Département ; les travaux routiers suivent le même filtre.",
        )
    mode = "projecteur" if st.toggle("Mode projecteur", value=projector) else "normal"

current = View(
    epci=epci,
    themes=themes,
    periodes=periodes,
    natures=natures,
    routes=road_keys if road_keys is not None else view.routes,
    couches=shown_kinds if set(shown_kinds) != set(layer_kinds) else View().couches,
    amount_min=low or None,
    amount_max=high if high < top else None,
    text=text,
    mode=mode,
    lat=view.lat,
    lng=view.lng,
    zoom=view.zoom,
)
if epci != view.epci:
    current.lat = current.lng = current.zoom = None
st.query_params.from_dict(view_params(current))
if mode != view.mode:
    st.rerun()


def _go(step: int) -> None:
    i = options.index(st.session_state["epci"])
    st.session_state["epci"] = options[(i + step) % len(options)]


# --- Filtered data ---------------------------------------------------------------------------------
filters = dict(
    epci=epci,
    themes=themes,
    periodes=periodes,
    natures=natures,
    amount_range=(low, high) if (low > 0 or high < top) else None,
    text=text,
    commune_names=commune_names,
)
selected = layers.filter_road_projects(projects.filter_projects(data.financements, **filters), roads, road_keys)
# The département view is a choropleth: project markers are drawn for one EPCI at a time.
placed = placed_all.loc[placed_all.index.intersection(selected.index)] if epci else placed_all.iloc[0:0]
unplaced = unplaced_all.loc[unplaced_all.index.intersection(selected.index)] if epci else unplaced_all.iloc[0:0]
all_epci = layers.filter_road_projects(
    projects.filter_projects(data.financements, **{**filters, "epci": None}), roads, road_keys
)
by_epci = dashboard.financing_by_epci(all_epci, terr.epci)
dept_per_inh = by_epci["montant_eur"].sum() / terr.communes.loc[~terr.communes["hors_departement"], "population"].sum()

title = "Pas-de-Calais — contrats territoriaux de développement durable" if epci is None else terr.epci_name(epci)
if projector:
    left, mid, right = st.columns([1.4, 5, 1.4], vertical_alignment="center")
    left.button("◀ Précédent", on_click=_go, args=(-1,), use_container_width=True, key="prev")
    mid.title(title)
    right.button("Suivant ▶", on_click=_go, args=(1,), use_container_width=True, key="next")
    # Arrow keys (or a presenter's remote, which sends them) press the two buttons.
    components.html(
        """<script>
      const doc = window.parent.document;
      if (!doc.gdKeys) {
        doc.gdKeys = true;
        doc.addEventListener('keydown', (e) => {
          if (e.target.closest && e.target.closest('input, textarea, [contenteditable]')) return;
          const label = {ArrowRight: 'Suivant', PageDown: 'Suivant', ArrowLeft: 'Précédent', PageUp: 'Précédent'}[e.key];
          if (!label) return;
          const button = [...doc.querySelectorAll('button')].find(b => b.innerText.includes(label));
          if (button) { e.preventDefault(); button.click(); }
        });
      }
    </script>""",
        height=0,
    )
else:
    st.title(title)

if context.problems and not projector:
    with st.expander(
        f"Couches de contexte : {len(context.problems)} problème(s) — la carte s'affiche sans les couches en cause"
    ):
        st.code("\n".join(context.messages), language=None)
if data.errors:
    with st.expander(
        f"⚠️ Données : {len(data.errors)} erreur(s), {data.rejected} ligne(s) mise(s) de côté", expanded=not projector
    ):
        st.write("Les lignes valides sont affichées ; les lignes en erreur sont mises de côté jusqu'à correction.")
        st.code("\n".join(str(p) for p in data.problems), language=None)
elif (data.problems or terr.warnings) and not projector:
    notes = list(terr.warnings) + [str(p) for p in data.problems]
    with st.expander(f"Données : {len(notes)} avertissement(s), aucune ligne mise de côté"):
        st.code("\n".join(notes), language=None)

# --- Map -----------------------------------------------------------------------------------------
first_run = not st.session_state.get("view_from_url_used")
st.session_state["view_from_url_used"] = True
works = (
    layers.road_works(roads, selected, epci, epci=terr.epci)
    if (roads is not None and epci and "routes" in shown_kinds)
    else None
)
context_layers = (
    weblayers.context_layers(
        context.only(shown_kinds), epci_siren=epci, categories=road_keys, territories=terr, works=works, mode=mode
    )
    if shown_kinds
    else None
)
map_options = webmap.MapOptions(
    epci=epci,
    mode=mode,
    credit=credit,
    # A link's position is used on the session's first run; afterwards the map keeps its own.
    center=(current.lat, current.lng) if current.lat and current.lng and first_run else None,
    zoom=current.zoom if first_run else None,
    restore_view=not (first_run and current.lat and current.lng),
    choropleth=by_epci.set_index("siren")["par_habitant"] if epci is None else None,
    choropleth_total=by_epci.set_index("siren")["montant_eur"] if epci is None else None,
    context=context_layers,
)
fmap = webmap.build_map(terr, placed, unplaced, map_options)
height = 900 if projector else 580


# Only a click on the département map comes back to Python; the map position is written to the
# page URL by the map itself (webmap.py), so panning and zooming rerun nothing.
result = st_folium(
    fmap,
    height=height,
    use_container_width=True,
    key=f"map-{epci}-{mode}",
    returned_objects=["last_object_clicked"] if epci is None else [],
)
clicked = (result or {}).get("last_object_clicked")
if epci is None and clicked:
    hit = webmap.epci_at(terr, clicked["lat"], clicked["lng"])
    if hit:
        st.session_state["epci_from_map"] = hit  # applied before the selectbox exists (next run)
        st.rerun()

# --- Print export of the current view ------------------------------------------------------------
if not projector:
    with st.expander("Exporter la carte (PDF ou PNG, format A4 ou A3)"):
        e1, e2, e3, e4 = st.columns([1, 1, 1, 2])
        fmt = e1.radio("Format", ["PDF", "PNG"], horizontal=True)
        paper = e2.radio("Papier", ["A4", "A3"], horizontal=True)
        orientation = e3.radio("Orientation", ["paysage", "portrait"], horizontal=True)
        export_key = (
            epci,
            tuple(themes),
            tuple(periodes),
            tuple(natures),
            low,
            high,
            text,
            tuple(road_keys or ()),
            fmt,
            paper,
            orientation,
        )
        if e4.button("Préparer la carte à imprimer"):
            with st.spinner("Mise en page de la carte…"):
                request = atlas.SheetRequest(
                    epci,
                    paper,
                    orientation,
                    atlas.AtlasFilters(themes, periodes, natures, filters["amount_range"], text, road_keys),
                )
                figure = atlas.render_view(
                    (terr, data, placed_all, unplaced_all, credit),
                    request,
                    context.only(shown_kinds) if shown_kinds else None,
                )
                st.session_state["export"] = (export_key, atlas.figure_bytes(figure, fmt.lower()))
                plt.close(figure)
        ready = st.session_state.get("export")
        if ready and ready[0] == export_key:
            code = epci or atlas.DEPARTEMENT_CODE
            name = terr.epci_name(epci, short=True) if epci else settings.DEPARTEMENT_NOM
            e4.download_button(
                "Télécharger la carte",
                ready[1],
                atlas.file_stem("{code}_{nom}", code, name) + f".{fmt.lower()}",
                "application/pdf" if fmt == "PDF" else "image/png",
            )

# --- Key figures, totals, table -------------------------------------------------------------------
if not projector:
    if epci:
        population = int(terr.epci.loc[terr.epci["siren"] == epci, "population"].iloc[0])
        st.subheader("En bref")
        st.write(dashboard.summary_line(selected, population, dept_per_inh))
        col1, col2 = st.columns([3, 2])
        with col1:
            st.markdown("**Chiffres clés du contrat** (Livret I, partie 7)")
            st.dataframe(dashboard.key_figures(data.chiffres, epci), hide_index=True, use_container_width=True)
        with col2:
            st.markdown("**Financements par thématique et période**")
            st.dataframe(dashboard.theme_period_table(selected), use_container_width=True)
            if road_lengths is not None:
                st.markdown("**Longueur des routes par catégorie** (couche du Département, dans l'EPCI)")
                st.dataframe(dashboard.road_length_table(road_lengths, epci), hide_index=True, use_container_width=True)
    else:
        st.subheader("Financements par intercommunalité")
        st.dataframe(
            by_epci.round({"par_habitant": 2})[["nom_court", "population", "montant_eur", "par_habitant"]].rename(
                columns={
                    "nom_court": "Intercommunalité",
                    "population": "Population",
                    "montant_eur": "Montant du Département (€)",
                    "par_habitant": "€ par habitant",
                }
            ),
            hide_index=True,
            use_container_width=True,
            column_config={
                c: st.column_config.NumberColumn(format="localized")
                for c in ("Population", "Montant du Département (€)", "€ par habitant")
            },
        )

    st.subheader("Projets")
    numbers = webmap.number_projects(placed)
    table = dashboard.project_table(selected, numbers, commune_names)
    st.dataframe(
        table,
        hide_index=True,
        use_container_width=True,
        # Numbers stay numbers (the table sorts on them), shown in the reader's locale.
        column_config={
            "Montant du Département (€)": st.column_config.NumberColumn(format="localized"),
            "Coût total (€)": st.column_config.NumberColumn(format="localized"),
        },
    )
    stem = "projets_" + (epci or "pas-de-calais")
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
    if epci and not unplaced.empty:
        st.caption(
            f"{len(unplaced)} projet(s) concernent l'ensemble de l'intercommunalité (sans commune) : "
            "ils figurent dans l'encadré de la légende et dans le tableau (lieu « Ensemble de "
            "l'intercommunalité »)."
        )
    st.caption(credit)
