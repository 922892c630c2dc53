"""The atlas: print sheets for every EPCI and the département, written as PDF, PNG and SVG.

Sheets are rendered in worker processes (one per core); each worker loads the data once. A sheet
that fails is reported and the others are still written. Output is deterministic: the same input
gives the same files, except for the date printed on the "Réalisation" line.
"""

from __future__ import annotations

import io
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import settings, style
from .formatting import format_eur

__all__ = [
    "AtlasFilters",
    "AtlasResult",
    "SheetRequest",
    "render_view",
    "close_figure",
    "write_atlas",
    "file_stem",
    "french_date",
    "DEPARTEMENT_CODE",
]

DEPARTEMENT_CODE = "62"  # file code of the département sheet
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


@dataclass
class AtlasFilters:
    """The app's filters, for print (``None``: everything)."""

    themes: list[str] | None = None
    periodes: list[str] | None = None
    natures: list[str] | None = None
    amount_range: tuple[float, float] | None = None
    text: str = ""
    routes: list[str] | None = None  # road style keys (None: all)

    def describe(self) -> str:
        parts = []
        if self.themes is not None and set(self.themes) != set(style.THEMES):
            parts.append("thématiques : " + ", ".join(self.themes))
        if self.natures is not None and set(self.natures) != set(style.NATURES):
            parts.append("nature : " + ", ".join(style.NATURES[n].lower() for n in self.natures))
        if self.amount_range is not None:
            low, high = self.amount_range
            parts.append(f"montant de {format_eur(low)} à {format_eur(high)}")
        if self.text.strip():
            parts.append(f"recherche « {self.text.strip()} »")
        return " ; ".join(parts)

    def period_text(self) -> str:
        if self.periodes is None or set(self.periodes) == set(style.PERIODS):
            return "2015-2018 et à venir"
        return " et ".join(style.PERIODS[p].label for p in self.periodes)


@dataclass
class SheetRequest:
    """One sheet to write: an EPCI SIREN, or ``None`` for the département."""

    epci: str | None
    paper: str = "A4"
    orientation: str = "paysage"
    filters: AtlasFilters = field(default_factory=AtlasFilters)
    day: date = field(default_factory=date.today)


@dataclass
class AtlasResult:
    written: list[Path] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (code, French message)

    @property
    def ok(self) -> bool:
        return not self.failures


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def file_stem(pattern: str, code: str, name: str) -> str:
    """File name from a pattern with ``{code}`` and ``{nom}`` (``"{code}_{nom}"`` → ``200033579_arras``)."""
    return pattern.format(code=code, nom=_slug(name))


# --- Rendering one view (used by the atlas workers and by the app's export button) ----------------


def render_view(base, request: SheetRequest, context=None):
    """Figure of one view from loaded data ``base = (terr, data, placed, unplaced, credit)``.

    ``context`` (``layers.LoadedLayers``) adds the Département's roads, sites and land cover.
    """
    from .dashboard import financing_by_epci
    from .printmap import SheetOptions, render_sheet
    from .projects import filter_projects

    terr, data, placed, unplaced, credit = base
    if context is not None and context.credit:
        credit = f"{credit} ; {context.credit}"
    if request.epci is not None and request.epci not in terr.sirens:
        raise KeyError(f"EPCI « {request.epci} » inconnu")
    flt = request.filters
    commune_names = dict(zip(terr.communes["insee"], terr.communes["nom"]))
    selected = filter_projects(
        data.financements,
        themes=flt.themes,
        periodes=flt.periodes,
        natures=flt.natures,
        amount_range=flt.amount_range,
        text=flt.text,
        commune_names=commune_names,
    )
    if context is not None:
        from .layers import filter_road_projects

        selected = filter_road_projects(selected, context.routes, flt.routes)
    choropleth = None
    if request.epci is None:
        by_epci = financing_by_epci(selected, terr.epci)
        choropleth = by_epci.set_index("siren")["par_habitant"]
        p = u = None
    else:
        mine = selected[selected["epci_siren"] == request.epci]
        p = placed.loc[placed.index.intersection(mine.index)]
        u = unplaced.loc[unplaced.index.intersection(mine.index)]
    options = SheetOptions(
        epci=request.epci,
        paper=request.paper,
        orientation=request.orientation,
        period_text=flt.period_text(),
        filters_text=flt.describe(),
        credit=credit,
        realisation=f"Réalisation : Département du Pas-de-Calais, {french_date(request.day)} (geodash)",
        choropleth=choropleth,
        context=context if request.epci is not None else None,
        road_categories=flt.routes,
    )
    return render_sheet(terr, p, u, options)


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

_BASE = None
_CONTEXT = None


def load_base():
    """Territories, projects (placed) and the credit line, as the app loads them."""
    from .projects import load_project_data, place_projects
    from .sources import map_credit
    from .territories import load_territories

    terr = load_territories()
    data = load_project_data(terr.communes, set(terr.sirens))
    placed, unplaced = place_projects(data.financements, terr.communes)
    return terr, data, placed, unplaced, map_credit()


def load_context():
    """The optional layers of the configuration in force (None when there is none)."""
    from .layers import find_config, load_layers

    return load_layers() if find_config() else None


def _worker_init() -> None:
    global _BASE, _CONTEXT
    _BASE = load_base()
    _CONTEXT = load_context()


def _render_to_files(request: SheetRequest, out_dir: str, pattern: str, formats: tuple[str, ...]) -> list[str]:
    base = _BASE if _BASE is not None else load_base()
    terr = base[0]
    code = request.epci or DEPARTEMENT_CODE
    name = (
        terr.epci_name(request.epci, short=True)
        if request.epci in terr.sirens
        else (settings.DEPARTEMENT_NOM if request.epci is None else code)
    )
    fig = render_view(base, request, _CONTEXT)
    try:
        stem = Path(out_dir) / file_stem(pattern, code, name)
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
    filters: AtlasFilters | None = None,
    pattern: str = "{code}_{nom}",
    combined: Path | None = None,
    workers: int | None = None,
    day: date | None = None,
    progress: Callable[[int, int, str, str | None], None] | None = None,
) -> AtlasResult:
    """Write one sheet per entry of ``epcis`` (``None`` = département) in each format.

    Failures are collected, never raised: the maps already written stay written. ``combined``
    also writes every PDF sheet, in order, into one multi-page PDF.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    formats = tuple(dict.fromkeys(formats + (("pdf",) if combined else ())))
    requests = [SheetRequest(e, paper, orientation, filters or AtlasFilters(), day or date.today()) for e in epcis]
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
    if workers == 1:
        global _BASE, _CONTEXT
        if _BASE is None:
            _BASE, _CONTEXT = load_base(), load_context()
        for i, req in enumerate(requests):
            try:
                record(i, _render_to_files(req, *args), None)
            except Exception as exc:  # one failing sheet must not stop the atlas
                record(i, None, _describe(exc))
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
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
