"""The start-up warm-up: imports, warms only cached loaders, freezes the heap."""

from __future__ import annotations

import gc
import sys
import types

import streamlit as st

from geodash import startup


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
    )
    assert calls == ["cached"]
    assert cached() == 1 and calls == ["cached"]  # the page's call finds the warm-up's entry
    assert timings["geodash_fake_loaders:plain"] is None and timings["geodash_no_such_module:f"] is None
    assert timings["geodash_fake_loaders:cached"] >= 0
    cached.clear()


def test_warm_up_freezes_what_is_alive():
    try:
        before = gc.get_freeze_count()
        startup.warm_up(modules=["json"], loaders=[])
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
