"""geodash.preload: the modules of the page's elements, announced in the pages' HTML only."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from geodash import preload

ROOT = preload.static_dir()


def test_every_page_element_is_found_with_what_it_imports():
    modules = preload.element_modules(ROOT)
    stems = {name.split(".", 1)[0] for name in modules}
    assert set(preload.PAGE_ELEMENTS) <= stems  # a Streamlit that renames one fails here, not silently
    js = ROOT / "static" / "js"
    index = (ROOT / "index.html").read_text()
    for name in modules:
        assert (js / name).is_file()
        assert f"./static/js/{name}" not in index  # Streamlit's own preloads are not repeated
        for imported in preload._IMPORT.findall((js / name).read_bytes()):
            imported = imported.decode()
            assert imported in modules or f"./static/js/{imported}" in index, (name, imported)
    assert len(modules) == len(set(modules))


def test_an_element_this_streamlit_does_not_have_is_skipped(tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "index.html").write_text('<link rel="modulepreload" href="./static/js/main.1.js">')
    (tmp_path / "static" / "js" / "Slider.abc.js").write_text('import{a}from"./main.1.js";import"./dep.x.js";')
    (tmp_path / "static" / "js" / "dep.x.js").write_text("export const b=1;")
    assert preload.element_modules(tmp_path, ["Slider", "Gone"]) == ["Slider.abc.js", "dep.x.js"]


LINKS = preload.preload_links(["A.1.js"])
FRAME = "/component/streamlit_folium.st_folium/index.html"
FRAME_LINKS = preload.frame_links(["/app/static/leaflet/leaflet.js"], ["/app/static/leaflet/leaflet.css"])


def _serve(path: str, body: bytes, content_type: bytes, method: str = "GET", chunks: int = 1, routes=()):
    """Run the middleware around an app answering ``body``; return (headers, body, request headers seen)."""
    seen = {}

    async def app(scope, receive, send):
        seen["headers"] = dict(scope["headers"])
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
            }
        )
        step = -(-len(body) // chunks)
        for i in range(chunks):
            part = body[i * step : (i + 1) * step]
            await send({"type": "http.response.body", "body": part, "more_body": i < chunks - 1})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": path, "headers": [(b"accept-encoding", b"gzip")]}
    # In a thread of its own: the browser tests' Playwright may hold this thread's event loop.
    middleware = preload.PreloadMiddleware(app, LINKS, frames={FRAME: FRAME_LINKS}, routes=routes)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
    headers = dict(sent[0]["headers"])
    return headers, b"".join(m.get("body", b"") for m in sent[1:]), seen["headers"]


def test_pages_carry_the_links_before_the_end_of_their_head():
    # at low priority: the page's own first requests (health, settings, then its WebSocket) go first
    assert LINKS == b'<link rel="modulepreload" crossorigin fetchpriority="low" href="./static/js/A.1.js">'
    page = b"<html><head><title>geodash</title></head><body></body></html>"
    for path in ("/", "/comparaison", "/sources"):
        headers, body, asked = _serve(path, page, b"text/html; charset=UTF-8", chunks=3)
        assert body == page.replace(b"</head>", LINKS + b"</head>")
        assert headers[b"content-length"] == str(len(body)).encode()
        assert b"accept-encoding" not in asked  # asked uncompressed, to be written into


def test_the_map_frame_page_announces_leaflet_and_only_it():
    page = b'<html><head><script defer="defer" src="./static/js/main.1.js"></script></head><body></body></html>'
    headers, body, asked = _serve(FRAME, page, b"text/html; charset=utf-8", chunks=2)
    assert body == page.replace(b"</head>", FRAME_LINKS + b"</head>")
    assert FRAME_LINKS == (
        b'<link rel="preload" as="script" href="/app/static/leaflet/leaflet.js">'
        b'<link rel="preload" as="style" href="/app/static/leaflet/leaflet.css">'
    )
    assert headers[b"content-length"] == str(len(body)).encode()
    assert LINKS not in body  # the page's element modules are not the frame's


def test_other_answers_pass_unchanged():
    page = b"<html><head></head></html>"
    for path, method, kind in [
        ("/static/js/index.js", "GET", b"text/html"),
        ("/_stcore/health", "GET", b"text/html"),
        ("/component/other.component/index.html", "GET", b"text/html"),
        (FRAME.replace("index.html", "static/js/main.js"), "GET", b"application/javascript"),
        (FRAME, "HEAD", b"text/html"),
        ("/", "HEAD", b"text/html"),
        ("/", "GET", b"application/json"),
    ]:
        headers, body, asked = _serve(path, page, kind, method=method)
        assert body == page, (path, method, kind)
        assert headers[b"content-length"] == str(len(page)).encode()
        if method != "GET" or path != "/":
            assert asked.get(b"accept-encoding") == b"gzip"


def test_the_app_own_routes_are_not_pages():
    """A route of the app's own (the map's views, geodash.ahead) answers as it would without the
    middleware, compressed if the browser accepts it; the same path would be a page otherwise."""
    page = b"<html><head></head></html>"
    headers, body, asked = _serve("/geodash/vue", page, b"text/html", routes=("/geodash/vue",))
    assert body == page and asked.get(b"accept-encoding") == b"gzip"
    headers, body, asked = _serve("/geodash/vue", page, b"text/html")
    assert body != page and b"accept-encoding" not in asked
