"""Where a contract stands: the follow-up of a territory's financings as every view shows it.

:mod:`geodash.progress` says where one financing stands; this module adds them up for a territory (an
EPCI, or the département when ``epci_siren`` is ``None``) into the parts of « Avancement du contrat »:
counts and amounts by state and by theme, the project sheets' milestones against what was recorded, their
indicators against their targets, the financings late, what changed since a date, and the comparison of
the EPCI on shares of their own contract. The page, the projector, ``geodash etape`` (PDF) and the map's
markers (:func:`state_columns`) all take these parts from here; nothing here draws, reads a file or
imports Streamlit.

Honesty rules, decided here once:

- a financing nobody followed is « pas d'information de suivi », never « en retard » (:func:`progress.late`);
- a sum with unknown parts is « au moins … » (:class:`progress.Sum`), unknown is never 0;
- EPCI are compared on shares of their own contract, never ranked; amount shares only where every amount
  of the EPCI is known (:func:`progress.epci_shares`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from . import progress, style
from .formatting import format_number, format_percent
from .plans import plain_text
from .progress import ETAT_LABELS, ETATS, LATE, NO_INFORMATION, STEPS, Planned, Progress, Sum, day_text
from .projects import countable

__all__ = [
    "Followed",
    "ContractProgress",
    "NO_CHANGE",
    "HISTORY_START",
    "AT_LEAST_NOTE",
    "LATE_RULE",
    "MILESTONE_RULE",
    "MILESTONE_LABELS",
    "follow",
    "state_columns",
    "contract_progress",
    "state_table",
    "theme_table",
    "timeline",
    "indicator_table",
    "late_table",
    "changes_since",
    "comparison_table",
    "headline",
    "late_note",
]

#: The first day of the follow-up: the contracts' (délibération 2019-117, 29 April 2019).
HISTORY_START = progress.DOCUMENT_DATE
#: Said when the history holds nothing since the date asked.
NO_CHANGE = "aucun changement enregistré depuis cette date"
_NOT_FOLLOWED = "non suivi"  # a milestone the follow-up has no step for (start, intermediate step)
#: What « au moins » means in a sum of amounts of the follow-up.
AT_LEAST_NOTE = (
    "« au moins » : la somme des montants connus, quand certains ne le sont pas ; "
    "un montant inconnu n'est jamais compté 0"
)
#: When a financing is « en retard », and when it never is.
LATE_RULE = (
    f"« {LATE} » : une échéance de la fiche projet est passée sans que l'étape qu'elle demande soit enregistrée "
    "(la fin de l'opération demande « réalisé ») ; un financement sans information de suivi n'est jamais compté "
    "en retard, ni un financement abandonné ou reporté (décision enregistrée, avec son motif)"
)
#: A milestone's name when its project sheet gives none (``jalons.csv`` ``libelle`` empty), by ``jalon``.
MILESTONE_LABELS = {"debut": "Début de l'opération", "etape": "Étape intermédiaire", "fin": "Fin de l'opération"}
#: How the milestones of the project sheets are compared with the follow-up (:func:`timeline`).
MILESTONE_RULE = (
    "le suivi enregistre les votes, les versements et les réalisations : la fin d'une opération est comparée "
    f"à sa réalisation ; un début ou une étape intermédiaire est « {_NOT_FOLLOWED} », jamais {LATE}"
)


@dataclass(frozen=True)
class Followed:
    """Every financing's :class:`~geodash.progress.Progress` on ``today``, with what was measured and every
    recorded change (for « what changed since »), by financing id."""

    states: dict[str, Progress]
    planned: Planned
    today: date
    measures: dict[str, tuple] = field(default_factory=dict)
    changes: dict[str, tuple] = field(default_factory=dict)

    def late(self, financing_id: str) -> bool:
        state = self.states.get(financing_id)
        return state is not None and progress.late(state, self.today)


def follow(financements: pd.DataFrame, follow_ups: Mapping[str, object], planned: Planned, today: date) -> Followed:
    """The state of every financing of ``financements`` after its recorded follow-up.

    Parameters
    ----------
    financements
        The financings (``financements.csv`` columns).
    follow_ups
        By financing id, objects with ``events``, ``measures`` and ``changes`` (the store's
        :class:`geodash.db.FollowUp`); a financing without one has nothing recorded.
    planned
        The project sheets' plans (:func:`geodash.progress.planned`).
    today
        The date « en retard » is judged on.

    A subsidy present in several contracts (``doublon_de``: the id of its first row) is one financing:
    what was recorded on any of its rows is its follow-up, and every row shows it (the comparisons count
    the first row only, :func:`geodash.projects.countable`).
    """
    rows = financements.to_dict("records")
    ids = {str(row["id"]) for row in rows}

    def first(row) -> str:
        other = str(row.get("doublon_de") or "").strip()
        return other if other in ids else str(row["id"])

    group: dict[str, list[str]] = {}
    for row in rows:
        group.setdefault(first(row), []).append(str(row["id"]))
    states, measures, changes = {}, {}, {}
    for row in rows:
        fid, key = str(row["id"]), first(row)
        found = [follow_ups[i] for i in group[key] if i in follow_ups]
        events = [e for f in found for e in f.events]
        states[fid] = progress.current_state(row, events, due=planned.due.get(fid) or planned.due.get(key, ()))
        if found:
            measures[fid] = tuple(m for f in found for m in f.measures)
            changes[fid] = tuple(sorted((c for f in found for c in f.changes), key=lambda c: c.at))
    return Followed(states, planned, today, measures, changes)


def state_columns(frame: pd.DataFrame, followed: Followed | None) -> pd.DataFrame:
    """``frame`` (placed or EPCI-wide financings) with ``etat``, ``en_retard``, ``suivi_enregistre`` (a step
    was recorded since the contract) and ``suivi`` (the state in French) for the map's markers and popups;
    ``frame`` unchanged when nothing is followed (CSV preview)."""
    if followed is None or "id" not in frame:
        return frame
    states = [followed.states.get(str(fid)) for fid in frame["id"]]
    return frame.assign(
        etat=[s.etat if s else "annonce" for s in states],
        en_retard=[bool(s and progress.late(s, followed.today)) for s in states],
        suivi_enregistre=[bool(s and s.recorded) for s in states],
        suivi=[progress.state_text(s, followed.today) if s else NO_INFORMATION for s in states],
    )


# --- one territory -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractProgress:
    """The parts of « Avancement du contrat » for one territory (``epci_siren`` ``None``: the département)."""

    title: str
    epci_siren: str | None
    today: date
    date_donnees: date
    headline: str
    states: pd.DataFrame
    themes: pd.DataFrame
    timeline: pd.DataFrame
    indicators: pd.DataFrame
    late: pd.DataFrame
    changes: pd.DataFrame | None
    since: date | None = None
    late_note: str = ""


def _territory(financements: pd.DataFrame, epci_siren: str | None) -> pd.DataFrame:
    rows = countable(financements)
    return rows if epci_siren is None else rows[rows["epci_siren"].astype(str) == str(epci_siren)]


def contract_progress(
    financements: pd.DataFrame,
    followed: Followed,
    *,
    epci_siren: str | None,
    name: str,
    since: date | None = None,
) -> ContractProgress:
    """Every part of the territory's « Avancement du contrat ».

    ``financements`` are the financings in force (withdrawn ones left out by the loader); a subsidy present
    in several contracts counts once (:func:`geodash.projects.countable`). ``since`` asks for the changes
    recorded from that day on (``None``: no such part).
    """
    rows = _territory(financements, epci_siren)
    ids = [str(i) for i in rows["id"]]
    states = [followed.states[i] for i in ids if i in followed.states]
    titles = dict(zip(ids, rows["intitule"].astype(str)))
    last = max([progress.DOCUMENT_DATE, *(s.last_event for s in states if s.last_event)])
    return ContractProgress(
        title=f"Avancement du contrat : {name}" if epci_siren else f"Avancement des contrats : {name}",
        epci_siren=epci_siren,
        today=followed.today,
        date_donnees=last,
        headline=headline(states, followed.today),
        states=state_table(states, followed.today),
        themes=theme_table(states),
        timeline=timeline(states, followed, titles),
        indicators=indicator_table(ids, followed, titles),
        late=late_table(states, followed.today, titles),
        changes=None if since is None else changes_since(ids, followed, titles, since),
        since=since,
        late_note=late_note(states, followed.today),
    )


def headline(states: Iterable[Progress], today: date) -> str:
    """« 45 financements : 12 suivis depuis le contrat, 2 en retard, 33 sans information de suivi »."""
    states = list(states)
    if not states:
        return "Aucun financement."
    followed = sum(s.recorded for s in states)
    late = sum(progress.late(s, today) for s in states)
    parts = [
        f"{_count(len(states), 'financement')} : {format_number(followed)} suivi{'s' * (followed > 1)} "
        "depuis le contrat",
        f"{format_number(late)} {LATE}",
        f"{format_number(len(states) - followed)} sans information de suivi",
    ]
    return ", ".join(parts) + "."


def late_note(states: Iterable[Progress], today: date) -> str:
    """What the late items say, and do not: « Aucun financement en retard. Seuls les financements dont la fiche
    projet donne une échéance peuvent être en retard : 2 ici. 28 financements sans information de suivi :
    jamais comptés en retard. »"""
    states = list(states)
    late = sum(progress.late(s, today) for s in states)
    dated = sum(bool(s.due) for s in states)
    unknown = sum(not s.recorded for s in states)
    parts = [f"{_count(late, 'financement')} {LATE}." if late else "Aucun financement en retard."]
    if dated:
        parts.append(
            f"Seuls les financements dont la fiche projet donne une échéance peuvent être en retard : "
            f"{format_number(dated)} ici."
        )
    else:
        parts.append("Aucune fiche projet de ces financements ne donne d'échéance : aucun ne peut être en retard.")
    if unknown:
        parts.append(
            f"{_count(unknown, 'financement')} sans information de suivi : "
            f"jamais compté{'s' * (unknown > 1)} en retard."
        )
    return " ".join(parts)


def _count(n: int, word: str) -> str:
    return f"{format_number(n)} {word}{'s' * (n > 1)}"


def state_table(states: Iterable[Progress], today: date) -> pd.DataFrame:
    """One row per state reached by some financing (in :data:`~geodash.progress.ETATS` order) and « Ensemble »:
    counts (how many nobody followed, how many late) and amounts announced, voted and paid, written « au
    moins » when some are unknown, « montant non précisé » when none is known."""
    states = list(states)
    groups = [(ETAT_LABELS[e].capitalize(), [s for s in states if s.etat == e]) for e in ETATS]
    groups = [(label, group) for label, group in groups if group]
    if states:
        groups.append(("Ensemble", states))
    rows = []
    for label, group in groups:
        voted = [s for s in group if s.voted]
        paying = [s for s in group if s.paid is not None or s.etat in ("verse", "realise")]
        rows.append(
            {
                "État": label,
                "Financements": len(group),
                "dont sans information de suivi": sum(not s.recorded for s in group),
                f"dont {LATE}": sum(progress.late(s, today) for s in group),
                "Montant annoncé": Sum.of((s.annonce, True) for s in group).text(),
                "Montant voté": Sum.of((s.vote, s.vote_complete) for s in voted).text(),
                "Montant versé": Sum.of((s.paid, True) for s in paying).text(),
            }
        )
    columns = ["État", "Financements", "dont sans information de suivi", f"dont {LATE}"]
    columns += ["Montant annoncé", "Montant voté", "Montant versé"]
    return _french_counts(pd.DataFrame(rows, columns=columns))


def _french_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts written in French (« 1 007 »): the tables are text, the same on the page and on paper."""
    counts = [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c])]
    return frame.assign(**{c: frame[c].map(format_number) for c in counts})


def theme_table(states: Iterable[Progress]) -> pd.DataFrame:
    """Financings counted by theme (rows, in the Légende's order) and state (columns present), with totals."""
    states = list(states)
    present = [e for e in ETATS if any(s.etat == e for s in states)]
    rows = []
    for theme in [*style.THEMES, *sorted({s.theme for s in states} - set(style.THEMES))]:
        group = [s for s in states if s.theme == theme]
        if group:
            rows.append(
                {"Thématique": theme, **{ETAT_LABELS[e]: sum(s.etat == e for s in group) for e in present}}
                | {"Ensemble": len(group)}
            )
    return _french_counts(pd.DataFrame(rows, columns=["Thématique", *(ETAT_LABELS[e] for e in present), "Ensemble"]))


def _period_text(m: progress.Milestone) -> str:
    if m.debut is None or m.fin is None:
        return "période non précisée"
    return day_text(m.debut) if m.debut == m.fin else f"du {day_text(m.debut)} au {day_text(m.fin)}"


def _actual(m: progress.Milestone, s: Progress, today: date) -> tuple[str, str]:
    """What the follow-up says of a milestone: (actual date, verdict)."""
    step = progress.MILESTONE_STEPS.get(m.jalon)
    if step is None:
        return "–", _NOT_FOLLOWED
    if s.etat in progress.STOPS:
        return "–", s.label + (f" le {day_text(s.since)}" if s.since else "")
    reached = s.etat in STEPS and STEPS.index(s.etat) >= STEPS.index(step)
    if reached:
        when = s.realise if step == "realise" else s.since
        on_time = when is not None and m.fin is not None and when <= m.fin
        return day_text(when) if when else "date non précisée", "atteint dans les temps" if on_time else "atteint"
    if not s.recorded:
        return "–", NO_INFORMATION
    if m.fin is not None and m.fin < today:
        return "–", LATE
    return "–", "à venir"


def timeline(states: Iterable[Progress], followed: Followed, titles: Mapping[str, str]) -> pd.DataFrame:
    """The project sheets' milestones, in the order of their planned end, against what was recorded.

    The follow-up records votes, payments and deliveries: the end of an operation is compared with its
    delivery; a start or an intermediate step is « non suivi » (nothing records it), never late.
    """
    rows = []
    for s in states:
        for m in followed.planned.milestones.get(s.financing_id, ()):
            actual, verdict = _actual(m, s, followed.today)
            rows.append(
                {
                    "Projet": titles.get(s.financing_id, s.financing_id),
                    "Jalon": m.libelle or MILESTONE_LABELS.get(m.jalon, m.jalon),
                    "Prévu (fiche projet)": plain_text(m.texte),
                    "Période prévue": _period_text(m),
                    "Réel": actual,
                    "Constat": verdict,
                    "_fin": m.fin or date.max,
                }
            )
    frame = pd.DataFrame(
        rows, columns=["Projet", "Jalon", "Prévu (fiche projet)", "Période prévue", "Réel", "Constat", "_fin"]
    )
    return frame.sort_values(["_fin", "Projet"], kind="stable").drop(columns="_fin").reset_index(drop=True)


def _measured(m: progress.Measure, target: progress.Indicator) -> str:
    if target.valeur_cible and (not target.unite or not m.unite or m.unite == target.unite):
        return format_percent(m.valeur / target.valeur_cible) + " de la cible"
    return "cible sans valeur chiffrée" if not target.valeur_cible else "unités différentes"


def indicator_table(ids: Iterable[str], followed: Followed, titles: Mapping[str, str]) -> pd.DataFrame:
    """The project sheets' expected results and indicators with their target and the latest value measured."""
    rows = []
    for fid in ids:
        latest: dict[str, progress.Measure] = {}
        for m in sorted(followed.measures.get(fid, ()), key=lambda m: (m.date, m.version)):
            latest[m.indicateur] = m
        for ind in followed.planned.indicators.get(fid, ()):
            m = latest.get(ind.libelle)
            rows.append(
                {
                    "Projet": titles.get(fid, fid),
                    "Indicateur": ind.libelle,
                    "Cible": ind.cible or "non chiffrée",
                    "Dernière mesure": progress.measure_text(m).split(" = ", 1)[1] if m else NO_INFORMATION,
                    "Atteinte": _measured(m, ind) if m else "–",
                }
            )
    return pd.DataFrame(rows, columns=["Projet", "Indicateur", "Cible", "Dernière mesure", "Atteinte"])


def late_table(states: Iterable[Progress], today: date, titles: Mapping[str, str]) -> pd.DataFrame:
    """The financings « en retard »: the planned date passed, the step it needs, where it stands."""
    rows = []
    for s in states:
        if not progress.late(s, today):
            continue
        for d in s.due:
            if d.fin < today and STEPS.index(s.etat) < STEPS.index(d.step):
                rows.append(
                    {
                        "Projet": titles.get(s.financing_id, s.financing_id),
                        "Prévu": f"{ETAT_LABELS[d.step]} : « {d.texte} » (au plus tard le {day_text(d.fin)})",
                        "État enregistré": progress.state_text(s, today),
                    }
                )
    return pd.DataFrame(rows, columns=["Projet", "Prévu", "État enregistré"])


def changes_since(ids: Iterable[str], followed: Followed, titles: Mapping[str, str], since: date) -> pd.DataFrame:
    """What the history recorded from ``since`` on (the day the change was recorded), oldest first."""
    rows = []
    for fid in ids:
        for change in followed.changes.get(fid, ()):
            at: datetime = change.at
            day = at.astimezone().date() if at is not None else None  # the day it was recorded, here
            if day is not None and day >= since:
                rows.append({"Enregistré le": day_text(day), "Projet": titles.get(fid, fid),
                             "Changement": change.label, "_at": at})  # fmt: skip
    frame = pd.DataFrame(rows, columns=["Enregistré le", "Projet", "Changement", "_at"])
    return frame.sort_values("_at", kind="stable").drop(columns="_at").reset_index(drop=True)


# --- the département -------------------------------------------------------------------------------------------


def comparison_table(financements: pd.DataFrame, followed: Followed, epci: pd.DataFrame) -> pd.DataFrame:
    """The EPCI side by side on shares of their own contract, in the order of ``epci`` (never ranked).

    For each EPCI (``siren``, ``nom``): its financings, the share voted or further, paid or further,
    delivered, stopped (abandoned or postponed), late, and without follow-up information; the share of the
    amounts announced that is voted or further only where every amount of the EPCI is known (« – »
    otherwise: a share of an incomplete total compares what is not comparable).
    """
    rows_all = countable(financements)
    states = [followed.states[str(i)] for i in rows_all["id"] if str(i) in followed.states]
    shares = progress.epci_shares(states, epci)
    rows = []
    for siren, nom in zip(epci["siren"], epci["nom"]):
        own = [s for s in states if s.epci_siren == str(siren)]
        n = len(own)
        mine = shares[shares["epci_siren"] == siren].set_index("etat")

        def share(keys, own=own, n=n):
            return share_of(sum(s.etat in keys for s in own), n)

        amount = mine["part_montant"].reindex(["vote", "verse", "realise"])
        rows.append(
            {
                "Intercommunalité": str(nom),
                "Financements": n,
                "Votés ou plus": share(("vote", "verse", "realise")),
                "Versés ou plus": share(("verse", "realise")),
                "Réalisés": share(("realise",)),
                "Abandonnés ou reportés": share(progress.STOPS),
                "En retard": format_number(sum(progress.late(s, followed.today) for s in own)),
                "Sans information de suivi": share_of(sum(not s.recorded for s in own), n),
                "Montants votés ou plus (part du contrat)": "–"
                if amount.isna().any()
                else format_percent(amount.sum()),
            }
        )
    return _french_counts(pd.DataFrame(rows))


def share_of(part: int, whole: int) -> str:
    """« 12 (27 %) »: a count with its share of ``whole``; « 0 » when ``whole`` is 0."""
    return f"{format_number(part)} ({format_percent(part / whole)})" if whole else format_number(part)
