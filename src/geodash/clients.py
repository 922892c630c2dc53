"""Who is asking, and how often: the bounds of what an anonymous client may ask of the server.

* :func:`client_address`: a client's address, read from the forwarding headers (``X-Real-IP``,
  ``X-Forwarded-For``) only when the connection comes from a proxy named in the configuration
  (:func:`geodash.settings.trusted_proxies`); any other peer could write any address there.
* :class:`RateLimit`: a token bucket per client address.
* :func:`bounded`: a Starlette endpoint behind both, and a bound on the length of its query (the
  public routes of ``serve.py``, :mod:`geodash.ahead`).

The sign-in throttling (:mod:`geodash.pages.signin`) keys on :func:`client_address` too.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from . import settings

__all__ = ["LOCAL", "client_address", "RateLimit", "bounded"]

#: The key of a client connected on the loopback with no trusted forwarded address (``st.context``
#: gives no address for a loopback connection).
LOCAL = "local"
_LOOPBACK = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


def _ip(text: object):
    try:
        return ipaddress.ip_address(str(text).strip())
    except ValueError:
        return None


def _trusted(address, trusted: tuple) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def client_address(peer: str | None, headers: Mapping[str, str], trusted: Iterable) -> str:
    """The address a request comes from, for throttling and rate limits.

    ``peer`` is the connection's address (``None``: a loopback connection, as ``st.context.ip_address``
    reports it); ``headers`` the request's; ``trusted`` the proxies (``ipaddress`` networks) whose
    forwarding headers are believed. From a trusted peer: ``X-Real-IP`` (set by deploy/nginx.conf),
    else the last address of ``X-Forwarded-For`` that is not a trusted proxy (the first ones are
    the client's to write); a header that is not an IP address is ignored. From any other peer the
    headers are ignored: its own address (:data:`LOCAL` for a loopback connection).

    >>> from ipaddress import ip_network
    >>> client_address("198.51.100.7", {"X-Real-IP": "10.0.0.1"}, [])
    '198.51.100.7'
    >>> client_address("127.0.0.1", {"X-Real-IP": "10.0.0.1"}, [ip_network("127.0.0.1")])
    '10.0.0.1'
    """
    trusted = tuple(trusted)
    own = _ip(peer) if peer is not None else None
    seen = (own,) if own is not None else _LOOPBACK if peer is None else ()
    if not any(_trusted(address, trusted) for address in seen):
        return LOCAL if peer is None else peer
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    real = _ip(lowered.get("x-real-ip", ""))
    if real is not None:
        return str(real)
    for part in reversed(lowered.get("x-forwarded-for", "").split(",")):
        address = _ip(part)
        if address is None:
            break  # garbage: nothing before it can be believed
        if not _trusted(address, trusted):
            return str(address)
    return LOCAL if peer is None else peer


class RateLimit:
    """A token bucket per client: ``burst`` requests at once, then ``rate`` a second.

    At most ``clients`` buckets are kept, the longest unused dropped first (a client dropped starts
    again with a full bucket). Thread-safe.
    """

    def __init__(self, rate: float, burst: int, *, clients: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clients, self.clock = rate, burst, clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Take a token for ``client``: 0 if it may go on, else the seconds before it may (nothing taken)."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens >= 1:
                tokens -= 1
                wait = 0.0
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.clients:
                self._buckets.popitem(last=False)
        return wait


def bounded(endpoint: Callable, *, limit: RateLimit, max_query: int) -> Callable:
    """The Starlette ``endpoint`` behind the bounds of a public route: a query string longer than
    ``max_query`` characters is answered 414, a client over its ``limit`` (keyed by
    :func:`client_address`) 429 with ``Retry-After`` (seconds); neither reaches the endpoint."""

    @functools.wraps(endpoint)
    async def bounded_endpoint(request: Request) -> Response:
        if len(request.url.query) > max_query:
            return Response(status_code=414, headers={"Cache-Control": "no-store"})
        peer = request.client.host if request.client is not None else None
        wait = limit.wait(client_address(peer, request.headers, settings.trusted_proxies()))
        if wait > 0:
            return Response(status_code=429, headers={"Retry-After": str(math.ceil(wait)), "Cache-Control": "no-store"})
        return await endpoint(request)

    return bounded_endpoint
