"""deploy/nginx.conf bounds what an anonymous client may ask: Streamlit's metrics are not public, a
burst of requests from one address is refused (429), an overlong request line too (414).

nginx runs the configuration on test ports in front of two stub servers that record what reaches them
(the bounds are nginx's own: no Streamlit needed).
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .browser.conftest import _free_port
from .nginx import start_nginx


class _Stub(BaseHTTPRequestHandler):
    reached: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.reached.append(self.path)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def front(tmp_path):
    """nginx with deploy/nginx.conf in front of two stubs; yields its URL and the paths the stubs got."""
    _Stub.reached = []
    stubs = [ThreadingHTTPServer(("127.0.0.1", 0), _Stub) for _ in range(2)]
    for stub in stubs:
        threading.Thread(target=stub.serve_forever, daemon=True).start()
    listen = _free_port()
    proxy = start_nginx(tuple(stub.server_address[1] for stub in stubs), listen, tmp_path)
    try:
        yield f"http://127.0.0.1:{listen}", _Stub.reached
    finally:
        proxy.terminate()
        proxy.wait(10)
        for stub in stubs:
            stub.shutdown()
            stub.server_close()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_streamlits_metrics_are_not_public(front):
    """Issue 22, row 9: ``/_stcore/metrics`` names the server's internals."""
    url, reached = front
    assert _status(f"{url}/_stcore/health") == 200  # the rest goes through
    for path in (
        "/_stcore/metrics",
        "/_stcore/metrics?x=1",
        "/_stcore/metrics/",
        "/_stcore/%6Detrics",
        "//_stcore/metrics",
    ):
        assert _status(url + path) == 403, path
    assert reached == ["/_stcore/health"]


def test_a_burst_of_requests_from_one_address_is_refused(front):
    """Issue 22, row 9: an anonymous client asking without pause is refused (429) once past its burst
    (large enough for a first visit's files); an overlong request line is refused (414)."""
    url, reached = front
    statuses = []
    while 429 not in statuses and len(statuses) < 3000:
        statuses.append(_status(f"{url}/?epci=200033579"))
    assert statuses[-1] == 429, statuses[-5:]
    assert statuses.count(200) >= 600 and set(statuses) == {200, 429}  # the burst first
    assert _status(f"{url}/?q={'x' * 9000}") == 414
    assert all(len(path) < 9000 for path in reached)
