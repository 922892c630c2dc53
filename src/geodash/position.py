"""Where the page's map opens (:class:`Position`): decided by :mod:`geodash.viewmodel`, handed to the
map component by :mod:`geodash.pages.mapview`.

A module of its own, without pandas: the map page's first look (:mod:`geodash.pages.firstlook`) draws
the map before the page's libraries are imported.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Position", "UNLINKED"]


@dataclass(frozen=True)
class Position:
    """Where the map opens: a link's centre and zoom (``None``: fitted to the territory), and whether
    the browser tab's last position of this view is restored."""

    center: tuple[float, float] | None = None
    zoom: float | None = None
    restore: bool = True


#: The map's position on a session's first run without a position in its link, and on its later runs.
UNLINKED = Position()
