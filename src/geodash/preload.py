"""The page's own browser code, announced in the first HTML so the browser fetches it while it waits.

Streamlit's frontend loads the code of each kind of element (a multiselect, a slider, a data grid,
a component frame) only when a script run first sends one. On a first visit that is after the
server's first run (start-up, data, the view), and the server that sends those files is then busy
with the run: measured with ``serve.py``, the map frame was created a second after the run had
ended, the time to fetch and compile about seventy modules (the data grid's alone 1.2 MB). The
page's first HTML (``index.html``, the same for every page) lists them as ``modulepreload``, as
Streamlit already does for its main bundle: the browser fetches and compiles them while it waits
for the first run.

:func:`element_modules` finds the modules of the elements the pages use, with every module they
import, in the installed Streamlit (file names carry a content hash that changes with each
release); :class:`PreloadMiddleware` writes them into the HTML pages the server answers.

The map frame's own page (the component's ``index.html``) loads Leaflet only once its script has run
and the map's arguments have come, one file after the other; announced in that page
(:func:`frame_links`), Leaflet is fetched while the frame's script is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["PAGE_ELEMENTS", "element_modules", "preload_links", "frame_links", "PreloadMiddleware"]

#: The elements of geodash's pages whose code Streamlit loads on demand (module name before its hash).
PAGE_ELEMENTS = (
    "Selectbox",
    "Multiselect",
    "Slider",
    "TextInput",
    "Checkbox",
    "Html",
    "ComponentInstance",
    "Table",
    "DataFrame",
    "DownloadButton",
)

_IMPORT = re.compile(rb"""(?:from|import)\s*["']\./([\w.\-]+\.js)["']""")


def static_dir() -> Path:
    """The folder of Streamlit's frontend (``index.html`` and ``static/``)."""
    import streamlit

    return Path(streamlit.__file__).parent / "static"


def element_modules(root: Path, elements: Iterable[str] = PAGE_ELEMENTS) -> list[str]:
    """The files under ``root/static/js`` of ``elements`` and of everything they import statically,
    left out those ``index.html`` already preloads; an element not found is skipped (another
    Streamlit release may name or bundle it otherwise)."""
    js = root / "static" / "js"
    by_name: dict[str, str] = {}
    for path in js.glob("*.js"):
        by_name.setdefault(path.name.split(".", 1)[0], path.name)
    index = (root / "index.html").read_text(encoding="utf-8")
    done: set[str] = set()
    todo = [by_name[e] for e in elements if e in by_name]
    order: list[str] = []
    while todo:
        name = todo.pop(0)
        if name in done or not (js / name).is_file():
            continue
        done.add(name)
        order.append(name)
        todo.extend(m.decode() for m in _IMPORT.findall((js / name).read_bytes()))
    return [name for name in order if f"./static/js/{name}" not in index]


def preload_links(modules: Iterable[str]) -> bytes:
    """``<link rel="modulepreload">`` tags for ``modules``, as ``index.html`` writes its own, at low
    priority: the page's own code first asks the server for its health and settings, then opens its
    WebSocket; at the default (high) priority those two requests waited behind the seventy modules for
    one of the browser's six connections to the server (0.4-0.5 s measured on a first visit)."""
    return "".join(
        f'<link rel="modulepreload" crossorigin fetchpriority="low" href="./static/js/{m}">' for m in modules
    ).encode()


def frame_links(scripts: Iterable[str], styles: Iterable[str]) -> bytes:
    """``<link rel="preload">`` tags for the classic ``scripts`` and the style sheets ``styles`` a
    frame inserts later (as ``<script src>`` and ``<link rel="stylesheet">``, which then use them)."""
    tags = [f'<link rel="preload" as="script" href="{u}">' for u in scripts]
    tags += [f'<link rel="preload" as="style" href="{u}">' for u in styles]
    return "".join(tags).encode()


class PreloadMiddleware:
    """ASGI middleware: the HTML pages the server answers carry ``links`` before ``</head>``, and the
    pages at the paths of ``frames`` carry their own links.

    Only ``GET`` requests of a page (a path without a file extension, outside Streamlit's own routes
    and the app's own, ``routes``) or of a path in ``frames`` are touched, asked uncompressed from the
    server (the pages are a few kilobytes); every other request, and an answer that is not HTML,
    passes unchanged.
    """

    def __init__(self, app, links: bytes, frames: dict[str, bytes] | None = None, routes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.links = links
        self.frames = dict(frames or {})
        self.routes = tuple(routes)

    def _is_page(self, path: str) -> bool:
        last = path.rsplit("/", 1)[-1]
        internal = ("/_stcore", "/static/", "/component/", "/app/static/", "/media/")
        return "." not in last and not any(p in path for p in internal) and path not in self.routes

    def _links_for(self, scope) -> bytes:
        if scope["type"] != "http" or scope.get("method") != "GET":
            return b""
        if scope.get("path", "") in self.frames:
            return self.frames[scope["path"]]
        return self.links if self._is_page(scope.get("path", "")) else b""

    async def __call__(self, scope, receive, send) -> None:
        links = self._links_for(scope)
        if not links:
            await self.app(scope, receive, send)
            return
        scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"])
        start: dict | None = None
        chunks: list[bytes] = []

        async def send_page(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start["headers"]]
            html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
            if html and b"</head>" in body:
                body = body.replace(b"</head>", links + b"</head>", 1)
                headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_page)
