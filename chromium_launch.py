"""Headless Chromium for the browser tests and the bench, started one way: Debian's ``chromium`` package
(never a browser downloaded by Playwright) with the same flags.

The tests import it from the repository root (pytest puts it on ``sys.path``); the bench scripts through
``bench/common.py``, which adds the root. Both Playwright APIs::

    with sync_playwright() as p:
        browser = launch(p)
    async with async_playwright() as p:
        browser = await launch(p)
"""

from __future__ import annotations

import shutil

__all__ = ["CHROMIUM_ARGS", "MISSING", "chromium_path", "launch"]

#: The flags of every Chromium started (a container without a sandbox, GPU or network services).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)

#: Why there is no browser.
MISSING = "Debian chromium is not installed (apt-get install -y chromium)"


def chromium_path() -> str | None:
    """The ``chromium`` executable on ``PATH``, or ``None``."""
    return shutil.which("chromium")


def launch(playwright, **options):
    """``playwright.chromium.launch(**options)`` on Debian's Chromium with :data:`CHROMIUM_ARGS` (awaitable
    with the async API).

    Raises
    ------
    FileNotFoundError
        :data:`MISSING`, when ``chromium`` is not on ``PATH``.
    """
    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError(MISSING)
    return playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS), **options)
