"""The « point d'étape » of an assembly: an EPCI's « Avancement du contrat » as a PDF (``geodash etape``).

Page 1 is the EPCI's print map, drawn as the atlas draws it (:func:`geodash.atlas.render_view`); the next
pages set out the parts :func:`geodash.avancement.contract_progress` decides — headline, financings by state
and by theme, the financings late, the project sheets' milestones and indicators, the changes recorded since
a date — as headings, sentences and tables (:mod:`geodash.printpages`). Nothing is counted here: every figure
and every verdict the pages show comes from :mod:`geodash.avancement`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import atlas, avancement, progress
from .avancement import ContractProgress
from .formatting import format_number
from .printpages import Band, Heading, Paragraph, Table, flow_pages
from .progress import LATE, day_text
from .selection import Base, Filters

__all__ = ["FILE_PATTERN", "SUBJECT", "Etape", "etape_progress", "etape_blocks", "etape_pages", "write_etape"]

#: ``DOSSIER/point_etape_246201016_pays-de-lumbres.pdf`` (:func:`geodash.atlas.file_stem`).
FILE_PATTERN = "point_etape_{code}_{nom}"
#: What the map of page 1 says it shows.
SUBJECT = "Point d'étape – Financements du Département"
#: Where the follow-up comes from, after the sources of the contracts.
FOLLOW_UP_SOURCE = "suivi des financements : enregistrements des agents du Département (geodash)"


@dataclass(frozen=True)
class Etape:
    """What a point d'étape shows: the EPCI (``siren``, official ``name``), its « Avancement du contrat »
    (``progress``, its changes over the whole history when ``since`` is ``None``) and the sources line."""

    siren: str
    name: str
    progress: ContractProgress
    since: date | None
    credit: str


def etape_progress(base: Base, epci_siren: str, since: date | None = None) -> Etape:
    """The point d'étape of ``epci_siren`` in ``base`` (:func:`geodash.selection.load_base`).

    ``since``: the changes recorded from that day on; ``None``: every change recorded. Raises
    :class:`KeyError` (« EPCI « … » inconnu ») for an EPCI ``base`` does not know.
    """
    terr = base.terr
    if epci_siren not in terr.sirens:
        raise KeyError(f"EPCI « {epci_siren} » inconnu")
    financements = base.data.financements
    # CSV files read as they are follow nothing: every financing is as the document says
    followed = base.followed or avancement.follow(financements, {}, progress.planned(), progress.today())
    name = terr.epci_name(epci_siren)
    found = avancement.contract_progress(
        financements, followed, epci_siren=epci_siren, name=name, since=date.min if since is None else since
    )
    credit = f"{base.credit} ; {FOLLOW_UP_SOURCE}, données au {day_text(found.date_donnees)}"
    return Etape(epci_siren, name, found, since, credit)


def _note(text: str) -> Paragraph:
    return Paragraph(text[0].upper() + text[1:] + ("" if text.endswith(".") else "."), muted=True)


def _right(frame) -> tuple[str, ...]:
    """Every column but the first (the counts and amounts of a row's label)."""
    return tuple(str(c) for c in frame.columns[1:])


def _texts(frame):
    """Counts as French numbers, everything else as it is."""

    def text(value) -> str:
        return format_number(value) if isinstance(value, numbers.Integral) else str(value)

    return frame.apply(lambda column: column.map(text))


def etape_blocks(etape: Etape) -> list[Heading | Paragraph | Table]:
    """The text pages of the point d'étape, in reading order (French headings, sentences and tables)."""
    cp = etape.progress
    blocks: list[Heading | Paragraph | Table] = [
        Heading("En bref"),
        Paragraph(cp.headline, size=10.0),
        _note(
            f"Données au {day_text(cp.date_donnees)} : date du dernier événement enregistré pour ces financements "
            f"(au plus tôt celle du document de 2019) ; « {LATE} » apprécié au {day_text(cp.today)}"
        ),
        Heading("Financements par état"),
    ]
    if cp.states.empty:
        blocks.append(Paragraph("Aucun financement."))
    else:
        states = _texts(cp.states)
        if states.map(lambda v: "au moins" in v).to_numpy().any():
            blocks.append(_note(avancement.AT_LEAST_NOTE))
        blocks.append(Table(states, right=_right(states), total=True))
    blocks.append(Heading("Financements par thématique et par état"))
    if cp.themes.empty:
        blocks.append(Paragraph("Aucun financement."))
    else:
        themes = _texts(cp.themes)
        blocks.append(Table(themes, right=_right(themes)))
    blocks += [Heading("Financements en retard"), Paragraph(cp.late_note), _note(avancement.LATE_RULE)]
    if not cp.late.empty:
        blocks.append(Table(_texts(cp.late)))
    blocks.append(Heading("Jalons des fiches projets"))
    if cp.timeline.empty:
        blocks.append(Paragraph("Aucune fiche projet de ces financements ne donne de jalon."))
    else:
        blocks += [_note(avancement.MILESTONE_RULE), Table(_texts(cp.timeline), emphasis=(LATE,))]
    blocks.append(Heading("Indicateurs des fiches projets"))
    if cp.indicators.empty:
        blocks.append(Paragraph("Aucune fiche projet de ces financements ne donne d'indicateur."))
    else:
        blocks.append(Table(_texts(cp.indicators), group="Projet"))
    if etape.since is None:
        blocks += [
            Heading("Changements enregistrés depuis le début du suivi"),
            _note("Aucune date de départ demandée : tous les changements enregistrés, du plus ancien au plus récent"),
        ]
    else:
        blocks.append(Heading(f"Changements depuis le {day_text(etape.since)}"))
    if cp.changes is None or cp.changes.empty:
        said = avancement.NO_CHANGE if etape.since is not None else "aucun changement enregistré"
        blocks.append(Paragraph(said[0].upper() + said[1:] + "."))
    else:
        blocks.append(Table(_texts(cp.changes)))
    return blocks


def etape_pages(base: Base, etape: Etape, *, paper: str = "A4", orientation: str = "paysage") -> list:
    """The figures of the point d'étape: the EPCI's print map, then the text pages (numbered from 2).

    Close the first with :func:`geodash.atlas.close_figure` (pyplot keeps it); the others are not pyplot's.
    """
    cp = etape.progress
    request = atlas.SheetRequest(Filters(epci=etape.siren), paper, orientation, cp.today, subject=SUBJECT)
    sheet = atlas.render_view(base, request, atlas.drawn_context(base))
    band = Band(
        title=f"Point d'étape : {etape.name}",
        subtitle=f"Avancement du contrat – données au {day_text(cp.date_donnees)}"
        + (f" – changements depuis le {day_text(etape.since)}" if etape.since else ""),
        credit=etape.credit,
        realisation=atlas.realisation_text(cp.today),
        paper=paper,
        orientation=orientation,
    )
    return [sheet, *flow_pages(etape_blocks(etape), band, first=2, before=1)]


def write_etape(base: Base, epci_siren: str, out_dir: Path, since: date | None = None) -> Path:
    """Write ``out_dir/point_etape_<code>_<nom>.pdf`` (A4 landscape) and return its path.

    Raises :class:`KeyError` for an EPCI ``base`` does not know (nothing written).
    """
    from matplotlib.backends.backend_pdf import PdfPages

    etape = etape_progress(base, epci_siren, since)
    pages = etape_pages(base, etape)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{atlas.sheet_stem(base.terr, epci_siren, FILE_PATTERN)}.pdf"
    # fixed metadata, as the atlas's: the same data give the same file (but for the date printed)
    metadata = {"Title": f"Point d'étape : {etape.name}", "CreationDate": None, "ModDate": None, "Producer": "geodash"}
    try:
        with PdfPages(path, metadata=metadata) as pdf:
            for page in pages:
                pdf.savefig(page)
    finally:
        atlas.close_figure(pages[0])
    return path
