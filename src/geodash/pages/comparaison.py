"""The comparison of territories (``/comparaison``): the 20 EPCI on one indicator of the bilan, the map
beside the ranking, and the whole bilan to download.

Territories are compared on what the contracts state (:mod:`geodash.bilan`), never on the sums of the
projects they name; those are only counted here.
"""

from __future__ import annotations

import streamlit as st

from .. import bilan, comparison, dashboard, webmap
from .. import viewmodel as vm
from ..selection import Base
from ..views import parse_view
from . import data_errors, footer, indicators, mapview, text_alternative, text_table

__all__ = ["render"]


def render(base: Base) -> None:
    """Indicator choice, map and ranking, bilan downloads, count of named projects."""
    chiffres, terr = base.data.chiffres, base.terr
    view = parse_view(st.query_params.to_dict(), terr.sirens, comparison.indicator_ids(chiffres))
    with st.sidebar:
        st.header("Comparaison")
        indicator = indicators.choose_indicator(base, view.indicateur)
    keep_indicator_in_url(vm.url_indicator(indicator))
    st.title("Comparaison des territoires")
    data_errors(base, expanded=False)
    st.write(
        "Chaque intercommunalité est comparée sur les chiffres que son contrat déclare pour le territoire "
        f"(Livret I, partie 7, {bilan.PERIOD} pour l'investissement), pas sur les projets que le contrat cite, "
        "qui n'en sont qu'une sélection."
    )
    left, right = st.columns([3, 2])
    with left:
        # A narrow map: its legend keeps the indicator's source; the data credit is written under the map.
        options = webmap.MapOptions(credit="", realisation="", choropleth=vm.choropleth(base, indicator))
        web = base.memo(("comparison-map", indicator.id), lambda: webmap.build_map(terr, None, None, options))
        text_alternative([("classement des intercommunalités", indicators.RANKING_ANCHOR)])
        mapview.show(web, key="comparaison-map", label=f"Carte : {indicator.label}", height=760)
        st.caption(f"{base.map_credit}. Réalisation : geodash, Département du Pas-de-Calais.")
    with right:
        indicators.ranking(base, indicator, columns=1)
    with st.expander("Classement détaillé : population et lignes du document source"):
        text_table(vm.ranking(base, indicator)[0], label=f"Classement détaillé : {indicator.label}")
    downloads(base)
    progress_section(base)
    with st.expander("Projets cités dans les contrats (un décompte, pas un montant comparable)"):
        st.caption(
            "Les contrats citent des projets à titre d'exemple : leur nombre ne mesure pas l'action du "
            "Département sur le territoire, et leurs montants ne sont pas additionnés ici."
        )
        text_table(
            comparison.named_projects_counts(base.data.financements, terr.epci),
            label="Projets cités dans les contrats, par intercommunalité",
        )
    footer()


def keep_indicator_in_url(value: str | None) -> None:
    """``?indicateur=`` follows the choice (left out for the default)."""
    if value is None:
        st.query_params.pop("indicateur", None)
    elif st.query_params.get("indicateur") != value:
        st.query_params["indicateur"] = value


def downloads(base: Base) -> None:
    """The whole bilan (one row per EPCI and indicator), as CSV and Excel, formula cells neutralised."""
    st.subheader("Télécharger le bilan")
    st.caption(
        "Une ligne par intercommunalité et indicateur : "
        + ", ".join(bilan.BILAN_COLUMNS)
        + " (les mêmes colonnes que « geodash bilan --format csv »)."
    )
    terr = base.terr
    table = bilan.bilan_table(base.data.chiffres, terr.epci, terr.communes)
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(
        "Bilan (CSV)", lambda: dashboard.to_csv_bytes(table), "bilan_pas-de-calais.csv", "text/csv", on_click="ignore"
    )
    c2.download_button(
        "Bilan (Excel)",
        lambda: dashboard.to_xlsx_bytes(table, sheet="Bilan"),
        "bilan_pas-de-calais.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )


def progress_section(base: Base) -> None:
    """The EPCI side by side on the follow-up of their own contract (:func:`geodash.avancement.comparison_table`)."""
    table = vm.progress_comparison(base)
    if table is None:  # CSV files read as they are: nothing is followed
        return
    st.subheader("Avancement des contrats par intercommunalité")
    st.caption(
        "Parts de chaque contrat, dans l'ordre de la liste (pas de classement) ; la part des montants n'est donnée "
        "que si tous les montants du contrat sont connus (« – » sinon). Un financement sans information de suivi "
        "n'est jamais compté en retard. Détail, territoire par territoire : [Avancement des contrats](avancement)."
    )
    text_table(table, label="Avancement des contrats par intercommunalité")
