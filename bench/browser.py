"""The browser sections (headless Debian Chromium through Playwright): ``switch`` and ``first-visit``,
geodash (``streamlit run app.py``) against the trivial page (``streamlit run bench/trivial_app.py``),
in the same run, taking turns; ``first-visit`` measures the floor of geodash's design beside them
(``bench/map_only_app.py``, :data:`FIRST_VISIT_PAGES`).

Every time is read from the page's own clock (``Date.now()``), recorded by an init script:

- the Enter key that chooses an option (a capture listener on ``window``);
- each WebSocket message's arrival (the page's ``WebSocket`` wrapped; its bytes are kept and decoded
  afterwards with the ``ForwardMsg`` class of the ``streamlit`` package: the map's component delta,
  ``script_finished``);
- **map drawn**: the moment the map's script sets ``data-gd-ready`` on ``.leaflet-container``
  (``static/webmap_overlay.js``, the last thing it does for a view), with the legend's title
  (``.gd-legend-title``) then, so that a view is told by its territory; and two animation frames
  later (painted);
- **page consistent**: the first animation frame where the page's ``h1`` names the territory, the map
  is drawn for it (not as a session's first look, ``data-gd-first-look``: the whole page) and no script
  run is in progress. Streamlit has no public sign of the last: the
  bench reads ``data-test-script-state`` on the app's root element (``notRunning``), Streamlit's own
  test hook. The product's code never reads it; the bench is a measuring tool. The trivial page is
  consistent when its text line names the option and no run is in progress (the same hook).
"""

from __future__ import annotations

import base64
import json
import tempfile
import time
from pathlib import Path

from common import APP, DEPT_LABEL, MAP_ONLY, TRIVIAL, Server, epci_names, log, stats

from chromium_launch import MISSING, chromium_path, launch

TRIVIAL_OPTIONS = ["Tout le département"] + [f"Territoire {i:02d}" for i in range(1, 21)]

INIT = """(() => {
  if (window.__gd) return;
  const gd = window.__gd = {enter: 0, ready: [], drawStart: [], ws: [], longtasks: []};
  window.addEventListener('keydown', (e) => { if (e.key === 'Enter') gd.enter = Date.now(); }, true);
  // A view's drawing begins by undoing the previous one (static/mapview.js: reset), readiness marks first.
  const remove = Element.prototype.removeAttribute;
  Element.prototype.removeAttribute = function (name) {
    if (name === 'data-gd-ready') gd.drawStart.push(Date.now());
    return remove.call(this, name);
  };
  const set = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    const out = set.call(this, name, value);
    if (name === 'data-gd-ready') {
      const title = this.querySelector('.gd-legend-title') || document.querySelector('.gd-legend-title');
      const entry = {t: Date.now(), title: title ? title.textContent : '', markers: Number(value), paint: 0};
      gd.ready.push(entry);
      requestAnimationFrame(() => requestAnimationFrame(() => { entry.paint = Date.now(); }));
    }
    return out;
  };
  const W = window.WebSocket;
  const Wrapped = function (...args) {
    const ws = new W(...args);
    ws.addEventListener('message', (e) => { gd.ws.push({t: Date.now(), d: e.data}); });
    return ws;
  };
  Wrapped.prototype = W.prototype;
  Object.assign(Wrapped, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Wrapped;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gd.longtasks.push([performance.timeOrigin + e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) { /* no long task timing */ }
})();"""

# The WebSocket messages received since ``t`` (page clock, ms): [arrival, base64 of the bytes].
MESSAGES = """async (t) => {
  const out = [];
  for (const m of window.__gd.ws.filter((m) => m.t >= t)) {
    const buf = m.d instanceof Blob ? await m.d.arrayBuffer() : (typeof m.d === 'string'
      ? new TextEncoder().encode(m.d).buffer : m.d);
    const bytes = new Uint8Array(buf);
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    out.push([m.t, btoa(s)]);
  }
  window.__gd.ws = window.__gd.ws.filter((m) => m.t >= t);
  return out;
}"""

RUN_OVER = "(() => { const a = document.querySelector('[data-test-script-state]');"
RUN_OVER += " return !!a && a.getAttribute('data-test-script-state') === 'notRunning'; })()"

# Date.now() once geodash's page is consistent for arg = {title, legend}, else false (polled every frame).
GEODASH_CONSISTENT = (
    """(arg) => {
  if (!"""
    + RUN_OVER
    + """) return false;
  const h1 = document.querySelector('h1');
  if (!h1 || !h1.textContent.includes(arg.title)) return false;
  const box = document.querySelector('.leaflet-container[data-gd-ready]');
  if (!box || box.hasAttribute('data-gd-first-look')) return false;  // the whole page, not its first look
  const legend = box.querySelector('.gd-legend-title') || document.querySelector('.gd-legend-title');
  if (!legend || legend.textContent !== arg.legend) return false;
  return Date.now();
}"""
)

# Date.now() once the trivial page's text names ``option`` and no run is in progress, else false.
TRIVIAL_CONSISTENT = (
    """(option) => {
  if (!"""
    + RUN_OVER
    + """) return false;
  return [...document.querySelectorAll('strong')].some((e) => e.textContent === option) ? Date.now() : false;
}"""
)


def decode(messages: list) -> list[dict]:
    """The ForwardMsg messages ``[[arrival ms, base64]]`` as ``{t (s, epoch), bytes, kind}``; ``kind``
    names the delta's element (``bidi_component`` is geodash's map) or the message type."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = []
    for t, data in messages:
        raw = base64.b64decode(data)
        msg = ForwardMsg()
        try:
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type") or "?"
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                kind = "element:" + (msg.delta.new_element.WhichOneof("type") or "?")
            elif kind == "delta":
                kind = "delta:" + (msg.delta.WhichOneof("type") or "?")
        except Exception:
            kind = "undecoded"
        out.append({"t": t / 1000, "bytes": len(raw), "kind": kind})
    return out


class Tab:
    """One browser context and page (empty cache) with :data:`INIT`."""

    def __init__(self, browser, width: int = 1366, height: int = 768):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.add_init_script(INIT)
        self.page = self.context.new_page()
        self.external: list[str] = []
        self.page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
                else self.external.append(r.url)
            ),
        )

    def choose(self, label: str) -> None:
        """Choose ``label`` in the sidebar's « Intercommunalité » list as a person does: type its name,
        then Enter once the list shows it first (the Enter's time is recorded in the page)."""
        field = self.page.get_by_label("Intercommunalité", exact=True)
        field.click()
        field.fill(label)
        self.page.wait_for_function(
            "o => { const f = document.querySelector('[role=option]'); return !!f && f.textContent === o; }",
            arg=label,
            timeout=30_000,
        )
        field.press("Enter")

    def enter(self) -> float:
        return self.page.evaluate("() => window.__gd.enter") / 1000

    def wait(self, predicate: str, arg, timeout: float = 60) -> float:
        """Epoch (page clock) of the first animation frame where ``predicate(arg)`` holds."""
        handle = self.page.wait_for_function(predicate, arg=arg, polling="raf", timeout=timeout * 1000)
        return handle.json_value() / 1000

    def drawn(self, after: float, legend: str) -> dict | None:
        """The first map drawn after epoch ``after`` with ``legend`` as its title: times in epoch seconds."""
        entries, starts = self.page.evaluate(
            "(t) => [window.__gd.ready.filter((e) => e.t >= t), window.__gd.drawStart.filter((s) => s >= t)]",
            after * 1000,
        )
        for e in entries:
            if e["title"] == legend:
                began = [s for s in starts if s <= e["t"]]
                return {
                    "t": e["t"] / 1000,
                    "paint": e["paint"] / 1000 if e["paint"] else None,
                    "markers": e["markers"],
                    "draw_start": began[-1] / 1000 if began else None,
                }
        return None

    def messages(self, after: float) -> list[dict]:
        return decode(self.page.evaluate(MESSAGES, after * 1000))

    def long_tasks(self, after: float, until: float) -> float:
        """Seconds of the page's main thread in tasks over 50 ms between two epochs."""
        rows = self.page.evaluate("() => window.__gd.longtasks")
        return sum(d for t, d in rows if after * 1000 <= t <= until * 1000) / 1000

    def close(self):
        self.context.close()


def legend_titles() -> tuple[str, str]:
    """The page's title and the map legend's title of the département's view (the root URL)."""
    from geodash import viewmodel as vm
    from geodash.selection import load_base

    base = load_base(with_context=False)
    choice = vm.choice_of(base, vm.opened(base, vm.view_of(base, {})))
    return vm.title(base, choice), vm.web_map(base, choice).legend.title


def _milestones(messages: list[dict], start: float) -> dict:
    """Arrival of the run's messages after ``start``: the first one, the map's component delta (the
    largest ``bidi_component``), ``script_finished``; bytes received."""
    maps = [m for m in messages if m["kind"] == "element:bidi_component"]
    finished = [m for m in messages if m["kind"] == "script_finished"]
    return {
        "first_message": messages[0]["t"] - start if messages else None,
        "map_delta": max(maps, key=lambda m: m["bytes"])["t"] - start if maps else None,
        "map_delta_bytes": max(m["bytes"] for m in maps) if maps else 0,
        "script_finished": finished[-1]["t"] - start if finished else None,
        "ws_bytes": sum(m["bytes"] for m in messages),
        "ws_messages": len(messages),
        "ref_hash": sum(1 for m in messages if m["kind"] == "ref_hash"),
    }


PAGE_LOAD = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const l = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/leaflet/leaflet.js'));
  const o = performance.timeOrigin;
  return {dcl: o + n.domContentLoadedEventEnd, leaflet_asked: l ? o + l.startTime : null,
          leaflet_loaded: l ? o + l.responseEnd : null, draw_start: window.__gd.drawStart[0] || null};
}"""


def _page_load(tab: Tab, start: float) -> dict:
    """Milestones of a first page load (seconds after ``start``): Streamlit's page scripts loaded
    (DOMContentLoaded), Leaflet asked for (by the page's first element) and received,
    the map's first drawing started."""
    got = tab.page.evaluate(PAGE_LOAD)
    return {k: (v / 1000 - start if v else None) for k, v in got.items()}


def switch(n: int = 21, seed: int = 23) -> dict:
    """geodash and the trivial page, one tab each, taking turns: ``n`` switches each (EPCI to EPCI)."""
    import random

    from playwright.sync_api import sync_playwright

    if not chromium_path():
        return {"skipped": MISSING}
    sirens, short, long = epci_names()
    dept_title, dept_legend = legend_titles()
    rng = random.Random(seed)
    order: list[str] = []
    while len(order) < n:
        more = list(sirens)
        rng.shuffle(more)
        order += [s for s in more if not order or s != order[-1]]
    order = order[:n]
    trivial_order = [TRIVIAL_OPTIONS[1 + (i * 7) % 20] for i in range(n)]
    geo, triv = Server(APP), Server(TRIVIAL)
    out: dict = {"n": n, "geodash": [], "trivial": []}
    try:
        geo.wait_healthy()
        triv.wait_healthy()
        out["warm_up_wait_s"] = geo.wait_settled()  # the steady state: first-visit measures the start-up
        with sync_playwright() as p:
            browser = launch(p)
            g, t = Tab(browser), Tab(browser)
            g.page.goto(geo.url)
            g.wait(GEODASH_CONSISTENT, {"title": dept_title, "legend": dept_legend}, timeout=90)
            t.page.goto(triv.url)
            t.wait(TRIVIAL_CONSISTENT, TRIVIAL_OPTIONS[0])
            g.page.wait_for_timeout(1000)
            cpu0 = geo.cpu()
            for i in range(n):
                siren = order[i]
                g.choose(short[siren])
                consistent = g.wait(GEODASH_CONSISTENT, {"title": long[siren], "legend": long[siren]})
                start = g.enter()
                g.page.wait_for_timeout(400)  # the map settles (its 50 ms timer), Streamlit's GC after the run
                drawn = g.drawn(start, long[siren])
                out["geodash"].append(
                    {
                        "to": siren,
                        "map": drawn["t"] - start if drawn else None,
                        "paint": drawn["paint"] - start if drawn and drawn["paint"] else None,
                        "draw_start": drawn["draw_start"] - start if drawn and drawn["draw_start"] else None,
                        "consistent": consistent - start,
                        "markers": drawn["markers"] if drawn else None,
                        "long_tasks_s": g.long_tasks(start, consistent),
                        **_milestones(g.messages(start), start),
                    }
                )
                option = trivial_order[i]
                t.choose(option)
                consistent = t.wait(TRIVIAL_CONSISTENT, option)
                start = t.enter()
                t.page.wait_for_timeout(400)
                out["trivial"].append(
                    {"to": option, "consistent": consistent - start, **_milestones(t.messages(start), start)}
                )
            out["geodash_server_cpu_per_switch_s"] = (geo.cpu() - cpu0) / n
            out["external_requests"] = g.external + t.external
            browser.close()
        # The same switches by a session without a browser (Streamlit's protocol): the server's share.
        import protocol_load as pl
        from server import reruns_alone

        out["alone"] = {
            "geodash": reruns_alone(geo, [short[s] for s in order], pl.geodash_expect()),
            "trivial": reruns_alone(triv, trivial_order, pl.trivial_expect),
        }
        out["geodash_rss_mb"] = geo.rss().get("VmRSS")
    finally:
        geo.stop()
        triv.stop()
    gs, ts = out["geodash"], out["trivial"]
    trivial = stats([s["consistent"] for s in ts])
    summary = {
        "geodash": stats([s["consistent"] for s in gs]),
        "trivial": trivial,
        "map": stats([s["map"] for s in gs]),
        "stages": {
            k: stats([s[k] for s in gs])
            for k in (
                "first_message",
                "map_delta",
                "draw_start",
                "map",
                "paint",
                "script_finished",
                "consistent",
                "long_tasks_s",
            )
        },
        "trivial_stages": {k: stats([s[k] for s in ts]) for k in ("first_message", "script_finished", "consistent")},
        "alone": {
            name: {
                k: stats([row[k] for row in out["alone"][name]])
                for k in ("first_message", "map_delta", "script_finished", "server_cpu_s")
            }
            for name in ("geodash", "trivial")
        },
        "ws_bytes": stats([s["ws_bytes"] for s in gs]),
        "map_delta_bytes": stats([s["map_delta_bytes"] for s in gs if s["map_delta_bytes"]]),
    }
    summary["ratio_median"] = summary["geodash"]["median"] / trivial["median"]
    summary["ratio_p90"] = summary["geodash"]["p90"] / trivial["median"]
    summary["ratio_p90_p90"] = summary["geodash"]["p90"] / trivial["p90"]
    summary["ratio_map"] = summary["map"]["median"] / trivial["median"]
    out["summary"] = summary
    log("switch", {k: v for k, v in summary.items() if k.startswith("ratio")})
    return out


#: The first-visit section's pages: name → (script, environment). The two ``map_only`` pages are the
#: floor of geodash's design (``bench/map_only_app.py``): its first look alone, then with geodash's
#: start-up running in its server meanwhile.
FIRST_VISIT_PAGES = {
    "geodash": (APP, {}),
    "map_only": (MAP_ONLY, {}),
    "map_only_startup": (MAP_ONLY, {"BENCH_STARTUP": "1"}),
    "trivial": (TRIVIAL, {}),
}


def first_look(folder: Path) -> Path:
    """Write the root URL's first look (title, map label, the map's view, the territory list) as
    ``bench/map_only_app.py`` reads it, from geodash's view model; return the file."""
    from geodash import viewmodel as vm
    from geodash.selection import load_base

    base = load_base()
    choice = vm.choice_of(base, vm.opened(base, vm.view_of(base, {})))
    web, labels = vm.web_map(base, choice), vm.option_labels(base)
    look = {
        "head": vm.map_head(base, choice),
        "label": f"Carte : {vm.title(base, choice)}",
        "key": web.key,
        "text": web.text,
        "options": [[option or "", labels[option]] for option in vm.epci_options(base)],
    }
    path = folder / "first_look.json"
    path.write_text(json.dumps(look, ensure_ascii=False), encoding="utf-8")
    return path


def first_visit(runs: int = 9) -> dict:
    """``streamlit run`` → the first page drawn, taking turns (the page that starts first rotates):
    geodash's map (and its page consistent), the map-only pages' (:data:`FIRST_VISIT_PAGES`), the trivial
    page's text. The browser asks for the page as soon as the health check answers, in a new context
    (empty cache); one Chromium for all."""
    from playwright.sync_api import sync_playwright

    if not chromium_path():
        return {"skipped": MISSING}
    dept_title, dept_legend = legend_titles()
    names = list(FIRST_VISIT_PAGES)
    out: dict = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="geodash-bench-look-") as folder, sync_playwright() as p:
        look = {"BENCH_FIRST_LOOK": str(first_look(Path(folder)))}
        browser = launch(p)
        for i in range(runs):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                script, env = FIRST_VISIT_PAGES[name]
                server = Server(script, env=env | look)
                try:
                    healthy = server.wait_healthy()
                    tab = Tab(browser)
                    asked = time.time()
                    tab.page.goto(server.url)
                    row = {"healthy": healthy - server.started, "page_asked": asked - server.started}
                    if name != "trivial":
                        consistent = tab.wait(GEODASH_CONSISTENT, {"title": dept_title, "legend": dept_legend}, 120)
                        tab.page.wait_for_timeout(300)
                        drawn = tab.drawn(server.started, dept_legend)
                        row |= {
                            "drawn": drawn["t"] - server.started,
                            "paint": drawn["paint"] - server.started if drawn["paint"] else None,
                            "consistent": consistent - server.started,
                        }
                    else:
                        consistent = tab.wait(TRIVIAL_CONSISTENT, TRIVIAL_OPTIONS[0], 120)
                        row |= {"drawn": consistent - server.started, "consistent": consistent - server.started}
                    tab.page.wait_for_timeout(300)
                    row |= _page_load(tab, server.started)
                    ws = _milestones(tab.messages(server.started), server.started)
                    row |= {k: ws[k] for k in ("first_message", "map_delta", "script_finished", "ws_bytes")}
                    row["rss_mb"] = server.rss().get("VmRSS")
                    row["server_cpu_s"] = server.cpu()
                    out[name].append(row)
                    tab.close()
                finally:
                    server.stop()
            log("first visit", i + 1, {k: round(v[-1]["drawn"], 2) for k, v in out.items()})
        browser.close()
    keys = (
        "healthy",
        "page_asked",
        "dcl",
        "first_message",
        "map_delta",
        "leaflet_asked",
        "leaflet_loaded",
        "draw_start",
        "drawn",
        "paint",
        "consistent",
        "server_cpu_s",
    )
    out["summary"] = {name: {k: stats([r.get(k) for r in out[name]]) for k in keys} for name in names}
    trivial = out["summary"]["trivial"]["drawn"]["median"]
    out["summary"]["ratio"] = out["summary"]["geodash"]["drawn"]["median"] / trivial
    out["summary"]["ratio_map_only"] = out["summary"]["map_only"]["drawn"]["median"] / trivial
    out["summary"]["ratio_map_only_startup"] = out["summary"]["map_only_startup"]["drawn"]["median"] / trivial
    out["summary"]["ratio_consistent"] = (
        out["summary"]["geodash"]["consistent"]["median"] / out["summary"]["trivial"]["consistent"]["median"]
    )
    log("first visit", {k: v for k, v in out["summary"].items() if k.startswith("ratio")})
    return out


__all__ = ["switch", "first_visit", "Tab", "INIT", "GEODASH_CONSISTENT", "TRIVIAL_CONSISTENT", "DEPT_LABEL"]
