"""A view of the dashboard as URL query parameters: every view is a link.

``?epci=200033579&theme=Culture,Sport&periode=à venir&mode=projecteur&z=11&lat=50.3&lng=2.8``
restores the same EPCI, filters, display mode and map position.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .style import LAYER_KINDS, NATURES, PERIODS, ROAD_CLASSES, THEMES

__all__ = ["View", "parse_view", "view_params"]

MODES = ("normal", "projecteur")


@dataclass
class View:
    epci: str | None = None
    themes: list[str] = field(default_factory=lambda: list(THEMES))
    periodes: list[str] = field(default_factory=lambda: list(PERIODS))
    natures: list[str] = field(default_factory=lambda: list(NATURES))
    routes: list[str] = field(default_factory=lambda: list(ROAD_CLASSES))  # road style keys shown
    couches: list[str] = field(default_factory=lambda: list(LAYER_KINDS))  # context layers shown
    amount_min: float | None = None
    amount_max: float | None = None
    text: str = ""
    mode: str = "normal"
    lat: float | None = None
    lng: float | None = None
    zoom: float | None = None


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


def parse_view(params: Mapping[str, str], sirens: list[str]) -> View:
    """Read a view from query parameters, ignoring anything unknown or malformed."""
    view = View()
    epci = params.get("epci")
    view.epci = epci if epci in sirens else None
    for name, key, allowed in (
        ("themes", "theme", THEMES),
        ("periodes", "periode", PERIODS),
        ("natures", "nature", NATURES),
        ("routes", "routes", ROAD_CLASSES),
        ("couches", "couches", LAYER_KINDS),
    ):
        value = _list(params.get(key), allowed)
        if value is not None:
            setattr(view, name, value)
    view.amount_min = _float(params.get("min"))
    view.amount_max = _float(params.get("max"))
    view.text = (params.get("q") or "")[:200]
    view.mode = params.get("mode") if params.get("mode") in MODES else "normal"
    view.lat, view.lng, view.zoom = _float(params.get("lat")), _float(params.get("lng")), _float(params.get("z"))
    return view


def view_params(view: View) -> dict[str, str]:
    """Query parameters for a view; defaults are left out so links stay short."""
    default = View()
    out: dict[str, str] = {}
    if view.epci:
        out["epci"] = view.epci
    for name, key in (
        ("themes", "theme"),
        ("periodes", "periode"),
        ("natures", "nature"),
        ("routes", "routes"),
        ("couches", "couches"),
    ):
        value = getattr(view, name)
        if value != getattr(default, name):
            out[key] = ",".join(value)
    for name, key in (("amount_min", "min"), ("amount_max", "max"), ("lat", "lat"), ("lng", "lng"), ("zoom", "z")):
        value = getattr(view, name)
        if value is not None:
            out[key] = f"{value:g}"
    if view.text:
        out["q"] = view.text
    if view.mode != "normal":
        out["mode"] = view.mode
    return out
