"""Normalisation of the layers' values to the Légende: road numbers and classes, the Département's
road categories, values mapped by the configuration, style keys. Pure on (Geo)DataFrames, except
the small category table read by :func:`_read_categories`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import style
from ..formatting import format_number
from ..projects import normalise_road_number
from ..tables import read_rows
from ..text import cell_text, fold
from .config import IGN_HIERARCHY, IGNORE, ROAD_CLASS_NAMES, LayerProblem, SourceSpec

__all__ = ["normalise_road_number", "normalise_category", "road_class"]


_CATEGORY_WORDS = {"premiere": "1", "deuxieme": "2", "seconde": "2", "second": "2", "troisieme": "3"}
_CATEGORY_NUMBER = re.compile(r"^(\d+)(?:[.,]0+)?\s*(?:er|ere|re|e|eme|nde|nd)?$")


def normalise_category(value: object) -> str | None:
    """A Département road category as a Légende key.

    Returns ``"1"``, ``"2"`` or ``"3"`` for the usual spellings (``1``, ``1.0``, ``1ère``,
    ``1ère catégorie``, ``catégorie 2``, ``seconde``, ``3ème``…), ``None`` for an empty cell, and
    the text itself for anything else (``"4"``, ``"R1"``…): the caller reports it as unknown to
    the Légende.

    Examples
    --------
    >>> normalise_category("1ère catégorie"), normalise_category(""), normalise_category("4")
    ('1', None, '4')
    """
    text = cell_text(value)
    folded = fold(text)
    if folded in ("", "nan", "none", "null"):
        return None
    folded = re.sub(r"\b(categorie|cat)\b\.?", " ", folded).strip()
    folded = re.sub(r"\s+", " ", folded)
    if folded in _CATEGORY_WORDS:
        return _CATEGORY_WORDS[folded]
    match = _CATEGORY_NUMBER.match(folded)
    if match:
        return str(int(match.group(1)))
    return text


def road_class(number: str, declared: object = None) -> str | None:
    """Road class (autoroute | nationale | départementale) from a declared value, else the number.

    A declared value is read without accents or case (``"Départementale"``, ``"route nationale"``);
    an empty one falls back to the number prefix (A…, N…/RN…, D…/RD…). ``None`` when neither tells:
    the road is not drawn (communal roads, unknown values) and the caller reports it.
    """
    folded = fold(declared)
    if folded:
        for name in ROAD_CLASS_NAMES:
            if folded in (fold(name), f"route {fold(name)}", f"voie {fold(name)}"):
                return name
        return None
    upper = cell_text(number).upper()
    if re.match(r"^A\s*\d", upper):
        return "autoroute"
    if re.match(r"^R?N\s*\d", upper):
        return "nationale"
    if re.match(r"^R?D\s*\d", upper):
        return "départementale"
    return None


def _map_value(value: object, mapping: dict[str, str]) -> object:
    """Apply a value mapping: exact match first, then the longest ``"prefix*"`` pattern."""
    text = cell_text(value)
    if not mapping or not text:
        return value
    if text in mapping:
        return mapping[text]
    best = None
    for pattern, target in mapping.items():
        if pattern.endswith("*") and text.startswith(pattern[:-1]) and (best is None or len(pattern) > len(best[0])):
            best = (pattern, target)
    return best[1] if best else value


def _style_key(value: object, table: dict) -> str | None:
    """Key of a Légende table (``SITE_TYPES``, ``LAND_COVER``) from a key, a label or its abbreviation."""
    folded = fold(value)
    if not folded:
        return None
    for key, entry in table.items():
        candidates = {fold(key), fold(key.replace("_", " ")), fold(entry.label)}
        abbreviation = re.search(r"\(([^)]+)\)\s*$", entry.label)
        if abbreviation:
            candidates.add(fold(abbreviation.group(1)))
        if folded in candidates:
            return key
    return None


def _examples(values: Iterable[str], limit: int = 8) -> str:
    values = [str(v) for v in values]
    if not values:
        return "aucune"
    shown = ", ".join(f"« {v} »" for v in values[:limit])
    return shown + (f" et {len(values) - limit} autre(s)" if len(values) > limit else "")


def _km(value: float) -> str:
    return f"{format_number(value, 1)} km"


def _read_categories(path: Path, values: dict[str, str], problems: list[LayerProblem]) -> dict[str, str] | None:
    """The Département's road categories: ``numero,categorie`` → {normalised number: raw category}."""
    rows, found = read_rows(path, ["numero", "categorie"], name=str(path))
    for p in found:
        problems.append(
            LayerProblem(
                "routes",
                str(path),
                f"table des catégories, ligne {p.line} : {p.message}"
                if p.line
                else f"table des catégories : {p.message}",
                "avertissement" if p.level != "erreur" else "erreur",
            )
        )
    if not rows and any(p.level == "erreur" for p in found):
        return None
    table: dict[str, str] = {}
    for row in rows:
        number = normalise_road_number(row.values["numero"])
        value = str(_map_value(row.values["categorie"], values))
        if not number:
            problems.append(
                LayerProblem(
                    "routes",
                    str(path),
                    f"table des catégories, ligne {row.line} : numéro de route manquant",
                    "avertissement",
                )
            )
            continue
        if number in table and normalise_category(table[number]) != normalise_category(value):
            problems.append(
                LayerProblem(
                    "routes",
                    str(path),
                    f"table des catégories, ligne {row.line} : "
                    f"{number} déjà classée « {table[number]} », « {value} » ignorée",
                )
            )
            continue
        table[number] = value
    return table


def _normalise_roads(
    frame: gpd.GeoDataFrame, spec: SourceSpec, categories: dict[str, str] | None, problems: list[LayerProblem]
) -> gpd.GeoDataFrame:
    """Numbers, class, Département category and style key of each road."""
    where = str(spec.path)
    declared = (
        frame["classe"].map(lambda v: _map_value(v, spec.values.get("classe", {})))
        if "classe" in frame
        else pd.Series("", index=frame.index)
    )
    frame, declared = _drop_ignored(frame, declared, spec, problems)
    numbers = frame["numero"].map(normalise_road_number)
    classes = pd.Series([road_class(n, d) for n, d in zip(numbers, declared)], index=frame.index, dtype=object)
    unknown = classes.isna()
    if unknown.any():
        shown = declared[unknown].map(cell_text)
        values = sorted(set(shown[shown != ""])) or sorted(set(numbers[unknown]))
        problems.append(
            LayerProblem(
                "routes",
                where,
                f"{int(unknown.sum())} tronçon(s) hors légende (ni "
                f"autoroute, ni nationale, ni départementale) non dessiné(s) : "
                f"{_examples(values)} ; au besoin, les classer avec valeurs.classe",
                "info",
            )
        )
    out = gpd.GeoDataFrame({"numero": numbers, "classe": classes}, geometry=frame.geometry, crs=frame.crs)
    out["nom"] = frame["nom"].map(cell_text) if "nom" in frame else ""
    # Category: the Département's table first, else a category column of its own road file.
    raw = pd.Series([None] * len(out), index=out.index, dtype=object)
    if "categorie" in frame:
        raw = frame["categorie"].map(lambda v: _map_value(v, spec.values.get("categorie", {})))
    if categories is not None:
        from_table = out["numero"].map(categories)
        raw = from_table.where(from_table.notna(), raw)
    is_rd = out["classe"] == "départementale"
    category = raw.where(is_rd).map(lambda v: normalise_category(v) if v is not None else None)
    known = category.isin(["1", "2", "3"])
    strange = is_rd & category.notna() & ~known
    if strange.any():
        bad = out.loc[strange].assign(valeur=category[strange])
        listing = "; ".join(f"« {v} » ({_examples(sorted(set(g['numero'])), 5)})" for v, g in bad.groupby("valeur"))
        problems.append(
            LayerProblem(
                "routes",
                where,
                f"catégorie(s) inconnue(s) de la légende (1, 2 ou 3 "
                f"attendu) pour {int(strange.sum())} tronçon(s), montrés « non "
                f"renseignée » : {listing}",
            )
        )
    out["categorie"] = category.where(known, None)
    declared_text = raw.where(is_rd).map(cell_text)
    out["categorie_declaree"] = declared_text.where(declared_text != "", None)
    out["style"] = np.where(is_rd, out["categorie"].fillna("non renseignée"), out["classe"])
    if "vocation" in frame:
        out["hierarchie_ign"] = frame["vocation"].map(cell_text)
        problems.append(
            LayerProblem(
                "routes",
                where,
                f"la colonne « {spec.columns.get('vocation', 'VOCATION')} »"
                f" (hiérarchie des routes de l'IGN) est disponible sous le nom « "
                f"{IGN_HIERARCHY} » ; ce n'est pas la catégorie du Département",
                "info",
            )
        )
    return out[~unknown]


def _drop_ignored(
    frame: gpd.GeoDataFrame, values: pd.Series, spec: SourceSpec, problems: list[LayerProblem]
) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Set aside the features whose value the configuration maps to « ignorer »."""
    ignored = values.map(fold) == IGNORE
    if ignored.any():
        problems.append(
            LayerProblem(
                spec.kind,
                str(spec.path),
                f"{int(ignored.sum())} objet(s) écarté(s) par la configuration (« {IGNORE} »)",
                "info",
            )
        )
    return frame[~ignored], values[~ignored]


def _normalise_keyed(
    frame: gpd.GeoDataFrame, spec: SourceSpec, field_name: str, table: dict, problems: list[LayerProblem]
) -> gpd.GeoDataFrame:
    """Map a type/class column to a key of a Légende table; unknown values are set aside and reported."""
    values = frame[field_name].map(lambda v: _map_value(v, spec.values.get(field_name, {})))
    frame, values = _drop_ignored(frame, values, spec, problems)
    keys = values.map(lambda v: _style_key(v, table))
    if spec.kind == "occupation_sol":
        keys = keys.where(keys != "cours_eau", None)
    unknown = keys.isna()
    if unknown.any():
        seen = sorted(set(values[unknown].map(cell_text)))
        allowed = [k for k in table if not (spec.kind == "occupation_sol" and k == "cours_eau")]
        what = "type inconnu" if field_name == "type" else "classe inconnue"
        problems.append(
            LayerProblem(
                spec.kind,
                str(spec.path),
                f"{int(unknown.sum())} objet(s) ignoré(s), "
                f"{what} de la légende : {_examples(seen)} ; valeurs permises : "
                f"{', '.join(allowed)} (ou valeurs.{field_name} dans geodash.toml)",
            )
        )
    out = gpd.GeoDataFrame({field_name: keys}, geometry=frame.geometry, crs=frame.crs)
    out["nom"] = frame["nom"].map(cell_text) if "nom" in frame else ""
    return out[~unknown]


def _normalise(
    frame: gpd.GeoDataFrame, spec: SourceSpec, categories: dict[str, str] | None, problems: list[LayerProblem]
) -> gpd.GeoDataFrame:
    if spec.kind == "routes":
        out = _normalise_roads(frame, spec, categories, problems)
    elif spec.kind == "sites":
        out = _normalise_keyed(frame, spec, "type", style.SITE_TYPES, problems)
    elif spec.kind == "occupation_sol":
        out = _normalise_keyed(frame, spec, "classe", style.LAND_COVER, problems)
    else:
        out = gpd.GeoDataFrame(
            {"classe": "cours_eau", "nom": frame["nom"].map(cell_text) if "nom" in frame else ""},
            geometry=frame.geometry,
            crs=frame.crs,
            index=frame.index,
        )
    out["source"] = spec.path.name
    return out
