"""geodash against the floor of the platform (issue 14): the same measures on geodash and on a
trivial Streamlit page (``bench/trivial_app.py``: one selectbox rewriting one line of text), served
the same way (``streamlit run`` from the repository root, same configuration), in the same run, so
that every time figure comes with its ratio.

Sections (``bench/run.py`` names):

- ``switch``: one Chromium tab per page; choose another EPCI in the sidebar (type, Enter) → the map
  frame's ``.leaflet-container[data-gd-ready]`` set (timestamped in the frame) vs choose another
  option → its text shown (timestamped in the page), the two pages taking turns. The frame draws the
  chosen view as soon as the list closes on it (``geodash.ahead``, fetched when it was highlighted,
  60 ms before Enter here); the switches it drew so are counted. For geodash the
  switch is split: the WebSocket messages are parsed as they arrive (``script_finished``, the map's
  component delta), the map frame's ``performance.timeOrigin`` gives its creation.
- ``first-visit``: ``streamlit run`` → first map drawn / first text shown, a browser asking for the
  page as soon as the health check answers; the pages take turns.
- ``memory``: geodash server RSS (from /proc) after one session visited every view, then after 50
  sessions came and went (protocol sessions, see ``protocol_load.py``).
- ``capacity``: ``protocol_load`` with 10, 50 and 100 concurrent sessions on each page.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time

from browser import DEPT_TITLE, Server, Tab, _names
from common import APP, BENCH_DIR, REPO_DIR, log, proc_status

from chromium_launch import launch

TRIVIAL = BENCH_DIR / "trivial_app.py"
# How each page is served: ``serve`` = the deployment entry (``streamlit run serve.py``, st.App with
# the start-up warm-up) and the trivial page through st.App too; ``app`` = ``streamlit run app.py``
# and ``streamlit run trivial_app.py``. Set by :func:`configure` (bench/run.py --entry).
ENTRIES = {
    "serve": (REPO_DIR / "serve.py", BENCH_DIR / "trivial_serve.py"),
    "app": (APP, TRIVIAL),
}
GEODASH_SCRIPT, TRIVIAL_SCRIPT = ENTRIES["serve"] if (REPO_DIR / "serve.py").exists() else ENTRIES["app"]
ENTRY = "serve" if GEODASH_SCRIPT.name == "serve.py" else "app"


def configure(entry: str) -> None:
    global GEODASH_SCRIPT, TRIVIAL_SCRIPT, ENTRY
    GEODASH_SCRIPT, TRIVIAL_SCRIPT = ENTRIES[entry]
    ENTRY = entry


TRIVIAL_OPTIONS = ["Tout le département"] + [f"Territoire {i:02d}" for i in range(1, 21)]

# Date.now() (page clock) once the trivial page shows ``option`` in its text; polled every frame.
TRIVIAL_READY = """(option) => {
  const el = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] strong')]
    .find(e => e.textContent === option);
  return el ? Date.now() : false;
}"""


def quantile(values: list[float], q: float) -> float | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def stats(values: list[float]) -> dict:
    values = [v for v in values if v is not None]
    return {
        "n": len(values),
        "median": statistics.median(values) if values else None,
        "p90": quantile(values, 0.9),
        "max": max(values) if values else None,
    }


# Every WebSocket message's arrival (page clock) and size, recorded in the page itself.
WS_RECORDER = """(() => {
  const W = window.WebSocket;
  if (!W || window.__gdWs) return;
  window.__gdWs = [];
  const Wrapped = function (...args) {
    const ws = new W(...args);
    ws.addEventListener('message', (e) => {
      const d = e.data;
      window.__gdWs.push([Date.now(), d.byteLength ?? d.size ?? d.length ?? 0]);
    });
    return ws;
  };
  Wrapped.prototype = W.prototype;
  Object.assign(Wrapped, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Wrapped;
})();"""


class GeodashTab(Tab):
    """A Tab whose page records the arrival of each WebSocket message (page clock): the largest
    message of a switch is the map's component delta, the last one the run's ``script_finished``."""

    def __init__(self, browser):
        super().__init__(browser)
        self.context.add_init_script(WS_RECORDER)

    def messages_since(self, epoch: float) -> list[tuple[float, int]]:
        rows = self.page.evaluate("(t) => (window.__gdWs || []).filter(m => m[0] >= t)", epoch * 1000)
        return [(t / 1000, n) for t, n in rows]


def _trivial_choose(tab: Tab, option: str, timeout: float = 30) -> float:
    t = tab.choose(option)
    ready = tab.page.wait_for_function(TRIVIAL_READY, arg=option, polling="raf", timeout=timeout * 1000)
    return ready.json_value() / 1000 - t


def switch(n: int = 21, seed: int = 14) -> dict:
    """Geodash and the trivial page, one tab each, taking turns: ``n`` switches each."""
    from playwright.sync_api import sync_playwright

    sirens, short, long = _names()
    rng = random.Random(seed)
    order = list(sirens)
    rng.shuffle(order)
    while len(order) < n:
        extra = list(sirens)
        rng.shuffle(extra)
        order += [s for s in extra if s != order[-1]]
    order = order[:n]
    trivial_order = [TRIVIAL_OPTIONS[1 + (i * 7) % 20] for i in range(n)]
    geo, triv = Server(GEODASH_SCRIPT), Server(TRIVIAL_SCRIPT)
    out: dict = {"n": n, "geodash": [], "trivial": [], "entry": ENTRY}
    try:
        geo.wait_healthy()
        triv.wait_healthy()
        geo.wait_settled()  # the steady state: the start-up warm-up has ended (first-visit measures it)
        with sync_playwright() as p:
            browser = launch(p)
            g = GeodashTab(browser)
            t0 = time.time()
            g.page.goto(geo.url)
            g.wait_map(t0, DEPT_TITLE, timeout=90)
            g.quiet()
            t = Tab(browser)
            t.page.goto(triv.url)
            t.page.wait_for_function(TRIVIAL_READY, arg=TRIVIAL_OPTIONS[0], timeout=60_000)
            t.quiet()
            ahead = 0  # the kept frame's count of views drawn ahead of the page's rerun (geodash.ahead)
            for i in range(n):
                siren = order[i]
                start = g.choose(short[siren])
                drawn = g.wait_map(start, long[siren])
                g.quiet(0.3)
                frame_origin = drawn["frame"].evaluate("() => performance.timeOrigin") / 1000
                before, ahead = (
                    (0 if frame_origin > start else ahead),
                    drawn["frame"].evaluate("() => window.gdAhead || 0"),
                )
                leaflet = drawn["frame"].evaluate(
                    "() => { const e = performance.getEntriesByType('resource')"
                    ".find(r => r.name.endsWith('leaflet.js')); return e ? e.responseEnd : null; }"
                )
                messages = g.messages_since(start)
                finished = messages[-1][0] if messages else None
                component = max(messages, key=lambda m: m[1])[0] if messages else None
                out["geodash"].append(
                    {
                        "to": siren,
                        "map": drawn["ready"],
                        "paint": drawn["paint"],
                        "component_delta": component - start if component else None,
                        "script_finished": finished - start if finished else None,
                        # None: the view was drawn in the frame already there (geodash.mapframe)
                        "frame_created": frame_origin - start if frame_origin > start else None,
                        "leaflet_loaded": (frame_origin + leaflet / 1000 - start)
                        if leaflet and frame_origin > start
                        else None,
                        "drawn_ahead": ahead > before,
                        "ws_messages": len(messages),
                        "ws_bytes": sum(m[1] for m in messages),
                    }
                )
                option = trivial_order[i]
                out["trivial"].append({"to": option, "text": _trivial_choose(t, option)})
                t.quiet(0.3)
            browser.close()
        out["geodash_rss_mb"] = geo.rss().get("VmRSS")
    finally:
        geo.stop()
        triv.stop()
    gs, ts = out["geodash"], out["trivial"]
    out["summary"] = {
        "geodash": stats([s["map"] for s in gs]),
        "trivial": stats([s["text"] for s in ts]),
        "geodash_stages": {
            k: statistics.median([s[k] for s in gs if s[k] is not None] or [0])
            for k in ("component_delta", "script_finished", "map", "paint")
        },
        # The first switch leaves the département's frame for the EPCI frame; the others redraw in it.
        "new_frames": sum(1 for s in gs if s["frame_created"] is not None),
        "drawn_ahead": sum(1 for s in gs if s.get("drawn_ahead")),
    }
    sg, st_ = out["summary"]["geodash"], out["summary"]["trivial"]
    out["summary"]["ratio_median"] = sg["median"] / st_["median"]
    out["summary"]["ratio_p90"] = sg["p90"] / st_["median"]
    out["summary"]["ratio_p90_p90"] = sg["p90"] / st_["p90"]
    log("switch", out["summary"])
    return out


def first_visit(runs: int = 3) -> dict:
    """``streamlit run`` → first map drawn (geodash) / first text shown (trivial), taking turns."""
    from playwright.sync_api import sync_playwright

    pages = {"trivial": TRIVIAL_SCRIPT, "geodash": GEODASH_SCRIPT}
    if ENTRY == "serve":  # before/after: the same page without the start-up warm-up
        pages["geodash (app.py)"] = APP
    out: dict = {name: [] for name in pages}
    with sync_playwright() as p:
        browser = launch(p)
        for _ in range(runs):
            for name, script in pages.items():
                server = Server(script)
                try:
                    healthy = server.wait_healthy()
                    rss_idle = server.rss().get("VmRSS")
                    tab = GeodashTab(browser)
                    asked = time.time()
                    tab.page.goto(server.url)
                    extra = {}
                    if name.startswith("geodash"):
                        got = tab.wait_map(server.started, DEPT_TITLE, timeout=90)
                        drawn = got["ready"]
                        messages = tab.messages_since(server.started)
                        extra = {
                            "map_delta": max(messages, key=lambda m: m[1])[0] - server.started if messages else None,
                            "frame_created": got["frame"].evaluate("() => performance.timeOrigin") / 1000
                            - server.started,
                        }
                    else:
                        ready = tab.page.wait_for_function(
                            TRIVIAL_READY, arg=TRIVIAL_OPTIONS[0], polling="raf", timeout=90_000
                        )
                        drawn = ready.json_value() / 1000 - server.started
                    tab.quiet()
                    out[name].append(
                        {
                            "healthy": healthy - server.started,
                            "page_asked": asked - server.started,
                            "drawn": drawn,
                            **extra,
                            "rss_idle_mb": rss_idle,
                            "rss_after_mb": server.rss().get("VmRSS"),
                        }
                    )
                    tab.close()
                finally:
                    server.stop()
        browser.close()
    out["summary"] = {
        name: {
            "drawn": statistics.median(s["drawn"] for s in out[name]),
            "healthy": statistics.median(s["healthy"] for s in out[name]),
            "map_delta": statistics.median(s.get("map_delta") or 0 for s in out[name]),
            "frame_created": statistics.median(s.get("frame_created") or 0 for s in out[name]),
            "n": len(out[name]),
        }
        for name in pages
    }
    out["summary"]["ratio"] = out["summary"]["geodash"]["drawn"] / out["summary"]["trivial"]["drawn"]
    out["entry"] = ENTRY
    log("first visit", out["summary"])
    return out


def memory(sessions: int = 50, batch: int = 10, ttl: int = 10) -> dict:
    """Geodash server RSS: warm (one session has visited every view), then after ``sessions``
    protocol sessions (``batch`` at a time, each opening the page and switching 3 times) came and
    went. The server runs with ``server.disconnectedSessionTTL = ttl`` (Streamlit keeps a closed
    session 120 s by default, for reconnections): after the TTL, one more session opens and closes
    so that the expired ones are dropped, as any later visitor would."""
    import protocol_load as pl

    server = Server(GEODASH_SCRIPT, extra_args=["--server.disconnectedSessionTTL", str(ttl)])
    rss: list[dict] = []
    try:
        server.wait_healthy()
        server.wait_settled()
        rss.append({"after": "server started (warm-up ended), no session", **server.rss()})
        expect = pl.geodash_expect()

        async def visit_all():
            s = pl.Session(server.url)
            _, first = await s.open("Intercommunalité")
            bad = pl.problems(first, None)
            for option in s.widget[1][1:] + [s.widget[1][0]]:
                _, reply = await s.choose(option)
                bad += pl.problems(reply, expect(option))
            await s.close()
            return bad

        errors = asyncio.run(visit_all())
        time.sleep(1)
        rss.append({"after": "one session visited all 21 views", **server.rss()})
        warm = server.rss()["VmRSS"]
        level = {}
        for _ in range(sessions // batch):
            row = asyncio.run(pl.run_level(server.url, batch, "Intercommunalité", 60, 3, expect))
            errors += row["error_samples"]
            level.setdefault("reruns", 0)
            level["reruns"] += row["reruns"]
        rss.append({"after": f"{sessions} sessions closed ({batch} at a time, 3 switches each)", **server.rss()})
        time.sleep(ttl + 2)

        async def one():
            s = pl.Session(server.url)
            await s.open("Intercommunalité")
            await s.close()

        asyncio.run(one())
        time.sleep(2)
        rss.append({"after": f"TTL passed ({ttl} s), one more session came and went", **server.rss()})
        asyncio.run(one())  # the previous one's closing evicted the expired sessions: one more run after it
        time.sleep(2)
        rss.append({"after": "and another one", **server.rss()})
        after = server.rss()["VmRSS"]
    finally:
        server.stop()
    out = {
        "rss": rss,
        "warm_mb": warm,
        "after_sessions_mb": after,
        "growth": after / warm - 1,
        "peak_mb": max(r.get("VmHWM", 0) for r in rss),
        "errors": errors[:10],
        "n_errors": len(errors),
        "sessions": sessions,
        "ttl_s": ttl,
        **level,
    }
    log("memory", {k: v for k, v in out.items() if k != "rss"})
    return out


def capacity(levels=(10, 50, 100), duration: float = 15.0, max_switches: int = 30) -> dict:
    """Protocol-level load on each page (a fresh server each), ``levels`` concurrent sessions."""
    import protocol_load as pl

    out = {"duration_s": duration, "max_switches": max_switches}
    for name, script, expect in (
        ("geodash", GEODASH_SCRIPT, pl.geodash_expect()),
        ("trivial", TRIVIAL_SCRIPT, pl.trivial_expect),
    ):
        server = Server(script)
        try:
            server.wait_healthy()
            server.wait_settled()
            asyncio.run(pl.run_level(server.url, 1, "Intercommunalité", 2, 1, expect))  # loads the data
            rss0 = server.rss().get("VmRSS")
            rows = pl.capacity(
                server.url, list(levels), duration, max_switches, expect, pid=server.proc.pid, log=lambda m: log(m)
            )
            out[name] = {"rows": rows, "rss_before_mb": rss0, "rss_peak_mb": server.rss().get("VmHWM")}
        finally:
            server.stop()
    return out


def server_rerun(n: int = 21) -> dict:
    """One protocol session per page, no browser: the server's own rerun time for a switch
    (BackMsg sent → script_finished received) and the server's CPU seconds per switch (from /proc:
    less sensitive than wall time to other work on the machine), geodash vs trivial."""
    import protocol_load as pl

    out = {}
    pages = [("geodash", GEODASH_SCRIPT, pl.geodash_expect()), ("trivial", TRIVIAL_SCRIPT, pl.trivial_expect)]
    if ENTRY == "serve":  # before/after: the same page without the start-up warm-up and heap freeze
        pages.append(("geodash (app.py)", APP, pages[0][2]))
    for name, script, expect in pages:
        server = Server(script)
        try:
            server.wait_healthy()
            server.wait_settled()

            async def session(server=server, expect=expect):
                s = pl.Session(server.url)
                await s.open("Intercommunalité")
                options = s.widget[1][1:]
                for option in options[:3]:  # every code path once before measuring
                    await s.choose(option)
                times, errors, size = [], [], 0
                cpu0 = pl._cpu(server.proc.pid)
                for i in range(n):
                    option = options[(3 + i * 7) % len(options)]
                    t, reply = await s.choose(option)
                    bad = pl.problems(reply, expect(option))
                    errors += bad
                    times.append(t)
                    size += reply.bytes
                cpu = (pl._cpu(server.proc.pid) - cpu0) / n
                await s.close()
                return times, errors, size / n, cpu

            times, errors, size, cpu = asyncio.run(session())
        finally:
            server.stop()
        out[name] = {**stats(times), "errors": errors[:5], "bytes_per_rerun": size, "server_cpu_per_rerun_s": cpu}
    out["ratio_median"] = out["geodash"]["median"] / out["trivial"]["median"]
    out["ratio_cpu"] = out["geodash"]["server_cpu_per_rerun_s"] / out["trivial"]["server_cpu_per_rerun_s"]
    out["entry"] = ENTRY
    log("server rerun", {k: (round(v["median"], 3) if isinstance(v, dict) else v) for k, v in out.items()})
    return out


def server_process_rss(pid: int) -> float | None:
    return proc_status(pid).get("VmRSS")


__all__ = ["switch", "first_visit", "memory", "capacity", "server_rerun", "stats", "quantile"]
