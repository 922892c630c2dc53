"""The bounds of an anonymous client: its address (forwarding headers believed only from the configured
proxies), the sign-in throttling keyed on it, and the per-client rate limit of the public routes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from ipaddress import ip_network
from types import SimpleNamespace

import pytest

from geodash import settings
from geodash.clients import LOCAL, client_address

LOOPBACK = [ip_network("127.0.0.1")]
FORGED = {"X-Real-IP": "192.0.2.66", "X-Forwarded-For": "192.0.2.77"}


@pytest.mark.parametrize(
    ("peer", "headers", "trusted", "expected"),
    [
        # an untrusted peer: its headers are ignored, whatever they say
        (None, FORGED, [], LOCAL),  # a loopback connection, no proxy configured (issue 22, row 8)
        ("127.0.0.1", FORGED, [], "127.0.0.1"),
        ("198.51.100.7", FORGED, LOOPBACK, "198.51.100.7"),
        ("127.0.0.1", FORGED, [ip_network("10.0.0.0/8")], "127.0.0.1"),
        # the configured proxy: X-Real-IP (deploy/nginx.conf sets it), else X-Forwarded-For
        (None, FORGED, LOOPBACK, "192.0.2.66"),  # st.context: a loopback connection has no address
        ("127.0.0.1", {"x-real-ip": " 203.0.113.5 "}, LOOPBACK, "203.0.113.5"),
        (None, {"X-Real-IP": "::1"}, [ip_network("::1")], "::1"),
        # X-Forwarded-For: the last address a trusted proxy did not add (the first ones are the client's)
        ("127.0.0.1", {"X-Forwarded-For": "192.0.2.1, 203.0.113.9"}, LOOPBACK, "203.0.113.9"),
        (
            "10.0.0.1",
            {"X-Forwarded-For": "192.0.2.1, 203.0.113.9, 10.0.0.2"},
            [ip_network("10.0.0.0/8")],
            "203.0.113.9",
        ),
        # what is not an address is not believed
        ("127.0.0.1", {"X-Real-IP": "x" * 1000}, LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", {"X-Real-IP": "", "X-Forwarded-For": "192.0.2.1, junk"}, LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", {"X-Forwarded-For": "127.0.0.1"}, LOOPBACK, "127.0.0.1"),
        ("testclient", FORGED, LOOPBACK, "testclient"),  # not an IP address: never a trusted proxy
    ],
)
def test_forwarding_headers_are_believed_from_the_configured_proxy_only(peer, headers, trusted, expected):
    assert client_address(peer, headers, trusted) == expected


def test_the_trusted_proxies_are_read_from_the_environment(monkeypatch):
    monkeypatch.delenv(settings.TRUSTED_PROXIES_ENV, raising=False)
    assert settings.trusted_proxies() == ()  # none by default
    monkeypatch.setenv(settings.TRUSTED_PROXIES_ENV, " 127.0.0.1, ::1 10.0.0.0/8,,nginx.local ")
    assert settings.trusted_proxies() == (ip_network("127.0.0.1"), ip_network("::1"), ip_network("10.0.0.0/8"))


def _sign_in_page_key(monkeypatch, peer, headers) -> str:
    """The sign-in page's throttling key for a connection from ``peer`` carrying ``headers``."""
    import streamlit as st

    from geodash.pages import signin

    monkeypatch.setattr(st, "context", SimpleNamespace(ip_address=peer, headers=headers))
    return signin.client_key()


def test_a_forged_address_from_the_loopback_gets_no_fresh_throttle(monkeypatch, tmp_path):
    """Issue 22, row 8: sign-in failures from a loopback peer that writes a new X-Real-IP each time
    are counted for that peer; only behind the configured proxy does the header name the client."""
    from geodash import db
    from geodash.db.accounts import MAX_FAILURES_PER_CLIENT
    from geodash.db.engine import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'throttle.sqlite'}")
    migrate(engine)
    t0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    monkeypatch.delenv(settings.TRUSTED_PROXIES_ENV, raising=False)

    def fail(i: int, at: datetime):
        key = _sign_in_page_key(monkeypatch, None, {"X-Real-IP": f"192.0.2.{i}"})
        with pytest.raises(db.AuthError) as refused:
            db.authenticate(engine, f"user{i}", "wrong", client_key=key, now=at)
        return key, refused.value

    keys = {fail(i, t0)[0] for i in range(MAX_FAILURES_PER_CLIENT)}
    assert keys == {LOCAL}
    _, last = fail(MAX_FAILURES_PER_CLIENT, t0 + timedelta(seconds=1))
    assert isinstance(last, db.Throttled)  # the forged addresses did not reset the count

    monkeypatch.setenv(settings.TRUSTED_PROXIES_ENV, "127.0.0.1")  # nginx on this machine
    assert _sign_in_page_key(monkeypatch, None, {"X-Real-IP": "203.0.113.5"}) == "203.0.113.5"
    assert _sign_in_page_key(monkeypatch, "198.51.100.7", {"X-Real-IP": "203.0.113.5"}) == "198.51.100.7"
