"""Time to map in a real browser (3) and server memory (4): ``streamlit run`` on a loopback port,
Debian's headless Chromium through Playwright.

"Map drawn" is the moment the map frame's overlay script sets ``data-gd-ready`` on the
``.leaflet-container`` (all markers are in the DOM then); an init script injected in every frame
records it with ``Date.now()``, so the figures do not depend on how often Python polls. The next
animation frame after it (``paint``) is recorded too.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import APP, REPO_DIR, cpu_seconds, free_port, log, median, proc_status

from chromium_launch import MISSING, chromium_path, launch

INIT = """(() => {
  const set = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (name === 'data-gd-ready') {  // every view drawn in the frame (it is kept across views)
      const t = Date.now();
      window.__gdReadyAt = t;
      window.__gdPaintAt = 0;
      requestAnimationFrame(() => requestAnimationFrame(() => {
        if (window.__gdReadyAt === t) { window.__gdPaintAt = Date.now(); }
      }));
    }
    return set.call(this, name, value);
  };
})();"""

PROBE = """() => [window.__gdReadyAt || 0, window.__gdPaintAt || 0,
  (document.querySelector('.gd-legend-title') || {}).textContent || '',
  document.querySelectorAll('.gd-marker').length]"""


class Server:
    """``streamlit run`` on a free loopback port (never 8511); ``started`` is the epoch of Popen."""

    def __init__(self, script: Path, log_path: Path | None = None, extra_args: list[str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (kept open for the server's life)
        env = {**os.environ, "STREAMLIT_LOGGER_LEVEL": "error"}
        self.started = time.time()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                *(extra_args or []),
            ],
            cwd=REPO_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 60) -> float:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).status == 200:
                    return time.time()
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the Streamlit server did not start")

    def rss(self) -> dict:
        return proc_status(self.proc.pid)

    def wait_settled(self, quiet: float = 3.0, timeout: float = 180) -> float:
        """Wait until the server has been idle for ``quiet`` seconds (under 5 % of a core: its
        start-up warm-up has prepared the views; ``quiet`` is longer than the pause the warm-up makes
        before them, ``geodash.startup.QUIET_S``); return the seconds waited. For measures of the
        steady state: the first visit is measured without this wait."""
        start = time.time()
        deadline = start + timeout
        while time.time() < deadline:
            before = cpu_seconds(self.proc.pid)
            time.sleep(quiet)
            if cpu_seconds(self.proc.pid) - before < 0.05 * quiet:
                return time.time() - start
        raise RuntimeError(f"the server was still busy after {timeout} s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Tab:
    """A browser context + page that counts the WebSocket bytes it receives."""

    def __init__(self, browser, width=1366, height=768):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.add_init_script(INIT)
        self.page = self.context.new_page()
        self.ws_bytes = 0
        self.ws_last = time.time()
        self.ws_opened = None
        self.map_msg_at = None  # first WebSocket message carrying the map frame component
        self.external: list[str] = []
        self.page.on("websocket", self._ws)
        self.page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
                else self.external.append(r.url)
            ),
        )

    def _ws(self, ws):
        self.ws_opened = self.ws_opened or time.time()

        def received(payload):
            self.ws_bytes += len(payload)
            self.ws_last = time.time()
            if self.map_msg_at is None and b"streamlit_folium" in (
                payload if isinstance(payload, bytes) else payload.encode("utf-8", "ignore")
            ):
                self.map_msg_at = self.ws_last

        ws.on("framereceived", received)

    def wait_map(self, after: float, title: str | None = None, timeout: float = 60) -> dict:
        """Wait for a map frame drawn after epoch ``after`` (seconds), with ``title`` in its legend."""
        deadline = time.time() + timeout
        after_ms = after * 1000
        while time.time() < deadline:
            for frame in self.page.frames:
                try:
                    ready, paint, legend, markers = frame.evaluate(PROBE)
                except Exception:
                    continue
                if ready and ready >= after_ms - 1 and (title is None or title in legend):
                    while not paint and time.time() < deadline:
                        self.page.wait_for_timeout(10)
                        try:
                            ready, paint, legend, markers = frame.evaluate(PROBE)
                        except Exception:
                            break
                    return {
                        "ready": (ready - after_ms) / 1000,
                        "paint": (paint - after_ms) / 1000 if paint else None,
                        "markers": markers,
                        "frame": frame,
                    }
            self.page.wait_for_timeout(25)
        raise TimeoutError(f"no map drawn{' for ' + title if title else ''} within {timeout} s")

    def quiet(self, idle: float = 0.3, limit: float = 5.0):
        """Wait until no WebSocket frame arrived for ``idle`` seconds (the rerun has finished sending)."""
        end = time.time() + limit
        while time.time() < end and time.time() - self.ws_last < idle:
            self.page.wait_for_timeout(50)

    def choose(self, label: str) -> float:
        """Choose ``label`` in the Intercommunalité selectbox as a person would (type, Enter);
        return the epoch of the Enter key."""
        self.page.get_by_test_id("stSelectbox").first.click()
        self.page.keyboard.type(label)
        self.page.wait_for_timeout(60)
        t0 = time.time()
        self.page.keyboard.press("Enter")
        return t0

    def close(self):
        self.context.close()


def _names():
    from geodash.territories import load_territories

    terr = load_territories()
    return (
        list(terr.sirens),
        dict(zip(terr.epci["siren"], terr.epci["nom_court"])),
        dict(zip(terr.epci["siren"], terr.epci["nom"])),
    )


DEPT_LABEL, DEPT_TITLE = "Tout le département", "Pas-de-Calais : les 20 intercommunalités"


def startup(browser, script: Path, runs: int, log_path: Path) -> tuple[list[dict], Server]:
    """``streamlit run`` → first map drawn in a browser that asks for the page as soon as the
    server answers its health check. The last server is left running and returned."""
    samples, server = [], None
    for _ in range(runs):
        if server:
            server.stop()
        server = Server(script, log_path)
        healthy = server.wait_healthy()
        rss_idle = server.rss().get("VmRSS")
        tab = Tab(browser)
        tab.page.goto(server.url)
        drawn = tab.wait_map(server.started, DEPT_TITLE, timeout=90)
        tab.quiet()
        samples.append(
            {
                "healthy": healthy - server.started,
                "map": drawn["ready"],
                "paint": drawn["paint"],
                "rss_idle_mb": rss_idle,
                "rss_first_view_mb": server.rss().get("VmRSS"),
            }
        )
        tab.close()
    return samples, server


WATERFALL_MAIN = """() => { const n = performance.getEntriesByType('navigation')[0];
  const r = performance.getEntriesByType('resource');
  return {origin: performance.timeOrigin, dcl: n.domContentLoadedEventEnd,
          bytes: n.transferSize + r.reduce((a, e) => a + e.transferSize, 0),
          decoded: n.decodedBodySize + r.reduce((a, e) => a + e.decodedBodySize, 0), files: r.length + 1}; }"""
WATERFALL_FRAME = """() => { const r = performance.getEntriesByType('resource');
  const l = r.find(e => e.name.endsWith('leaflet.js'));
  return {origin: performance.timeOrigin, leaflet: l ? l.responseEnd : null,
          bytes: r.reduce((a, e) => a + e.transferSize, 0)}; }"""


def _waterfall(tab: Tab, t0: float, drawn: dict) -> dict:
    """Milestones of one page load, in seconds from the navigation."""
    try:
        main = tab.page.evaluate(WATERFALL_MAIN)
        frame = drawn["frame"].evaluate(WATERFALL_FRAME)
    except Exception:
        return {}
    ms = t0 * 1000
    return {
        "page scripts loaded (DOMContentLoaded)": (main["origin"] + main["dcl"] - ms) / 1000,
        "WebSocket opened": (tab.ws_opened - t0) if tab.ws_opened else None,
        "map data received (WebSocket)": (tab.map_msg_at - t0) if tab.map_msg_at else None,
        "map frame created": (frame["origin"] - ms) / 1000,
        "Leaflet loaded in the frame": (frame["origin"] + frame["leaflet"] - ms) / 1000 if frame["leaflet"] else None,
        "markers drawn": drawn["ready"],
        "bytes transferred (page)": main["bytes"],
        "bytes decoded (page)": main["decoded"],
        "files (page)": main["files"],
        "bytes transferred (map frame)": frame["bytes"],
    }


def _navigate_once(browser, server: Server, epci: str | None, title: str) -> tuple[dict, dict]:
    """Open ``/?epci=...`` in a new browser context (empty cache), then reload it (cache warm)."""
    tab = Tab(browser)
    url = server.url + (f"/?epci={epci}" if epci else "/")
    t0 = time.time()
    tab.page.goto(url)
    cold = tab.wait_map(t0, title)
    cold["waterfall"] = _waterfall(tab, t0, cold)
    tab.quiet()
    t0 = time.time()
    tab.page.goto(url)
    warm = tab.wait_map(t0, title)
    tab.quiet()
    tab.close()
    return cold, warm


def _summary(cold: list[dict], warm: list[dict]) -> dict:
    return {
        "markers": cold[-1]["markers"],
        "cold_cache": {
            "map": median([d["ready"] for d in cold]),
            "paint": median([d["paint"] for d in cold]),
            "max": max(d["ready"] for d in cold),
        },
        "warm_cache": {
            "map": median([d["ready"] for d in warm]),
            "paint": median([d["paint"] for d in warm]),
            "max": max(d["ready"] for d in warm),
        },
        "runs": len(cold),
        "waterfall_cold": {k: median([d["waterfall"].get(k) for d in cold]) for k in cold[0]["waterfall"]},
    }


def navigation(browser, plan: list[tuple[str, Server, str | None, str]], runs: int) -> dict:
    """Navigation for every (app, server, view) of ``plan``, the apps taking turns within each round so
    that they meet the same conditions (the machine is shared, the browser warms up)."""
    samples: dict = {}
    for _ in range(runs):
        for name, server, epci, title in plan:
            cold, warm = _navigate_once(browser, server, epci, title)
            samples.setdefault((name, epci or "departement"), ([], []))
            samples[(name, epci or "departement")][0].append(cold)
            samples[(name, epci or "departement")][1].append(warm)
    out: dict = {}
    for (name, key), (cold, warm) in samples.items():
        out.setdefault(name, {})[key] = _summary(cold, warm)
        log(
            "navigation",
            name,
            key,
            {k: round(v["map"], 2) for k, v in out[name][key].items() if k in ("cold_cache", "warm_cache")},
        )
    return out


def switching(
    browser, server: Server, sirens: list[str], short: dict, long: dict, n_switches: int, rss_every: int = 10
) -> dict:
    """One visitor: département, then every EPCI once, then ``n_switches`` more choices (fixed
    shuffled order over the 21 views); time of each switch, WebSocket bytes, server RSS."""
    tab = Tab(browser)
    rss = [{"after": "start-up visit and the navigation runs", **server.rss()}]
    t0 = time.time()
    tab.page.goto(server.url)
    tab.wait_map(t0, DEPT_TITLE)
    tab.quiet()
    rss.append({"after": "this visitor's first view (département)", **server.rss()})
    samples = []

    def switch(target: str | None, quiet: bool):
        label = DEPT_LABEL if target is None else short[target]
        title = DEPT_TITLE if target is None else long[target]
        before = tab.ws_bytes
        t = tab.choose(label)
        d = tab.wait_map(t, title)
        tab.quiet(0.3 if quiet else 0.15)
        samples.append(
            {
                "to": target or "departement",
                "map": d["ready"],
                "paint": d["paint"],
                "ws_bytes": tab.ws_bytes - before,
                "markers": d["markers"],
            }
        )

    for siren in sirens:
        switch(siren, True)
    rss.append({"after": "every EPCI visited once (21 views)", **server.rss()})
    order = [None] + list(sirens)
    rng = random.Random(62)
    current = sirens[-1]
    for i in range(n_switches):
        target = rng.choice([v for v in order if v != current])
        switch(target, False)
        current = target
        if (i + 1) % rss_every == 0:
            rss.append({"after": f"{i + 1} more switches", **server.rss()})
    tab.close()
    epci_samples = [s for s in samples if s["to"] != "departement"]
    dept_samples = [s for s in samples if s["to"] == "departement"]
    by_view: dict[str, list[float]] = {}
    for s in samples:
        by_view.setdefault(s["to"], []).append(s["map"])
    maps = sorted(s["map"] for s in samples)
    return {
        "switches": len(samples),
        "to_epci": {
            "map": median([s["map"] for s in epci_samples]),
            "paint": median([s["paint"] for s in epci_samples]),
            "p90": sorted(s["map"] for s in epci_samples)[int(0.9 * (len(epci_samples) - 1))],
            "max": max(s["map"] for s in epci_samples),
            "n": len(epci_samples),
        },
        "to_departement": {
            "map": median([s["map"] for s in dept_samples]) if dept_samples else None,
            "n": len(dept_samples),
        },
        "all_p90": maps[int(0.9 * (len(maps) - 1))],
        "ws_bytes_first_visits": {s["to"]: s["ws_bytes"] for s in samples[: len(sirens)]},
        "by_view_median": {k: median(v) for k, v in by_view.items()},
        "rss": rss,
        "external_requests": tab.external,
    }


def run(quick: bool = False, variants: dict[str, Path] | None = None, largest: str | None = None) -> dict:
    """Ours and each variant of the app (``naive`` and the what-ifs): start-up, then navigation with
    the apps taking turns; then one visitor's switches and memory on ours, and a few on the naive app."""
    from playwright.sync_api import sync_playwright

    if not chromium_path():
        return {"skipped": MISSING}
    sirens, short, long = _names()
    if largest is None:
        from common import app_payload

        largest = max(sirens, key=lambda s: app_payload(s)["args_json"])
    log_path = Path(tempfile.gettempdir()) / "geodash-bench-streamlit.log"
    runs = 2 if quick else 4
    out: dict = {"log": str(log_path), "largest": largest, "variants": {}}
    views = [(None, DEPT_TITLE), (largest, long[largest])]
    apps = {"ours": APP, **(variants or {})}
    servers: dict[str, Server] = {}
    with sync_playwright() as p:
        browser = launch(p)
        try:
            log("browser: start-up")
            startups: dict[str, list] = {name: [] for name in apps}
            for name, script in apps.items():  # one start each, kept running for the navigation
                samples, servers[name] = startup(browser, script, 1, log_path)
                startups[name] += samples
            extra, srv = startup(browser, APP, 1 if quick else 2, log_path)
            srv.stop()
            startups["ours"] += extra
            log("start-up", {k: [round(x["map"], 2) for x in v] for k, v in startups.items()})
            plan = [("ours", servers["ours"], e, t) for e, t in views]
            plan += [("naive", servers["naive"], e, t) for e, t in views] if "naive" in servers else []
            plan += [(n, servers[n], largest, long[largest]) for n in servers if n not in ("ours", "naive")]
            nav = navigation(browser, plan, runs)
            out["startup"], out["navigation"] = startups.pop("ours"), nav.pop("ours")
            for name in servers:
                if name != "ours":
                    out["variants"][name] = {"startup": startups[name], "navigation": nav.get(name, {})}
            for name in list(servers):
                if name not in ("ours", "naive"):
                    servers.pop(name).stop()
            log("browser: switching")
            out["switching"] = switching(browser, servers["ours"], sirens, short, long, 30 if quick else 100)
            log("switching", {k: v for k, v in out["switching"].items() if k in ("to_epci", "to_departement")})
            if "naive" in servers:
                try:
                    out["variants"]["naive"]["switching"] = switching(
                        browser, servers["naive"], sirens[:5], short, long, 3 if quick else 5, rss_every=5
                    )
                except Exception as exc:  # keep everything measured so far
                    out["variants"]["naive"]["switching_error"] = repr(exc)
        finally:
            for srv in servers.values():
                srv.stop()
            browser.close()
    return out


if __name__ == "__main__":
    import json

    from common import VARIANTS, write_variant

    with tempfile.TemporaryDirectory() as tmp:
        scripts = {name: write_variant(Path(tmp), name) for name in VARIANTS} if "--variants" in sys.argv else {}
        result = run("--quick" in sys.argv, scripts)
    json.dump(result, sys.stdout, indent=1, default=str)
