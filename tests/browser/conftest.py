"""A real Streamlit server and headless Chromium (the Debian package) for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chromium_launch import MISSING, chromium_path, launch
from geodash import settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env_extra: dict[str, str] | None = None, log: Path | None = None, script: str = "app.py"):
    """Start ``streamlit run app.py`` (or ``script``) on a free loopback port; return (process, base URL)."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env_extra or {})}  # the log is complete when read
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (kept open for the server's life)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(settings.REPO_DIR / script),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=settings.REPO_DIR,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the Streamlit server did not start")


@pytest.fixture(scope="session")
def server(artifacts):
    proc, url = start_server(log=artifacts / "streamlit.log")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not chromium_path():
        pytest.fail(MISSING)
    with playwright.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


class Page:
    """A page that records every request leaving 127.0.0.1 and every dialog."""

    def __init__(self, browser, width: int, height: int):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.external: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", self._request)
        self.page.on("dialog", self._dialog)

    def _request(self, request):
        if not request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            self.external.append(request.url)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def map_frame(self):
        """The map's frame found by the last :meth:`wait_map`."""
        return self.frame

    def wait_map(self, title: str | None = None, timeout: float = 30.0) -> int:
        """Wait until a map frame has run our overlay script (with ``title`` in its legend, if
        given); return the number of project markers drawn.

        Streamlit keeps the previous map frame for a moment while it draws the new one, so the
        frames are polled rather than addressed by selector.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for frame in reversed(self.page.frames):
                try:
                    # drawn, and not as the first look of a server still starting (the whole page follows)
                    ready = frame.locator(".leaflet-container[data-gd-ready]:not([data-gd-first-look])")
                    if ready.count() != 1:
                        continue
                    if title and frame.locator(".gd-legend-title", has_text=title).count() == 0:
                        continue
                    self.frame = frame
                    return int(ready.get_attribute("data-gd-ready"))
                except Exception:  # a frame detached while we looked at it
                    continue
            self.page.wait_for_timeout(200)
        raise AssertionError(f"no map frame drawn{' for ' + title if title else ''}")

    def wait_settled(self, timeout: float = 15.0) -> None:
        """Wait until the map of :meth:`wait_map` has its final view (fitted, labels decluttered)
        and writes its position to the URL: the mark ``data-gd-settled`` its script sets."""
        self.frame.locator(".leaflet-container[data-gd-settled]").wait_for(state="attached", timeout=timeout * 1000)

    def close(self):
        self.context.close()


@pytest.fixture
def make_page(browser):
    pages = []

    def make(width: int = 1366, height: int = 768) -> Page:
        page = Page(browser, width, height)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()
