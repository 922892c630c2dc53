"""The start-up warm-up: imports, warms only cached loaders, freezes the heap."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import threading
import types
import weakref
from concurrent.futures import ThreadPoolExecutor

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geodash import firstlook, selection, settings, startup
from geodash.layers.config import CONFIG_ENV


def test_warm_up_calls_cached_loaders_and_skips_plain_functions(monkeypatch):
    calls = []

    @st.cache_resource(show_spinner=False)
    def cached():
        calls.append("cached")
        return len(calls)

    def plain():
        calls.append("plain")

    module = types.ModuleType("geodash_fake_loaders")
    module.cached, module.plain = cached, plain
    monkeypatch.setitem(sys.modules, "geodash_fake_loaders", module)
    timings = startup.warm_up(
        modules=["json"],
        loaders=["geodash_fake_loaders:cached", "geodash_fake_loaders:plain", "geodash_no_such_module:f"],
        freeze=False,
        views=False,
    )
    assert calls == ["cached"]
    assert cached() == 1 and calls == ["cached"]  # the page's call finds the warm-up's entry
    assert timings["geodash_fake_loaders:plain"] is None and timings["geodash_no_such_module:f"] is None
    assert timings["geodash_fake_loaders:cached"] >= 0
    cached.clear()


class _Node:
    """An object in a reference cycle: only the cyclic collector frees it."""


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_collector_is_paused_until_the_root_view_is_prepared(monkeypatch, enabled_before):
    """No automatic garbage collection while the warm-up loads what the first visitor waits for;
    collection runs again from the root URL's view on (or stays off if it was off)."""
    seen = []

    @st.cache_resource(show_spinner=False)
    def loader():
        seen.append(("loader", gc.isenabled()))

    module = types.ModuleType("geodash_fake_loader")
    module.loader = loader
    monkeypatch.setitem(sys.modules, "geodash_fake_loader", module)

    def prepare_views(root_done, give_way):
        seen.append(("root view", gc.isenabled()))
        root_done()
        seen.append(("other views", gc.isenabled()))
        root_done()  # once only
        return 2

    def frozen_at_root(root_done, give_way):
        give_way()  # frozen there too
        before = gc.get_freeze_count()
        view = [[] for _ in range(3)]  # the root view's objects
        root_done()
        seen.append(("frozen at root", gc.get_freeze_count() >= before + len(view)))
        return 1

    monkeypatch.setattr(startup, "prepare_views", prepare_views)
    (gc.enable if enabled_before else gc.disable)()
    try:
        startup.warm_up(modules=["json"], loaders=["geodash_fake_loader:loader"], freeze=False)
        assert seen == [("loader", False), ("root view", False), ("other views", enabled_before)]
        assert gc.isenabled() is enabled_before
        # with freeze, what is alive at the root view is frozen then (the first visitor's run ends
        # without walking it), collected and frozen again at the end
        monkeypatch.setattr(startup, "prepare_views", frozen_at_root)
        node = _Node()
        node.itself = node  # a cycle dropped before the root view
        ref = weakref.ref(node)
        del node
        startup.warm_up(modules=["json"], loaders=[], freeze=True)
        assert seen[-1] == ("frozen at root", True)
        assert gc.get_freeze_count() > 0 and ref() is None  # collected by the final pass
        gc.unfreeze()
        # an error in the warm-up does not leave the collector off
        monkeypatch.setattr(startup, "release_free_memory", lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            startup.warm_up(modules=["json"], loaders=[], freeze=False, views=False)
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()
        loader.clear()


def test_warm_up_freezes_what_is_alive():
    try:
        before = gc.get_freeze_count()
        startup.warm_up(modules=["json"], loaders=[], views=False)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    "params",
    [{}, {"epci": "200033579"}, {"epci": "246200364"}, {"epci": "246200364", "mode": "projecteur"}],
    ids=["departement", "arras", "lens", "lens-projecteur"],
)
def test_prepared_views_are_the_ones_a_plain_link_opens(params):
    """What the start-up prepares is exactly what the page then looks up: opening a plain link to the
    département or an EPCI computes nothing more (every part of the page is found in Base.memo)."""
    base = selection.cached_base()
    base.derived.clear()
    assert startup.prepare_views() == 2 * (1 + len(base.terr.sirens))  # and each in projector mode
    prepared = set(base.derived)
    assert {key[0] for key in prepared} >= {"selection", "map", "brief", "key_figures", "projects", "ranking"}
    assert "streamlit" not in {type(v).__module__.split(".")[0] for v in base.derived.values()}
    firstlook.look_path(firstlook.store_path()).unlink()  # the whole page's first run, not its first look
    at = AppTest.from_file(str(settings.REPO_DIR / "app.py"), default_timeout=120)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    assert selection.cached_base() is base
    assert set(base.derived) == prepared, set(base.derived) - prepared


def test_views_are_prepared_only_when_no_visitor_run_is_in_progress(monkeypatch):
    import threading
    import time

    monkeypatch.setattr(startup, "QUIET_S", 0.3)
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (startup._wait_quiet(), done.set()))
    with startup.visit():
        waiter.start()
        assert not done.wait(0.8)  # longer than QUIET_S: it waits for the run, not for the time alone
    left = time.monotonic()
    assert done.wait(5)
    assert time.monotonic() - left >= 0.25  # and then for the quiet time after the run


def test_the_start_up_gives_way_to_a_visitor_s_run(monkeypatch):
    """Between two steps, the warm-up waits while a visitor's run is in progress (a first look needs none of
    its work and is drawn sooner alone): a step never starts during the run, however long it lasts."""
    monkeypatch.setattr(startup, "GIVE_WAY_S", 60.0)
    order = []
    in_run, step_two = threading.Event(), threading.Event()

    def visitor():
        with startup.visit():
            in_run.set()
            step_two.wait(2)  # long enough for the warm-up to go on, were it not waiting
            order.append("run ends")

    run = threading.Thread(target=visitor)

    def step_one():
        order.append("step one")
        run.start()
        assert in_run.wait(30)

    def step_two_runs():
        order.append("step two")
        step_two.set()

    def loader():
        order.append("loader")

    loader.clear = lambda: None
    loader.steps = lambda: [step_one, step_two_runs]
    module = types.ModuleType("geodash_fake_steps")
    module.loader = loader
    monkeypatch.setitem(sys.modules, "geodash_fake_steps", module)
    startup.warm_up(modules=["json"], loaders=["geodash_fake_steps:loader"], freeze=False, views=False)
    run.join(30)
    assert order == ["step one", "run ends", "step two", "loader"]


def test_giving_way_waits_for_the_run_then_for_its_last_messages(monkeypatch):
    """At most its limit while a run goes on; else until the run has ended and sent its last messages."""
    import time

    monkeypatch.setattr(startup, "GIVE_WAY_AFTER_S", 0.3)
    ended = threading.Event()
    with startup.visit():
        t0 = time.monotonic()
        startup._give_way(0.2)  # a run that does not end: the start-up goes on after the limit
        assert time.monotonic() - t0 >= 0.2
        waiter = threading.Thread(target=lambda: (startup._give_way(60), ended.set()))
        waiter.start()
        assert not ended.wait(0.5)
    left = time.monotonic()
    assert ended.wait(30)  # the run ended: not the limit
    assert time.monotonic() - left >= 0.25  # and then the time its last messages take
    monkeypatch.setattr(startup, "GIVE_WAY_AFTER_S", 0.0)
    t0 = time.monotonic()
    startup._give_way(60)  # no run: at once, not at the limit
    assert time.monotonic() - t0 < 30


def test_the_public_page_never_loads_gdal():
    """The page's modules and data (no geodash.toml) are loaded without GDAL: importing ``pyogrio``
    maps about 28 MB of libraries a server would hold for nothing (the territories are read with
    SQLite, geodash.gpkg)."""
    code = (
        "import sys\n"
        "from geodash import startup\n"
        "startup.warm_up(freeze=False, views=False)\n"
        "print(sorted(m for m in ('pyogrio', 'fiona', 'osgeo') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != CONFIG_ENV}  # no context layers
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr[-2000:]


def test_the_server_hands_the_interpreter_over_every_millisecond(monkeypatch):
    """The lifespan shortens the interpreter's switch interval (never lengthens it), puts Leaflet in the
    app's static files and starts the warm-up in its own thread."""
    started = threading.Event()
    monkeypatch.setattr(startup, "warm_up", started.set)
    before = sys.getswitchinterval()

    async def serve():
        async with startup.lifespan(None):
            return sys.getswitchinterval()

    def serve_once():  # in a thread of its own: the browser tests' Playwright may hold this one's loop
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, serve()).result()

    try:
        sys.setswitchinterval(0.005)  # Python's default
        assert serve_once() == pytest.approx(startup.SWITCH_INTERVAL_S)
        assert started.wait(5)
        sys.setswitchinterval(0.0005)
        assert serve_once() == pytest.approx(0.0005)
    finally:
        sys.setswitchinterval(before)
