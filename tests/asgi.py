"""One HTTP request through an ASGI application, without a server (nor httpx, which Starlette's TestClient needs)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def request(
    app,
    path: str,
    query: str = "",
    headers: dict[str, str] | None = None,
    client: tuple[str, int] = ("127.0.0.1", 50000),
) -> tuple[int, dict[bytes, bytes], bytes]:
    """GET ``path?query`` from ``client`` (its address and port); return the status, headers and body."""
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": client,
    }
    with ThreadPoolExecutor(1) as pool:  # the browser tests' Playwright may hold this thread's loop
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = sent[0]
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in sent[1:])
