"""``geodash etape``: the « point d'étape » PDF of an EPCI, read from a fresh database where a vote, payments, a
delivery and an abandon were recorded through the store; French errors for an unknown EPCI or a bad date."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from geodash import db, sources
from geodash.cli import main
from geodash.db.engine import make_engine
from geodash.db.transfer import import_csv

LUMBRES = "246201016"
NAME = "Communauté de communes du Pays de Lumbres"
PDF = f"point_etape_{LUMBRES}_pays-de-lumbres.pdf"
HOSTILE = "$x^2$ <b>{y}</b>"
A4_LANDSCAPE = (841.89, 595.28)  # points
HEADINGS = [
    "En bref",
    "Financements par état",
    "Financements par thématique et par état",
    "Financements en retard",
    "Jalons des fiches projets",
    "Indicateurs des fiches projets",
]


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc)


def _text(pdf) -> str:
    """The PDF's text, spaces (non-breaking ones too) made single."""
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    else:
        text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["etape", *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def database(tmp_path_factory, terr):
    """A database from the shipped CSV files, with the follow-up of four financings of the Pays de Lumbres
    recorded through the store: one before 2024, three after, and a title of markup and formula."""
    url = f"sqlite:///{tmp_path_factory.mktemp('etape') / 'geodash.sqlite'}"
    engine = make_engine(url)
    import_csv(engine, communes=terr.communes, epci_sirens=terr.sirens)

    def record(fid: str, values: dict, at: str) -> None:
        version = db.get_follow_up(engine, fid).version
        db.record_event(engine, fid, values, expected_version=version, author="marie.dupont", now=_at(at))

    motif = "projet repris par la commune"
    record("LUM-001", {"etat": "abandonne", "date": "02/02/2021", "motif": motif}, "2023-06-01")
    record("LUM-018", {"etat": "verse", "date": "15/06/2020", "montant": "10 000"}, "2024-03-01")  # end 03/2020: late
    record("LUM-013", {"etat": "realise", "date": "15/12/2020"}, "2024-03-02")
    edited = db.get_financing(engine, "LUM-005")
    db.edit_financing(engine, "LUM-005", {"intitule": HOSTILE}, expected_version=edited.version, author="admin")
    record("LUM-005", {"etat": "verse", "date": "03/03/2021", "montant": "250 000"}, "2024-03-03")
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEODASH_DATABASE_URL", url)
        patch.delenv("GEODASH_PROJECTS_DIR", raising=False)
        yield url


@pytest.fixture(scope="module")
def since_2024(database, tmp_path_factory):
    out = tmp_path_factory.mktemp("etape-out")
    code, stdout, stderr = _run("--epci", LUMBRES, "--depuis", "2024-01-01", "--sortie", str(out))
    assert code == 0, stderr
    return out / PDF, stdout


def test_the_pdf_is_written_where_said_a4_landscape_map_first(since_2024):
    pdf, stdout = since_2024
    assert stdout.strip() == f"Écrit : {pdf}"
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_LANDSCAPE, abs=0.5)
    first = " ".join(reader.pages[0].extract_text().split())
    assert NAME in first and "Point d'étape – Financements du Département" in first and "Légende" in first


def test_the_pages_say_the_epci_the_headings_the_data_date_and_the_sources(since_2024):
    text = _text(since_2024[0])
    assert f"Point d'étape : {NAME}" in text
    for heading in [*HEADINGS, "Changements depuis le 01/01/2024"]:
        assert heading in text
    assert "Données au 03/03/2021" in text  # the latest recorded event
    assert " ".join(sources.map_credit().split())[:80] in text
    assert "Réalisation : Département du Pas-de-Calais" in text
    assert "30 financements : 4 suivis depuis le contrat, 1 en retard, 26 sans information de suivi." in text


def test_the_recorded_steps_are_in_the_state_table_and_the_late_items(since_2024):
    text = _text(since_2024[0])
    # LUM-018 (25 927 €) and LUM-005 (1 000 000 €), voted by the document, paid 10 000 € and 250 000 €
    assert "Versé 2 0 1 1 025 927 € 1 025 927 € 260 000 €" in text
    assert "Réalisé 1 0 0 50 550 € 50 550 € montant non précisé" in text  # delivered, its payments not recorded
    assert "Abandonné 1 0 0 montant non précisé montant non précisé –" in text
    assert "1 financement en retard." in text and "26 financements sans information de suivi : jamais comptés" in text
    assert "réalisé : « Mars 2020 » (au plus tard le 31/03/2020)" in text
    assert "atteint dans les temps" in text  # LUM-013, delivered on 15/12/2020 for the 2nd half of 2020


def test_changes_since_the_date_are_those_recorded_from_that_day(since_2024):
    text = _text(since_2024[0])
    changes = text.split("Changements depuis le 01/01/2024", 1)[1]
    for said in (
        "01/03/2024",
        "versement de 10 000 € le 15/06/2020",
        "réalisation le 15/12/2020",
        "versement de 250 000 € le 03/03/2021",
    ):
        assert said in changes
    assert "abandon le 02/02/2021" not in changes  # recorded in 2023


def test_hostile_text_appears_as_written(since_2024):
    text = _text(since_2024[0])
    assert HOSTILE in text
    assert f"{HOSTILE} versement de 250 000 €" in text


def test_without_a_date_the_whole_history(database, tmp_path):
    code, _, stderr = _run("--epci", LUMBRES, "--sortie", str(tmp_path))
    assert code == 0, stderr
    text = _text(tmp_path / PDF)
    assert "Changements enregistrés depuis le début du suivi" in text
    assert "Aucune date de départ demandée : tous les changements enregistrés" in text
    assert "abandon le 02/02/2021 : projet repris par la commune" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epci", "000000000"], "erreur : EPCI « 000000000 » inconnu"),
        (["--epci", LUMBRES, "--depuis", "2024-13-01"], "erreur : --depuis : « 2024-13-01 » : cette date n'existe pas"),
        (["--epci", LUMBRES, "--depuis", "hier"], "erreur : --depuis : « hier » n'est pas une date"),
        (["--epci", LUMBRES, "--depuis", "2999-01-01"], "erreur : --depuis : le 01/01/2999 est dans le futur"),
    ],
)
def test_unknown_epci_or_bad_date_french_error_exit_2_nothing_written(database, tmp_path, args, message):
    code, stdout, stderr = _run(*args, "--sortie", str(tmp_path / "out"))
    assert code == 2 and stdout == ""
    assert stderr.startswith(message)
    assert not (tmp_path / "out").exists()
