"""Project data: every value traceable to the source document, the vote complete, bad files reported."""

from __future__ import annotations

import pandas as pd
import pytest

from geodash.formatting import numbers_in_text, parse_number
from geodash.projects import (
    FINANCEMENT_COLUMNS,
    filter_projects,
    load_project_data,
    normalise_route,
    parse_source_lines,
    place_projects,
    totals,
    validate_chiffres,
    validate_financements,
)

DELIBERATION = (240, 315)  # articles 2-20 of deliberation 2019-117
ARTICLE_22 = (324, 330)  # its budget table, one line per operation, last column "Dépense €"


def _cited_text(seed_lines, source: str) -> str:
    return "\n".join("\n".join(seed_lines[a - 1 : b]) for a, b in parse_source_lines(source))


def test_committed_files_are_valid(data):
    assert data.errors == []
    assert data.rejected == 0
    assert len(data.financements) > 900
    assert data.financements["epci_siren"].nunique() == 20


@pytest.mark.parametrize("column", ["montant_departement_eur", "cout_total_eur"])
def test_every_amount_is_written_on_its_cited_lines(data, seed_lines, column):
    missing = []
    for _, row in data.financements.dropna(subset=[column]).iterrows():
        if row[column] not in numbers_in_text(_cited_text(seed_lines, row["source"])):
            missing.append(f"{row['id']}: {row[column]} not on lines {row['source']}")
    assert missing == []


def test_every_key_figure_is_written_on_its_cited_lines(data, seed_lines):
    missing = [
        f"{r.epci_siren} {r.indicateur}: {r.valeur} not on lines {r.source}"
        for r in data.chiffres.itertuples()
        if r.valeur not in numbers_in_text(_cited_text(seed_lines, r.source))
    ]
    assert missing == []


def test_the_19_voted_subsidies_sum_to_article_22(data, seed_lines):
    fin = data.financements
    voted = fin[fin["origine"].str.contains("deliberation")]
    articles = {}
    for _, row in voted.iterrows():
        lines = [
            a
            for a, b in parse_source_lines(row["source"])
            for a in range(a, b + 1)
            if DELIBERATION[0] <= a <= DELIBERATION[1]
        ]
        assert lines, f"{row['id']} cites no line of the deliberation"
        key = max(lines)
        articles.setdefault(key, set()).add(row["montant_departement_eur"])
    assert len(articles) == 19
    assert all(len(amounts) == 1 for amounts in articles.values())  # a shared vote keeps one amount
    budget = sum(
        parse_number(line.split("\t")[-1])
        for line in seed_lines[ARTICLE_22[0] - 1 : ARTICLE_22[1]]
        if line.startswith("C0")
    )
    assert budget == pytest.approx(6_167_760)
    assert sum(a.pop() for a in articles.values()) == pytest.approx(budget)


def test_shared_financing_counted_once(data):
    fin = data.financements
    eur = fin[fin["intitule"].str.contains("Euralens|Odyss", case=False) & (fin["montant_departement_eur"] == 85500)]
    assert len(eur) == 3
    assert (eur["doublon_de"] != "").sum() == 2


def test_allowed_values_and_themes_present(data):
    fin = data.financements
    assert set(fin["theme"]) == {"Aménagement", "Solidarité", "Education", "Culture", "Sport"}
    assert set(fin["periode"]) == {"2015-2018", "à venir"}
    assert set(fin["nature"]) == {"investissement", "fonctionnement", "engagement"}


# --- Malformed files ----------------------------------------------------------------------------

HEADER = ",".join(FINANCEMENT_COLUMNS)
GOOD = "T-1,246201016,62534,Centre aquatique,Sport,2015-2018,investissement,1000000,,,,1316-1317,"


def _check(terr, text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return validate_financements(raw, set(terr.sirens), terr.communes, name="financements.csv")


def test_good_row_loads(terr):
    frame, table = _check(terr, f"{HEADER}\n{GOOD}\n")
    assert table.errors == [] and len(frame) == 1
    assert frame.iloc[0]["montant_departement_eur"] == 1_000_000


@pytest.mark.parametrize(
    "bad, reason",
    [
        (GOOD.replace("Sport", "Loisirs"), "theme : « Loisirs » n'est pas une valeur permise"),
        (GOOD.replace("62534", "62999"), "commune(s) inconnue(s) : 62999"),
        (GOOD.replace("1000000", '"12 000 €"'), "« 12 000 € » n'est pas un nombre"),
        (GOOD.replace("1000000", "-5"), "montant négatif"),
        (GOOD.replace("246201016", "123"), "EPCI « 123 » inconnu"),
        (GOOD.replace("1316-1317", "p. 12"), "numéros de ligne"),
        (GOOD + ",extra", "14 champs au lieu de 13"),
    ],
)
def test_bad_row_reported_with_file_line_and_reason(terr, bad, reason):
    frame, table = _check(terr, f"{HEADER}\n{GOOD.replace('T-1', 'T-0')}\n\n{bad}\n")
    assert len(frame) == 1  # the good row is kept
    assert table.rejected == 1
    messages = [str(p) for p in table.errors]
    assert any(m.startswith("financements.csv:4: ") and reason in m for m in messages), messages


def test_french_number_forms_accepted(terr):
    frame, table = _check(
        terr,
        f"{HEADER}\n"
        + GOOD.replace("1000000", '"1 443 000"')
        + "\n"
        + GOOD.replace("T-1", "T-2").replace("1000000", '"52357,2"')
        + "\n",
    )
    assert table.errors == []
    assert frame["montant_departement_eur"].tolist() == [1_443_000, 52_357.2]


def test_missing_column_empty_file_and_duplicate_id(terr):
    _, table = _check(terr, "id,epci_siren\nA,246201016\n")
    assert "financements.csv:1: colonnes manquantes : commune_insee" in str(table.errors[0])
    _, table = _check(terr, "")
    assert "fichier vide" in str(table.errors[0])
    frame, table = _check(terr, f"{HEADER}\n{GOOD}\n{GOOD}\n")
    assert len(frame) == 1 and "financements.csv:3: id : « T-1 » déjà utilisé ligne 2" in str(table.errors[0])


def test_windows_1252_and_semicolons_are_read(terr):
    text = f"{HEADER}\n{GOOD.replace('Centre aquatique', 'Église Saint-Éloi')}\n".replace(",", ";")
    frame, table = _check(terr, text.encode("cp1252"))
    assert table.errors == []
    assert frame.iloc[0]["intitule"] == "Église Saint-Éloi"
    assert any("Windows-1252" in str(p) for p in table.problems)


def test_chiffres_precision_checked(terr):
    text = (
        "epci_siren,indicateur,valeur,unite,precision,source\n"
        '246201016,routes,6.9,€,plus de,720\n246201016,routes,"6 900 000",€,minimum,720\n'
    )
    frame, table = validate_chiffres(text.encode(), set(terr.sirens), name="chiffres_cles.csv")
    assert len(frame) == 1 and frame.iloc[0]["valeur"] == 6_900_000
    assert str(table.errors[0]).startswith("chiffres_cles.csv:2: precision")


def test_missing_files_reported_not_raised(terr, tmp_path):
    result = load_project_data(terr.communes, set(terr.sirens), tmp_path)
    assert {p.file for p in result.errors} == {"financements.csv", "chiffres_cles.csv"}
    assert result.financements.empty


# --- Join, filters, totals ----------------------------------------------------------------------


def test_route_normalisation():
    assert {normalise_route(x) for x in ["D939", "RD 939", "RD939", "D 939", "rd939"]} == {"RD 939"}
    assert normalise_route("D1E1") == "RD 1E1"
    assert normalise_route("Rocade") == "Rocade"


def test_placement_lists_epci_wide_items_and_spreads_shared_spots(terr, data):
    placed, unplaced = place_projects(data.financements, terr.communes)
    assert len(placed) + len(unplaced) == len(data.financements)
    assert (unplaced["commune_insee"] == "").all()
    same = placed.geometry.to_crs(2154).apply(lambda p: (round(p.x), round(p.y)))
    assert not same.duplicated().any()
    # every placed project lies in the EPCI of one of its communes, or within 3 km of it
    epci = terr.epci.set_index("siren").geometry
    for _, row in placed.to_crs(2154).iterrows():
        assert epci[row["epci_siren"]].distance(row.geometry) < 3000 or "|" in row["commune_insee"] or row["remarque"]


def test_multi_commune_project_placed_once(terr):
    fin = pd.DataFrame(
        [
            {
                "id": "X",
                "epci_siren": "246201016",
                "commune_insee": "62534|62702",
                "theme": "Sport",
                "periode": "2015-2018",
                "nature": "investissement",
                "montant_departement_eur": 10.0,
            }
        ]
    )
    placed, unplaced = place_projects(fin, terr.communes)
    assert len(placed) == 1 and unplaced.empty


def test_filters_and_totals(data):
    fin = data.financements
    culture = filter_projects(fin, epci="246201016", themes=["Culture"])
    assert len(culture) > 0 and set(culture["theme"]) == {"Culture"}
    assert set(culture["epci_siren"]) == {"246201016"}
    found = filter_projects(fin, text="lumbres", commune_names={"62534": "Lumbres"})
    assert len(found) > 0
    big = filter_projects(fin, amount_range=(1_000_000, 1e9))
    assert (big["montant_departement_eur"] >= 1_000_000).all()
    t = totals(fin, ["theme"])
    assert t["projets"].sum() == len(fin)
    assert t["montant_eur"].sum() == pytest.approx(fin["montant_departement_eur"].sum())


# First line of each contract (the next contract starts where one ends; the last ends before report n°1).
CONTRACT_STARTS = {
    "246201016": 530,
    "246200380": 1330,
    "246200729": 2235,
    "200018083": 3741,
    "246201149": 4483,
    "246200844": 5481,
    "200072478": 6417,
    "200069029": 7322,
    "200044048": 8747,
    "200033579": 9398,
    "245900758": 10384,
    "200072460": 11019,
    "246200299": 12445,
    "246200364": 13847,
    "200035442": 15649,
    "200069482": 16441,
    "200069672": 17135,
    "200044030": 18172,
    "200069235": 19029,
}
END_OF_CONTRACTS = 20005
# The 7 Vallées map annex has no "Réalisation" line: its labels start after the contract's last livret.
LABELS_START = {"200044030": 18870}


def test_every_map_label_amount_is_in_the_data(data, seed_lines):
    """Coverage: each amount written among a map annex's labels is a financing of that EPCI."""
    bounds = sorted(CONTRACT_STARTS.items(), key=lambda kv: kv[1])
    fin = data.financements
    missing, with_labels = {}, 0
    for (siren, start), (_, end) in zip(bounds, bounds[1:] + [("", END_OF_CONTRACTS)]):
        real = [i for i in range(start, end) if seed_lines[i - 1].startswith("Réalisation")]
        first = LABELS_START.get(siren) or (real[-1] + 1 if real else end)
        written = set()
        for line in seed_lines[first - 1 : end - 1]:
            if "€" in line or "million" in line:
                # years ("Fonctionnement 2019", "en 2018") are not amounts
                written |= {v for v in numbers_in_text(line) if v >= 1000 and not 2000 <= v <= 2100}
        mine = fin[fin["epci_siren"] == siren]
        have = set(mine["montant_departement_eur"].dropna()) | set(mine["cout_total_eur"].dropna())
        gone = sorted(v for v in written if v not in have)
        with_labels += bool(written)
        if gone:
            missing[siren] = gone
    assert missing == {}
    assert with_labels == 7  # the maps whose labels survived: Lumbres, 2 Baies, Flandre Lys, Sud-Artois,
    #                          Campagnes de l'Artois, Ternois, 7 Vallées


def test_bad_header_sets_aside_every_row_and_says_so(terr):
    rows = "\n".join(GOOD.replace("T-1", f"T-{i}") for i in range(3))
    _, table = _check(terr, f"{HEADER.replace('theme', 'thème')}\n{rows}\n")
    assert table.rejected == 3
    assert "3 lignes de données mises de côté" in str(table.errors[0])


def test_spaces_around_commune_codes_do_not_unplace_a_project(terr):
    frame, table = _check(terr, f"{HEADER}\n" + GOOD.replace("62534", '"62534 | 62702"') + "\n")
    assert table.errors == [] and frame.iloc[0]["commune_insee"] == "62534|62702"
    placed, unplaced = place_projects(frame, terr.communes)
    assert len(placed) == 1 and unplaced.empty


# --- Field limits (issue 22, row 11: texts of 100 000 characters were accepted) ----------------------------


def _with_long_texts(folder, **texts: str) -> None:
    """The shipped files in ``folder``, the financing on line 3 given ``texts``."""
    import csv
    import io

    from geodash import settings

    source = settings.projects_dir()
    with open(source / "financements.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[1].update(texts)  # line 3: the header is line 1
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (folder / "financements.csv").write_text(out.getvalue(), encoding="utf-8")
    (folder / "chiffres_cles.csv").write_bytes((source / "chiffres_cles.csv").read_bytes())


def _first_financing() -> dict[str, str]:
    """The shipped financing of line 2, as CSV text (it has no warning)."""
    import csv

    from geodash import settings

    with open(settings.projects_dir() / "financements.csv", encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))


LONG = {"intitule": "x" * 312, "remarque": "y" * 100_000}
REASONS = ("intitule : 312 caractères : 300 au plus", "remarque : 100\u00a0000 caractères : 5\u00a0000 au plus")


def test_every_text_of_a_financing_has_a_limit_the_shipped_data_keep(data):
    from geodash.projects import FIELD_LIMITS, FINANCEMENT_OPTIONAL

    assert list(FIELD_LIMITS) == FINANCEMENT_COLUMNS + FINANCEMENT_OPTIONAL
    for column, limit in FIELD_LIMITS.items():
        if column in data.financements:
            longest = data.financements[column].astype(str).str.len().max()
            assert longest <= limit, column


def test_validate_names_an_overlong_text_with_its_line(tmp_path, capsys):
    from geodash import cli

    _with_long_texts(tmp_path, **LONG)
    assert cli.main(["validate", "--dossier", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"financements.csv:3: {REASONS[0]} ; {REASONS[1]}" in err
    assert "y" * 100 not in err  # the reason, not the text


def test_the_database_refuses_overlong_texts_at_import_and_entry(terr, tmp_path, capsys):
    from geodash import cli, db

    _with_long_texts(tmp_path, **LONG)
    url = f"sqlite:///{tmp_path / 'limits.sqlite'}"
    assert cli.main(["db", "init", "--base", url, "--dossier", str(tmp_path)]) == 1
    assert f"financements.csv:3: {REASONS[0]}" in capsys.readouterr().err
    rules = db.Rules.from_territories(terr.communes, terr.sirens)
    values = {c: v for c, v in _first_financing().items() if c != "id"}
    assert db.check_financing(values, rules) == ({}, {})
    errors, _ = db.check_financing({**values, **LONG, "description": "z" * 5_001}, rules)
    assert errors == {
        "intitule": REASONS[0].split(" : ", 1)[1],
        "remarque": REASONS[1].split(" : ", 1)[1],
        "description": "5\u00a0001 caractères : 5\u00a0000 au plus",
    }
    assert "caractères" not in str(db.check_financing({**values, "intitule": "x" * 300}, rules)[0])
