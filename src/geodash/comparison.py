"""The comparison of territories as the pages show it: the EPCI ranked on one indicator of the bilan,
the EPCI's own bilan (« Le Département sur le territoire, 2015-2018 ») and the count of projects named
in a contract, all as French text ready to show.

Territories are compared on the figures the contracts state (:mod:`geodash.bilan`), never on the sums
of the projects the contracts happen to name: those are a sample, counted here, not ranked.
"""

from __future__ import annotations

import pandas as pd

from . import bilan, settings
from .formatting import format_eur, format_number, format_value, precision_prefix
from .projects import countable

__all__ = [
    "RANKING_COLUMNS",
    "indicator_ids",
    "indicator_label",
    "ranking_table",
    "reference_text",
    "epci_bilan_table",
    "epci_bilan_line",
    "named_projects_line",
    "named_projects_counts",
    "amount_sum_text",
]

RANKING_COLUMNS = ["Rang", "Intercommunalité", "Valeur", "Population", "Lignes du document"]


def indicator_ids(chiffres: pd.DataFrame) -> list[str]:
    """Identifiers of the comparable indicators (:func:`geodash.bilan.comparable_indicators`), default first."""
    return [i.id for i in bilan.comparable_indicators(chiffres)]


def indicator_label(indicator: bilan.Indicator) -> str:
    """``"Investissement du Département par habitant (2015-2018)"``: the choice as the sidebar lists it."""
    return f"{indicator.label} ({indicator.period})"


def ranking_table(
    chiffres: pd.DataFrame, epci: pd.DataFrame, communes: pd.DataFrame, indicator: str | bilan.Indicator
) -> pd.DataFrame:
    """The EPCI ranked on ``indicator``, highest first, as French text.

    Columns :data:`RANKING_COLUMNS`. ``Valeur`` carries the precision (« au moins 412 € / hab. ») and is
    rounded like the map's tooltips (to the euro per inhabitant); an EPCI without the figure has no rank
    (« – ») and its reason instead of a value (« pas de contrat dans le document », « non précisé dans le
    contrat »), never 0.
    """
    ind = bilan.indicator_of(chiffres, indicator)
    table = bilan.indicator_values(chiffres, epci, communes, ind)
    rows = []
    for r in table.itertuples():
        stated = pd.notna(r.valeur)
        rows.append(
            {
                "Rang": str(int(r.rang)) if stated else "–",
                "Intercommunalité": str(r.nom),
                "Valeur": format_value(r.valeur, ind.unit, r.precision, decimals=0) if stated else str(r.statut),
                "Population": format_number(r.population) if pd.notna(r.population) else "–",
                "Lignes du document": str(r.source).removeprefix("l. ") if stated else "",
            }
        )
    return pd.DataFrame(rows, columns=RANKING_COLUMNS)


def reference_text(chiffres: pd.DataFrame, communes: pd.DataFrame, indicator: str | bilan.Indicator) -> str:
    """``"Pas-de-Calais (19 intercommunalités avec contrat) : au moins 412 € / hab."``: the reference value."""
    ind = bilan.indicator_of(chiffres, indicator)
    ref = bilan.departement_reference(chiffres, communes, ind)
    value = format_value(ref["valeur"], ind.unit, ref["precision"], decimals=0)
    return f"{settings.DEPARTEMENT_NOM} ({ref['epci']} intercommunalités avec contrat) : {value}"


EPCI_BILAN_COLUMNS = ["Domaine", "Montant 2015-2018", "Par habitant", "Pas-de-Calais, par habitant", "Lignes"]


def epci_bilan_table(chiffres: pd.DataFrame, communes: pd.DataFrame, siren: str) -> pd.DataFrame:
    """One EPCI's stated investment 2015-2018 by domain, then the total, vs the département (French text).

    Empty for an EPCI without a contract in the document; a domain the contract does not state has no row.
    """
    inv = bilan.epci_investment(chiffres, communes, siren)
    rows = [
        [r.libelle, r.texte, r.texte_par_habitant, r.texte_departement, str(r.source).removeprefix("l. ")]
        for r in inv.itertuples()
    ]
    return pd.DataFrame(rows, columns=EPCI_BILAN_COLUMNS)


def epci_bilan_line(chiffres: pd.DataFrame, communes: pd.DataFrame, siren: str, name: str) -> str:
    """The bilan in one French sentence; for an EPCI without a contract, says so plainly."""
    inv = bilan.epci_investment(chiffres, communes, siren)
    total = inv[inv["domaine"] == "total"]
    if total.empty:
        return (
            f"{bilan.NO_CONTRACT.capitalize()} pour ce territoire : le contrat de « {name} » ne figure pas "
            f"dans le document source ({bilan.DOCUMENT}). Aucun chiffre du Département n'y est donc déclaré, "
            "et ce territoire n'est pas classé dans les comparaisons."
        )
    t = total.iloc[0]
    ref = bilan.departement_reference(chiffres, communes, "investissement_total_par_habitant")
    per = format_value(t["par_habitant"], "EUR/hab", t["precision"], decimals=0)
    ref_text = format_value(ref["valeur"], "EUR/hab", ref["precision"], decimals=0)
    return (
        f"Le Département sur le territoire, {bilan.PERIOD} : {t['texte']} investis (chiffres du contrat), "
        f"soit {per} ({settings.DEPARTEMENT_NOM} : {ref_text})."
    )


def amount_sum_text(amounts: pd.Series) -> str:
    """Sum of project amounts as French text: ``"–"`` for no project, ``"montant non précisé"`` when no
    project gives an amount, ``"au moins 1 300 000 €"`` when some do not (a lower bound), never 0 €."""
    if len(amounts) == 0:
        return "–"
    known = amounts.dropna()
    if known.empty:
        return "montant non précisé"
    return precision_prefix("minimum" if len(known) < len(amounts) else "exact") + format_eur(float(known.sum()))


def named_projects_line(financements: pd.DataFrame, *, has_contract: bool = True, detail: bool = True) -> str:
    """``"Projets cités dans le contrat : 26, dont 12 avec montant (au moins 3 400 000 € …)"``.

    The projects a contract names are a sample of what the Département does on the territory: the
    sentence says so, so that nobody reads their sum as the total (``detail``: with that sum). A financing
    shared by several contracts counts once.
    """
    rows = countable(financements)
    n = len(rows)
    amounts = rows["montant_departement_eur"] if n else pd.Series(dtype=float)
    m = int(amounts.notna().sum())
    where = "le contrat" if has_contract else "le document"
    text = f"Projets cités dans {where} : {n}, dont {m} avec montant"
    if m and detail:
        text += f" ({amount_sum_text(amounts)} pour ceux-ci ; une sélection, pas le total du Département)"
    return text + "."


def named_projects_counts(financements: pd.DataFrame, epci: pd.DataFrame) -> pd.DataFrame:
    """Per EPCI, how many projects its contract names and how many with an amount (a count, not a ranking)."""
    rows = countable(financements)
    n = rows.groupby("epci_siren").size()
    m = rows[rows["montant_departement_eur"].notna()].groupby("epci_siren").size()
    return pd.DataFrame(
        {
            "Intercommunalité": epci["nom_court"].astype(str).to_list(),
            "Projets cités": [str(int(n.get(s, 0))) for s in epci["siren"]],
            "dont avec montant": [str(int(m.get(s, 0))) for s in epci["siren"]],
        }
    )
