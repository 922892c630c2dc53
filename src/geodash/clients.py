"""Who is asking: a client's address, read from the forwarding headers (``X-Real-IP``,
``X-Forwarded-For``) only when the connection comes from a proxy named in the configuration
(:func:`geodash.settings.trusted_proxies`); any other peer could write any address there.

The sign-in throttling (:mod:`geodash.pages.signin`) keys on :func:`client_address`; the bounds of
what an anonymous client may ask are nginx's (``deploy/nginx.conf``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

__all__ = ["LOCAL", "client_address"]

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
