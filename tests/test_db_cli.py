"""``geodash db`` and ``geodash users`` on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

from geodash import settings
from geodash.cli import main
from geodash.db import authenticate, list_financings


def _csv_rows(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_db_init_export_and_refusal(new_engine, tmp_path, capsys):
    engine = new_engine()
    assert main(["db", "init", "--base", _url(engine)]) == 0
    out = capsys.readouterr().out
    rows = {n: len(_csv_rows(settings.projects_dir() / n)) for n in ("financements.csv", "chiffres_cles.csv")}
    assert (
        f"Importé : {rows['financements.csv']} financements, 0 retirés, {rows['chiffres_cles.csv']} chiffres clés."
        in out
    )
    assert main(["db", "export", "--base", _url(engine), "--sortie", str(tmp_path / "export")]) == 0
    for name in ("financements.csv", "chiffres_cles.csv"):
        assert (tmp_path / "export" / name).read_bytes() == (settings.projects_dir() / name).read_bytes()
    # again: schema up to date, nothing imported twice
    assert main(["db", "init", "--base", _url(engine)]) == 0
    assert "aucun import" in capsys.readouterr().out
    assert main(["db", "init", "--base", _url(engine), "--dossier", str(tmp_path / "export")]) == 1
    assert "aucun import" in capsys.readouterr().err
    assert len(list_financings(engine)) == rows["financements.csv"]


def test_db_init_reports_bad_files_with_their_line(new_engine, tmp_path, capsys):
    lines = (settings.projects_dir() / "financements.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",Culture,", ",Loisirs,", 1)
    (tmp_path / "financements.csv").write_text("".join(lines), encoding="utf-8")
    (tmp_path / "chiffres_cles.csv").write_bytes((settings.projects_dir() / "chiffres_cles.csv").read_bytes())
    engine = new_engine()
    assert main(["db", "init", "--base", _url(engine), "--dossier", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "financements.csv:3: theme : « Loisirs » n'est pas une valeur permise" in err
    assert "rien n'a été importé" in err
    assert list_financings(engine) == []


def test_users_add_list_disable(new_engine, monkeypatch, capsys):
    url = _url(new_engine())
    monkeypatch.setattr("sys.stdin", io.StringIO("un mot de passe solide\n"))
    assert main(["users", "add", "Marie.Dupont", "--role", "admin", "--password-stdin", "--base", url]) == 0
    assert "Compte « marie.dupont » créé (admin)." in capsys.readouterr().out
    from geodash.db.engine import get_engine

    assert authenticate(get_engine(url), "marie.dupont", "un mot de passe solide").role == "admin"
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert main(["users", "add", "paul", "--role", "editeur", "--password-stdin", "--base", url]) == 1
    assert "trop court" in capsys.readouterr().err
    assert main(["users", "list", "--base", url]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 1 and listed[0].startswith("marie.dupont\tadmin\tactif")
    assert main(["users", "disable", "marie.dupont", "--base", url]) == 0
    assert main(["users", "list", "--base", url]) == 0
    assert "\tadmin\tdésactivé le " in capsys.readouterr().out
    assert main(["users", "disable", "inconnu", "--base", url]) == 1
    assert "Aucun compte « inconnu »" in capsys.readouterr().err


def _bilan_rows(capsys, *args: str) -> dict[tuple[str, str], dict]:
    assert main(["bilan", *args]) == 0
    rows = csv.DictReader(io.StringIO(capsys.readouterr().out))
    return {(r["epci_siren"], r["indicateur"]): r for r in rows}


def test_bilan_and_atlas_read_the_database_the_pages_read(new_engine, tmp_path, monkeypatch, capsys):
    """A key figure changed in the database (imported through geodash.db) is in ``geodash bilan``, as on
    the pages; ``--dossier`` reads CSV files instead. ``atlas --indicateur`` checks against the same data."""
    from geodash import bilan
    from geodash.db import ensure_database
    from geodash.selection import load_base

    lumbres = "246201016"
    folder = tmp_path / "fichiers"
    folder.mkdir()
    (folder / "financements.csv").write_bytes((settings.projects_dir() / "financements.csv").read_bytes())
    shipped = (settings.projects_dir() / "chiffres_cles.csv").read_text(encoding="utf-8")
    routes = f"{lumbres},routes_investissement_2015_2018,6900000,"
    assert routes in shipped
    changed = shipped.replace(routes, f"{lumbres},routes_investissement_2015_2018,7100000,", 1)
    changed += f"{lumbres},ports_investissement_2015_2018,250000,€,exact,736,Ports\n"  # a domain only in the base
    (folder / "chiffres_cles.csv").write_text(changed, encoding="utf-8")
    engine = ensure_database(new_engine(), folder=folder)
    monkeypatch.setenv("GEODASH_DATABASE_URL", _url(engine))
    monkeypatch.delenv("GEODASH_PROJECTS_DIR", raising=False)

    from_base = _bilan_rows(capsys)
    assert from_base[(lumbres, "investissement_routes")]["valeur"] == "7100000"
    assert from_base[(lumbres, "investissement_ports")]["valeur"] == "250000"
    from_files = _bilan_rows(capsys, "--dossier", str(settings.projects_dir()))
    assert from_files[(lumbres, "investissement_routes")]["valeur"] == "6900000"
    assert (lumbres, "investissement_ports") not in from_files
    # the same figures as the pages' data (load_base reads the database in force)
    base = load_base(with_context=False, with_road_lengths=False)
    pages = bilan.bilan_table(base.data.chiffres, base.terr.epci, base.terr.communes)
    assert len(pages) == len(from_base)
    assert {(r.epci_siren, r.indicateur): r.valeur for r in pages.itertuples()} == {
        key: float(row["valeur"]) for key, row in from_base.items()
    }

    ports = "investissement_ports_par_habitant"
    assert main(["atlas", "--indicateur", "inconnu", "--sortie", str(tmp_path / "atlas")]) == 2
    assert ports in capsys.readouterr().err  # the indicators of the database
    args = ["atlas", "--indicateur", "inconnu", "--dossier", str(settings.projects_dir())]
    assert main([*args, "--sortie", str(tmp_path / "atlas")]) == 2
    assert ports not in capsys.readouterr().err
