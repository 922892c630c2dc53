"""The server's calendar: the day plans are checked against (« en retard » is judged on it).

A module of its own, without pandas, so that the map page's first look (:mod:`geodash.firstlook`) can
tell whether a view saved on another day still holds before the page's libraries are imported.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

__all__ = ["today"]


def today() -> date:
    """The server's local date: the day steps are checked against and « en retard » is judged on."""
    return datetime.now(timezone.utc).astimezone().date()
