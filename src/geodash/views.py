"""A view of the dashboard as URL query parameters: every view is a link.

``?epci=200033579&theme=Culture,Sport&periode=à venir&mode=projecteur&z=11&lat=50.3&lng=2.8``
restores the same EPCI, filters, display mode and map position. A link is typed, pasted and cut by
people: anything unknown, malformed or out of range is ignored (or clamped), never an empty map.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from .selection import Filters
from .style import LAYER_KINDS, NATURES, PERIODS, ROAD_CLASSES, THEMES

__all__ = ["View", "parse_view", "view_params", "LAT_RANGE", "LNG_RANGE", "ZOOM_RANGE"]

MODES = ("normal", "projecteur")
#: A linked map position is kept only around the Pas-de-Calais (a wider box than the département) and
#: at a zoom Leaflet draws with our layers; anything else opens the map on its territory.
LAT_RANGE = (49.5, 51.5)
LNG_RANGE = (0.8, 3.8)
ZOOM_RANGE = (6.0, 18.0)


@dataclass
class View:
    """A page view: its :class:`~geodash.selection.Filters`, the context layers shown, the display
    mode and the map position (``None``: the map's own)."""

    filters: Filters = field(default_factory=Filters)
    couches: list[str] = field(default_factory=lambda: list(LAYER_KINDS))  # context layers shown
    mode: str = "normal"
    lat: float | None = None
    lng: float | None = None
    zoom: float | None = None
    indicateur: str | None = None  # indicator of the comparison (None: the default)


_LISTS = (("themes", "theme", THEMES), ("periodes", "periode", PERIODS), ("natures", "nature", NATURES))


def _list(raw: str | None, allowed) -> list[str] | None:
    """The known values of a comma-separated list, in the order of ``allowed`` (a link that names them in
    another order is the same view); ``None`` (no filter) when the list names only unknown values, so
    that a mistyped theme never empties the map. An empty list is a choice of none."""
    if raw is None:
        return None
    items = {x.strip() for x in str(raw).split(",") if x.strip()}
    known = [x for x in allowed if x in items]
    return known if known or not items else None


def _float(raw: str | None, low: float = -math.inf, high: float = math.inf) -> float | None:
    """A finite number within ``[low, high]``, else ``None``."""
    try:
        value = float(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and math.isfinite(value) and low <= value <= high else None


def _amounts(raw_min: str | None, raw_max: str | None, top: float | None) -> tuple[float | None, float | None]:
    """Amount bounds within the data's range ``[0, top]``: a bound outside it is open (``None``),
    reversed bounds are both dropped rather than silently swapped or emptying the map."""
    high = math.inf if top is None else top
    low_value = _float(raw_min, 0.0, high)
    high_value = _float(raw_max, 0.0, math.inf)
    if not high_value or high_value >= high:
        high_value = None  # nothing below 0 €, or at or above the largest amount: no upper bound
    if low_value is not None and high_value is not None and low_value > high_value:
        return None, None
    return low_value or None, high_value


def parse_view(
    params: Mapping[str, str],
    sirens: list[str],
    indicators: Collection[str] = (),
    *,
    amount_top: float | None = None,
) -> View:
    """Read a view from query parameters, ignoring anything unknown, malformed or out of range.

    ``indicators``: the identifiers ``?indicateur=`` may take (:func:`geodash.comparison.indicator_ids`);
    ``amount_top``: the largest amount of the data (the amount filter's range is ``[0, amount_top]``).
    """
    epci = params.get("epci")
    lists = {name: _list(params.get(key), allowed) for name, key, allowed in _LISTS}
    amount_min, amount_max = _amounts(params.get("min"), params.get("max"), amount_top)
    filters = Filters(
        epci=epci if epci in sirens else None,
        **lists,
        amount_min=amount_min,
        amount_max=amount_max,
        text=str(params.get("q") or "")[:200],
        routes=_list(params.get("routes"), ROAD_CLASSES),
    )
    couches = _list(params.get("couches"), LAYER_KINDS)
    lat, lng = _float(params.get("lat"), *LAT_RANGE), _float(params.get("lng"), *LNG_RANGE)
    if lat is None or lng is None:  # half a position is no position
        lat = lng = None
    zoom = _float(params.get("z"), -math.inf, math.inf)
    return View(
        filters=filters,
        couches=couches if couches is not None else list(LAYER_KINDS),
        mode=params.get("mode") if params.get("mode") in MODES else "normal",
        lat=lat,
        lng=lng,
        zoom=None if zoom is None else min(max(zoom, ZOOM_RANGE[0]), ZOOM_RANGE[1]),
        indicateur=params.get("indicateur") if params.get("indicateur") in indicators else None,
    )


def _number(value: float) -> str:
    """``1000001`` rather than ``1e+06``: the link reads back the very same number."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def view_params(view: View) -> dict[str, str]:
    """Query parameters for a view; defaults are left out so links stay short."""
    flt = view.filters
    out: dict[str, str] = {}
    if flt.epci:
        out["epci"] = flt.epci
    for name, key, _ in (*_LISTS, ("routes", "routes", None)):
        value = getattr(flt, name)
        if value is not None:
            out[key] = ",".join(value)
    if set(view.couches) != set(LAYER_KINDS):
        out["couches"] = ",".join(view.couches)
    for value, key in (
        (flt.amount_min, "min"),
        (flt.amount_max, "max"),
        (view.lat, "lat"),
        (view.lng, "lng"),
        (view.zoom, "z"),
    ):
        if value is not None:
            out[key] = _number(value)
    if flt.text:
        out["q"] = flt.text
    if view.mode != "normal":
        out["mode"] = view.mode
    if view.indicateur:
        out["indicateur"] = view.indicateur
    return out
