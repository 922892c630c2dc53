"""The configuration of the context layers: ``geodash.toml``, what each kind of layer reads, and
the problems found, as values (never raised)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..settings import LAYERS_CONFIG_ENV as CONFIG_ENV
from ..settings import LAYERS_CONFIG_NAME as CONFIG_NAME
from ..settings import layers_config as find_config
from ..style import LAYER_KINDS, LAYER_LABELS

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10 without tomllib
    tomllib = None

__all__ = [
    "CONFIG_ENV",
    "CONFIG_NAME",
    "IGN_HIERARCHY",
    "IGNORE",
    "ROAD_CLASS_NAMES",
    "FIELDS",
    "CONSTANT_FIELD",
    "GEOMETRY",
    "LayerProblem",
    "SourceSpec",
    "LayerSource",
    "find_config",
    "read_config",
]

#: Name under which IGN's road hierarchy (BD TOPO ``VOCATION``) is exposed: *not* the Département's category.
IGN_HIERARCHY = "hiérarchie IGN"
#: A value mapped to this word (``"2*" = "ignorer"``) sets the features aside without reporting an error.
IGNORE = "ignorer"
#: The road classes the Légende draws.
ROAD_CLASS_NAMES = ("autoroute", "nationale", "départementale")

#: Fields each kind can take from a file column: field → required.
FIELDS = {
    "routes": {"numero": True, "classe": False, "categorie": False, "nom": False, "vocation": False},
    "sites": {"type": True, "nom": False},
    "occupation_sol": {"classe": True, "nom": False},
    "cours_eau": {"nom": False},
}
#: Per kind, the field a single value in the configuration can give to every feature of a file.
CONSTANT_FIELD = {"sites": "type", "occupation_sol": "classe"}
#: Geometry family each kind expects.
GEOMETRY = {"routes": "line", "sites": "point", "occupation_sol": "polygon", "cours_eau": "line"}

# Configuration keys (French), with English aliases.
_KEYS = {
    "fichier": "fichier",
    "path": "fichier",
    "couche": "couche",
    "layer": "couche",
    "crs": "crs",
    "colonnes": "colonnes",
    "columns": "colonnes",
    "valeurs": "valeurs",
    "values": "valeurs",
    "categories": "categories",
    "type": "type",
    "classe": "classe",
    "source": "source",
}


@dataclass(frozen=True)
class LayerProblem:
    """One finding about a context layer: which layer, which file, why (in French).

    ``level`` is ``"erreur"`` (layer or features set aside, or values the Légende cannot show),
    ``"avertissement"`` (repaired or assumed, kept) or ``"info"`` (a fact worth knowing).
    """

    layer: str
    file: str
    message: str
    level: str = "erreur"

    def __str__(self) -> str:
        prefix = {"erreur": "", "avertissement": "avertissement : ", "info": "note : "}[self.level]
        where = f" ({self.file})" if self.file else ""
        return f"{LAYER_LABELS.get(self.layer, self.layer)}{where} : {prefix}{self.message}"


@dataclass(frozen=True)
class SourceSpec:
    """One file of one layer, as the configuration describes it (paths already resolved)."""

    kind: str
    path: Path
    layer: str | None = None
    crs: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    categories: Path | None = None
    constant: str | None = None
    source: str = ""  # provenance printed on the maps ("Cd62, DMRR, 2019"); the file name if not given


@dataclass
class LayerSource:
    """What was found in one file (for :func:`check_report`)."""

    spec: SourceSpec
    status: str = "ignorée"  # "chargée" | "ignorée"
    n_read: int = 0
    n_kept: int = 0
    crs: str | None = None
    file_columns: list[str] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)  # our field → file column

    @property
    def unmapped(self) -> list[str]:
        """File columns geodash does not use."""
        used = set(self.mapped.values())
        return [c for c in self.file_columns if c not in used]


def _parse_source(kind: str, raw: object, base: Path, where: str, problems: list[LayerProblem]) -> SourceSpec | None:
    def problem(message: str, level: str = "erreur") -> None:
        problems.append(LayerProblem(kind, where, message, level))

    if not isinstance(raw, dict):
        problem(f'[{kind}] doit être une table (fichier = "…", colonnes = {{ … }})')
        return None
    spec: dict = {}
    for key, value in raw.items():
        name = _KEYS.get(key)
        if (
            name is None
            or (name in ("type", "classe") and CONSTANT_FIELD.get(kind) != name)
            or (name == "categories" and kind != "routes")
        ):
            problem(f"clé « {key} » inconnue pour [{kind}], ignorée", "avertissement")
            continue
        spec[name] = value
    if not isinstance(spec.get("fichier"), str) or not spec["fichier"].strip():
        problem(f'[{kind}] : le chemin du fichier manque (fichier = "…")')
        return None

    def resolve(text: str) -> Path:
        path = Path(text).expanduser()
        return path if path.is_absolute() else (base / path)

    columns = spec.get("colonnes", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        problem(f'[{kind}] : « colonnes » doit associer des noms de colonnes (numero = "NUMERO")')
        return None
    for key in list(columns):
        if key not in FIELDS[kind]:
            problem(
                f"[{kind}] : colonne « {key} » inconnue (permises : {', '.join(FIELDS[kind])}), ignorée",
                "avertissement",
            )
            columns = {k: v for k, v in columns.items() if k != key}
    values = spec.get("valeurs", {})
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        problem(f'[{kind}] : « valeurs » doit contenir des tables (valeurs.classe = {{ "A" = "autoroute" }})')
        return None
    values = {k: {str(a): str(b) for a, b in v.items()} for k, v in values.items()}
    crs = spec.get("crs")
    categories = spec.get("categories")
    return SourceSpec(
        kind=kind,
        path=resolve(spec["fichier"]),
        layer=str(spec["couche"]) if spec.get("couche") else None,
        crs=str(crs) if crs else None,
        columns=dict(columns),
        values=values,
        categories=resolve(categories) if isinstance(categories, str) and categories.strip() else None,
        constant=str(spec[CONSTANT_FIELD[kind]]) if CONSTANT_FIELD.get(kind) in spec else None,
        source=str(spec.get("source") or "").strip(),
    )


def read_config(config_path: Path) -> tuple[list[SourceSpec], list[LayerProblem]]:
    """Read ``geodash.toml``: one :class:`SourceSpec` per file, and the problems of the file itself.

    Each of ``[routes]``, ``[sites]``, ``[occupation_sol]``, ``[cours_eau]`` is a table, or an array
    of tables (``[[sites]]``) when a layer comes from several files. Relative paths are resolved
    against the folder of the configuration file.
    """
    where = str(config_path)
    if tomllib is None:  # pragma: no cover
        return [], [LayerProblem("configuration", where, "lecture TOML impossible (Python 3.11 requis)")]
    try:
        raw = tomllib.loads(Path(config_path).read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        return [], [LayerProblem("configuration", where, "fichier de configuration introuvable")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [LayerProblem("configuration", where, f"fichier de configuration illisible ({exc})")]
    except tomllib.TOMLDecodeError as exc:
        return [], [LayerProblem("configuration", where, f"fichier de configuration mal formé ({exc})")]
    problems: list[LayerProblem] = []
    unknown = [k for k in raw if k not in LAYER_KINDS]
    if unknown:
        problems.append(
            LayerProblem(
                "configuration",
                where,
                f"section(s) inconnue(s) ignorée(s) : {', '.join(unknown)} (permises : {', '.join(LAYER_KINDS)})",
                "avertissement",
            )
        )
    specs = []
    base = Path(config_path).resolve().parent
    for kind in LAYER_KINDS:
        entries = raw.get(kind)
        if entries is None:
            continue
        for entry in entries if isinstance(entries, list) else [entries]:
            spec = _parse_source(kind, entry, base, where, problems)
            if spec is not None:
                specs.append(spec)
    return specs, problems
