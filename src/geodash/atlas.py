"""The atlas: print sheets for every EPCI and the département, written as PDF, PNG and SVG.

Sheets are rendered in worker processes (one per core); each worker loads the data once. A sheet
that fails is reported and the others are still written. Output is deterministic: the same input
gives the same files, except for the date printed on the "Réalisation" line.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from . import settings
from .selection import Base, Filters, credit_line, load_base, select
from .text import slug

__all__ = [
    "AtlasResult",
    "SheetRequest",
    "render_view",
    "close_figure",
    "write_atlas",
    "file_stem",
    "sheet_stem",
    "french_date",
    "realisation_text",
    "drawn_context",
    "DEPARTEMENT_CODE",
]

DEPARTEMENT_CODE = settings.DEPARTEMENT_CODE  # file code of the département sheet (one definition)
FORMATS = ("pdf", "png", "svg")
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def french_date(day: date) -> str:
    """``date(2026, 11, 25)`` → ``"25 novembre 2026"``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def realisation_text(day: date) -> str:
    """The « Réalisation » line of every printed page: who made it, on ``day``."""
    return f"Réalisation : Département du Pas-de-Calais, {french_date(day)} (geodash)"


@dataclass
class SheetRequest:
    """One sheet to write: the view's filters (``filters.epci`` ``None`` for the département)."""

    filters: Filters = field(default_factory=Filters)
    paper: str = "A4"
    orientation: str = "paysage"
    day: date = field(default_factory=date.today)
    indicateur: str | None = None  # bilan indicator of the département sheet (None: the default)
    subject: str | None = None  # what the subtitle says the sheet shows (None: the Département's financings)

    @property
    def epci(self) -> str | None:
        return self.filters.epci


@dataclass
class AtlasResult:
    written: list[Path] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (code, French message)

    @property
    def ok(self) -> bool:
        return not self.failures


def file_stem(pattern: str, code: str, name: str) -> str:
    """File name from a pattern with ``{code}`` and ``{nom}`` (``"{code}_{nom}"`` → ``200033579_arras``)."""
    return pattern.format(code=code, nom=slug(name))


def sheet_stem(terr, epci: str | None, pattern: str = "{code}_{nom}") -> str:
    """File name (no extension) of the sheet of ``epci`` (``None``: the département)."""
    code = epci or DEPARTEMENT_CODE
    if epci is None:
        name = settings.DEPARTEMENT_NOM
    else:
        name = terr.epci_name(epci, short=True) if epci in terr.sirens else code
    return file_stem(pattern, code, name)


# --- Rendering one view (used by the atlas workers and by the app's export button) ----------------


def render_view(base: Base, request: SheetRequest, context=None):
    """Figure of one view of ``base`` (:func:`geodash.selection.load_base`).

    ``context`` (``layers.LoadedLayers``) adds the Département's roads, sites and land cover.
    """
    from .printmap import SheetOptions, render_sheet, with_bilan

    terr = base.terr.with_commune_geometry()  # the sheet draws them at full resolution; a server keeps none
    if request.epci is not None and request.epci not in terr.sirens:
        raise KeyError(f"EPCI « {request.epci} » inconnu")
    flt = request.filters
    chosen = select(base, flt)
    options = SheetOptions(
        epci=request.epci,
        paper=request.paper,
        orientation=request.orientation,
        period_text=flt.period_text(),
        filters_text=flt.describe(),
        credit=credit_line(base.credit, context),
        realisation=realisation_text(request.day),
        context=context if request.epci is not None else None,
        road_categories=list(flt.routes) if flt.routes is not None else None,
    )
    if request.subject is not None:
        options = replace(options, subject=request.subject)
    options = with_bilan(options, base.data.chiffres, terr, request.indicateur)
    if request.epci is None:
        return render_sheet(terr, None, None, options)
    return render_sheet(terr, chosen.placed, chosen.unplaced, options)


def _pyplot():
    """matplotlib.pyplot with the Agg backend, imported on first use: the public page imports this
    module but draws a print sheet only when asked, and matplotlib costs ~0.5 s of start-up."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def close_figure(fig) -> None:
    """Free a sheet's figure (pyplot keeps a reference to every figure it made)."""
    _pyplot().close(fig)


def save_figure(fig, fmt: str, target) -> None:
    """Save with fixed metadata so that the files are reproducible."""
    _pyplot().rcParams["svg.hashsalt"] = "geodash"
    metadata = {
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": "geodash"},
        "svg": {"Date": None},
        "png": {"Software": "geodash"},
    }[fmt]
    fig.savefig(target, format=fmt, dpi=300 if fmt == "png" else None, metadata=metadata)


def figure_bytes(fig, fmt: str) -> bytes:
    buffer = io.BytesIO()
    save_figure(fig, fmt, buffer)
    return buffer.getvalue()


# --- Worker processes -------------------------------------------------------------------------------

#: A worker process's data, loaded once by :func:`_worker_init`.
_BASE: Base | None = None


def _load(projects_dir: str | None = None) -> Base:
    """The data as the pages read them (the database; ``projects_dir``: those CSV files instead), with the
    layers of the configuration in force (no road lengths)."""
    return load_base(projects_dir=projects_dir, with_road_lengths=False)


def drawn_context(base: Base):
    """The layers a sheet draws: those of the configuration, ``None`` without one."""
    return base.context if base.context.config_path is not None else None


def _worker_init(projects_dir: str | None) -> None:
    global _BASE
    _BASE = _load(projects_dir)


def _render_to_files(
    request: SheetRequest, out_dir: str, pattern: str, formats: tuple[str, ...], base: Base | None = None
) -> list[str]:
    """Write one sheet; ``base``: the data (default: this worker process's)."""
    base = base if base is not None else _BASE
    fig = render_view(base, request, drawn_context(base))
    try:
        stem = Path(out_dir) / sheet_stem(base.terr, request.epci, pattern)
        paths = []
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            save_figure(fig, fmt, path)
            paths.append(str(path))
        return paths
    finally:
        close_figure(fig)


def write_atlas(
    epcis: list[str | None],
    out_dir: Path,
    *,
    formats: tuple[str, ...] = ("pdf", "png", "svg"),
    paper: str = "A4",
    orientation: str = "paysage",
    filters: Filters | None = None,
    pattern: str = "{code}_{nom}",
    combined: Path | None = None,
    workers: int | None = None,
    day: date | None = None,
    progress: Callable[[int, int, str, str | None], None] | None = None,
    indicator: str | None = None,
    projects_dir: Path | None = None,
) -> AtlasResult:
    """Write one sheet per entry of ``epcis`` (``None`` = département) in each format; ``filters``
    apply to every sheet (their ``epci`` is replaced by each entry).

    Failures are collected, never raised: the maps already written stay written. ``combined``
    also writes every PDF sheet, in order, into one multi-page PDF. ``indicator``: the bilan indicator
    of the département sheet (:func:`geodash.bilan.comparable_indicators`; ``None``: the default).
    The data are those the pages read (the database), or the CSV files of ``projects_dir``; they are
    read when the atlas starts, once per worker process.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = tuple(dict.fromkeys(formats + (("pdf",) if combined else ())))
    filters = filters or Filters()
    requests = [
        SheetRequest(replace(filters, epci=e), paper, orientation, day or date.today(), indicator) for e in epcis
    ]
    workers = workers or min(os.cpu_count() or 1, len(requests)) or 1
    result = AtlasResult()
    pdf_of: dict[int, str] = {}
    done = 0

    def record(i: int, paths: list[str] | None, error: str | None) -> None:
        nonlocal done
        done += 1
        code = requests[i].epci or DEPARTEMENT_CODE
        if error:
            result.failures.append((code, error))
        else:
            result.written.extend(Path(p) for p in paths)
            pdfs = [p for p in paths if p.endswith(".pdf")]
            if pdfs:
                pdf_of[i] = pdfs[-1]
        if progress:
            progress(done, len(requests), code, error)

    args = (str(out_dir), pattern, formats)
    folder = str(projects_dir) if projects_dir else None
    if workers == 1:
        base = _load(folder)
        for i, req in enumerate(requests):
            try:
                record(i, _render_to_files(req, *args, base), None)
            except Exception as exc:  # one failing sheet must not stop the atlas
                record(i, None, _describe(exc))
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(folder,)) as pool:
            futures = {pool.submit(_render_to_files, req, *args): i for i, req in enumerate(requests)}
            for future in as_completed(futures):
                try:
                    record(futures[future], future.result(), None)
                except Exception as exc:
                    record(futures[future], None, _describe(exc))
    if combined and pdf_of:
        from pypdf import PdfWriter

        writer = PdfWriter()
        for i in sorted(pdf_of):
            writer.append(pdf_of[i])
        Path(combined).parent.mkdir(parents=True, exist_ok=True)
        with open(combined, "wb") as fh:
            writer.write(fh)
        result.written.append(Path(combined))
    return result


def _describe(exc: Exception) -> str:
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return f"{type(exc).__name__} : {text}" if not isinstance(exc, KeyError) else str(text)


def text_progress(done: int, total: int, code: str, error: str | None) -> None:
    """A progress bar on stderr: ``[#####-----]  5/21 200033579 ok``."""
    width = 24
    filled = int(width * done / total)
    status = "ok" if error is None else f"ÉCHEC : {error}"
    print(f"[{'#' * filled}{'-' * (width - filled)}] {done:>2}/{total} {code} {status}", file=sys.stderr, flush=True)
