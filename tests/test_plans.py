"""The plans of the project sheets: their files against the source document, their checks, ``period_of``
and ``geodash plans``."""

from __future__ import annotations

import calendar
import csv
import io
import re
import shutil
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geodash import cli, plans, settings
from geodash.formatting import numbers_in_text
from geodash.plans import PRECISIONS, SEASONS, load_plans, milestones, period_of
from geodash.projects import parse_source_lines

from .test_projects import _cited_text

FOLDER = settings.projects_dir()
MONTH_NAMES = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
               "novembre", "décembre"]  # fmt: skip
SHEET_HEADINGS = ("C – EVALUATION DU PROJET", "D – CALENDRIER PREVISIONNEL", "Plan de financement prévisionnel")


@pytest.fixture(scope="module")
def shipped():
    return load_plans()


@pytest.fixture(scope="module")
def financements():
    with open(FOLDER / "financements.csv", encoding="utf-8", newline="") as handle:
        return {r["id"]: r for r in csv.DictReader(handle)}


def _norm(text: str) -> str:
    """Text as compared with the document: NFKC, straight apostrophes, no Markdown stars, single spaces, lower case."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("*", "")
    return " ".join(text.split()).lower()


def _span(lignes: str) -> range:
    (first, last), *_ = parse_source_lines(lignes)
    return range(first, last + 1)


# --- the files against the document ----------------------------------------------------------------


def test_shipped_plans_are_valid_without_a_warning(shipped):
    assert shipped.present and [str(p) for p in shipped.problems] == []
    assert (len(shipped.fiches), len(shipped.jalons), len(shipped.indicateurs), len(shipped.financements)) == (
        18, 44, 113, 107,
    )  # fmt: skip


def test_every_sheet_of_the_document_has_one_row(shipped, seed_lines):
    """The sheets are counted in the document: one « C – EVALUATION DU PROJET » each, inside one row's lines."""
    evaluations = [n for n, line in enumerate(seed_lines, 1) if line.startswith(SHEET_HEADINGS[0])]
    assert len(evaluations) == len(shipped.fiches) == 18
    spans = [_span(v) for v in shipped.fiches["lignes"]]
    for n in evaluations:
        assert sum(n in span for span in spans) == 1, n
    for span in spans:  # each row's lines hold one whole sheet
        text = [seed_lines[n - 1] for n in span]
        for heading in SHEET_HEADINGS:
            assert sum(heading in line for line in text) == 1, (span, heading)


def test_each_sheet_is_matched_to_a_financing_citing_its_lines(shipped, financements):
    for row in shipped.fiches.to_dict("records"):
        cited = {
            n for a, b in parse_source_lines(financements[row["financement_id"]]["source"]) for n in range(a, b + 1)
        }
        assert cited & set(_span(row["lignes"])), row["financement_id"]
        assert "fiche_projet" in financements[row["financement_id"]]["origine"]
    assert shipped.fiches.set_index("financement_id").loc["LUM-013", "autres_financements"] == "LUM-030"


@pytest.mark.parametrize(
    "table, columns",
    [
        ("fiches", ["titre"]),
        ("jalons", ["texte", "libelle", "commentaire", "phase"]),
        ("indicateurs", ["libelle", "cible"]),
        ("financements", ["financeur", "montant_texte"]),
    ],
)
def test_every_text_is_written_on_its_cited_lines(shipped, seed_lines, table, columns):
    frame = getattr(shipped, table)
    missing = [
        (row["ligne"], column, row[column])
        for row in frame.to_dict("records")
        for column in columns
        if row[column] and _norm(row[column]) not in _norm(_cited_text(seed_lines, row["source"]))
    ]
    assert missing == []


def test_every_number_is_written_on_its_cited_lines(shipped, seed_lines):
    for table, columns in (("financements", ["montant_eur", "part_pct"]), ("indicateurs", ["valeur_cible"])):
        for row in getattr(shipped, table).to_dict("records"):
            written = numbers_in_text(_cited_text(seed_lines, row["source"]))
            for column in columns:
                assert row[column] != row[column] or round(row[column], 2) in written, (table, row["ligne"], column)


def test_every_fact_lies_in_its_financings_sheet(shipped):
    sheets = {r["financement_id"]: _span(r["lignes"]) for r in shipped.fiches.to_dict("records")}
    for table in ("jalons", "indicateurs", "financements"):
        for row in getattr(shipped, table).to_dict("records"):
            lines = [n for a, b in parse_source_lines(row["source"]) for n in range(a, b + 1)]
            assert all(n in sheets[row["financement_id"]] for n in lines), (table, row["ligne"])


def test_known_facts(shipped):
    lum = shipped.indicateurs[shipped.indicateurs["financement_id"] == "LUM-018"].set_index("libelle")
    assert lum.loc["Implantation des 53 haies", ["cible", "valeur_cible", "unite", "source"]].tolist() == [
        "53 haies", 53.0, "haies", "1035",
    ]  # fmt: skip
    assert lum.loc["Nombre de fascines implantées", "type"] == "indicateur"
    plan = shipped.financements[shipped.financements["financement_id"] == "LUM-018"].set_index("financeur")
    assert plan.loc["Subvention Agence de l'eau", ["montant_eur", "part_pct", "source"]].tolist() == [
        157071.6,
        60.0,
        "1063",
    ]
    assert plan.loc["", "montant_eur"] == 261786.0 and plan.loc["", "type"] == "total"
    # a share the sheet does not give stays empty, never computed
    assert plan["part_pct"].isna().sum() == 3


# --- checks -------------------------------------------------------------------------------------------


def _copy(tmp_path, edit=None, name="jalons.csv"):
    """The shipped project files in ``tmp_path``, ``edit(rows)`` applied to ``name``'s rows."""
    for path in FOLDER.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    if edit is not None:
        with open(tmp_path / name, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        edit(rows)
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return tmp_path


def test_validate_reports_a_bad_row_with_file_line_and_reason(tmp_path, capsys):
    def edit(rows):
        rows[1]["jalon"] = "milieu"  # file line 3
        rows[2]["financement_id"] = "XXX-999"  # file line 4

    _copy(tmp_path, edit)
    assert cli.main(["validate", "--dossier", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "jalons.csv:3: jalon : « milieu » n'est pas une valeur permise (debut, etape, fin)" in err
    assert "jalons.csv:4: financement_id : « XXX-999 » n'est pas un id de financements.csv" in err


def test_validate_passes_the_shipped_files(capsys):
    assert cli.main(["validate"]) == 0
    assert "18 fiches projets, 44 jalons" in capsys.readouterr().out


def test_amounts_and_shares_are_checked(tmp_path):
    def edit(rows):
        rows[0]["montant_eur"] = "1 57071,6"  # not a number
        rows[1]["part_pct"] = "140"

    plans_ = load_plans(_copy(tmp_path, edit, "plans_financement.csv"))
    assert [str(p) for p in plans_.errors] == [
        "plans_financement.csv:2: montant_eur : « 1 57071,6 » n'est pas un nombre (attendu : 1443000, 52357.2 ou 1 443 000)",
        "plans_financement.csv:3: part_pct : part de 140 % : attendu entre 0 et 100",
    ]


def test_shares_must_add_up_to_100_when_all_given(tmp_path):
    def edit(rows):
        rows[16]["part_pct"] = "62.03"  # GCTM-033's first funder (72,03 % on the sheet), file line 18

    problems = [str(p) for p in load_plans(_copy(tmp_path, edit, "plans_financement.csv")).errors]
    assert problems == [
        "plans_financement.csv:18: plan de financement GCTM-033 (Maîtrise d'œuvre) : les parts des financeurs "
        "totalisent 90,00 % au lieu de 100 % (lignes 18 (document l. 5312), 19 (document l. 5313))"
    ]


def test_funders_against_the_stated_total_is_a_warning_citing_both(tmp_path):
    def edit(rows):
        rows[1]["montant_eur"] = "62357.2"  # LUM-018, Département: 10 000 € more than the sheet

    loaded = load_plans(_copy(tmp_path, edit, "plans_financement.csv"))
    assert loaded.errors == []
    assert [str(p) for p in loaded.problems] == [
        "plans_financement.csv:5: avertissement : plan de financement LUM-018 : les financeurs totalisent "
        "271\u00a0786\u00a0€ (lignes 2 (document l. 1063), 3 (document l. 1064), 4 (document l. 1065)) ; le coût "
        "total annoncé est 261\u00a0786\u00a0€ (ligne 5 (document l. 1067))"
    ]


def test_a_folder_without_plans_has_none_and_a_partial_one_is_reported(tmp_path):
    shutil.copy(FOLDER / "financements.csv", tmp_path)
    assert load_plans(tmp_path).present is False and load_plans(tmp_path).problems == []
    shutil.copy(FOLDER / "jalons.csv", tmp_path)
    loaded = load_plans(tmp_path)
    assert len(loaded.jalons) == 44
    assert "fiches.csv: fichier absent : les plans des fiches projets sont incomplets" in [
        str(p) for p in loaded.errors
    ]


def test_a_sheet_without_financing_is_said(tmp_path):
    def edit(rows):
        rows[0]["financement_id"] = ""

    problems = [str(p) for p in load_plans(_copy(tmp_path, edit, "fiches.csv")).problems]
    assert "fiches.csv:2: avertissement : financement_id : aucun financement rapproché de cette fiche " in problems[0]


# --- geodash plans ------------------------------------------------------------------------------------


def test_plans_csv_header_and_known_rows(capsys):
    assert cli.main(["plans", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "financement_id,jalon,texte,debut,fin,precision,source"
    for row in (
        "LUM-018,fin,Mars 2020,2020-03-01,2020-03-31,mois,1049",
        "LUM-013,debut,1^{er} semestre 2019,2019-01-01,2019-06-30,semestre,1130",
        "GCTM-033,fin,Été 2021,2021-06-01,2021-09-30,saison,5290",
        "CALL-105,fin,2019-2020,2019-01-01,2020-12-31,periode,15565",
        "CA2BM-076,fin,Fin décembre 2019/ début 2020,2019-12-01,2020-06-30,periode,8159",
    ):
        assert row in lines
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 42  # 44 milestones: « ? » (CAB-085) and « Réunions de chantier… » give no line
    assert not any(r["texte"] in ("?", "Réunions de chantier, de Comité de Pilotage") for r in rows)
    assert all(r["debut"] <= r["fin"] and r["precision"] in PRECISIONS for r in rows)


def test_plans_csv_neutralises_formulas(tmp_path, capsys):
    (tmp_path / "financements.csv").write_text("id\n=HYPERLINK(1)\n", encoding="utf-8")
    for name, columns in plans.PLAN_FILES.items():
        (tmp_path / name).write_text(",".join(columns) + "\n", encoding="utf-8")
    with open(tmp_path / "jalons.csv", "a", encoding="utf-8") as handle:
        handle.write("=HYPERLINK(1),,debut,,Mars 2020,,1049,\n")
    assert cli.main(["plans", "--dossier", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "'=HYPERLINK(1),debut,Mars 2020,2020-03-01,2020-03-31,mois,1049"


def test_milestones_of_no_rows():
    assert list(milestones(load_plans(FOLDER).jalons.head(0)).columns) == plans.MILESTONE_COLUMNS


# --- period_of ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Novembre 2018", (date(2018, 11, 1), date(2018, 11, 30), "mois")),
        ("1^{er} semestre 2019", (date(2019, 1, 1), date(2019, 6, 30), "semestre")),
        ("2nd semestre 2020", (date(2020, 7, 1), date(2020, 12, 31), "semestre")),
        ("Fin 2019", (date(2019, 7, 1), date(2019, 12, 31), "semestre")),
        ("début 2020", (date(2020, 1, 1), date(2020, 6, 30), "semestre")),
        ("12/2020", (date(2020, 12, 1), date(2020, 12, 31), "mois")),
        ("2018", (date(2018, 1, 1), date(2018, 12, 31), "annee")),
        ("début septembre 2020", (date(2020, 9, 1), date(2020, 9, 30), "mois")),
        ("de mi-septembre à mi-décembre 2020", (date(2020, 9, 1), date(2020, 12, 31), "periode")),
        ("mi-mars à mi-avril 2021", (date(2021, 3, 1), date(2021, 4, 30), "periode")),
        ("Été 2021", (date(2021, 6, 1), date(2021, 9, 30), "saison")),
        ("Eté 2019", (date(2019, 6, 1), date(2019, 9, 30), "saison")),
        ("Printemps 2019", (date(2019, 3, 1), date(2019, 6, 30), "saison")),
        ("Automne 2019", (date(2019, 9, 1), date(2019, 12, 31), "saison")),
        ("hiver 2019", (date(2019, 12, 1), date(2020, 3, 31), "saison")),
        ("hiver 2019/2020", (date(2019, 12, 1), date(2020, 3, 31), "saison")),
        ("Novembre/Décembre 2017", (date(2017, 11, 1), date(2017, 12, 31), "periode")),
        ("novembre à février 2020", (date(2019, 11, 1), date(2020, 2, 29), "periode")),
        ("Fin décembre 2019/ début 2020", (date(2019, 12, 1), date(2020, 6, 30), "periode")),
        ("Fin 2020 - Début 2021", (date(2020, 7, 1), date(2021, 6, 30), "periode")),
        ("2019-2021", (date(2019, 1, 1), date(2021, 12, 31), "periode")),
        ("de mai à octobre 2019", (date(2019, 5, 1), date(2019, 10, 31), "periode")),
        ("Aout 2019", (date(2019, 8, 1), date(2019, 8, 31), "mois")),
        ("3e trimestre 2020", (date(2020, 7, 1), date(2020, 9, 30), "trimestre")),
        ("1er mars 2020", (date(2020, 3, 1), date(2020, 3, 1), "jour")),
        ("29/02/2020", (date(2020, 2, 29), date(2020, 2, 29), "jour")),
    ],
)
def test_period_of_what_the_sheets_write(text, expected):
    assert period_of(text) == expected


@pytest.mark.parametrize(
    "text",
    ["?", "", "10 semaines", "Réunions de chantier, de Comité de Pilotage", "29/02/2019", "13/2020", "2021-2019",
     "3e semestre 2020", "hiver", "mars", "mars 2020 - 2019", "2020" * 30],
)  # fmt: skip
def test_period_of_never_guesses(text):
    assert period_of(text) is None


years = st.integers(1900, 2100)


@given(st.text(max_size=60))
def test_period_of_any_text_is_none_or_an_ordered_period(text):
    period = period_of(text)
    assert period is None or (period[0] <= period[1] and period[2] in PRECISIONS)


@given(years, st.integers(1, 12), st.sampled_from(["{m} {y}", "{M} {y}", "{mm}/{y}", "début {m} {y}", "mi-{m} {y}"]))
def test_a_month_is_the_whole_month_leap_februaries_included(year, month, form):
    text = form.format(m=MONTH_NAMES[month - 1], M=MONTH_NAMES[month - 1].capitalize(), mm=f"{month:02d}", y=year)
    last = 29 if month == 2 and calendar.isleap(year) else [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    assert period_of(text) == (date(year, month, 1), date(year, month, last), "mois")


@given(years, st.sampled_from(["1er semestre", "2nd semestre", "1er trimestre", "2e trimestre", "3e trimestre",
                               "4e trimestre", "début", "fin", "printemps", "été", "automne"]))  # fmt: skip
def test_parts_of_a_year_stay_inside_it(year, part):
    first, last, precision = period_of(f"{part} {year}")
    assert date(year, 1, 1) <= first < last <= date(year, 12, 31)
    assert (last - first).days + 1 in (range(90, 93) if "trimestre" in part else range(122, 185))
    assert precision in PRECISIONS


@given(years)
def test_a_winter_begins_in_december_of_its_year_and_ends_in_march(year):
    first, last, _ = period_of(f"hiver {year}")
    assert (first, last) == (date(year, *SEASONS["hiver"][0]), date(year + 1, *SEASONS["hiver"][1]))
    assert period_of(f"hiver {year}-{year + 1}")[:2] == (first, last)


@given(years, years)
def test_a_range_of_years_spans_them_or_is_refused(a, b):
    period = period_of(f"{a}-{b}")
    if a <= b:
        assert period == (date(a, 1, 1), date(b, 12, 31), "periode")
    else:
        assert period is None


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
def test_a_full_date_is_that_day(day):
    assert period_of(day.strftime("%d/%m/%Y")) == (day, day, "jour")
    assert period_of(f"{'1er' if day.day == 1 else day.day} {MONTH_NAMES[day.month - 1]} {day.year}") == (
        day,
        day,
        "jour",
    )


def test_seasons_constant_is_documented_in_the_readme():
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    assert re.search(r"été.*juin.*septembre", readme)


def test_a_target_is_a_number_with_its_written_target(tmp_path):
    def edit(rows):
        rows[0]["valeur_cible"] = "53 haies"  # the number only
        rows[1]["cible"] = ""  # a value without the target as written

    loaded = load_plans(_copy(tmp_path, edit, "indicateurs.csv"))
    assert [str(p) for p in loaded.problems] == [
        "indicateurs.csv:2: valeur_cible : « 53 haies » n'est pas un nombre (attendu : 1443000, 52357.2 ou 1 443 000)",
        "indicateurs.csv:3: avertissement : valeur_cible : valeur cible sans la cible écrite (colonne cible)",
    ]
