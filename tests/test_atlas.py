"""The atlas command: files per map, one page each, text of the sheet, failures reported."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date

import pytest
from pypdf import PdfReader

from geodash import atlas, bilan, formatting, sources, style

ARRAS = "200033579"
LUMBRES = "246201016"
A4_LANDSCAPE = (841.89, 595.28)  # points


def _text(pdf) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("atlas")
    result = atlas.write_atlas(
        [None, ARRAS, LUMBRES, "000000000"],
        out,
        formats=("pdf", "png", "svg"),
        combined=out / "atlas.pdf",
        workers=2,
        day=date(2019, 5, 1),
    )
    return out, result


def test_failing_epci_reported_and_others_written(written):
    out, result = written
    assert result.failures == [("000000000", "EPCI « 000000000 » inconnu")]
    names = sorted(p.name for p in out.iterdir())
    for stem in ("62_pas-de-calais", f"{ARRAS}_arras", f"{LUMBRES}_pays-de-lumbres"):
        for fmt in ("pdf", "png", "svg"):
            assert f"{stem}.{fmt}" in names
    assert not any(n.startswith("000000000") for n in names)


def test_one_a4_landscape_page_per_map(written):
    out, _ = written
    reader = PdfReader(out / f"{ARRAS}_arras.pdf")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE, abs=0.5)
    assert len(PdfReader(out / "atlas.pdf").pages) == 3


def test_pdf_text_has_title_legend_and_sources(written, data):
    out, _ = written
    text = " ".join(_text(out / f"{LUMBRES}_pays-de-lumbres.pdf").split())
    assert "Communauté de communes du Pays de Lumbres" in text
    fin = data.financements[data.financements["epci_siren"] == LUMBRES]
    for theme, n in fin["theme"].value_counts().items():
        assert f"{style.THEMES[theme].label} ({n})" in text
    for periode, n in fin["periode"].value_counts().items():
        assert f"{style.PERIODS[periode].label} ({n})" in text
    assert " ".join(sources.map_credit().split())[:80] in text
    assert "Réalisation : Département du Pas-de-Calais, 1 mai 2019" in text


def test_output_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        atlas.write_atlas([LUMBRES], folder, formats=("pdf", "svg"), workers=1, day=date(2019, 5, 1))
    for fmt in ("pdf", "svg"):
        assert (a / f"{LUMBRES}_pays-de-lumbres.{fmt}").read_bytes() == (
            b / f"{LUMBRES}_pays-de-lumbres.{fmt}"
        ).read_bytes()


def test_cli_exit_code_and_summary(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "geodash",
            "atlas",
            "--epci",
            LUMBRES,
            "999999999",
            "--formats",
            "pdf",
            "--sortie",
            str(tmp_path),
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "1 carte(s) sur 2 écrite(s)" in run.stdout
    assert "échec 999999999 : EPCI « 999999999 » inconnu" in run.stderr
    assert (tmp_path / f"{LUMBRES}_pays-de-lumbres.pdf").exists()


def _plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_departement_sheet_maps_the_bilan_not_the_projects(written, data, terr):
    out, _ = written
    text = _plain(_text(out / "62_pas-de-calais.pdf"))
    assert "Investissement du Département par habitant, 2015-2018 (€ / hab.)" in text
    assert "Recueil des actes administratifs n° 5, mai 2019" in text
    assert "pas de contrat dans le document (Pays de Saint-Omer)" in text
    ref = bilan.departement_reference(data.chiffres, terr.communes, "investissement_total_par_habitant")
    assert f"au moins {round(ref['valeur'])} € / hab." in text
    table = bilan.indicator_values(data.chiffres, terr.epci, terr.communes, "investissement_total_par_habitant")
    top = table.iloc[0]
    assert f"1. {top['nom']} – au moins {round(top['valeur'])} € / hab." in text
    assert _plain(formatting.MINIMUM_NOTE) in text and "plus de" not in text  # one wording for a minimum
    assert not re.search(r"(?:^|[^\d ,]) ?0 €", text)  # no EPCI at 0 €


def test_epci_sheet_shows_the_bilan_then_the_sample_of_projects(written, data, terr):
    out, _ = written
    text = _plain(_text(out / f"{LUMBRES}_pays-de-lumbres.pdf"))
    box = bilan.epci_investment(data.chiffres, terr.communes, LUMBRES).set_index("domaine")
    assert "Le Département sur le territoire, 2015-2018 :" in text
    assert f"• Total : {_plain(box.loc['total', 'texte'])}" in text
    assert _plain(box.loc["total", "texte"]).startswith("au moins ")
    fin = data.financements[data.financements["epci_siren"] == LUMBRES]
    n, m = len(fin), int(fin["montant_departement_eur"].notna().sum())
    assert m < n
    assert f"Projets cités dans le contrat : {n}, dont {m} avec montant" in text
    assert not re.search(r"(?:^|[^\d ,]) ?0 €", text)


def test_cli_unknown_indicator_is_refused_with_the_choices(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "geodash", "atlas", "--departement", "--epci", LUMBRES]
        + ["--indicateur", "inconnu", "--sortie", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "indicateur inconnu « inconnu »" in run.stderr and "investissement_total_par_habitant" in run.stderr
    assert not list(tmp_path.iterdir())
