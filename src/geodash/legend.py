"""What a map shows and how it is named, for both media: the symbology model.

The web map (:mod:`geodash.webmap`, :mod:`geodash.weblayers`) and the print sheet
(:mod:`geodash.printmap`) take from here the legend groups and their counts, the box of the
EPCI-wide items, the marker numbers, the follow-up badges of the markers, the label texts (name and
amount apart), the choropleth classes and colours, the road drawing order and the titles; they only
draw what this module returns, so the two media cannot drift apart. Colours, shapes and widths stay in :mod:`geodash.style`. Nothing here
draws or reads a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from . import settings, style
from .formatting import NBSP, format_eur_short, format_number, format_value
from .layers import filter_roads

__all__ = [
    "MEDIA",
    "MARGIN_M",
    "DEPARTEMENT_TITLE",
    "LegendEntry",
    "LegendGroup",
    "EpciWideBox",
    "Legend",
    "ContextCounts",
    "CONTRACT_STATES",
    "NO_BADGE_NOTE",
    "number_projects",
    "state_badge",
    "state_badges",
    "label_parts",
    "project_label",
    "Choropleth",
    "as_choropleth",
    "bilan_choropleth",
    "choropleth_classes",
    "class_color",
    "format_break",
    "choropleth_entries",
    "choropleth_group",
    "road_draw_order",
    "map_title",
    "subtitle",
    "context_region",
    "count_context",
    "project_groups",
    "state_group",
    "context_groups",
    "boundary_group",
    "epci_wide_box",
    "build_legend",
]

#: The two media a legend is drawn on.
MEDIA = ("web", "print")

#: Margin (metres) kept around the chosen EPCI so its roads can be followed to the next town; the
#: legend counts the context features of that region on both media.
MARGIN_M = 3000.0

#: Title of the département view, on both media.
DEPARTEMENT_TITLE = f"{settings.DEPARTEMENT_NOM} : les 20 intercommunalités"


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: what is drawn (``kind``, ``key`` of its style) and its French label."""

    # "period" | "theme" | "state" | "note" | "choropleth" | "road" | "road_work" | "site" | "area" | "water"
    # | "boundary"
    kind: str
    key: str
    label: str
    count: int | None = None
    color: str | None = None  # choropleth classes only (the other kinds take their style by key)

    @property
    def text(self) -> str:
        """The label as shown: ``"Culture (3)"``."""
        return self.label if self.count is None else f"{self.label} ({self.count})"


@dataclass(frozen=True)
class LegendGroup:
    """A titled group of entries, and the media it is drawn on."""

    key: str  # a key of style.GROUP_TITLES
    title: str
    entries: tuple[LegendEntry, ...]
    media: tuple[str, ...] = MEDIA


@dataclass(frozen=True)
class EpciWideBox:
    """The financings of the whole EPCI (no place on the map): those with an amount are listed, the
    engagements without one are counted."""

    items: tuple[tuple[str, str, str, str], ...]  # (theme, periode, name, amount text)
    n_engagements: int
    title: str = style.GROUP_TITLES["epci_wide"]
    badges: tuple[str | None, ...] = ()  # the follow-up badge of each item (state_badge), when known

    def badge(self, i: int) -> str | None:
        """The badge of the ``i``-th item, ``None`` when it has none."""
        return self.badges[i] if i < len(self.badges) else None

    def engagements_text(self, *, scope: bool = False) -> str:
        """``"et 2 engagements sans montant"`` (``scope``: "… à l'échelle de l'intercommunalité")."""
        if not self.n_engagements:
            return ""
        n = self.n_engagements
        text = f"et {n} engagement{'s' if n > 1 else ''} sans montant"
        return text + (" à l'échelle de l'intercommunalité" if scope else "")


@dataclass(frozen=True)
class Legend:
    """Everything a map's legend says, in drawing order."""

    title: str
    groups: tuple[LegendGroup, ...]
    epci_wide: EpciWideBox | None = None

    def groups_for(self, medium: str) -> tuple[LegendGroup, ...]:
        """The groups drawn on ``medium`` ("web" or "print")."""
        return tuple(g for g in self.groups if medium in g.media)

    def rows(self, medium: str) -> list[tuple[str, str]]:
        """``(group title, entry text)`` for each line drawn on ``medium``, in order."""
        return [(g.title, e.text) for g in self.groups_for(medium) for e in g.entries]


@dataclass(frozen=True)
class ContextCounts:
    """What the legend counts of the Département's layers: distinct road numbers per road style,
    highlighted road works, sites per type, areas per land-cover class (``cours_eau``: lines)."""

    roads: dict[str, int]
    works: int = 0
    sites: dict[str, int] | None = None
    areas: dict[str, int] | None = None


# --- Projects ----------------------------------------------------------------------------------


def number_projects(placed: pd.DataFrame) -> pd.Series:
    """Stable 1..n numbers keyed to the list: by theme (legend order), then amount, then id."""
    if placed.empty:
        return pd.Series(dtype=int)
    order = placed.assign(
        _t=placed["theme"].map({t: i for i, t in enumerate(style.THEMES)}),
        _a=-placed["montant_departement_eur"].fillna(-1),
    ).sort_values(["_t", "_a", "id"])
    return pd.Series(np.arange(1, len(order) + 1), index=order.index)


def label_parts(row: pd.Series) -> tuple[str, str]:
    """French map label (not escaped) as ``(name, amount text)``; the amount text is ``""`` when the
    source gives no amount (an engagement too): the label is then the name alone, never 0 €.

    ``("RD 208", "417 000 €")``, ``("Médiathèque", "À venir : 1,3 million €")``, ``("Étude", "")``.
    """
    amount = row.get("montant_departement_eur")
    if row.get("nature") == "engagement" or pd.isna(amount):
        suffix = ""
    elif row.get("nature") == "fonctionnement":
        suffix = f"Fonctionnement : {format_eur_short(amount)}"
    else:
        suffix = format_eur_short(amount)
        if row.get("periode") == "à venir":
            suffix = f"À venir : {suffix}"
    return f"{row['intitule']}", suffix


def project_label(row: pd.Series) -> str:
    """French map label text on one line (not escaped): ``"RD 208 – 417 000 €"``."""
    name, amount = label_parts(row)
    return name + (f" – {amount}" if amount else "")


#: What the 2019 contract says of a financing, by period: a 2015-2018 financing was voted, a financing
#: « à venir » announced (:func:`geodash.progress.document_vote`). A marker shows a badge only when its
#: follow-up says something else.
CONTRACT_STATES = {"2015-2018": "vote", "à venir": "annonce"}
#: The note under the follow-up entries of the legend.
NO_BADGE_NOTE = "Sans pastille : état prévu par le contrat de 2019"


def _is_true(value) -> bool:
    """``value`` is a true boolean (``True``, ``numpy.True_``, 1): a missing value is not."""
    return isinstance(value, (bool, np.bool_, int, np.integer)) and bool(value)


def state_badge(
    etat: str | None, periode: str | None, late: bool | None = False, recorded: bool | None = True
) -> str | None:
    """The follow-up badge of a financing (a key of :data:`geodash.style.BADGES`), or ``None``.

    « retard » when the financing is late (:func:`geodash.progress.late`); none when nothing was recorded
    since the contract (``recorded`` false: the state is the 2019 document's, the 21 subsidies the
    délibération 2019-117 voted with the contracts included), when its state is what the contract says
    for its period (:data:`CONTRACT_STATES`) or is unknown; otherwise its state (``etat``,
    one of :data:`geodash.progress.ETATS`): ``"vote"`` for a financing « à venir » that was voted,
    ``"verse"``, ``"realise"``, ``"abandonne"``, ``"reporte"``.

    Examples
    --------
    >>> state_badge("vote", "2015-2018", False) is None
    True
    >>> state_badge("vote", "à venir", False)
    'vote'
    >>> state_badge("vote", "à venir", True)
    'retard'
    >>> state_badge("vote", "à venir", False, recorded=False) is None
    True
    """
    if _is_true(late):
        return "retard"
    if recorded is not None and not _is_true(recorded):
        return None
    if not isinstance(etat, str) or etat not in style.BADGES or etat == CONTRACT_STATES.get(periode):
        return None
    return etat


def state_badges(frame: pd.DataFrame | None) -> pd.Series:
    """:func:`state_badge` of each row of ``frame`` (columns ``etat``, ``periode``, ``en_retard``,
    ``suivi_enregistre``), as a
    Series indexed like it: ``None`` where a row has no badge, everywhere when the frame has neither
    ``etat`` nor ``en_retard`` (a frame without follow-up is drawn as before)."""
    if frame is None:
        return pd.Series(dtype=object)
    out = np.full(len(frame), None, dtype=object)  # None, not NaN: a missing badge is no badge
    if "etat" in frame:
        etat = frame["etat"].to_numpy(dtype=object)
        periode = frame["periode"] if "periode" in frame else pd.Series(None, index=frame.index, dtype=object)
        expected = periode.map(CONTRACT_STATES).to_numpy(dtype=object)
        shown = frame["etat"].isin(list(style.BADGES)).to_numpy() & (etat != expected)
        if "suivi_enregistre" in frame:
            shown &= frame["suivi_enregistre"].map(_is_true).to_numpy(dtype=bool)
        out[shown] = etat[shown]
    if "en_retard" in frame:
        out[frame["en_retard"].map(_is_true).to_numpy(dtype=bool)] = "retard"
    return pd.Series(out, index=frame.index, dtype=object)


def _items(placed: pd.DataFrame | None, unplaced: pd.DataFrame | None) -> pd.DataFrame:
    frames = [f.drop(columns="geometry", errors="ignore") for f in (placed, unplaced) if f is not None and not f.empty]
    return pd.concat(frames) if frames else pd.DataFrame(columns=["theme", "periode"])


def project_groups(placed: pd.DataFrame | None, unplaced: pd.DataFrame | None) -> list[LegendGroup]:
    """Projects counted by period, then by theme (placed and EPCI-wide together); empty: none."""
    items = _items(placed, unplaced)
    if items.empty:
        return []
    periods = tuple(
        LegendEntry("period", p, ps.label, int((items["periode"] == p).sum()))
        for p, ps in style.PERIODS.items()
        if (items["periode"] == p).any()
    )
    themes = tuple(
        LegendEntry("theme", t, ts.label, int((items["theme"] == t).sum()))
        for t, ts in style.THEMES.items()
        if (items["theme"] == t).any()
    )
    groups = [
        LegendGroup("projets", style.GROUP_TITLES["projets"], periods),
        LegendGroup("themes", style.GROUP_TITLES["themes"], themes),
    ]
    state = state_group(items)
    return groups + ([state] if state is not None else [])


def state_group(items: pd.DataFrame | None) -> LegendGroup | None:
    """The follow-up group: the projects counted by badge (:func:`state_badges`) in the order of
    :data:`geodash.style.BADGES`, then the note that a marker without badge is as the contract says;
    ``None`` when no project has a badge (or the frame no follow-up)."""
    badges = state_badges(items)
    counts = badges.value_counts()
    if counts.empty:
        return None
    entries = [LegendEntry("state", k, b.label, int(counts[k])) for k, b in style.BADGES.items() if k in counts]
    entries.append(LegendEntry("note", "contrat", NO_BADGE_NOTE))
    return LegendGroup("suivi", style.GROUP_TITLES["suivi"], tuple(entries))


def epci_wide_box(unplaced: pd.DataFrame | None) -> EpciWideBox | None:
    """The EPCI-wide box: the items with an amount, and the number of engagements without one."""
    if unplaced is None or unplaced.empty:
        return None
    with_amount = unplaced[unplaced["montant_departement_eur"].notna()]
    items = tuple((row["theme"], row["periode"], *label_parts(row)) for _, row in with_amount.iterrows())
    badges = tuple(state_badges(with_amount))
    return EpciWideBox(items, len(unplaced) - len(with_amount), badges=badges if any(badges) else ())


# --- Choropleth ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choropleth:
    """An indicator mapped by EPCI, and what its legend says (same on both media).

    ``values`` by SIREN (NaN: no value); ``status`` by SIREN gives the text shown instead of a value
    (``"pas de contrat dans le document"``); ``precision`` by SIREN is ``exact``, ``au moins`` or
    ``environ``. ``unit`` is ``"EUR"``, ``"EUR/hab"`` or a count unit (see :func:`formatting.format_value`).
    """

    values: pd.Series
    label: str = style.GROUP_TITLES["choropleth"]
    unit: str = "EUR/hab"
    period: str = ""
    source: str = ""
    status: pd.Series | None = None
    precision: pd.Series | None = None
    reference: str = ""  # the département's value, as a sentence

    @property
    def title(self) -> str:
        """``"Investissement du Département par habitant, 2015-2018 (€ / hab.)"``."""
        unit = {"EUR": "€", "EUR/hab": f"€{NBSP}/{NBSP}hab."}.get(self.unit, self.unit)
        return f"{self.label}{', ' + self.period if self.period else ''} ({unit})"

    def breaks(self) -> list[float]:
        return choropleth_classes(self.values)

    def text(self, siren: str) -> str:
        """The value of one EPCI as read on the map (€ per inhabitant to the euro), or why there is none."""
        value = self.values.get(siren, np.nan)
        if pd.isna(value):
            return str(self.status.get(siren, "")) if self.status is not None else format_value(value, self.unit)
        precision = self.precision.get(siren, "exact") if self.precision is not None else "exact"
        return format_value(value, self.unit, precision, decimals=0)

    def missing(self) -> dict[str, list[str]]:
        """Status text → SIRENs without a value, in order of first appearance."""
        out: dict[str, list[str]] = {}
        for siren, value in self.values.items():
            if pd.isna(value):
                out.setdefault(self.text(siren) or "pas de valeur", []).append(siren)
        return out


def as_choropleth(choropleth: Choropleth | pd.Series | None) -> Choropleth | None:
    """A :class:`Choropleth` from itself or from a plain Series of € per inhabitant by SIREN."""
    if choropleth is None or isinstance(choropleth, Choropleth):
        return choropleth
    return Choropleth(choropleth)


def bilan_choropleth(chiffres: pd.DataFrame, epci: pd.DataFrame, communes: pd.DataFrame, indicator: str) -> Choropleth:
    """The choropleth of one comparable indicator of the bilan (:func:`bilan.comparable_indicators`)."""
    from . import bilan

    ind = next((i for i in bilan.comparable_indicators(chiffres) if i.id == indicator), None)
    if ind is None:
        raise KeyError(f"indicateur « {indicator} » inconnu")
    table = bilan.indicator_values(chiffres, epci, communes, ind).set_index("epci_siren")
    ref = bilan.departement_reference(chiffres, communes, ind)
    return Choropleth(
        values=table["valeur"].astype(float),
        label=ind.label,
        unit=ind.unit,
        period=ind.period,
        source=ind.source,
        status=table["statut"].where(table["valeur"].isna(), ""),
        precision=table["precision"],
        reference=f"{settings.DEPARTEMENT_NOM} ({ref['epci']} intercommunalités avec contrat) : "
        + format_value(ref["valeur"], ind.unit, ref["precision"], decimals=0),
    )


def _round_sig(value: float, digits: int = 2, how=np.round) -> float:
    """``value`` to ``digits`` significant figures (``how``: np.round, np.floor or np.ceil)."""
    if value == 0 or not np.isfinite(value):
        return float(value)
    scale = 10.0 ** (digits - 1 - int(np.floor(np.log10(abs(value)))))
    return float(how(value * scale) / scale)


def quantile_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes of ``values``: the algorithm of ``mapclassify.Quantiles``
    (``bins``; the tests compare the two), in numpy alone: mapclassify imports scipy, two seconds of
    the page's first run for twenty values. Ties that make two quantiles equal give fewer classes."""
    step = 100.0 / k
    percents = np.minimum(np.arange(step, 100 + step, step), 100.0)
    return np.unique(np.percentile(values, percents))


def choropleth_classes(values: pd.Series, n: int = len(style.CHOROPLETH)) -> list[float]:
    """Class breaks of a choropleth, from the lowest to the highest value (``n`` classes at most).

    Quantiles (:func:`quantile_bins`, as ``mapclassify.Quantiles``): with about twenty territories, each class holds the same
    number of EPCI (four), so every colour is used and a class reads as a rank ("the fifth of the
    territories where the Département invested most"), which suits figures that are mostly lower bounds;
    natural breaks (Jenks) would make classes of one or two territories out of small gaps, and
    ``NaturalBreaks`` is randomised. Breaks are rounded to two significant figures (230, 340 …; the
    ends outwards) so that the legend reads; a value equal to a break belongs to the upper class; ties
    that make two quantiles equal give fewer classes. Missing values are not classed (see :func:`class_color`).
    """
    clean = values.dropna().astype(float)
    if clean.empty:
        return [0.0]
    lo, hi = float(clean.min()), float(clean.max())
    if clean.nunique() < 2:
        return [_round_sig(lo, how=np.floor), _round_sig(hi, how=np.ceil)]
    bins = quantile_bins(clean.to_numpy(), min(n, int(clean.nunique())))
    inner = [_round_sig(b) for b in bins[:-1]]
    breaks = [_round_sig(lo, how=np.floor), *inner, _round_sig(hi, how=np.ceil)]
    out = [breaks[0]]
    for b in breaks[1:]:
        if b > out[-1]:
            out.append(b)
    return out


def class_color(value: float, breaks: list[float]) -> str:
    """Colour of ``value`` in the classes ``breaks``; a missing value gets the neutral "no value" colour."""
    if value is None or pd.isna(value) or len(breaks) < 2:
        return style.CHOROPLETH_NO_VALUE
    idx = int(np.searchsorted(breaks[1:-1], value, side="right"))
    return style.CHOROPLETH[min(idx, len(style.CHOROPLETH) - 1)]


def format_break(value: float, unit: str = "EUR/hab") -> str:
    """A class bound as the legend writes it: ``"230"`` (the unit is in the group title)."""
    if unit == "EUR":
        return format_eur_short(value).removesuffix(f"{NBSP}€")
    text = format_number(value, 2)  # two significant figures may need two decimals (0,47 pour 1 000 hab.)
    return text.rstrip("0").rstrip(",") if "," in text else text


def choropleth_entries(breaks: list[float], unit: str = "EUR/hab") -> tuple[LegendEntry, ...]:
    """One entry per class, ``"de 230 à moins de 340"``, with its colour (the last class includes its top)."""
    if len(breaks) < 2:
        return ()
    last = len(breaks) - 2
    return tuple(
        LegendEntry(
            "choropleth",
            str(i),
            f"de {format_break(lo, unit)} à {'' if i == last else 'moins de '}{format_break(hi, unit)}",
            color=style.CHOROPLETH[min(i, len(style.CHOROPLETH) - 1)],
        )
        for i, (lo, hi) in enumerate(zip(breaks[:-1], breaks[1:]))
    )


def choropleth_group(choropleth: Choropleth | pd.Series, names: dict[str, str] | None = None) -> LegendGroup | None:
    """The legend group of a choropleth: its classes, then one neutral entry per reason for no value
    (``"pas de contrat dans le document (Pays de Saint-Omer)"``); ``names``: short name by SIREN."""
    cp = as_choropleth(choropleth)
    entries = list(choropleth_entries(cp.breaks(), cp.unit))
    for text, sirens in cp.missing().items():
        who = ", ".join(names.get(s, s) for s in sirens) if names else ""
        entries.append(
            LegendEntry("choropleth", "aucune", f"{text} ({who})" if who else text, color=style.CHOROPLETH_NO_VALUE)
        )
    if not entries:
        return None
    title = style.GROUP_TITLES["choropleth"] if isinstance(choropleth, pd.Series) else cp.title
    return LegendGroup("choropleth", title, tuple(entries))


# --- Context layers -------------------------------------------------------------------------------


def road_draw_order(keys: Iterable[str] | None = None) -> list[str]:
    """Road style keys bottom to top (motorways on top of départementales), limited to ``keys``."""
    wanted = None if keys is None else set(keys)
    return [k for k in style.ROAD_DRAW_ORDER if wanted is None or k in wanted]


def context_region(territories, epci_siren: str | None) -> tuple[float, float, float, float] | None:
    """Lambert-93 box of the chosen EPCI plus :data:`MARGIN_M`; ``None`` for the whole département."""
    if epci_siren is None or territories is None:
        return None
    chosen = territories.epci[territories.epci["siren"] == epci_siren].to_crs(settings.CRS_METRIC)
    if chosen.empty:
        return None
    x0, y0, x1, y1 = chosen.total_bounds
    return (x0 - MARGIN_M, y0 - MARGIN_M, x1 + MARGIN_M, y1 + MARGIN_M)


def _in_region(frame, region):
    """Rows of ``frame`` (any projected CRS) with something inside ``region`` (None: all rows)."""
    if frame is None or frame.empty:
        return None
    frame = frame.to_crs(settings.CRS_METRIC)
    if region is None:
        return frame
    geoms = frame.geometry.to_numpy()
    inside = shapely.intersects(geoms, shapely.box(*region))
    cut = geoms[inside].copy()
    not_point = shapely.get_type_id(cut) != 0
    cut[not_point] = shapely.clip_by_rect(cut[not_point], *region)
    part = frame[inside]
    return part[~shapely.is_empty(cut)]


def count_context(
    loaded,
    *,
    region: tuple[float, float, float, float] | None = None,
    categories: Iterable[str] | None = None,
    works=None,
) -> ContextCounts:
    """Count what the legend names of the layers ``loaded`` (``layers.LoadedLayers``) in ``region``.

    Roads are filtered by ``categories`` (style keys, ``None``: all) and counted by distinct number;
    ``works`` (from :func:`geodash.layers.road_works`) are the highlighted roads, if drawn.
    """
    roads = _in_region(loaded.routes, region)
    road_counts: dict[str, int] = {}
    if roads is not None:
        roads = filter_roads(roads, categories)
        road_counts = {k: int(n) for k, n in roads.groupby("style")["numero"].nunique().items() if n}
    work_part = _in_region(works, region)
    sites = _in_region(loaded.sites, region)
    site_counts = {} if sites is None else {k: int(n) for k, n in sites["type"].value_counts().items()}
    land = _in_region(loaded.occupation_sol, region)
    area_counts = {}
    if land is not None:  # a line class in the land-cover file is not drawn from it
        drawn = land[~land["classe"].map(lambda k: k in style.LAND_COVER and style.LAND_COVER[k].line)]
        area_counts = {k: int(n) for k, n in drawn["classe"].value_counts().items()}
    water = _in_region(loaded.cours_eau, region)
    if water is not None and len(water):
        area_counts["cours_eau"] = len(water)
    return ContextCounts(road_counts, 0 if work_part is None else len(work_part), site_counts, area_counts)


def context_groups(counts: ContextCounts | None) -> list[LegendGroup]:
    """Legend groups of the context layers, only what is drawn, with counts."""
    if counts is None:
        return []
    groups = []
    rd = [LegendEntry("road_work", "travaux", style.ROAD_WORK.label, counts.works)] if counts.works else []
    rd += [
        LegendEntry("road", k, style.ROAD_CLASSES[k].label, counts.roads[k])
        for k in style.RD_CATEGORIES
        if counts.roads.get(k)
    ]
    other = [
        LegendEntry("road", k, style.ROAD_CLASSES[k].label, counts.roads[k])
        for k in style.ROAD_CLASSES
        if k not in style.RD_CATEGORIES and counts.roads.get(k)
    ]
    sites = [
        LegendEntry("site", k, s.label, (counts.sites or {})[k])
        for k, s in style.SITE_TYPES.items()
        if (counts.sites or {}).get(k)
    ]
    areas = [
        LegendEntry("water" if f.line else "area", k, f.label, (counts.areas or {})[k])
        for k, f in style.LAND_COVER.items()
        if (counts.areas or {}).get(k)
    ]
    for key, entries in (("routes", rd), ("autres_routes", other), ("sites", sites), ("sol", areas)):
        if entries:
            groups.append(LegendGroup(key, style.GROUP_TITLES[key], tuple(entries)))
    return groups


def boundary_group(epci_siren: str | None) -> LegendGroup:
    """The boundaries: drawn in the print legend only (on screen a boundary answers to the pointer)."""
    keys = ("epci",) if epci_siren is None else ("epci", "commune")
    entries = tuple(LegendEntry("boundary", k, style.BOUNDARIES[k].label) for k in keys)
    return LegendGroup("limites", style.GROUP_TITLES["limites"], entries, media=("print",))


# --- Titles and the whole legend ------------------------------------------------------------------


def map_title(epci_name: str | None) -> str:
    """Title of a map: the EPCI's name, or the département's title."""
    return DEPARTEMENT_TITLE if epci_name is None else str(epci_name)


def subtitle(subject: str, period_text: str, filters_text: str = "") -> str:
    """``"Financements du Département – 2015-2018 et à venir – thématiques : Sport"``."""
    return f"{subject} – {period_text}" + (f" – {filters_text}" if filters_text else "")


def build_legend(
    *,
    title: str,
    placed: pd.DataFrame | None = None,
    unplaced: pd.DataFrame | None = None,
    epci_siren: str | None = None,
    choropleth: Choropleth | pd.Series | None = None,
    context: ContextCounts | None = None,
    extra: Iterable[LegendGroup] = (),
    names: dict[str, str] | None = None,
) -> Legend:
    """The legend of one map, the same on both media.

    Parameters
    ----------
    title
        From :func:`map_title`.
    placed, unplaced
        The filtered projects on the map and the EPCI-wide ones.
    epci_siren
        The chosen EPCI, ``None`` for the département.
    choropleth
        The indicator mapped (département view), or € per inhabitant by SIREN: its classes are listed,
        then the EPCI without a value.
    context
        Counts of the Département's layers drawn (:func:`count_context`).
    extra
        More groups, drawn after the context layers.
    names
        Short EPCI names by SIREN, to name the EPCI without a value in the legend.
    """
    groups = project_groups(placed, unplaced)
    if epci_siren is None and choropleth is not None:
        group = choropleth_group(choropleth, names)
        if group is not None:
            groups.append(group)
    groups += context_groups(context)
    groups += list(extra)
    groups.append(boundary_group(epci_siren))
    return Legend(title, tuple(groups), epci_wide_box(unplaced))
