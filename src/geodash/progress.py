"""Where each financing stands since the 2019 contracts: voted, paid, delivered, abandoned or postponed.

A financing moves through steps — annoncé (the contract) → voté (an instance « CP du … » / « CD du … » and
an amount) → versé (payments, cumulative) → réalisé (delivery) — or is abandonné / reporté (with a reason).
Staff record each step as an appended :class:`Event` (``geodash.db.tracking``); this module, without
Streamlit nor database, says what they add up to:

- :func:`document_vote`: what the 2019 document itself says. A 2015-2018 financing is voted by definition
  (dated only when its ``source`` cites the vote, « CP du 03/12/2018 »); a financing of an article of the
  délibération 2019-117 was voted by the Conseil départemental on 29 April 2019 (l. 204, 344); every
  other one is only announced.
- :func:`current_state`: the state from that baseline and the recorded events (:class:`Progress`).
- :func:`late`: « en retard » only when a planned milestone of the project sheet (:mod:`geodash.plans`,
  the last day of its period) has passed and the recorded state has not reached its step. A financing
  nobody followed is « pas d'information de suivi », never late.
- :func:`check_event`, :func:`check_measure`: the one rule set of the staff page and of the import.
- :func:`summaries`, :func:`summary_table`: per EPCI, state (and theme) counts and amounts, a sum of known
  parts written « au moins » when some are unknown, never 0 for unknown.
- :func:`read_decisions`, :func:`propose`: a file of decisions matched to financings, for a person to
  confirm; nothing is applied here.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from . import settings
from .clock import today
from .formatting import format_eur, format_number, parse_number, precision_prefix
from .plans import load_plans, period_of
from .projects import DELIBERATION_2019_117, decision_of
from .tables import Problem, read_rows
from .text import fold, visible_text

__all__ = [
    "ETATS",
    "ETAT_LABELS",
    "STEPS",
    "STOPS",
    "RECORDABLE",
    "NO_INFORMATION",
    "LATE",
    "DOCUMENT_DATE",
    "MILESTONE_STEPS",
    "EVENT_FIELDS",
    "MEASURE_FIELDS",
    "SUMMARY_COLUMNS",
    "DECISION_COLUMNS",
    "Event",
    "Measure",
    "Due",
    "Indicator",
    "Milestone",
    "Planned",
    "Progress",
    "Sum",
    "Summary",
    "Candidate",
    "Proposal",
    "parse_day",
    "day_text",
    "today",
    "planned",
    "document_vote",
    "current_state",
    "late",
    "status",
    "state_text",
    "event_text",
    "measure_text",
    "snapshot",
    "clean_event",
    "check_event",
    "event_of",
    "clean_measure",
    "check_measure",
    "measure_of",
    "summaries",
    "summary_table",
    "epci_shares",
    "read_decisions",
    "propose",
]

#: Every state a financing can be in, in the order of the steps, then the two stops.
ETATS = ("annonce", "vote", "verse", "realise", "abandonne", "reporte")
ETAT_LABELS = {
    "annonce": "annoncé",
    "vote": "voté",
    "verse": "versé",
    "realise": "réalisé",
    "abandonne": "abandonné",
    "reporte": "reporté",
}
#: The steps, in order: a later one is reached only through the earlier ones.
STEPS = ("annonce", "vote", "verse", "realise")
#: States that stop the steps (with a reason) until a later step is recorded.
STOPS = ("abandonne", "reporte")
#: What staff record (« annoncé » is the contract's: the document says it).
RECORDABLE = ("vote", "verse", "realise", "abandonne", "reporte")
NO_INFORMATION = "pas d'information de suivi"
LATE = "en retard"
#: The document's date: the Conseil départemental's meeting of 29 April 2019 (« REUNION DU 29 AVRIL 2019 »,
#: l. 204; « ARRAS, le 29 avril 2019 », l. 344), the délibération 2019-117 that adopts the contracts.
DOCUMENT_DATE = DELIBERATION_2019_117.date
#: The step a planned milestone (``jalons.csv`` ``jalon``) needs reached once its period is over: the end of
#: the operation is its delivery. The start of an operation is not a step of the Département's financing
#: (a subsidy may be voted after works began), an intermediate step neither: they make nothing late.
MILESTONE_STEPS = {"fin": "realise"}
EVENT_FIELDS = ("etat", "date", "instance", "montant", "motif")
MEASURE_FIELDS = ("indicateur", "valeur", "unite", "date")
MOTIF_MAX = 1_000
UNIT_MAX = 40
#: ``geodash avancement --format csv``: one line per EPCI and state.
SUMMARY_COLUMNS = [
    "epci_siren",
    "nom",
    "etat",
    "nombre",
    "montant_annonce",
    "montant_vote",
    "montant_verse",
    "date_donnees",
]
#: A file of decisions: ``financement_id``, or ``intitule`` (and ``commune``), then the vote.
DECISION_COLUMNS = ["financement_id", "intitule", "commune", "instance", "date", "montant"]

_INSTANCE = re.compile(r"(CP|CD) du (\d{2})/(\d{2})/(\d{4})")
_DAY_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DAY_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CENT = 0.005  # amounts are compared to the cent


# --- values ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One recorded step (or the document's vote, ``version`` 0): ``montant`` is the vote or one payment."""

    etat: str
    date: date | None
    instance: str = ""
    montant: float | None = None
    motif: str = ""
    version: int = 0
    author: str = ""
    recorded_at: datetime | None = None
    pk: int | None = None

    @property
    def order(self) -> tuple:
        return (self.date or date.min, self.version)


@dataclass(frozen=True)
class Measure:
    """One value of an indicator of the project sheet, measured on ``date``."""

    indicateur: str
    valeur: float
    unite: str
    date: date
    version: int = 0
    author: str = ""
    recorded_at: datetime | None = None
    pk: int | None = None


@dataclass(frozen=True)
class Due:
    """A planned milestone as a deadline: ``step`` must be reached after ``fin``, the last day of the period
    the sheet writes (``texte``)."""

    step: str
    fin: date
    texte: str
    jalon: str


@dataclass(frozen=True)
class Indicator:
    """An expected result or indicator of a project sheet (``indicateurs.csv``); ``valeur_cible`` the target
    as a number when the sheet writes one (« 53 haies » → 53)."""

    libelle: str
    type: str
    cible: str
    unite: str
    valeur_cible: float | None = None


@dataclass(frozen=True)
class Milestone:
    """A planned milestone of a project sheet (``jalons.csv``) with the period its text denotes
    (``debut``/``fin`` ``None`` when the text gives none, « ? »)."""

    jalon: str
    libelle: str
    texte: str
    debut: date | None
    fin: date | None
    precision: str
    source: str


@dataclass(frozen=True)
class Planned:
    """The project sheets' deadlines, indicators and milestones, by financing id."""

    due: dict[str, tuple[Due, ...]]
    indicators: dict[str, tuple[Indicator, ...]]
    milestones: dict[str, tuple[Milestone, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    """Where one financing stands.

    ``recorded``: some step was recorded (else the state is the document's, and nobody knows more).
    ``vote``: the sum of the known vote amounts (``vote_complete`` when every vote has one); ``paid``: the
    cumulative payments recorded (``None``: none recorded, not zero); ``since``: the date of the event that
    set the state, when known.
    """

    financing_id: str
    epci_siren: str
    theme: str
    etat: str
    recorded: bool
    annonce: float | None
    voted: bool
    vote: float | None
    vote_complete: bool
    vote_date: date | None
    instance: str
    paid: float | None
    realise: date | None
    since: date | None
    motif: str = ""
    last_event: date | None = None
    document: Event | None = None
    events: tuple[Event, ...] = ()
    due: tuple[Due, ...] = ()

    @property
    def label(self) -> str:
        return ETAT_LABELS[self.etat]

    @property
    def vote_gap(self) -> float | None:
        """Amount voted minus amount announced, only where both are known."""
        if self.annonce is None or self.vote is None or not self.vote_complete:
            return None
        return self.vote - self.annonce


def _amount(value) -> float | None:
    """An amount from a cell: ``None`` when empty or not a number."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        return parse_number(text)
    except ValueError:
        return None


def day_text(d: date | None) -> str:
    return f"{d:%d/%m/%Y}" if d else "date non précisée"


def parse_day(text: str) -> date:
    """``"03/12/2018"`` or ``"2018-12-03"`` → a date; :class:`ValueError` with a French reason otherwise."""
    raw = str(text).strip()
    match = _DAY_FR.fullmatch(raw)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None and (iso := _DAY_ISO.fullmatch(raw)):
        parts = iso.groups()
    if parts is None:
        raise ValueError(f"« {raw} » n'est pas une date (attendu : JJ/MM/AAAA)")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError(f"« {raw} » : cette date n'existe pas") from None


# --- the plans of the project sheets ------------------------------------------------------------------------


def _planned(jalons: pd.DataFrame, indicateurs: pd.DataFrame) -> Planned:
    due: dict[str, list[Due]] = {}
    steps: dict[str, list[Milestone]] = {}
    for row in jalons.to_dict("records"):
        step = MILESTONE_STEPS.get(row["jalon"])
        period = period_of(row["texte"])
        first, last, precision = period if period is not None else (None, None, "")
        steps.setdefault(row["financement_id"], []).append(
            Milestone(row["jalon"], row["libelle"], row["texte"], first, last, precision, str(row["source"]))
        )
        if step and period is not None:
            due.setdefault(row["financement_id"], []).append(Due(step, last, row["texte"], row["jalon"]))
    indicators: dict[str, list[Indicator]] = {}
    for row in indicateurs.to_dict("records"):
        indicators.setdefault(row["financement_id"], []).append(
            Indicator(row["libelle"], row["type"], row["cible"], row["unite"], _amount(row.get("valeur_cible")))
        )
    return Planned(
        {k: tuple(v) for k, v in due.items()},
        {k: tuple(v) for k, v in indicators.items()},
        {k: tuple(v) for k, v in steps.items()},
    )


@functools.lru_cache(maxsize=4)
def _planned_in(folder: str) -> Planned:
    plans = load_plans(Path(folder))
    return _planned(plans.jalons, plans.indicateurs)


def planned(folder: Path | None = None) -> Planned:
    """The deadlines (:data:`MILESTONE_STEPS`) and indicators of the project sheets of ``folder`` (default
    ``data/projects``), read once per process: they are the 2019 plans, not edited by the staff page."""
    return _planned_in(str(Path(folder or settings.projects_dir()).resolve()))


# --- the state of a financing -------------------------------------------------------------------------------


def document_vote(values: Mapping) -> Event | None:
    """The vote the 2019 document gives for a financing (its ``periode``, ``source`` and amount), or ``None``.

    2015-2018: voted by definition, on the date of the « CP du … » / « CD du … » its ``source`` cites, else
    undated. An article of the délibération 2019-117: voted by the Conseil départemental on 29 April 2019.
    The amount is the financing's ``montant_departement_eur`` (the amount voted, per the extraction rules).
    """
    decision = decision_of(str(values.get("source") or ""))
    if decision is None and values.get("periode") != "2015-2018":
        return None
    amount = _amount(values.get("montant_departement_eur"))
    if decision is None:
        return Event("vote", None, "", amount)
    instance = decision.reference if _INSTANCE.fullmatch(decision.reference) else f"CD du {decision.date:%d/%m/%Y}"
    return Event("vote", decision.date, instance, amount)


def current_state(values: Mapping, events: Iterable[Event] = (), *, due: Sequence[Due] = ()) -> Progress:
    """The state of the financing ``values`` (a ``financements.csv`` row) after the recorded ``events``
    (cancelled ones left out), its deadlines ``due`` kept for :func:`late`.

    The steps reached add up (a payment implies the vote it pays); an abandon or a postponement is the
    state until a later step is recorded. A recorded vote on the date of the document's vote replaces it
    (the same decision, recorded with its instance and amount); other votes add to it.
    """
    live = tuple(sorted(events, key=lambda e: e.order))
    document = document_vote(values)
    votes = [e for e in live if e.etat == "vote"]
    if document is not None and not (document.date and any(v.date == document.date for v in votes)):
        votes.insert(0, document)
    known = [v.montant for v in votes if v.montant is not None]
    dated = [v for v in votes if v.date]
    payments = [e for e in live if e.etat == "verse"]
    realised = [e for e in live if e.etat == "realise"]
    level = 3 if realised else 2 if payments else 1 if votes else 0
    since = {
        3: realised[-1].date if realised else None,
        2: payments[-1].date if payments else None,
        1: dated[-1].date if dated else None,
        0: None,
    }[level]
    etat, motif = STEPS[level], ""
    stops = [e for e in live if e.etat in STOPS]
    if stops and not any(e.etat in STEPS and e.order > stops[-1].order for e in live):
        etat, since, motif = stops[-1].etat, stops[-1].date, stops[-1].motif
    return Progress(
        financing_id=str(values.get("id", "")),
        epci_siren=str(values.get("epci_siren", "")),
        theme=str(values.get("theme", "")),
        etat=etat,
        recorded=bool(live),
        annonce=_amount(values.get("montant_departement_eur")),
        voted=bool(votes),
        vote=sum(known) if known else None,
        vote_complete=bool(votes) and len(known) == len(votes),
        vote_date=dated[-1].date if dated else None,
        instance=dated[-1].instance if dated else "",
        paid=sum(e.montant or 0.0 for e in payments) if payments else None,
        realise=realised[-1].date if realised else None,
        since=since,
        motif=motif,
        last_event=max((e.date for e in live if e.date), default=None),
        document=document,
        events=live,
        due=tuple(due),
    )


def late(progress: Progress, today: date) -> bool:
    """« en retard »: a deadline of the sheet has passed (its period ended before ``today``) and the recorded
    state has not reached its step. Never without recorded information, never when abandoned or postponed
    (a recorded decision, with its reason)."""
    if not progress.recorded or progress.etat in STOPS:
        return False
    level = STEPS.index(progress.etat)
    return any(d.fin < today and level < STEPS.index(d.step) for d in progress.due)


def status(progress: Progress, today: date) -> str:
    """:data:`LATE`, :data:`NO_INFORMATION` (nothing recorded: the document's state only), or ``""``."""
    if late(progress, today):
        return LATE
    return "" if progress.recorded else NO_INFORMATION


def _eur(value: float | None, complete: bool = True) -> str:
    if value is None:
        return "montant non précisé"
    return precision_prefix("exact" if complete else "minimum") + format_eur(value)


def state_text(progress: Progress, today: date) -> str:
    """The state in one French sentence: « voté le 29/04/2019 (CD du 29/04/2019) : 100 000 € ; versé : … »."""
    p = progress
    head = p.label + (f" le {day_text(p.since)}" if p.since else "")
    parts = []
    if p.voted:
        vote = (f"({p.instance}) " if p.instance else "") + f": {_eur(p.vote, p.vote_complete)}"
        if p.vote_gap:
            vote += f", {format_eur(abs(p.vote_gap))} de {'plus' if p.vote_gap > 0 else 'moins'} qu'annoncé"
        parts.append(f"{head} {vote}" if p.etat == "vote" else f"voté {vote}")
    if p.etat != "vote":
        parts.insert(0, head)
    if p.paid is not None:
        parts.append(f"versé : {format_eur(p.paid)}")
    if p.motif:
        parts.append(f"motif : {p.motif}")
    said = status(p, today)
    if said == LATE:
        passed = [d for d in p.due if d.fin < today and STEPS.index(p.etat) < STEPS.index(d.step)]
        parts.append(f"en retard : fin prévue « {passed[0].texte} », pas encore réalisé")
    elif said:
        parts.append(f"{said} (état donné par le document de 2019)")
    return " ; ".join(parts)


def event_text(event: Event) -> str:
    """« vote CP du 03/12/2019 : 50 550 € », « versement de 10 000 € le 02/03/2020 », « abandon le … : motif »."""
    e = event
    if e.etat == "vote":
        return f"vote {e.instance or 'le ' + day_text(e.date)} : {_eur(e.montant)}"
    if e.etat == "verse":
        return f"versement de {_eur(e.montant)} le {day_text(e.date)}"
    if e.etat == "realise":
        return f"réalisation le {day_text(e.date)}"
    words = {"abandonne": "abandon", "reporte": "report", "annonce": "annonce"}
    return f"{words[e.etat]} le {day_text(e.date)}" + (f" : {e.motif}" if e.motif else "")


def snapshot(progress: Progress, measures: Iterable[Measure] = ()) -> dict[str, str]:
    """The follow-up as French text, field by field (JSON for the history: before and after each change)."""
    p = progress
    out = {
        "etat": p.label + (f" le {day_text(p.since)}" if p.since else ""),
        "vote": (_eur(p.vote, p.vote_complete) + (f" ({p.instance})" if p.instance else "")) if p.voted else "",
        "verse": format_eur(p.paid) if p.paid is not None else "",
        "realise": day_text(p.realise) if p.realise else "",
        "motif": p.motif,
    }
    latest: dict[str, Measure] = {}
    for m in sorted(measures, key=lambda m: (m.date, m.version)):
        latest[m.indicateur] = m
    for name, m in latest.items():
        out[f"mesure : {name}"] = _measure_value(m)
    return out


def _measure_value(m: Measure) -> str:
    number = format_number(m.valeur, 0 if float(m.valeur).is_integer() else 2)
    return f"{number} {m.unite}".strip() + f" au {day_text(m.date)}"


def measure_text(m: Measure) -> str:
    """« mesure : Nombre de haies implantées = 12 haies au 01/02/2021 »."""
    return f"mesure : {m.indicateur} = {_measure_value(m)}"


# --- the rules of a recorded step ----------------------------------------------------------------------------


def _clean(values: Mapping, fields: Sequence[str]) -> dict[str, str]:
    out = {}
    for name in fields:
        text = visible_text(str(values.get(name) or ""))
        out[name] = text.strip() if name == "motif" else " ".join(text.split())
    return out


def clean_event(values: Mapping) -> dict[str, str]:
    """The fields of a step (:data:`EVENT_FIELDS`) as clean text: controls removed, spaces single."""
    return _clean(values, EVENT_FIELDS)


def _date_check(text: str, today: date, errors: dict, name: str = "date") -> date | None:
    if not text:
        errors[name] = "date à remplir (JJ/MM/AAAA)"
        return None
    try:
        day = parse_day(text)
    except ValueError as exc:
        errors[name] = str(exc)
        return None
    if day > today:
        errors[name] = f"le {day:%d/%m/%Y} est dans le futur (aujourd'hui : {today:%d/%m/%Y})"
        return None
    return day


def _positive(text: str, errors: dict, what: str) -> float | None:
    if not text:
        errors["montant"] = f"{what} à remplir (en euros, ex. 50 550 ou 52 357,20)"
        return None
    try:
        value = parse_number(text)
    except ValueError as exc:
        errors["montant"] = str(exc)
        return None
    if not value > 0:
        errors["montant"] = f"{what} : doit être supérieur à 0"
        return None
    return value


def check_event(values: Mapping, state: Progress, *, today: date) -> tuple[dict[str, str], dict[str, str]]:
    """``(errors, warnings)`` of recording the step ``values`` (:data:`EVENT_FIELDS`) on a financing whose
    follow-up is ``state``, each ``{field: French reason}``: the rules of the staff page and of the import.

    A date is a real day, not after ``today``. A vote names its instance, « CP du JJ/MM/AAAA » (Commission
    permanente) or « CD du JJ/MM/AAAA » (Conseil départemental), of the same day, and its amount; a payment
    its amount (> 0); the cumulative payments may not exceed the amount voted (a warning when that amount is
    unknown). « réalisé » needs a vote; « abandonné » and « reporté » a reason; nothing follows an abandon
    until it is cancelled.
    """
    v = clean_event(values)
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    etat = v["etat"]
    if etat not in ETATS:
        errors["etat"] = "choisir une étape : " + ", ".join(ETAT_LABELS[e] for e in RECORDABLE)
    day = _date_check(v["date"], today, errors)
    if etat == "vote":
        instance = v["instance"]
        match = _INSTANCE.fullmatch(instance)
        if not instance:
            errors["instance"] = "instance à remplir : « CP du JJ/MM/AAAA » ou « CD du JJ/MM/AAAA »"
        elif not match:
            errors["instance"] = (
                f"« {instance} » : attendu « CP du JJ/MM/AAAA » (Commission permanente) "
                "ou « CD du JJ/MM/AAAA » (Conseil départemental)"
            )
        else:
            try:
                held = date(int(match.group(4)), int(match.group(3)), int(match.group(2)))
            except ValueError:
                errors["instance"] = f"« {instance} » : cette date n'existe pas"
            else:
                if day and held != day:
                    errors["instance"] = f"l'instance est du {held:%d/%m/%Y}, le vote daté du {day:%d/%m/%Y}"
    elif v["instance"]:
        errors["instance"] = "seulement pour un vote"
    amount = None
    if etat in ("vote", "verse"):
        amount = _positive(v["montant"], errors, "montant voté" if etat == "vote" else "montant versé")
    elif v["montant"]:
        errors["montant"] = "seulement pour un vote ou un versement"
    if etat in STOPS and not v["motif"]:
        errors["motif"] = f"motif à remplir : pourquoi le financement est {ETAT_LABELS[etat]}"
    elif len(v["motif"]) > MOTIF_MAX:
        errors["motif"] = f"{len(v['motif'])} caractères : {MOTIF_MAX} au plus"
    if etat not in ETATS:
        return errors, warnings
    # the order of the steps
    if state.etat == "abandonne":
        errors["etat"] = f"financement abandonné le {day_text(state.since)} : annuler d'abord l'abandon (suivi)"
    elif etat == "realise" and not state.voted:
        errors["etat"] = "réalisé : le vote du Département doit être enregistré d'abord"
    elif etat == "realise" and state.realise:
        errors["etat"] = f"déjà réalisé le {day_text(state.realise)}"
    if etat == "verse" and amount is not None:
        paid = (state.paid or 0.0) + amount
        if state.vote is not None and state.vote_complete:
            if paid > state.vote + _CENT:
                errors["montant"] = (
                    f"versements cumulés {format_eur(paid)} : plus que le montant voté ({format_eur(state.vote)})"
                )
        else:
            warnings["montant"] = (
                f"montant voté inconnu : les versements cumulés ({format_eur(paid)}) ne peuvent pas lui être comparés"
            )
    if etat == "vote" and day and amount is not None:
        if any(
            e.etat == "vote" and e.date == day and e.instance == v["instance"] and e.montant == amount
            for e in state.events
        ):
            errors["instance"] = "ce vote est déjà enregistré"
        elif state.document is not None and state.document.date == day:
            warnings["date"] = "le document de 2019 donne un vote à cette date : celui-ci le remplace"
        elif state.voted:
            total = _eur((state.vote or 0.0) + amount, state.vote_complete)
            warnings["montant"] = (
                f"déjà voté ({state.instance or 'document de 2019'}) : ce vote s'y ajoute (total voté : {total}) ; "
                "pour corriger un vote, annuler l'ancien"
            )
    if etat in ("verse", "realise") and day and state.vote_date and day < state.vote_date:
        warnings["date"] = f"avant le vote du {state.vote_date:%d/%m/%Y}"
    return errors, warnings


def event_of(values: Mapping) -> Event:
    """The :class:`Event` of checked ``values`` (see :func:`check_event`)."""
    v = clean_event(values)
    return Event(
        etat=v["etat"],
        date=parse_day(v["date"]),
        instance=v["instance"],
        montant=parse_number(v["montant"]) if v["montant"] else None,
        motif=v["motif"],
    )


def clean_measure(values: Mapping) -> dict[str, str]:
    """The fields of an indicator value (:data:`MEASURE_FIELDS`) as clean text."""
    return _clean(values, MEASURE_FIELDS)


def check_measure(
    values: Mapping, indicators: Sequence[Indicator], *, today: date
) -> tuple[dict[str, str], dict[str, str]]:
    """``(errors, warnings)`` of a value of an indicator: one of the sheet's (``indicators``), a number ≥ 0,
    a unit of :data:`UNIT_MAX` characters at most, a date not after ``today``."""
    v = clean_measure(values)
    errors: dict[str, str] = {}
    names = [i.libelle for i in indicators]
    if not names:
        errors["indicateur"] = "la fiche projet de ce financement n'a pas d'indicateur"
    elif v["indicateur"] not in names:
        errors["indicateur"] = "choisir un indicateur de la fiche projet"
    if not v["valeur"]:
        errors["valeur"] = "valeur à remplir"
    else:
        try:
            if parse_number(v["valeur"]) < 0:
                errors["valeur"] = "valeur : doit être positive ou nulle"
        except ValueError as exc:
            errors["valeur"] = str(exc)
    if len(v["unite"]) > UNIT_MAX:
        errors["unite"] = f"{len(v['unite'])} caractères : {UNIT_MAX} au plus"
    _date_check(v["date"], today, errors)
    return errors, {}


def measure_of(values: Mapping) -> Measure:
    """The :class:`Measure` of checked ``values``."""
    v = clean_measure(values)
    return Measure(v["indicateur"], parse_number(v["valeur"]), v["unite"], parse_day(v["date"]))


# --- summaries -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sum:
    """A sum of amounts, some of which may be unknown: ``value`` of the known ones (``None``: none known or
    nothing to sum), ``complete`` when every part is known."""

    value: float | None
    complete: bool
    parts: int

    @classmethod
    def of(cls, parts: Iterable[tuple[float | None, bool]]) -> Sum:
        parts = list(parts)
        known = [v for v, _ in parts if v is not None]
        return cls(sum(known) if known else None, all(v is not None and ok for v, ok in parts), len(parts))

    @property
    def precision(self) -> str:
        return "exact" if self.complete else "minimum"

    def text(self) -> str:
        """« 1 443 000 € », « au moins 1 300 000 € », « montant non précisé », « – » (nothing to sum)."""
        if not self.parts:
            return "–"
        return _eur(self.value, self.complete)

    def cell(self) -> str:
        """For a CSV file: ``1443000``, ``au moins 1300000``; empty when nothing is known, never 0."""
        if self.value is None:
            return ""
        number = round(self.value, 2)
        plain = str(int(number)) if float(number).is_integer() else f"{number:.2f}"
        return precision_prefix(self.precision) + plain


@dataclass(frozen=True)
class Summary:
    """The financings of one group (EPCI, state, theme…): how many, their amounts, the date of the data."""

    nombre: int
    annonce: Sum
    vote: Sum
    verse: Sum
    date_donnees: date


def _summary(progresses: Sequence[Progress]) -> Summary:
    voted = [p for p in progresses if p.voted]
    paying = [p for p in progresses if p.paid is not None or p.etat in ("verse", "realise")]
    return Summary(
        nombre=len(progresses),
        annonce=Sum.of((p.annonce, True) for p in progresses),
        vote=Sum.of((p.vote, p.vote_complete) for p in voted),
        verse=Sum.of((p.paid, True) for p in paying),
        date_donnees=max([DOCUMENT_DATE, *(p.last_event for p in progresses if p.last_event)]),
    )


def summaries(progresses: Iterable[Progress], by: Sequence[str] = ("epci_siren", "etat")) -> dict[tuple, Summary]:
    """One :class:`Summary` per group of ``by`` (attributes of :class:`Progress`: ``epci_siren``, ``etat``,
    ``theme``), for the groups that have financings.

    Amounts announced sum every financing of the group; amounts voted those voted; amounts paid those
    with payments recorded, or that reached « versé » or « réalisé » (a delivered financing whose payments
    nobody recorded makes the sum « au moins »). ``date_donnees``: the latest recorded event of the group,
    never before the document's date.
    """
    groups: dict[tuple, list[Progress]] = {}
    for p in progresses:
        groups.setdefault(tuple(getattr(p, k) for k in by), []).append(p)
    return {key: _summary(ps) for key, ps in groups.items()}


def summary_table(progresses: Iterable[Progress], epci: pd.DataFrame) -> pd.DataFrame:
    """:data:`SUMMARY_COLUMNS`: every EPCI of ``epci`` (``siren``, ``nom``) × every state of :data:`ETATS`,
    counts and amounts as :meth:`Sum.cell` (empty: nothing known; « au moins » when a part is unknown)."""
    found = summaries(progresses)
    rows = []
    for siren, nom in zip(epci["siren"], epci["nom"]):
        for etat in ETATS:
            s = found.get((siren, etat)) or _summary([])
            rows.append(
                {
                    "epci_siren": str(siren),
                    "nom": str(nom),
                    "etat": etat,
                    "nombre": s.nombre,
                    "montant_annonce": s.annonce.cell(),
                    "montant_vote": s.vote.cell(),
                    "montant_verse": s.verse.cell(),
                    "date_donnees": s.date_donnees.isoformat(),
                }
            )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def epci_shares(progresses: Iterable[Progress], epci: pd.DataFrame) -> pd.DataFrame:
    """Each EPCI's financings by state as shares of its own contract (the comparison of the département
    view): ``part_nombre`` always; ``part_montant`` (of the amounts announced) only where every amount of
    the EPCI is known, else empty: a share of an incomplete total would compare what is not comparable."""
    progresses = list(progresses)
    by_epci = summaries(progresses, by=("epci_siren",))
    by_state = summaries(progresses)
    rows = []
    for siren, nom in zip(epci["siren"], epci["nom"]):
        total = by_epci.get((siren,))
        for etat in ETATS:
            s = by_state.get((siren, etat))
            n = s.nombre if s else 0
            amounts = total is not None and total.annonce.complete and total.annonce.value
            rows.append(
                {
                    "epci_siren": siren,
                    "nom": nom,
                    "etat": etat,
                    "nombre": n,
                    "part_nombre": n / total.nombre if total else None,
                    "part_montant": ((s.annonce.value or 0.0) if s else 0.0) / total.annonce.value if amounts else None,
                }
            )
    return pd.DataFrame(rows)


# --- a file of decisions ---------------------------------------------------------------------------------------


#: A candidate below this score is not proposed.
MATCH_THRESHOLD = 0.6


@dataclass(frozen=True)
class Candidate:
    """A financing a decision may concern: ``score`` 1 for its identifier or the same title and commune."""

    financing_id: str
    intitule: str
    score: float
    why: str


@dataclass(frozen=True)
class Proposal:
    """One line of a file of decisions: the vote it records (``values``, :data:`EVENT_FIELDS`) and the
    financings it may concern, best first. ``chosen`` is the one a person may confirm without naming it:
    the only candidate, or one of score 1 far ahead of the next."""

    line: int
    values: dict[str, str]
    wanted: str
    candidates: tuple[Candidate, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def vote_text(self) -> str:
        """« vote CP du 02/03/2020 : 30 000 € le 02/03/2020 », as the file writes it."""
        v = self.values
        amount = _amount(v["montant"])
        shown = format_eur(amount) if amount is not None else f"« {v['montant']} »"
        return f"vote {v['instance'] or '(instance non précisée)'} : {shown} le {v['date'] or '(date non précisée)'}"

    @property
    def chosen(self) -> Candidate | None:
        if not self.candidates:
            return None
        first = self.candidates[0]
        if len(self.candidates) == 1 or (first.score >= 0.999 and self.candidates[1].score < 0.9):
            return first
        return None


def read_decisions(path: Path | bytes, *, name: str | None = None) -> tuple[list[dict], list[Problem]]:
    """The rows of a file of decisions (:data:`DECISION_COLUMNS`; ``financement_id`` or ``intitule`` on each
    line) with their ``ligne``, and the problems (``fichier:ligne: raison``) of the lines set aside."""
    rows, problems = read_rows(path, ["instance", "date", "montant"], name=name)
    name = name or (Path(path).name if not isinstance(path, (bytes, bytearray)) else "<données>")
    kept = []
    for row in rows:
        values = {c: row.values.get(c, "") for c in DECISION_COLUMNS}
        if not values["financement_id"] and not values["intitule"]:
            problems.append(Problem(name, row.line, "ni financement_id ni intitule : le financement n'est pas désigné"))
            continue
        kept.append({**values, "ligne": row.line})
    return kept, problems


def _commune_match(wanted: str, codes: str, names: Mapping[str, str]) -> bool:
    folded = fold(wanted)
    return any(folded in (fold(code), fold(names.get(code, ""))) for code in codes.split("|") if code)


def propose(
    rows: Iterable[Mapping], financements: pd.DataFrame, commune_names: Mapping[str, str] | None = None
) -> list[Proposal]:
    """For each decision (:func:`read_decisions`), the financings of ``financements`` (``id``, ``intitule``,
    ``commune_insee``) it may concern: its ``financement_id`` if it exists (score 1), else those whose title
    is close to its ``intitule`` (accents and case folded; with ``commune``, a name or an INSEE code,
    weighing a quarter), at least :data:`MATCH_THRESHOLD`, three at most. Nothing is recorded."""
    names = dict(commune_names or {})
    frame = financements[["id", "intitule", "commune_insee"]].astype(str)
    ids = dict(zip(frame["id"], frame["intitule"]))
    titles = [(fid, title, fold(title), codes) for fid, title, codes in frame.itertuples(index=False, name=None)]
    out = []
    for row in rows:
        values = {
            "etat": "vote",
            "date": str(row.get("date", "")),
            "instance": str(row.get("instance", "")),
            "montant": str(row.get("montant", "")),
            "motif": "",
        }
        fid, wanted, commune = (str(row.get(c, "") or "").strip() for c in ("financement_id", "intitule", "commune"))
        problems: list[str] = []
        candidates: list[Candidate] = []
        if fid and fid in ids:
            candidates = [Candidate(fid, ids[fid], 1.0, "identifiant")]
        elif fid:
            problems.append(f"identifiant « {fid} » inconnu")
        if not candidates and wanted:
            target = fold(wanted)
            for other, title, folded, codes in titles:
                matcher = difflib.SequenceMatcher(None, target, folded, autojunk=False)
                if matcher.real_quick_ratio() < MATCH_THRESHOLD * 0.75:
                    continue
                ratio = matcher.ratio()
                if commune:
                    same_place = _commune_match(commune, codes, names)
                    score = 0.75 * ratio + (0.25 if same_place else 0.0)
                    why = f"intitulé {format_number(ratio, 2)}" + (" et commune" if same_place else ", autre commune")
                else:
                    score, why = ratio, f"intitulé {format_number(ratio, 2)}"
                if score >= MATCH_THRESHOLD:
                    candidates.append(Candidate(other, title, round(score, 4), why))
            candidates = sorted(candidates, key=lambda c: (-c.score, c.financing_id))[:3]
        if not candidates:
            problems.append("aucun financement ne correspond")
        out.append(Proposal(int(row.get("ligne", 0)), values, fid or wanted, tuple(candidates), tuple(problems)))
    return out
