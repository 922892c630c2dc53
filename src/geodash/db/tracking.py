"""The follow-up of the financings: steps (vote, payments, delivery, abandon, postponement) and indicator values,
appended with their history and optimistic locking.

Each financing's follow-up has a version (``progress_tracks``); every entry — a step, an indicator value, or
the cancellation of an earlier one (a mistake: both are kept) — is checked with the rules of
:mod:`geodash.progress` (those of the import too), names the version its author started from, makes the next
version, and keeps the follow-up before and after it (:func:`geodash.progress.snapshot`). If someone recorded
in between, :class:`~geodash.db.errors.ProgressConflict` is raised and nothing is written. Every write bumps
the data version, so that pages refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import progress
from ..progress import Event, Indicator, Measure, Progress
from .engine import writing
from .errors import NotFound, ProgressConflict, ValidationError
from .financings import _bump, _canonical_amount, _row
from .models import FINANCING_FIELDS, IndicatorValue, ProgressEvent, ProgressTrack

__all__ = [
    "KINDS",
    "FollowUp",
    "FollowUpChange",
    "get_follow_up",
    "all_follow_ups",
    "follow_up_state",
    "record_event",
    "record_measure",
    "cancel_entry",
]

#: The two kinds of entries: a step of the financing, a value of an indicator.
KINDS = ("etape", "mesure")
_TABLES = {"etape": ProgressEvent, "mesure": IndicatorValue}


@dataclass(frozen=True)
class FollowUpChange:
    """One entry of a financing's follow-up, oldest first: ``entry`` (an :class:`~geodash.progress.Event` or
    :class:`~geodash.progress.Measure`), who and when, ``cancels`` (the ``pk`` of the entry it withdraws, then
    ``entry`` is that one and ``reason`` why) and the follow-up ``before`` and ``after`` (French text, field
    by field); ``cancelled`` once withdrawn."""

    kind: str
    pk: int
    version: int
    author: str
    at: datetime
    entry: Event | Measure
    cancels: int | None
    cancelled: bool
    before: dict
    after: dict
    reason: str = ""

    @property
    def changed(self) -> dict[str, tuple[str, str]]:
        keys = list(dict.fromkeys([*self.before, *self.after]))
        return {
            k: (self.before.get(k, ""), self.after.get(k, ""))
            for k in keys
            if self.before.get(k, "") != self.after.get(k, "")
        }

    @property
    def label(self) -> str:
        """« vote CP du 03/12/2019 : 50 550 € », « mesure : … », « annulation : … »."""
        text = progress.event_text(self.entry) if self.kind == "etape" else progress.measure_text(self.entry)
        if self.cancels is None:
            return text
        return f"annulation : {text}" + (f" (raison : {self.reason})" if self.reason else "")


@dataclass(frozen=True)
class FollowUp:
    """A financing's follow-up as stored: its ``version`` (0: nothing recorded), the entries in force (not
    cancelled) and every change."""

    financing_id: str
    version: int
    events: tuple[Event, ...]
    measures: tuple[Measure, ...]
    changes: tuple[FollowUpChange, ...]

    @property
    def id(self) -> str:
        return self.financing_id

    def unseen(self, version: int) -> list[FollowUpChange]:
        return [c for c in self.changes if c.version > version]


def _recorded(row) -> dict:
    """Who recorded an entry, when, and where it stands."""
    return {"version": row.version, "author": row.author, "recorded_at": row.recorded_at, "pk": row.pk}


def _event(row) -> Event:
    amount = float(row.montant_eur) if row.montant_eur else None
    return Event(row.etat, row.date, row.instance, amount, row.motif, **_recorded(row))


def _measure(row) -> Measure:
    return Measure(row.indicateur, float(row.valeur), row.unite, row.date, **_recorded(row))


def _follow_ups(conn: sa.Connection, financing_id: str | None = None) -> dict[str, FollowUp]:
    """Every follow-up (or ``financing_id``'s) read in one go."""
    found: dict[str, dict] = {}

    def rows(model):
        query = sa.select(model).order_by(model.financing_id, model.version)
        if financing_id is not None:
            query = query.where(model.financing_id == financing_id)
        return list(conn.execute(query))

    tracks = sa.select(ProgressTrack)
    if financing_id is not None:
        tracks = tracks.where(ProgressTrack.financing_id == financing_id)
    for track in conn.execute(tracks):
        found[track.financing_id] = {"version": track.version, "changes": []}
    for kind, model, make in (("etape", ProgressEvent, _event), ("mesure", IndicatorValue, _measure)):
        table = rows(model)
        by_pk = {r.pk: r for r in table}
        withdrawn = {r.cancels for r in table if r.cancels is not None}
        for r in table:
            item = found.setdefault(r.financing_id, {"version": 0, "changes": []})
            cancelling = r.cancels is not None
            item["changes"].append(
                FollowUpChange(
                    kind=kind,
                    pk=r.pk,
                    version=r.version,
                    author=r.author,
                    at=r.recorded_at,
                    entry=make(by_pk[r.cancels] if cancelling else r),
                    cancels=r.cancels,
                    cancelled=r.pk in withdrawn,
                    before=dict(r.before),
                    after=dict(r.after),
                    reason=r.motif if cancelling else "",
                )
            )
    out = {}
    for fid, item in found.items():
        changes = tuple(sorted(item["changes"], key=lambda c: c.version))
        live = [c for c in changes if c.cancels is None and not c.cancelled]
        out[fid] = FollowUp(
            fid,
            item["version"],
            tuple(c.entry for c in live if c.kind == "etape"),
            tuple(c.entry for c in live if c.kind == "mesure"),
            changes,
        )
    return out


def _nothing(financing_id: str) -> FollowUp:
    return FollowUp(financing_id, 0, (), (), ())


def get_follow_up(engine: sa.Engine, financing_id: str) -> FollowUp:
    """The follow-up of one financing (version 0 and no entry when nothing was recorded)."""
    with engine.connect() as conn:
        _row(conn, financing_id)
        return _follow_ups(conn, financing_id).get(financing_id) or _nothing(financing_id)


def all_follow_ups(engine: sa.Engine) -> dict[str, FollowUp]:
    """Every financing's follow-up that has entries, by financing id."""
    with engine.connect() as conn:
        return _follow_ups(conn)


def follow_up_state(
    values: Mapping[str, str], follow_up: FollowUp, *, planned: progress.Planned | None = None
) -> Progress:
    """The :class:`~geodash.progress.Progress` of a financing (its CSV ``values``) and its follow-up, with the
    deadlines of its project sheet."""
    planned = planned or progress.planned()
    return progress.current_state(values, follow_up.events, due=planned.due.get(values["id"], ()))


def _today(today: date | None) -> date:
    return today or progress.today()


def _append(
    engine: sa.Engine,
    financing_id: str,
    *,
    expected_version: int,
    author: str,
    now: datetime | None,
    build: Callable[[Mapping[str, str], FollowUp], tuple[type, dict, FollowUp]],
) -> FollowUp:
    """The one way a follow-up changes: compare-and-set on its version, then one appended entry.

    ``build(values, current)`` checks the change against the financing's ``values`` and its ``current``
    follow-up (raising :class:`ValidationError`) and returns the table, the entry's columns and the
    follow-up it makes.
    """
    at = now or datetime.now(timezone.utc)
    conflict = False
    try:
        with writing(engine) as conn:
            row = _row(conn, financing_id)
            current = _follow_ups(conn, financing_id).get(financing_id) or _nothing(financing_id)
            if current.version != expected_version:
                conflict = True
            else:
                values = {c: getattr(row, c) for c in FINANCING_FIELDS}
                if row.withdrawn:
                    raise ValidationError({"etat": "financement retiré : le rétablir avant d'enregistrer son suivi"})
                model, columns, after = build(values, current)
                version = expected_version + 1
                if expected_version == 0:
                    conn.execute(
                        sa.insert(ProgressTrack).values(
                            financing_id=financing_id, version=version, updated_at=at, updated_by=author
                        )
                    )
                else:
                    result = conn.execute(
                        sa.update(ProgressTrack)
                        .where(ProgressTrack.financing_id == financing_id, ProgressTrack.version == expected_version)
                        .values(version=version, updated_at=at, updated_by=author)
                    )
                    conflict = result.rowcount != 1
                if not conflict:
                    state = lambda f: progress.snapshot(progress.current_state(values, f.events), f.measures)  # noqa: E731
                    conn.execute(
                        sa.insert(model).values(
                            financing_id=financing_id,
                            version=version,
                            author=author,
                            recorded_at=at,
                            before=state(current),
                            after=state(after),
                            **columns,
                        )
                    )
                    _bump(conn)
    except IntegrityError:  # the first entry of this follow-up, recorded by someone at the same moment
        conflict = True
    if conflict:
        found = get_follow_up(engine, financing_id)
        raise ProgressConflict(found, expected_version, found.unseen(expected_version))
    return get_follow_up(engine, financing_id)


def _refuse(errors: dict, warnings: dict) -> None:
    if errors:
        raise ValidationError(errors, warnings)


def record_event(
    engine: sa.Engine,
    financing_id: str,
    values: Mapping[str, object],
    *,
    expected_version: int,
    author: str,
    today: date | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """Record a step of the financing (:data:`geodash.progress.EVENT_FIELDS`) over the follow-up version the
    editor saw. Raises :class:`ValidationError` (per field, :func:`geodash.progress.check_event`) or
    :class:`ProgressConflict`; in both cases nothing is written."""

    def build(financing: Mapping[str, str], current: FollowUp):
        state = progress.current_state(financing, current.events)
        _refuse(*progress.check_event(values, state, today=_today(today)))
        event = progress.event_of(values)
        columns = {
            "etat": event.etat,
            "date": event.date,
            "instance": event.instance,
            "montant_eur": _canonical_amount(progress.clean_event(values)["montant"]),
            "motif": event.motif,
            "cancels": None,
        }
        after = FollowUp(financing_id, 0, (*current.events, event), current.measures, ())
        return ProgressEvent, columns, after

    return _append(engine, financing_id, expected_version=expected_version, author=author, now=now, build=build)


def record_measure(
    engine: sa.Engine,
    financing_id: str,
    values: Mapping[str, object],
    *,
    expected_version: int,
    author: str,
    indicators: Sequence[Indicator] | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """Record a value of an indicator of the financing's project sheet (``indicators``, default those of
    ``indicateurs.csv``); see :func:`geodash.progress.check_measure`."""
    if indicators is None:
        indicators = progress.planned().indicators.get(financing_id, ())

    def build(_financing: Mapping[str, str], current: FollowUp):
        _refuse(*progress.check_measure(values, indicators, today=_today(today)))
        measure = progress.measure_of(values)
        if not measure.unite:  # the unit the sheet gives, when the editor gave none
            unit = next((i.unite for i in indicators if i.libelle == measure.indicateur), "")
            measure = Measure(measure.indicateur, measure.valeur, unit, measure.date)
        columns = {
            "indicateur": measure.indicateur,
            "valeur": _canonical_amount(progress.clean_measure(values)["valeur"]),
            "unite": measure.unite,
            "date": measure.date,
            "cancels": None,
        }
        after = FollowUp(financing_id, 0, current.events, (*current.measures, measure), ())
        return IndicatorValue, columns, after

    return _append(engine, financing_id, expected_version=expected_version, author=author, now=now, build=build)


def cancel_entry(
    engine: sa.Engine,
    financing_id: str,
    kind: str,
    pk: int,
    *,
    expected_version: int,
    author: str,
    motif: str = "",
    now: datetime | None = None,
) -> FollowUp:
    """Withdraw an entry recorded by mistake: a new entry that names it (both kept in the history).

    Refused when the entry is not in force, or when the steps left would break the order (a delivery
    without its vote: cancel the delivery first).
    """
    if kind not in KINDS:
        raise NotFound(f"Aucune entrée de suivi de type « {kind} ».")

    def build(financing: Mapping[str, str], current: FollowUp):
        change = next((c for c in current.changes if c.kind == kind and c.pk == pk), None)
        if change is None:
            raise NotFound(f"Le suivi du financement « {financing_id} » n'a pas d'entrée n° {pk}.")
        if change.cancels is not None or change.cancelled:
            raise ValidationError({"etat": "cette entrée est déjà annulée"})
        reason = " ".join(str(motif or "").split())
        if len(reason) > progress.MOTIF_MAX:
            raise ValidationError({"motif": f"{len(reason)} caractères : {progress.MOTIF_MAX} au plus"})
        entry = change.entry
        if kind == "etape":
            events = tuple(e for e in current.events if e.pk != pk)
            state = progress.current_state(financing, events)
            if state.realise and not state.voted:
                raise ValidationError({"etat": "la réalisation enregistrée a besoin de ce vote : l'annuler d'abord"})
            columns = {
                "etat": entry.etat,
                "date": entry.date,
                "instance": entry.instance,
                "montant_eur": _canonical_amount(repr(entry.montant)) if entry.montant is not None else "",
                "motif": reason,
                "cancels": pk,
            }
            return ProgressEvent, columns, FollowUp(financing_id, 0, events, current.measures, ())
        measures = tuple(m for m in current.measures if m.pk != pk)
        columns = {
            "indicateur": entry.indicateur,
            "valeur": _canonical_amount(repr(entry.valeur)),
            "unite": entry.unite,
            "date": entry.date,
            "motif": reason,
            "cancels": pk,
        }
        return IndicatorValue, columns, FollowUp(financing_id, 0, current.events, measures, ())

    return _append(engine, financing_id, expected_version=expected_version, author=author, now=now, build=build)
