"""Reading the feature tables of a GeoPackage with SQLite alone.

A GeoPackage is an SQLite database whose geometry cells are well-known binary (WKB) behind a short
header (OGC 12-128r18, § 2.1.3). The territories are read here rather than through GDAL
(``pyogrio``): importing GDAL maps about 28 MB of libraries and its first read sets up its drivers
for 13 MB more, which a server would keep for its whole life for one file read at start-up; and its
reading is slower (France's 4.7 million vertices: 2.6 s here, 3.7 s through GDAL). Writing
(``geodash build-geo``) and the Département's own layers (``geodash.toml``) still go through GDAL.

Every failure is a :class:`GeoPackageError` whose message (in French) says what is wrong; the caller
adds the file's name.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

__all__ = ["GeoPackageError", "list_layers", "read_layer"]


class GeoPackageError(ValueError):
    """The file is not a readable GeoPackage, or a layer's contents are not what it declares."""


#: Bytes of the envelope after the header's first 8, by the flags' envelope code (bits 1-3).
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_INTEGER_TYPES = {"INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT", "BIGINT"}
_REAL_TYPES = {"REAL", "DOUBLE", "FLOAT"}


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def list_layers(path: Path) -> list[str]:
    """Names of the feature tables (``gpkg_contents`` rows of data type ``features``)."""
    try:
        with _connect(path) as con:
            rows = con.execute("select table_name from gpkg_contents where data_type = 'features'").fetchall()
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        raise GeoPackageError(f"base SQLite illisible ou qui n'est pas un GeoPackage ({exc})") from exc
    return [str(name) for (name,) in rows]


def _wkb(blob: object) -> bytes | None:
    """The WKB of one GeoPackage geometry cell (``None`` for an absent or empty geometry)."""
    if blob is None:
        return None
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        raise GeoPackageError("géométrie qui n'est pas au format GeoPackage")
    flags = blob[3]
    envelope = _ENVELOPE_BYTES.get((flags >> 1) & 7)
    if envelope is None or flags & 0b100000:  # envelope code 5-7, or an extended geometry type
        raise GeoPackageError("en-tête de géométrie GeoPackage invalide")
    if flags & 0b10000:  # empty geometry
        return None
    return blob[8 + envelope :]


def _column(values: list, declared: str, name: str) -> np.ndarray | list:
    """One attribute column, checked against its declared type (a damaged cell is not read as text)."""
    kind = declared.upper().split("(")[0].strip()
    present = [v for v in values if v is not None]
    if kind in _INTEGER_TYPES or kind == "BOOLEAN":
        if not all(isinstance(v, int) for v in present) or (kind == "BOOLEAN" and not set(present) <= {0, 1}):
            raise GeoPackageError(f"colonne {name} : valeurs qui ne sont pas du type déclaré ({declared})")
        if len(present) < len(values):  # as GDAL reads them: an integer column with gaps is float
            return np.array([np.nan if v is None else v for v in values], dtype=float)
        return np.array(values, dtype=bool if kind == "BOOLEAN" else np.int64)
    if kind in _REAL_TYPES:
        if not all(isinstance(v, (int, float)) for v in present):
            raise GeoPackageError(f"colonne {name} : valeurs qui ne sont pas du type déclaré ({declared})")
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    text = kind.startswith("TEXT") or kind in ("DATE", "DATETIME")
    if text and not all(isinstance(v, str) for v in present):
        raise GeoPackageError(f"colonne {name} : valeurs qui ne sont pas du texte")
    return values


def read_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    """One feature table as a GeoDataFrame, in the order of its feature ids.

    Columns as GDAL reads them (the feature id left out; booleans as ``bool``, integers as ``int64``,
    or ``float`` where a value is missing); the coordinate system from ``gpkg_spatial_ref_sys``,
    ``None`` for the undefined systems (ids 0 and -1, GDAL's « Undefined SRS »).
    """
    try:
        with _connect(path) as con:
            found = con.execute(
                "select column_name, srs_id from gpkg_geometry_columns where table_name = ?", (layer,)
            ).fetchall()
            if len(found) != 1:
                raise GeoPackageError(f"couche {layer} sans colonne de géométrie déclarée")
            geometry_column, srs_id = found[0]
            ref = con.execute(
                "select organization, organization_coordsys_id, definition, srs_name from gpkg_spatial_ref_sys "
                "where srs_id = ?",
                (srs_id,),
            ).fetchone()
            info = con.execute(f'pragma table_info("{layer}")').fetchall()
            key = [c[1] for c in info if c[5]]  # the primary key: GDAL's feature id
            attrs = [(c[1], c[2]) for c in info if c[1] != geometry_column and c[1] not in key]
            names = ", ".join(f'"{name}"' for name, _ in attrs + [(geometry_column, "")])
            rows = con.execute(f'select {names} from "{layer}" order by {key[0] if key else "rowid"}').fetchall()
    except sqlite3.Error as exc:
        raise GeoPackageError(f"base SQLite illisible ou qui n'est pas un GeoPackage ({exc})") from exc
    except UnicodeDecodeError as exc:  # a text cell whose bytes are not UTF-8
        raise GeoPackageError(f"texte illisible ({exc})") from exc
    crs = None
    # The undefined cartesian and geographic systems (0, -1) and GDAL's « Undefined SRS »: no system.
    if srs_id not in (0, -1) and not (ref and str(ref[3]).lower().startswith("undefined")):
        if ref is None:
            raise GeoPackageError(f"système de coordonnées {srs_id} absent de gpkg_spatial_ref_sys")
        try:
            crs = pyproj.CRS.from_user_input(f"{ref[0]}:{ref[1]}" if str(ref[0]).upper() == "EPSG" else ref[2])
        except pyproj.exceptions.CRSError as exc:
            raise GeoPackageError(f"système de coordonnées {srs_id} illisible ({exc})") from exc
    try:
        geometry = shapely.from_wkb(np.array([_wkb(row[-1]) for row in rows], dtype=object))
    except shapely.errors.GEOSException as exc:
        raise GeoPackageError(f"géométrie illisible ({exc})") from exc
    columns = {name: _column([row[i] for row in rows], declared, name) for i, (name, declared) in enumerate(attrs)}
    return gpd.GeoDataFrame(pd.DataFrame(columns, index=pd.RangeIndex(len(rows))), geometry=geometry, crs=crs)
