"""One way in: the loaded data (:class:`Base`), the filters of a view (:class:`Filters`) and what
they select (:func:`select`).

The page, the URL view, the atlas and the benchmarks all go through here, so that a filter is
decided once and every medium shows the same projects.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

import pandas as pd
import sqlalchemy as sa

from . import avancement, layers, progress, projects, settings, sources, territories
from .formatting import format_eur
from .style import NATURES, PERIODS, THEMES

T = TypeVar("T")
_log = logging.getLogger("geodash.selection")

__all__ = [
    "Base",
    "Kept",
    "kept",
    "Filters",
    "Selection",
    "ProjectSource",
    "cached_base",
    "credit_line",
    "load_base",
    "ready_engine",
    "select",
]


class Kept(OrderedDict):
    """Values computed once per key and kept, the ``size`` most recently used (the least recently used
    go first); thread-safe.

    A key is computed once: a thread asking while another computes it waits for that result. Plain
    Python, so that what the server loaded for every visitor is out of any client's reach (a
    Streamlit cache is emptied by a client's ``clear_cache`` message).

    A value found keeps the key it was stored with: the asker's equal key (made by a visitor's run)
    is not kept in its place, so that nothing a run made outlives it here (see :mod:`geodash.memory`).
    """

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self._lock = threading.Lock()  # guards the per-key locks, and each insertion with its evictions
        self._computing: dict[Hashable, threading.Lock] = {}

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under ``key`` (now the most recently used), else ``compute()``, kept."""
        with self._lock:
            if key in self:
                self.move_to_end(key)  # the last to go; the stored key stays
                return self[key]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            if key in self:
                return self[key]
            try:
                value = compute()
            except BaseException:
                with self._lock:  # nothing kept: nor its lock (keys may come from visitors' links)
                    self._computing.pop(key, None)
                raise
            with self._lock:
                while len(self) >= self.size:
                    oldest = next(iter(self))
                    del self[oldest]
                    self._computing.pop(oldest, None)
                self[key] = value
        return value

    def peek(self, key: Hashable) -> T | None:
        """The value kept under ``key``, or ``None``: nothing is computed, nothing waited for."""
        with self._lock:
            return self.get(key)

    def clear(self) -> None:
        with self._lock:
            super().clear()
            self._computing.clear()


def kept(size: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorator: the function's result kept per arguments (hashable), the ``size`` most recently used
    (:class:`Kept`); the decorated function's ``clear()`` forgets them."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        values = Kept(size)

        @functools.wraps(function)
        def call(*args):
            return values.get_or_compute(args, lambda: function(*args))

        call.clear = values.clear
        return call

    return decorate


@dataclass(frozen=True)
class Base:
    """Everything read from files, shared read-only by every view.

    ``context`` holds the Département's optional layers (empty when no configuration names any);
    ``road_lengths`` the road length per EPCI and category (``None`` without roads or when not asked).
    """

    terr: territories.Territories
    data: projects.ProjectData
    placed: pd.DataFrame
    unplaced: pd.DataFrame
    credit: str
    context: layers.LoadedLayers = field(default_factory=layers.LoadedLayers)
    road_lengths: pd.DataFrame | None = None
    #: Where each financing stands (:mod:`geodash.avancement`); ``None`` when the financings are CSV files
    #: read as they are (nothing is followed there).
    followed: avancement.Followed | None = None
    #: What has been derived from these data (see :meth:`memo`); it goes when the data change.
    derived: Kept = field(default_factory=lambda: Kept(Base.MEMO_SIZE), compare=False, repr=False)

    #: How many derived results :meth:`memo` keeps (the least recently used go first): the 42 views the start-up
    #: prepares (:func:`geodash.startup.prepare_views`) hold about 270, and visitors' filtered views come on top.
    MEMO_SIZE = 600

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, kept for these data under ``key`` (a page's map script for one view, say).

        Base is shared read-only by every session and replaced when the data change, so a result
        kept here is never stale. A key is computed once: a session asking while another (or the
        server's start-up) computes it waits for that result.
        """
        return self.derived.get_or_compute(key, compute)

    def kept(self, key: Hashable):
        """What :meth:`memo` keeps under ``key``, or ``None`` when nothing is kept yet (nothing computed)."""
        return self.derived.peek(key)

    @property
    def map_credit(self) -> str:
        """The Sources line of the page's map: data, then the Département's layers if any."""
        return credit_line(self.credit, self.context)

    @property
    def roads(self):
        """The road layer (Lambert-93), or ``None``."""
        return self.context.routes


def credit_line(credit: str, context: layers.LoadedLayers | None) -> str:
    """``credit`` followed by the provenance of the context layers (when some are loaded)."""
    return f"{credit} ; {context.credit}" if context is not None and context.credit else credit


@functools.lru_cache(maxsize=8)
def ready_engine(url: str | None = None) -> sa.Engine:
    """The database of ``url`` (default ``GEODASH_DATABASE_URL``), created and filled on first use, once per process."""
    from . import db

    return db.ensure_database(db.get_engine(url or db.database_url()))


@dataclass(frozen=True)
class ProjectSource:
    """Where the financings are read: the database (``database_url``) or a folder of CSV files (``folder``).

    The database is the rule (the staff page writes there). ``GEODASH_PROJECTS_DIR`` makes the pages
    read that folder's CSV files as they are, read-only (the staff page is then closed): a preview of
    files before they are imported, and the tests' hostile folders, whose rows in error must be shown
    set aside (an import into a database refuses a file with errors).
    """

    database_url: str | None = None
    folder: str | None = None

    @classmethod
    def chosen(cls, folder: str | Path | None = None) -> ProjectSource:
        """The CSV files of ``folder`` when one is given (a command's ``--dossier``), else :meth:`in_force`."""
        return cls(folder=str(folder)) if folder else cls.in_force()

    @classmethod
    def in_force(cls) -> ProjectSource:
        """What the pages read: ``GEODASH_PROJECTS_DIR``'s files when set, else the database."""
        folder = settings.projects_folder()
        return cls(folder=str(folder)) if folder is not None else cls(database_url=settings.database_url())

    def version(self):
        """A value that changes when the data change: the database's data version, the files' times and sizes."""
        if self.folder is None:
            from .db import data_version

            return data_version(ready_engine(self.database_url))
        stats = [p.stat() for p in sorted(Path(self.folder).glob("*.csv"))]
        return tuple((s.st_mtime_ns, s.st_size) for s in stats)

    def load(self, terr: territories.Territories) -> projects.ProjectData:
        if self.folder is not None:
            return projects.load_project_data(terr.communes, set(terr.sirens), Path(self.folder))
        from .db import load_project_data_db

        return load_project_data_db(ready_engine(self.database_url), terr.communes, terr.sirens)


def load_base(
    territories_file: str | Path | None = None,
    projects_dir: str | Path | None = None,
    layers_config: str | Path | None = None,
    *,
    with_context: bool = True,
    with_road_lengths: bool = True,
) -> Base:
    """Read territories, projects (validated and placed on their communes), the credit line and,
    unless ``with_context`` is false, the context layers of ``layers_config`` (default: the
    configuration in force, see :func:`geodash.layers.find_config`).

    Projects come from ``projects_dir`` when given (CSV files), else from :meth:`ProjectSource.in_force`
    (the database, created from the shipped CSV files on first use).

    Raises :class:`geodash.territories.TerritoryError` when the territories cannot be read; bad
    project rows and bad layers are reported in ``data`` and ``context``, never raised.
    """
    terr = territories.load_territories(Path(territories_file) if territories_file else None)
    source = ProjectSource.chosen(projects_dir)
    data, placed, unplaced, followed = _projects(terr, source, progress.today())
    context = layers.load_layers(layers_config) if with_context else layers.LoadedLayers()
    lengths = _lengths(terr, context, with_road_lengths)
    return Base(terr, data, placed, unplaced, sources.map_credit(), context, lengths, followed)


def _projects(
    terr: territories.Territories, source: ProjectSource, day: date, data: projects.ProjectData | None = None
):
    """The financings placed on their communes, each with its follow-up state (:func:`avancement.state_columns`);
    ``data``: what ``source`` holds, when already read."""
    data = source.load(terr) if data is None else data
    followed = None
    if source.folder is None:
        from .db import all_follow_ups

        follow_ups = all_follow_ups(ready_engine(source.database_url))
        followed = avancement.follow(data.financements, follow_ups, progress.planned(), day)
    placed, unplaced = projects.place_projects(data.financements, terr.with_commune_geometry().communes)
    placed = avancement.state_columns(placed, followed)
    unplaced = avancement.state_columns(unplaced, followed)
    _log.info("données chargées : %d financements", len(data.financements))
    return data, placed, unplaced, followed


def _lengths(terr, context: layers.LoadedLayers, wanted: bool) -> pd.DataFrame | None:
    if wanted and context.routes is not None:
        return layers.road_length_by_category(context.routes, terr.epci)
    return None


# --- The data in force, shared by every session -----------------------------------------------------------
# Territories and layers are read once per server; the projects once per data version, so an edit made
# on the staff page (or through another server on the same database) shows after one reload, for every
# visitor, without reading the territories again. Kept in plain Python (:func:`kept`), not in Streamlit's
# caches: any client can empty those (its ``clear_cache`` message), and every visitor would then wait for
# the data and their views to be made again.


@kept(4)
def _kept_territories(territories_file: str) -> territories.Territories:
    # Without the communes' full-resolution shapes: the pages draw the web layers; the print, the open
    # data and the placing of projects read them again (Territories.with_commune_geometry).
    return territories.load_territories(Path(territories_file), commune_geometry=False)


@kept(4)
def _kept_context(territories_file: str, layers_config: str | None):
    context = layers.load_layers(layers_config)
    return context, _lengths(_kept_territories(territories_file), context, True)


@kept(2)
def _kept_project_data(territories_file: str, database_url: str | None, folder: str | None, version):
    return ProjectSource(database_url, folder).load(_kept_territories(territories_file))


@kept(2)
def _kept_projects(territories_file: str, database_url: str | None, folder: str | None, version, day: date):
    data = _kept_project_data(territories_file, database_url, folder, version)
    return _projects(_kept_territories(territories_file), ProjectSource(database_url, folder), day, data)


@kept(2)  # the data in force and the previous version (sessions still running may hold it anyway)
def _kept_base(
    territories_file: str,
    layers_config: str | None,
    database_url: str | None,
    folder: str | None,
    version,
    day: date,
) -> Base:
    terr = _kept_territories(territories_file)
    context, lengths = _kept_context(territories_file, layers_config)
    data, placed, unplaced, followed = _kept_projects(territories_file, database_url, folder, version, day)
    return Base(terr, data, placed, unplaced, sources.map_credit(), context, lengths, followed)


def cached_base() -> Base:
    """The page's :class:`Base` for the files and the data in force, shared read-only by all sessions.

    Called on every run: it costs one query of the data version (or a look at the CSV files' times);
    the data are read again only when that version changed. Thread-safe: sessions asking while the
    data are read wait for them. Raises as :func:`load_base`, and :class:`geodash.db.StoreError` /
    :class:`sqlalchemy.exc.SQLAlchemyError` when the database cannot be opened (nothing is kept then).
    ``cached_base.clear()`` forgets everything read (tests; geodash.startup's warm-up calls loaders
    that have a ``clear``).
    """
    return _kept_base(*_base_key())


def _base_key() -> tuple:
    """The arguments of :func:`cached_base`'s kept functions: the files and the data version in force, the day."""
    config = layers.find_config()
    source = ProjectSource.in_force()
    return (
        str(settings.territories_path()),
        str(config) if config else None,
        source.database_url,
        source.folder,
        source.version(),
        progress.today(),  # « en retard » changes with the day, not only with the data
    )


def _base_steps() -> list[Callable[[], object]]:
    """What :func:`cached_base` reads, part by part in the order it needs them, each kept as it keeps it: the
    server's start-up calls them one at a time, then ``cached_base``, letting a visitor's run through between
    two (:func:`geodash.startup.warm_up`)."""
    key = _base_key()
    territories_file, config, database_url, folder, version, day = key
    return [
        functools.partial(_kept_territories, territories_file),
        functools.partial(_kept_context, territories_file, config),
        *([progress.planned] if folder is None else []),  # what _projects follows the database's financings with
        functools.partial(_kept_project_data, territories_file, database_url, folder, version),
        functools.partial(_kept_projects, territories_file, database_url, folder, version, day),
    ]


def _clear_cached_base() -> None:
    for loader in (_kept_base, _kept_projects, _kept_project_data, _kept_context, _kept_territories):
        loader.clear()


cached_base.clear = _clear_cached_base
cached_base.steps = _base_steps


def _keys(values: Iterable[str] | None, allowed: Iterable[str]) -> tuple[str, ...] | None:
    """``None`` for "no filter" (nothing given, or every allowed value), else a tuple."""
    if values is None:
        return None
    values = tuple(values)
    return None if set(values) == set(allowed) else values


@dataclass(frozen=True)
class Filters:
    """What a view shows: one EPCI (``None``: the département) and filters on the projects.

    ``None`` means "no filter" for every field (choosing every theme is the same as choosing none,
    and is stored as ``None``). ``routes`` are road style keys (:data:`geodash.style.ROAD_CLASSES`):
    road works are kept when one of their roads is of those categories.
    """

    epci: str | None = None
    themes: tuple[str, ...] | None = None
    periodes: tuple[str, ...] | None = None
    natures: tuple[str, ...] | None = None
    amount_min: float | None = None
    amount_max: float | None = None
    text: str = ""
    routes: tuple[str, ...] | None = None

    def __post_init__(self):
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "themes", _keys(self.themes, THEMES))
        set_(self, "periodes", _keys(self.periodes, PERIODS))
        set_(self, "natures", _keys(self.natures, NATURES))
        set_(self, "routes", None if self.routes is None else tuple(self.routes))
        set_(self, "text", self.text or "")

    @property
    def amount_range(self) -> tuple[float, float] | None:
        """``(low, high)`` for :func:`geodash.projects.filter_projects`, ``None`` when open."""
        if self.amount_min is None and self.amount_max is None:
            return None
        return (self.amount_min or 0.0, math.inf if self.amount_max is None else self.amount_max)

    def describe(self) -> str:
        """The filters in French for a print sheet ("" when nothing is filtered but the period)."""
        parts = []
        if self.themes is not None:
            parts.append("thématiques : " + ", ".join(self.themes))
        if self.natures is not None:
            parts.append("nature : " + ", ".join(NATURES[n].lower() for n in self.natures))
        if self.amount_min is not None and self.amount_max is not None:
            parts.append(f"montant de {format_eur(self.amount_min)} à {format_eur(self.amount_max)}")
        elif self.amount_min is not None:
            parts.append(f"montant d'au moins {format_eur(self.amount_min)}")
        elif self.amount_max is not None:
            parts.append(f"montant d'au plus {format_eur(self.amount_max)}")
        if self.text.strip():
            parts.append(f"recherche « {self.text.strip()} »")
        return " ; ".join(parts)

    def period_text(self) -> str:
        """The periods shown, in French ("2015-2018 et à venir" when both)."""
        if self.periodes is None:
            return "2015-2018 et à venir"
        return " et ".join(PERIODS[p].label for p in self.periodes)


@dataclass(frozen=True)
class Selection:
    """What a :class:`Filters` selects in a :class:`Base`.

    * ``rows``: the financements that pass every filter (all EPCI for the département view);
    * ``placed`` / ``unplaced``: the EPCI's projects drawn on communes / EPCI-wide (empty for the
      département view, which is a choropleth);
    * ``by_epci``: sum of the named projects' amounts of every EPCI under the same filters but the EPCI;
    * ``departement_per_inhabitant``: that sum over the département, per inhabitant.

    Those sums are a sample of what the contracts name, not totals: territories are compared on the
    bilan (:mod:`geodash.bilan`, :mod:`geodash.comparison`), never on them.
    """

    filters: Filters
    rows: pd.DataFrame
    placed: pd.DataFrame
    unplaced: pd.DataFrame
    by_epci: pd.DataFrame
    departement_per_inhabitant: float


def select(base: Base, filters: Filters) -> Selection:
    """The projects of ``filters`` in ``base``, their placement, the totals per EPCI and per inhabitant.

    The road filter uses ``base.context``'s roads; without roads (or with ``filters.routes`` ``None``)
    road works are not filtered.
    """
    terr = base.terr
    commune_names = dict(zip(terr.communes["insee"], terr.communes["nom"]))
    every_epci = projects.filter_projects(
        base.data.financements,
        themes=list(filters.themes) if filters.themes is not None else None,
        periodes=list(filters.periodes) if filters.periodes is not None else None,
        natures=list(filters.natures) if filters.natures is not None else None,
        amount_range=filters.amount_range,
        text=filters.text,
        commune_names=commune_names,
    )
    every_epci = layers.filter_road_projects(every_epci, base.roads, filters.routes)
    by_epci = projects.financing_by_epci(every_epci, terr.epci)
    in_departement = terr.communes.loc[~terr.communes["hors_departement"], "population"].sum()
    if filters.epci is None:
        rows = every_epci
        placed, unplaced = base.placed.iloc[0:0], base.unplaced.iloc[0:0]
    else:
        rows = every_epci[every_epci["epci_siren"] == filters.epci]
        placed = base.placed.loc[base.placed.index.intersection(rows.index)]
        unplaced = base.unplaced.loc[base.unplaced.index.intersection(rows.index)]
    return Selection(filters, rows, placed, unplaced, by_epci, by_epci["montant_eur"].sum() / in_departement)
