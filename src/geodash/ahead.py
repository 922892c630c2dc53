"""The map of the territory a visitor just chose, served to the map frame ahead of the page's rerun.

Choosing another EPCI reruns the whole page: the server's run, then the browser's rendering of the
sidebar and the page, and only then the map frame gets its new view. The frame does not wait
(``static/switch_ahead.js``): when the sidebar's list closes on another territory, or the projector's
« Précédent » / « Suivant » is pressed, it asks this route for the view the rerun will show
(:func:`geodash.pages.carte.switch_script`, the very script the run sends, kept with the data) and
draws it at once; the run's copy then finds its view drawn (:func:`geodash.mapframe.view_script`).

``GET /geodash/vue?<the page's link>&vers=<territory label>`` or ``…&pas=1`` (``-1``): the view's
script (``text/javascript``), or 204 when there is no EPCI view to draw ahead (a département view).
The route is public: a client asking too often gets 429 (:data:`LIMIT`), a query too long 414
(:data:`MAX_QUERY`); the frame then leaves the view to the page's rerun.
Served by ``serve.py`` (:func:`routes`); the frame is given its part (:func:`frame_script`) only
where the route is served, so ``streamlit run app.py`` draws every view from the page's runs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .clients import RateLimit, bounded

__all__ = ["PATH", "FRAME_SCRIPT", "LIMIT", "MAX_QUERY", "routes", "route", "frame_script", "view_script", "endpoint"]

PATH = "/geodash/vue"
#: Views per client (:func:`geodash.clients.client_address`): 30 at once, then 2 a second. A person
#: running down the list asks for each territory highlighted; a view not kept yet costs ~0.1 s of CPU.
LIMIT = RateLimit(rate=2.0, burst=30)
#: Longest query string (characters): a page's link with every filter and a search text is far shorter.
MAX_QUERY = 2048
#: The frame's part: asks the route and draws its answer (installed with the frame's empty map).
FRAME_SCRIPT = Path(__file__).with_name("static") / "switch_ahead.js"

_served = False

_log = logging.getLogger("geodash.ahead")


def view_script(params: dict[str, str]) -> str | None:
    """The map script for a request's query ``params`` (see the module), ``None`` when there is none.

    ``vers`` names the chosen territory as the sidebar's list shows it; ``pas`` is a move in that list
    (-1 or 1). Anything else in ``params`` is the page's link, read as the page reads it.
    """
    from .pages import carte
    from .selection import cached_base

    params = dict(params)
    to, step = params.pop("vers", None), params.pop("pas", None)
    if (to is None) == (step is None) or step not in (None, "1", "-1"):
        return None
    base = cached_base()
    return carte.switch_script(base, params, to=to, step=int(step or 0))


async def endpoint(request: Request) -> Response:
    """The route: :func:`view_script` computed off the event loop (a view not kept yet takes a run's time)."""
    params = {key: request.query_params[key] for key in request.query_params}
    try:
        script = await asyncio.to_thread(view_script, params)
    except Exception:  # the page's own run shows the error, if any: the frame just waits for it
        _log.exception("vue demandée par la carte : %s", params)
        return Response(status_code=503, headers={"Cache-Control": "no-store"})
    if script is None:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    # Compressed by Streamlit's own middleware when the browser accepts it.
    return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-store"})


def route() -> Route:
    """The route: :func:`endpoint` within the bounds of a public route (:func:`geodash.clients.bounded`)."""
    return Route(PATH, bounded(endpoint, limit=LIMIT, max_query=MAX_QUERY), methods=["GET"])


def routes() -> list[Route]:
    """The routes ``serve.py`` adds to Streamlit's; from then on, map frames get :func:`frame_script`."""
    global _served
    _served = True
    return [route()]


def frame_script() -> str:
    """What the map frame runs once, after its empty map, to draw views ahead of the page: the
    frame's part where the route is served (see :func:`routes`), else nothing."""
    return "\n" + _frame_script() if _served else ""


@functools.cache
def _frame_script() -> str:
    return FRAME_SCRIPT.read_text(encoding="utf-8")
