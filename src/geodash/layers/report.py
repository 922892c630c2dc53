"""The check report in French (``geodash layers check``): what geodash finds in each file."""

from __future__ import annotations

import os

import geopandas as gpd

from .. import settings, style
from ..style import LAYER_KINDS, LAYER_LABELS, RD_CATEGORIES
from .config import CONFIG_ENV, CONFIG_NAME, CONSTANT_FIELD, IGN_HIERARCHY, LayerSource, SourceSpec
from .normalise import _examples, _km
from .reading import load_layers

__all__ = ["check_report"]


def _source_lines(source: LayerSource, frame_part: gpd.GeoDataFrame | None) -> list[str]:
    spec = source.spec
    title = f"{LAYER_LABELS[spec.kind]} — {spec.path}" + (f" (couche « {spec.layer} »)" if spec.layer else "")
    lines = [title]
    if source.status != "chargée":
        lines.append("  couche ignorée (voir les problèmes ci-dessous)")
        return lines
    crs = source.crs or spec.crs or "non indiqué"
    lines.append(
        f"  {source.n_read} objet(s) lu(s), {source.n_kept} gardé(s) ; système de coordonnées : "
        f"{crs}" + ("" if crs == settings.CRS_METRIC else " (converti en Lambert-93, EPSG:2154)")
    )
    mapped = ", ".join(f"{k} ← {v}" for k, v in source.mapped.items()) or "aucune"
    lines.append(f"  colonnes utilisées : {mapped}")
    if spec.constant is not None and CONSTANT_FIELD.get(spec.kind) not in source.mapped:
        lines.append(f"  {CONSTANT_FIELD[spec.kind]} fixé(e) pour tout le fichier : « {spec.constant} »")
    lines.append(f"  colonnes non utilisées : {', '.join(source.unmapped) or 'aucune'}")
    if frame_part is None or frame_part.empty:
        return lines
    if spec.kind == "routes":
        lines += _road_summary(frame_part, spec)
    else:
        column = "type" if spec.kind == "sites" else "classe"
        counts = frame_part[column].value_counts()
        table = style.SITE_TYPES if spec.kind == "sites" else style.LAND_COVER
        lines.append("  par type : " + ", ".join(f"{table[k].label} ({n})" for k, n in counts.items()))
    return lines


def _road_summary(roads: gpd.GeoDataFrame, spec: SourceSpec) -> list[str]:
    lines = []
    km = roads.geometry.length / 1000.0
    by_class = km.groupby(roads["classe"]).agg(["size", "sum"])
    lines.append(
        "  par classe : "
        + " ; ".join(f"{c} {int(r['size'])} tronçon(s), {_km(r['sum'])}" for c, r in by_class.iterrows())
    )
    rd = roads["classe"] == "départementale"
    if rd.any():
        by_cat = km[rd].groupby(roads.loc[rd, "style"]).agg(["size", "sum"]).reindex(RD_CATEGORIES).dropna()
        lines.append(
            "  routes départementales par catégorie du Département : "
            + " ; ".join(
                f"{style.ROAD_CLASSES[c].label} {int(r['size'])} tronçon(s), {_km(r['sum'])}"
                for c, r in by_cat.iterrows()
            )
        )
        missing = roads.loc[rd & roads["categorie"].isna(), "numero"]
        source = (
            "table des catégories"
            if spec.categories
            else ("colonne de catégorie" if "categorie" in spec.columns else "aucune table de catégories indiquée")
        )
        lines.append(
            f"  routes départementales sans catégorie (« non renseignée ») : {missing.nunique()} "
            f"route(s), {_km(km[rd & roads['categorie'].isna()].sum())} ({source})"
        )
        strange = roads.loc[rd & roads["categorie"].isna() & roads["categorie_declaree"].notna()]
        if strange.empty:
            lines.append("  catégories inconnues de la légende : aucune")
        else:
            lines.append(
                "  catégories inconnues de la légende (montrées « non renseignée ») : "
                + " ; ".join(
                    f"« {v} » : {_examples(sorted(set(g['numero'])), 5)}"
                    for v, g in strange.groupby("categorie_declaree")
                )
            )
    if "hierarchie_ign" in roads:
        counts = roads["hierarchie_ign"].replace("", "(vide)").value_counts()
        lines.append(
            f"  {IGN_HIERARCHY} (colonne VOCATION, distincte des catégories du Département) : "
            + ", ".join(f"{v} ({n})" for v, n in counts.items())
        )
    return lines


def check_report(config_path: str | os.PathLike | None = None) -> tuple[str, bool]:
    """What geodash finds in the Département's layer files, in French (``geodash layers check``).

    Returns
    -------
    text, ok
        The report, and ``False`` when any problem is an error (layer or features set aside,
        values the Légende cannot show).
    """
    loaded = load_layers(config_path)
    if loaded.config_path is None:
        return (
            f"Aucune configuration des couches de contexte ({CONFIG_NAME} absent à la racine du dépôt, "
            f"{CONFIG_ENV} non défini) : pas de couches optionnelles.",
            True,
        )
    lines = [f"Configuration des couches de contexte : {loaded.config_path}", ""]
    offsets: dict[str, int] = dict.fromkeys(LAYER_KINDS, 0)
    for source in loaded.sources:
        frame = loaded[source.spec.kind]
        part = None
        if frame is not None and source.status == "chargée":
            start = offsets[source.spec.kind]
            part = frame.iloc[start : start + source.n_kept]
            offsets[source.spec.kind] += source.n_kept
        lines += _source_lines(source, part) + [""]
    if not loaded.sources:
        lines += ["Aucune couche décrite dans la configuration.", ""]
    if loaded.problems:
        lines.append("Problèmes :")
        lines += [f"  - {p}" for p in loaded.problems]
    else:
        lines.append("Aucun problème.")
    n_err = len(loaded.errors)
    n_warn = sum(p.level == "avertissement" for p in loaded.problems)
    lines.append(f"Bilan : {n_err} erreur(s), {n_warn} avertissement(s).")
    return "\n".join(lines), n_err == 0
