"""The staff page ``Saisie`` (``/saisie``, not in the public navigation): sign in, then add, edit,
withdraw and restore financings, with their history and the journal of changes, and record their follow-up
(« Suivi »: votes, payments, delivery, abandon or postponement, indicator values), one decision at a time.

Every write goes through :mod:`geodash.db` (the rules of ``geodash validate``, one history entry per
change, optimistic locking): this page only turns widgets into those calls. Buttons act in callbacks,
which run before the page is drawn again, so that a save can reset the form it came from; their
outcome is kept in ``st.session_state`` and shown by the page.

An edit sends only the fields the editor changed since opening the financing, with the version opened.
When someone saved in between, nothing is written: the page shows the other's change next to the
editor's input, which stays in the form, and the editor chooses to apply their changes to the current
version or to drop them. When the database fails, nothing is written either: the page says why in French
and the input stays in the form, bound to the version opened. That input is kept outside the widgets
(Streamlit forgets the value of a widget that a run did not draw), so a form never saves blanks.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime

import pandas as pd
import streamlit as st

from .. import db, progress, style
from ..formatting import format_eur, parse_number
from ..projects import FIELD_LIMITS, FINANCEMENT_COLUMNS, FINANCEMENT_OPTIONAL
from ..selection import Base, ProjectSource, ready_engine
from . import INTERRUPTED, footer, markdown_text, text_table
from .signin import ROLE_LABELS, sign_in, sign_out, signed_in, signed_in_login

__all__ = ["render", "open_form", "form_values", "my_changes", "follow_up"]

NEW = ""  # the "new financing" entry of the financing chooser
#: The form shows the columns of ``financements.csv`` (the id is given by the database), then the optional ones.
FORM_FIELDS = [c for c in FINANCEMENT_COLUMNS if c != "id"]
EXTRA_FIELDS = list(FINANCEMENT_OPTIONAL)
LABELS = {
    "id": "Identifiant",
    "epci_siren": "Intercommunalité du financement",
    "commune_insee": "Communes",
    "intitule": "Intitulé",
    "theme": "Thématique",
    "periode": "Période",
    "nature": "Nature",
    "montant_departement_eur": "Montant du Département (€)",
    "cout_total_eur": "Coût total (€)",
    "maitre_ouvrage": "Maître d'ouvrage",
    "route": "Route",
    "source": "Source",
    "remarque": "Remarque",
    "description": "Description",
    "calendrier": "Calendrier",
    "montant_texte": "Montant (texte du contrat)",
    "origine": "Origine",
    "doublon_de": "Doublon de",
    "domaine": "Domaine du bilan",
    "retire": "Retiré",
}
HELP = {
    "source": "Numéros de ligne du document source (ex. 1299-1300;1305) ou référence d'un vote (ex. CP du 03/12/2018).",
    "montant_departement_eur": "En euros, ex. 1 443 000 ou 52 357,20 ; vide : montant non précisé.",
    "cout_total_eur": "En euros ; vide : non précisé.",
    "route": "Ex. RD 939 (travaux routiers).",
}


def render(base: Base) -> None:
    """The whole staff page."""
    st.title("Saisie des financements")
    workspace_or_sign_in(base)
    footer()


def workspace_or_sign_in(base: Base) -> None:
    """The read-only notice, the sign-in form, or the signed-in agent's workspace and journal."""
    source = ProjectSource.in_force()
    if source.folder is not None:
        st.info(
            "Les pages lisent les fichiers CSV du dossier GEODASH_PROJECTS_DIR, en lecture seule : "
            "la saisie est fermée. Retirer cette variable pour travailler sur la base de données."
        )
        return
    engine = ready_engine(source.database_url)
    account = signed_in(engine)
    if account is None:
        sign_in(engine)
        return
    rules = db.Rules.from_territories(base.terr.communes, base.terr.sirens)
    with st.sidebar:
        st.markdown(f"Connecté : **{markdown_text(account.login)}** ({ROLE_LABELS.get(account.role, account.role)})")
        st.button("Se déconnecter", on_click=sign_out, args=(engine,), key="saisie_sign_out")
    notice()
    financings, changes = st.tabs(["Financements", "Journal des modifications"])
    with financings:
        workspace(engine, base, rules)
    with changes:
        journal_view(engine, base)


# --- Outcome of the last action -------------------------------------------------------------------------


def _say(kind: str, message: str) -> None:
    st.session_state["saisie_notice"] = (kind, message)


def notice() -> None:
    """The outcome of the last button (kept by its callback), shown once."""
    said = st.session_state.pop("saisie_notice", None)
    if said:
        kind, message = said
        getattr(st, kind)(markdown_text(message))


# --- Form state -----------------------------------------------------------------------------------------


def _key(fid: str, column: str) -> str:
    return f"saisie:{fid}:{column}"


def _opened() -> dict:
    return st.session_state.setdefault("saisie_opened", {})


def _conflicts() -> dict:
    return st.session_state.setdefault("saisie_conflicts", {})


def _widget_value(column: str, text: str):
    """A CSV value as its widget holds it."""
    if column == "commune_insee":
        return [c for c in text.split("|") if c]
    if column in ("theme", "periode", "nature"):
        return text or None
    return text


def open_form(fid: str, values: dict[str, str], version: int) -> None:
    """Put ``values`` in the form of ``fid`` and remember them as the version the editor started from."""
    shown = {column: _widget_value(column, values.get(column, "")) for column in FORM_FIELDS + EXTRA_FIELDS}
    _opened()[fid] = {"version": version, "values": dict(values), "input": shown}
    _conflicts().pop(fid, None)
    st.session_state.get("saisie_refused", {}).pop(fid, None)
    _show(fid, every=True)


def _keep(fid: str) -> dict:
    """The editor's input in the form of ``fid``, kept outside its widgets.

    Streamlit forgets a widget's value after a run that did not draw it (a page stopped by a database
    failure, a callback that raised, another financing opened) and the browser then shows it empty:
    the input kept here is what the form holds, whatever the widgets lost.
    """
    kept = _opened()[fid]["input"]
    for column in FORM_FIELDS + EXTRA_FIELDS:
        key = _key(fid, column)
        if key in st.session_state:
            value = st.session_state[key]
            kept[column] = list(value) if isinstance(value, list) else value
    return kept


def _show(fid: str, *, every: bool = False) -> None:
    """The kept input set, before the form of ``fid`` is drawn, in the widgets that lost it, so that the
    browser shows it again: all of them (``every``) when the form was just opened or when a run was
    stopped since it was last drawn (the browser dropped the page), else those Streamlit forgot.

    A widget that kept its value is left alone: setting it on every run would overwrite what the editor
    is typing in it when a run ends.
    """
    opened = _opened()[fid]
    interrupted = st.session_state.get(INTERRUPTED, 0)
    every = every or opened.get("interrupted", interrupted) != interrupted
    opened["interrupted"] = interrupted
    for column, value in opened["input"].items():
        key = _key(fid, column)
        if every or key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, list) else value


def form_values(fid: str) -> dict[str, str]:
    """The form of ``fid`` as CSV text, the fields it does not show taken from the version opened.

    A field whose widget has no value is the editor's kept input, never an empty text: a form that
    lost its widgets cannot save blanks over the version it came from.
    """
    values = dict(_opened()[fid]["values"])
    for column, value in _keep(fid).items():
        if isinstance(value, list):
            value = "|".join(value)
        values[column] = "" if value is None else str(value)
    return values


def _max_chars(fid: str, column: str) -> int | None:
    """What the field takes (:data:`geodash.projects.FIELD_LIMITS`); no bound when the version opened is
    already longer: Streamlit would cut it silently, while unbounded it shows whole, with its reason."""
    limit = FIELD_LIMITS[column]
    return None if len(_opened()[fid]["values"].get(column, "")) > limit else limit


def my_changes(fid: str) -> dict[str, str]:
    """The fields the editor changed since opening ``fid``."""
    opened = _opened()[fid]["values"]
    return {k: v for k, v in form_values(fid).items() if v != opened.get(k, "")}


# --- Actions (callbacks) --------------------------------------------------------------------------------


def _save(engine, rules, fid: str, epci: str) -> None:
    if fid.startswith("nouveau-"):
        _add(engine, rules, fid)
        return
    changes = my_changes(fid)
    if not changes:
        _say("info", "Aucune modification à enregistrer.")
        return
    _edit(engine, rules, fid, changes, _opened()[fid]["version"], f"Financement {fid} enregistré")


def _attempt(engine, fid: str, write, *, refused=None, conflicted=None, version: int | None = None):
    """``write(author)`` for the signed-in editor, the one way the buttons of ``fid`` reach the database.

    Returns what ``write`` returned, or ``None`` when nothing was written: signed out; refused (the fields
    in error marked); someone saved first (their change shown next to the editor's input, or, without
    input, the current version opened); or the database failing (said in French, the details logged).
    Whatever happened, the editor's input stays in the form, bound to the version it came from.
    ``refused(fid, exc)`` and ``conflicted(fid, exc)`` mark another form of ``fid`` than the financing's (its
    follow-up), whose input is bound to ``version``.
    """
    _keep(fid)
    try:
        author = signed_in_login(engine)
        return None if author is None else write(author)
    except db.ValidationError as exc:
        (refused or _refused)(fid, exc)
    except db.Conflict as exc:
        if conflicted is not None:
            conflicted(fid, exc)
        elif my_changes(fid):  # unsaved input: shown next to the other's change
            _conflicts()[fid] = exc
        else:  # nothing of the editor's to keep: show the current version, to act on it knowingly
            open_form(fid, exc.current.values, exc.current.version)
        _say("warning", str(exc))
    except db.DATABASE_FAULTS as exc:
        logging.getLogger("geodash").error("base de données, enregistrement de %s : %s", fid, exc)
        version = _opened()[fid]["version"] if version is None else version
        bound = f", toujours rattachée à la version {version}" if version else ""
        _say(
            "error",
            f"Rien n'a été enregistré : {db.database_fault(exc).detail}. Votre saisie est gardée dans le "
            f"formulaire{bound} : enregistrez-la à nouveau quand la base sera revenue.",
        )
    except db.StoreError as exc:
        _say("error", str(exc))
    return None


def _refused(fid: str, exc: db.ValidationError) -> None:
    """The form's refused fields kept (shown next to them) and the refusal said."""
    st.session_state.setdefault("saisie_refused", {})[fid] = exc.errors
    _say("error", str(exc))


def _add(engine, rules, fid: str) -> None:
    """The new financing of form ``fid`` (``nouveau-…``) recorded, its form emptied, it opened."""
    record = _attempt(
        engine, fid, lambda author: db.add_financing(engine, {**form_values(fid), "id": ""}, author=author, rules=rules)
    )
    if record is None:
        return
    for column in FORM_FIELDS + EXTRA_FIELDS:
        st.session_state.pop(_key(fid, column), None)
    _opened().pop(fid, None)
    st.session_state["saisie_epci"] = record.values["epci_siren"]
    st.session_state.setdefault("saisie_chosen", {})[record.values["epci_siren"]] = record.id
    _say("success", f"Financement {record.id} ajouté (version 1).")


def _apply_mine(engine, rules, fid: str) -> None:
    """After a conflict: the editor's changes applied to the current version."""
    current = _conflicts()[fid].current.version
    _edit(engine, rules, fid, my_changes(fid), current, "Vos modifications sont enregistrées sur la version actuelle")


def _written(fid: str, record, done: str) -> None:
    """After a write: the new version opened and ``done`` said with its number."""
    open_form(fid, record.values, record.version)
    _say("success", f"{done} (version {record.version}).")


def _edit(engine, rules, fid: str, changes: dict, expected: int, done: str) -> None:
    """``changes`` written over version ``expected`` of ``fid`` (see :func:`_attempt` for what may refuse it)."""
    record = _attempt(
        engine,
        fid,
        lambda author: db.edit_financing(engine, fid, changes, expected_version=expected, author=author, rules=rules),
    )
    if record is not None:
        _written(fid, record, done)


def _reload(engine, fid: str) -> None:
    record = _attempt(engine, fid, lambda _author: db.get_financing(engine, fid))
    if record is not None:
        open_form(fid, record.values, record.version)
        _say("info", f"Financement {fid} rechargé (version {record.version}) ; vos modifications ont été abandonnées.")


def _act(engine, rules, fid: str, action: str, version: int | None = None) -> None:
    """Withdraw, reinstate or restore ``version`` of ``fid``, from the version opened."""
    expected = _opened()[fid]["version"]

    def write(author: str) -> db.FinancingRecord:
        if action == "withdraw":
            return db.withdraw_financing(engine, fid, expected_version=expected, author=author)
        if action == "reinstate":
            return db.reinstate_financing(engine, fid, expected_version=expected, author=author, rules=rules)
        return db.restore_version(engine, fid, version, expected_version=expected, author=author, rules=rules)

    done = {"withdraw": "retiré (il reste enregistré et peut être rétabli)", "reinstate": "rétabli"}.get(
        action, f"remis dans sa version {version}"
    )
    record = _attempt(engine, fid, write)
    if record is not None:
        _written(fid, record, f"Financement {fid} {done}")


# --- The workspace --------------------------------------------------------------------------------------


def _amount_text(value: str) -> str:
    if not value:
        return "montant non précisé"
    try:
        return format_eur(parse_number(value))
    except ValueError:
        return value


def _at(moment: datetime) -> str:
    return f"{moment:%d/%m/%Y à %H:%M} UTC"


def financing_table(records: list[db.FinancingRecord]) -> pd.DataFrame:
    """The EPCI's financings, withdrawn ones marked."""
    return pd.DataFrame(
        [
            {
                "Identifiant": r.id,
                "Intitulé": r.values["intitule"],
                "Thématique": r.values["theme"],
                "Période": r.values["periode"],
                "Montant du Département": _amount_text(r.values["montant_departement_eur"]),
                "État": "retiré" if r.withdrawn else "en vigueur",
                "Version": r.version,
                "Modifié par": r.updated_by,
                "Le": _at(r.updated_at),
            }
            for r in records
        ],
        columns=["Identifiant", "Intitulé", "Thématique", "Période", "Montant du Département", "État", "Version"]
        + ["Modifié par", "Le"],
    )


def workspace(engine, base: Base, rules) -> None:
    """Choose an EPCI and a financing; its form, its actions and its history."""
    terr = base.terr
    names = dict(zip(terr.epci["siren"], terr.epci["nom"]))
    epci = st.selectbox("Intercommunalité à saisir", terr.sirens, format_func=names.get, key="saisie_epci")
    records = db.list_financings(engine, epci_siren=epci)
    withdrawn = sum(r.withdrawn for r in records)
    st.caption(f"{len(records)} financement(s), dont {withdrawn} retiré(s).")
    st.dataframe(financing_table(records), hide_index=True, width="stretch", height=240)
    by_id = {r.id: r for r in records}
    labels = {NEW: "+ Nouveau financement"} | {
        i: f"{i} — {r.values['intitule']}{' (retiré)' if r.withdrawn else ''}" for i, r in by_id.items()
    }
    chosen = st.session_state.setdefault("saisie_chosen", {})
    options = list(labels)
    # The labels show the titles, which others may change: the widget is keyed on them (a new title makes a
    # new widget) and opened on the financing chosen before, kept here.
    digest = hashlib.sha1("\n".join(labels.values()).encode()).hexdigest()[:10]
    fid = st.selectbox(
        "Financement à saisir",
        options,
        index=options.index(chosen.get(epci, NEW)) if chosen.get(epci, NEW) in labels else 0,
        format_func=labels.get,
        key=f"saisie_choice_{epci}_{digest}",
    )
    chosen[epci] = fid
    if fid == NEW:
        form_id = f"nouveau-{epci}"
        if form_id not in _opened():
            open_form(form_id, {"epci_siren": epci}, 0)
        financing_form(engine, base, rules, form_id, None)
        return
    record = by_id[fid]
    if fid not in _opened():
        open_form(fid, record.values, record.version)
    financing_form(engine, base, rules, fid, record)
    history(engine, rules, fid, record)
    follow_up(engine, fid, record)


def _field_note(column: str, errors: dict, warnings: dict, empty: bool = False) -> None:
    if column in errors and empty:
        st.caption(":red[À remplir.]")
    elif column in errors:
        st.error(markdown_text(errors[column]), icon=":material/error:")
    elif column in warnings:
        st.warning(markdown_text(warnings[column]), icon=":material/warning:")


def financing_form(engine, base: Base, rules, fid: str, record: db.FinancingRecord | None) -> None:
    """The fields of one financing, checked as they are filled in, and its buttons."""
    terr = base.terr
    names = dict(zip(terr.epci["siren"], terr.epci["nom"]))
    communes = terr.communes
    commune_names = dict(zip(communes["insee"], communes["nom"]))
    if record is None:
        st.subheader("Nouveau financement")
    else:
        state = "retiré" if record.withdrawn else "en vigueur"
        st.subheader(markdown_text(f"{fid} — version {_opened()[fid]['version']} ({state})"))
    values = form_values(fid)
    _show(fid)
    errors, warnings = db.check_financing(values, rules)
    errors = {**st.session_state.get("saisie_refused", {}).get(fid, {}), **errors}
    k = lambda column: _key(fid, column)  # noqa: E731

    def note(column: str) -> None:
        _field_note(column, errors, warnings, empty=not values.get(column))

    left, right = st.columns(2)
    with left:
        st.selectbox(LABELS["epci_siren"], terr.sirens, format_func=names.get, key=k("epci_siren"))
        note("epci_siren")
        chosen_epci = st.session_state[k("epci_siren")]
        options = list(communes.loc[communes["epci_siren"] == chosen_epci, "insee"])
        options += [c for c in st.session_state.get(k("commune_insee"), []) if c not in options]
        st.multiselect(
            LABELS["commune_insee"],
            options,
            format_func=lambda c: f"{commune_names.get(c, 'code inconnu')} ({c})",
            key=k("commune_insee"),
            placeholder="Rechercher une commune (aucune : ensemble de l'intercommunalité)",
        )
        note("commune_insee")
        st.text_input(LABELS["intitule"], key=k("intitule"), max_chars=_max_chars(fid, "intitule"))
        note("intitule")
        c1, c2, c3 = st.columns(3)
        c1.selectbox(LABELS["theme"], list(style.THEMES), key=k("theme"), placeholder="Choisir")
        c2.selectbox(
            LABELS["periode"],
            list(style.PERIODS),
            key=k("periode"),
            placeholder="Choisir",
        )
        c3.selectbox(
            LABELS["nature"],
            list(style.NATURES),
            key=k("nature"),
            format_func=style.NATURES.get,
            placeholder="Choisir",
        )
        for column in ("theme", "periode", "nature"):
            note(column)
        st.text_area(LABELS["remarque"], key=k("remarque"), height=80, max_chars=_max_chars(fid, "remarque"))
        note("remarque")
    with right:
        for column in ("montant_departement_eur", "cout_total_eur"):
            st.text_input(LABELS[column], key=k(column), help=HELP[column], max_chars=_max_chars(fid, column))
            if column in errors:
                note(column)
            else:
                st.caption(f"Soit : {_amount_text(values[column])}")
        for column in ("maitre_ouvrage", "route", "source"):
            st.text_input(LABELS[column], key=k(column), help=HELP.get(column), max_chars=_max_chars(fid, column))
            note(column)
        with st.expander("Autres champs (description, calendrier, domaine du bilan…)"):
            for column in EXTRA_FIELDS:
                st.text_input(LABELS[column], key=k(column), max_chars=_max_chars(fid, column))
                note(column)
    if "id" in errors:
        _field_note("id", errors, warnings)
    conflict = _conflicts().get(fid)
    if conflict is not None:
        conflict_view(engine, rules, fid, conflict)
        return
    changed = record is None or bool(my_changes(fid))
    b1, b2, _ = st.columns([1, 1, 3])
    b1.button(
        "Ajouter le financement" if record is None else "Enregistrer",
        type="primary",
        disabled=bool(errors) or not changed,
        on_click=_save,
        args=(engine, rules, fid, values["epci_siren"]),
        key=f"saisie_save_{fid}",
        help="Corriger d'abord les erreurs signalées." if errors else None,
    )
    if record is None:
        return
    if record.withdrawn:
        b2.button("Rétablir", on_click=_act, args=(engine, rules, fid, "reinstate"), key=f"saisie_reinstate_{fid}")
    else:
        b2.button(
            "Retirer",
            on_click=_act,
            args=(engine, rules, fid, "withdraw"),
            key=f"saisie_withdraw_{fid}",
            disabled=changed,
            help="Enregistrer ou annuler d'abord vos modifications."
            if changed
            else "Le financement reste enregistré, marqué retiré.",
        )


def conflict_table(fid: str, conflict: db.Conflict) -> pd.DataFrame:
    """Field by field: the version the editor opened, the current one (the other's), the editor's input."""
    opened = _opened()[fid]["values"]
    mine = form_values(fid)
    theirs = {**conflict.current.values, "retire": conflict.current.withdrawn}
    columns = [
        c
        for c in [*FORM_FIELDS, *EXTRA_FIELDS]
        if theirs.get(c, "") != opened.get(c, "") or mine[c] != opened.get(c, "")
    ]
    return pd.DataFrame(
        [
            {
                "Champ": LABELS[c],
                f"Ouverte (version {conflict.expected_version})": opened.get(c, ""),
                f"Actuelle (version {conflict.current.version})": theirs.get(c, ""),
                "Votre saisie": mine[c],
            }
            for c in columns
        ]
    )


def conflict_view(engine, rules, fid: str, conflict: db.Conflict) -> None:
    """The other's change next to the editor's input; apply the editor's changes to it, or drop them."""
    who = ", ".join(sorted({f"{c.author} ({c.label}, {_at(c.at)})" for c in conflict.changes}))
    st.warning(
        markdown_text(
            f"Conflit : ce financement a été modifié par {who} depuis que vous l'avez ouvert. "
            "Rien n'a été enregistré ; votre saisie est conservée dans le formulaire."
        ),
        icon=":material/sync_problem:",
    )
    text_table(conflict_table(fid, conflict), label=f"Conflit sur {fid} : votre saisie et la version actuelle")
    a, b, _ = st.columns([2, 2, 2])
    a.button(
        "Appliquer mes modifications à la version actuelle",
        type="primary",
        on_click=_apply_mine,
        args=(engine, rules, fid),
        key=f"saisie_apply_{fid}",
    )
    b.button("Abandonner mes modifications", on_click=_reload, args=(engine, fid), key=f"saisie_reload_{fid}")


def _shown(value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def history(engine, rules, fid: str, record: db.FinancingRecord) -> None:
    """Every version of the financing, what changed, and a button to restore each earlier one."""
    changes = db.financing_history(engine, fid)
    with st.expander(markdown_text(f"Historique de {fid} ({len(changes)} version(s))")):
        for change in reversed(changes):
            st.markdown(
                f"**Version {change.version}** — {change.label} par {markdown_text(change.author)}, le {_at(change.at)}"
            )
            if change.changed:
                text_table(
                    pd.DataFrame(
                        [
                            {"Champ": LABELS.get(c, c), "Avant": _shown(old), "Après": _shown(new)}
                            for c, (old, new) in change.changed.items()
                        ]
                    ),
                    label=f"Version {change.version} de {fid} : champs modifiés",
                )
            if change.version != record.version:
                st.button(
                    f"Restaurer la version {change.version}",
                    on_click=_act,
                    args=(engine, rules, fid, "restore", change.version),
                    key=f"saisie_restore_{fid}_{change.version}",
                )


def journal_view(engine, base: Base) -> None:
    """The latest changes of all financings, newest first."""
    page = st.number_input("Page", min_value=1, value=1, step=1, key="saisie_journal_page")
    size = 50
    changes = db.journal(engine, limit=size, offset=(page - 1) * size)
    if not changes:
        st.write("Aucune modification depuis l'import des fichiers.")
        return
    names = dict(zip(base.terr.epci["siren"], base.terr.epci["nom_court"]))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Le": _at(c.at),
                    "Par": c.author,
                    "Financement": c.financing_id,
                    "Intercommunalité": names.get(c.new.get("epci_siren", ""), ""),
                    "Action": c.label,
                    "Version": c.version,
                    "Champs modifiés": ", ".join(LABELS.get(f, f) for f in c.changed),
                }
                for c in changes
            ]
        ),
        hide_index=True,
        width="stretch",
    )


# --- Follow-up (« Suivi ») ------------------------------------------------------------------------------

#: The fields each step asks for (the others are not sent: a payment has no instance).
STEP_FIELDS = {
    "vote": ("etat", "date", "instance", "montant"),
    "verse": ("etat", "date", "montant"),
    "realise": ("etat", "date"),
    "abandonne": ("etat", "date", "motif"),
    "reporte": ("etat", "date", "motif"),
}
STEP_LABELS = {
    "etat": "Étape à enregistrer",
    "date": "Date (JJ/MM/AAAA)",
    "instance": "Instance du vote",
    "montant": "Montant (€)",
    "motif": "Motif",
    "indicateur": "Indicateur de la fiche projet",
    "valeur": "Valeur mesurée",
    "unite": "Unité",
}
STEP_HELP = {
    "date": "Le jour du vote, du versement, de la livraison ou de la décision ; pas après aujourd'hui.",
    "instance": "« CP du JJ/MM/AAAA » (Commission permanente) ou « CD du JJ/MM/AAAA » (Conseil départemental), "
    "du même jour que la date.",
    "montant": "Le montant voté, ou celui de ce versement (les versements s'additionnent), en euros.",
    "motif": "Pourquoi le financement est abandonné ou reporté.",
}
#: What each form of the follow-up sends: a step, an indicator value.
FOLLOW_FORMS = {"etape": "suivi", "mesure": "mesure"}


def _fkey(form: str, fid: str, name: str) -> str:
    return f"{FOLLOW_FORMS[form]}:{fid}:{name}"


def _follow_state(name: str) -> dict:
    return st.session_state.setdefault(f"saisie_suivi_{name}", {})


def _follow_values(form: str, fid: str) -> dict[str, str]:
    """The input of a follow-up form: its widgets' values, else the input kept (a run that did not draw them)."""
    kept = _follow_state("input").setdefault(f"{form}:{fid}", {})
    for name in progress.MEASURE_FIELDS if form == "mesure" else progress.EVENT_FIELDS:
        key = _fkey(form, fid, name)
        if key in st.session_state:
            kept[name] = st.session_state[key]
    if form == "mesure":
        return {name: str(kept.get(name) or "") for name in progress.MEASURE_FIELDS}
    fields = STEP_FIELDS.get(kept.get("etat"), ("etat",))
    return {name: str(kept.get(name) or "") if name in fields else "" for name in progress.EVENT_FIELDS}


def _typed(form: str, fid: str) -> bool:
    values = _follow_values(form, fid)
    return any(v for k, v in values.items() if k not in ("etat", "indicateur"))


def _follow_restore(form: str, fid: str) -> None:
    """The kept input set back in the widgets Streamlit forgot (a run that did not draw the form)."""
    for name, value in _follow_state("input").get(f"{form}:{fid}", {}).items():
        key = _fkey(form, fid, name)
        if key not in st.session_state and value is not None:
            st.session_state[key] = value


def _refusal(form: str, fid: str, values: dict) -> dict:
    """The reasons the database gave for refusing this very input (none once it changed)."""
    refused, errors = _follow_state("refused").get(f"{form}:{fid}", (None, {}))
    return errors if refused == values else {}


def _follow_clear(form: str, fid: str) -> None:
    _follow_state("input").pop(f"{form}:{fid}", None)
    _follow_state("refused").pop(f"{form}:{fid}", None)
    for name in progress.MEASURE_FIELDS if form == "mesure" else progress.EVENT_FIELDS:
        if name not in ("etat", "indicateur"):
            st.session_state[_fkey(form, fid, name)] = ""


def _follow_write(engine, fid: str, form: str, write, done):
    """``write(author, expected)`` over the follow-up version the editor saw (see :func:`_attempt`); the
    follow-up written, or ``None``."""
    expected = _follow_state("opened").get(fid, 0)

    def refused(fid: str, exc: db.ValidationError) -> None:
        if form in FOLLOW_FORMS:  # marked under the fields as long as the input is the one refused
            _follow_state("refused")[f"{form}:{fid}"] = (_follow_values(form, fid), exc.errors)
        _say("error", str(exc))

    def conflicted(fid: str, exc: db.Conflict) -> None:
        _follow_state("conflicts")[fid] = (form, exc)

    found = _attempt(
        engine,
        fid,
        lambda author: write(author, expected),
        refused=refused,
        conflicted=conflicted,
        version=expected,
    )
    if found is not None:
        _follow_state("opened")[fid] = found.version
        _follow_state("conflicts").pop(fid, None)
        _say("success", f"Suivi de {fid} : {done(found)} (version {found.version} du suivi).")
    return found


def _record(engine, fid: str, form: str) -> None:
    values = _follow_values(form, fid)
    if form == "mesure":

        def write(author, expected):
            return db.record_measure(engine, fid, values, expected_version=expected, author=author)
    else:

        def write(author, expected):
            return db.record_event(engine, fid, values, expected_version=expected, author=author)

    if _follow_write(engine, fid, form, write, lambda found: f"{found.changes[-1].label} enregistré") is not None:
        _follow_clear(form, fid)


def _cancel(engine, fid: str) -> None:
    chosen = st.session_state.get(f"suivi_cancel_choice_{fid}")
    if not chosen:
        return
    kind, pk = chosen.split(":")
    reason = st.session_state.get(f"suivi_cancel_reason_{fid}", "")

    def write(author, expected):
        return db.cancel_entry(engine, fid, kind, int(pk), expected_version=expected, author=author, motif=reason)

    _follow_write(engine, fid, "annulation", write, lambda found: f"{found.changes[-1].label} enregistrée")


def _apply_follow(engine, fid: str) -> None:
    """After a conflict: the editor's input recorded over the current follow-up (checked again with it)."""
    form, exc = _follow_state("conflicts").pop(fid)
    _follow_state("opened")[fid] = exc.current.version
    if form == "annulation":
        _cancel(engine, fid)
    else:
        _record(engine, fid, form)


def _drop_follow(fid: str) -> None:
    form, exc = _follow_state("conflicts").pop(fid)
    _follow_state("opened")[fid] = exc.current.version
    if form in FOLLOW_FORMS:
        _follow_clear(form, fid)
    _say("info", f"Suivi de {fid} rechargé (version {exc.current.version}) ; votre saisie a été abandonnée.")


def _entries_table(changes) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Version": str(c.version),
                "Enregistrement": c.label + (" (annulé)" if c.cancelled else ""),
                "Par": c.author,
                "Le": _at(c.at),
                "Avant": " ; ".join(f"{k} : {old or '–'}" for k, (old, _new) in c.changed.items()),
                "Après": " ; ".join(f"{k} : {new or '–'}" for k, (_old, new) in c.changed.items()),
            }
            for c in reversed(changes)
        ],
        columns=["Version", "Enregistrement", "Par", "Le", "Avant", "Après"],
    )


def follow_up(engine, fid: str, record: db.FinancingRecord) -> None:
    """« Suivi » of the opened financing: its state, every entry (who, when, before and after), a form to
    record one step and, when its project sheet has indicators, one to record their values."""
    today = date.today()
    found = db.get_follow_up(engine, fid)
    planned = progress.planned()
    state = db.follow_up_state(record.values, found, planned=planned)
    opened = _follow_state("opened")
    conflict = _follow_state("conflicts").get(fid)
    if conflict is None and not (_typed("etape", fid) or _typed("mesure", fid)):
        opened[fid] = found.version  # nothing typed yet: the editor starts from what is shown
    st.subheader("Suivi")
    st.markdown(markdown_text(f"État : {progress.state_text(state, today)}."))
    first = str(record.values.get("doublon_de") or "").strip()
    if first:  # one subsidy, several contracts: its follow-up is one (geodash.avancement.follow)
        st.info(
            markdown_text(
                f"Ce financement répète {first} (la même subvention dans un autre contrat) : les pages publiques "
                f"réunissent le suivi des deux lignes. Enregistrer de préférence le suivi sur {first}."
            )
        )
    st.caption(
        f"Suivi : version {found.version}. « En retard » seulement quand une date prévue par la fiche projet "
        "est passée et que l'étape n'est pas enregistrée ; sans rien d'enregistré : pas d'information de suivi."
    )
    if found.changes:
        text_table(_entries_table(found.changes), label=f"Suivi de {fid}")
    if conflict is not None:
        follow_conflict(engine, fid, conflict)
    if record.withdrawn:
        st.info("Financement retiré : le rétablir pour enregistrer son suivi.")
        return
    step_form(engine, fid, state, today)
    indicators = planned.indicators.get(fid, ())
    if indicators:
        measure_form(engine, fid, indicators, found, today)
    live = [c for c in found.changes if c.cancels is None and not c.cancelled]
    if live:
        cancel_form(engine, fid, live)


def follow_conflict(engine, fid: str, conflict) -> None:
    """What the other recorded since the editor opened the follow-up; record the input over it, or drop it."""
    _form, exc = conflict
    st.warning(
        markdown_text(
            "Conflit : le suivi a été complété depuis que vous l'avez ouvert. Rien n'a été enregistré ; "
            "votre saisie est conservée dans le formulaire."
        ),
        icon=":material/sync_problem:",
    )
    text_table(_entries_table(exc.changes), label=f"Suivi de {fid} enregistré entre-temps")
    a, b, _ = st.columns([2, 2, 2])
    a.button(
        "Ajouter ma saisie au suivi actuel",
        type="primary",
        on_click=_apply_follow,
        args=(engine, fid),
        key=f"suivi_apply_{fid}",
    )
    b.button("Abandonner ma saisie", on_click=_drop_follow, args=(fid,), key=f"suivi_reload_{fid}")


def step_form(engine, fid: str, state: progress.Progress, today: date) -> None:
    """One step of the financing, checked as it is typed (:func:`geodash.progress.check_event`)."""
    _follow_restore("etape", fid)
    k = lambda name: _fkey("etape", fid, name)  # noqa: E731
    st.markdown("**Enregistrer une étape**")
    etat = st.selectbox(
        STEP_LABELS["etat"],
        list(progress.RECORDABLE),
        format_func=progress.ETAT_LABELS.get,
        key=k("etat"),
        index=None,
        placeholder="Choisir : voté, versé, réalisé, abandonné, reporté",
    )
    values = _follow_values("etape", fid)
    typed = _typed("etape", fid)
    errors, warnings = progress.check_event(values, state, today=today) if etat else ({}, {})
    errors = {**_refusal("etape", fid, values), **errors}
    if etat is None:
        return
    columns = st.columns(len(STEP_FIELDS[etat]) - 1)
    for column, name in zip(columns, STEP_FIELDS[etat][1:]):
        with column:
            if name == "motif":
                st.text_area(STEP_LABELS[name], key=k(name), max_chars=progress.MOTIF_MAX, help=STEP_HELP[name])
            else:
                st.text_input(STEP_LABELS[name], key=k(name), help=STEP_HELP[name])
            _field_note(name, errors, warnings, empty=not values.get(name))
    if "etat" in errors:
        _field_note("etat", errors, warnings)
    st.button(
        "Ajouter l'étape au suivi",
        type="primary",
        disabled=bool(errors) or not typed,
        on_click=_record,
        args=(engine, fid, "etape"),
        key=f"suivi_save_{fid}",
        help="Corriger d'abord les erreurs signalées." if errors else None,
    )


def measure_form(engine, fid: str, indicators, found, today: date) -> None:
    """A value of one indicator of the project sheet, measured at a date."""
    _follow_restore("mesure", fid)
    k = lambda name: _fkey("mesure", fid, name)  # noqa: E731
    with st.expander(f"Indicateurs de la fiche projet ({len(found.measures)} valeur(s) enregistrée(s))"):
        if found.measures:
            text_table(
                pd.DataFrame(
                    [
                        {"Indicateur": m.indicateur, "Valeur": progress.measure_text(m).split(" = ", 1)[1]}
                        for m in sorted(found.measures, key=lambda m: (m.indicateur, m.date))
                    ]
                ),
                label=f"Indicateurs mesurés de {fid}",
            )
        targets = {i.libelle: f"{i.libelle} (cible : {i.cible})" if i.cible else i.libelle for i in indicators}
        st.selectbox(STEP_LABELS["indicateur"], list(targets), format_func=targets.get, key=k("indicateur"))
        values = _follow_values("mesure", fid)
        errors, warnings = progress.check_measure(values, indicators, today=today)
        errors = {**_refusal("mesure", fid, values), **errors}
        c1, c2, c3 = st.columns(3)
        for column, name in zip((c1, c2, c3), ("valeur", "unite", "date")):
            with column:
                st.text_input(STEP_LABELS[name], key=k(name))
                if name != "unite":
                    _field_note(name, errors, warnings, empty=not values.get(name))
        st.button(
            "Ajouter la valeur",
            disabled=bool(errors) or not _typed("mesure", fid),
            on_click=_record,
            args=(engine, fid, "mesure"),
            key=f"mesure_save_{fid}",
        )


def cancel_form(engine, fid: str, live) -> None:
    """Withdraw an entry recorded by mistake (kept in the history, marked cancelled)."""
    with st.expander("Annuler un enregistrement fait par erreur"):
        labels = {f"{c.kind}:{c.pk}": f"Version {c.version} — {c.label}" for c in reversed(live)}
        st.selectbox("Enregistrement", list(labels), format_func=labels.get, key=f"suivi_cancel_choice_{fid}")
        st.text_input("Raison de l'annulation", key=f"suivi_cancel_reason_{fid}", max_chars=progress.MOTIF_MAX)
        st.button("Annuler cet enregistrement", on_click=_cancel, args=(engine, fid), key=f"suivi_cancel_{fid}")
