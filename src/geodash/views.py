"""A view of the dashboard as URL query parameters: every view is a link.

``?epci=200033579&theme=Culture,Sport&periode=à venir&mode=projecteur&z=11&lat=50.3&lng=2.8``
restores the same EPCI, filters, display mode and map position.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from .selection import Filters
from .style import LAYER_KINDS, NATURES, PERIODS, ROAD_CLASSES, THEMES

__all__ = ["View", "parse_view", "view_params"]

MODES = ("normal", "projecteur")


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
    if raw is None:
        return None
    items = [x.strip() for x in raw.split(",") if x.strip()]
    return [x for x in items if x in allowed]


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def parse_view(params: Mapping[str, str], sirens: list[str], indicators: Collection[str] = ()) -> View:
    """Read a view from query parameters, ignoring anything unknown or malformed (``indicators``: the
    identifiers ``?indicateur=`` may take, :func:`geodash.comparison.indicator_ids`)."""
    epci = params.get("epci")
    lists = {name: _list(params.get(key), allowed) for name, key, allowed in _LISTS}
    filters = Filters(
        epci=epci if epci in sirens else None,
        **lists,
        amount_min=_float(params.get("min")),
        amount_max=_float(params.get("max")),
        text=(params.get("q") or "")[:200],
        routes=_list(params.get("routes"), ROAD_CLASSES),
    )
    couches = _list(params.get("couches"), LAYER_KINDS)
    return View(
        filters=filters,
        couches=couches if couches is not None else list(LAYER_KINDS),
        mode=params.get("mode") if params.get("mode") in MODES else "normal",
        lat=_float(params.get("lat")),
        lng=_float(params.get("lng")),
        zoom=_float(params.get("z")),
        indicateur=params.get("indicateur") if params.get("indicateur") in indicators else None,
    )


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
    for value, key in ((flt.amount_min, "min"), (flt.amount_max, "max")):
        if value is not None:
            out[key] = f"{value:g}"
    for value, key in ((view.lat, "lat"), (view.lng, "lng"), (view.zoom, "z")):
        if value is not None:
            out[key] = f"{value:g}"
    if flt.text:
        out["q"] = flt.text
    if view.mode != "normal":
        out["mode"] = view.mode
    if view.indicateur:
        out["indicateur"] = view.indicateur
    return out
