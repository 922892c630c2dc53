"""Shared helpers of the benchmarks: the page's view built exactly as ``app.py`` builds it,
the map payload as the map frame component gets it, timing and memory read from ``/proc``.

Nothing here writes outside ``bench/`` or a temporary folder.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from geodash.selection import Base  # what load_base returns (also used by the what-if scenarios)

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
if str(REPO_DIR) not in sys.path:
    sys.path.append(str(REPO_DIR))  # chromium_launch.py, the Chromium of the bench and the browser tests
APP = REPO_DIR / "app.py"
MAP_PAGE = REPO_DIR / "src" / "geodash" / "pages" / "carte.py"  # the map page's widgets and calls
KB = 1000  # budgets are in decimal kilobytes (the stricter reading)
MB = 1000 * KB
FORBIDDEN_PORTS = {8511}


# --- time and memory ------------------------------------------------------------------------------


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def timed(fn, *args, **kwargs):
    """``(seconds, result)`` of one call."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def repeat(fn, n: int, warmup: int = 1) -> list[float]:
    """Seconds of ``n`` calls after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    return [timed(fn)[0] for _ in range(n)]


def proc_status(pid: int | str = "self") -> dict[str, float]:
    """``VmRSS`` and ``VmHWM`` (peak) of a process, in MB (10**6 bytes), from /proc."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024 / MB
    except FileNotFoundError:
        pass
    return out


def cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU seconds of a process (its threads included), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in FORBIDDEN_PORTS:
            return port


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    meminfo = {line.split(":")[0]: int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()}
    mem_kb = meminfo["MemTotal"]
    versions = {}
    for mod in ("streamlit", "folium", "streamlit_folium", "shapely", "geopandas", "pandas", "pyogrio", "playwright"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod.replace("_", "-"))
        except Exception:
            versions[mod] = "?"
    try:
        chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        chromium = "not found"
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_DIR), "status", "--porcelain", "--", "src", "app.py"], capture_output=True, text=True
        ).stdout.strip()
    except Exception:
        commit, dirty = "?", ""
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "swap_gib": round(meminfo.get("SwapTotal", 0) / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "os": platform.platform(),
        "chromium": chromium,
        "versions": versions,
        "git": commit + (" + uncommitted changes in src/ or app.py" if dirty else ""),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


# --- the page's data and view, as app.py builds them ----------------------------------------------


def with_context(terr, layer):
    """``terr`` with ``layer`` as the EPCI drawn for overviews and as faded context: the
    ``epci_context`` layer where Territories has one (it is a cached property), else ``epci_web``."""
    import dataclasses as dc

    from geodash.territories import Territories

    if isinstance(getattr(Territories, "epci_context", None), functools.cached_property):
        out = dc.replace(terr)
        out.__dict__["epci_context"] = layer
        return out
    return dc.replace(terr, epci_web=layer)


def naive_territories(terr):
    """The naive geometry: full-resolution communes and EPCI converted to WGS84 wherever the app
    draws them (web layers and, where it exists, the EPCI context layer)."""
    import dataclasses as dc

    from geodash import settings

    epci = terr.epci.to_crs(settings.CRS_WEB)
    out = dc.replace(terr, communes_web=terr.communes.to_crs(settings.CRS_WEB), epci_web=epci)
    return with_context(out, epci) if hasattr(type(terr), "epci_context") else out


def load_base(naive: bool = False, territories_path: Path | None = None):
    """``geodash.selection.load_base``, as the app calls it; ``naive``: with the naive geometry."""
    from geodash.selection import load_base as load

    base = load(territories_path)
    return dataclasses.replace(base, terr=naive_territories(base.terr)) if naive else base


def default_view(base: Base, epci: str | None = None, **params):
    """The view the page opens on for ``?epci=...`` (and any other query parameter)."""
    from geodash.views import parse_view

    query = {"epci": epci} if epci else {}
    query.update(params)
    return parse_view(query, base.terr.sirens)


def app_view(base, view) -> dict:
    """The map and the filtered frames for one view, as the map page computes them (``select``)
    with no context layers drawn. Used for stage timings and what-ifs; the payload figures come
    from the real ``app.py`` (:func:`app_payload`)."""
    from geodash import bilan, legend, webmap
    from geodash.selection import select

    terr = base.terr
    chosen = select(base, view.filters)
    epci = view.filters.epci
    options = webmap.MapOptions(
        epci=epci,
        mode=view.mode,
        credit=base.map_credit,
        center=(view.lat, view.lng) if view.lat and view.lng else None,
        zoom=view.zoom,
        restore_view=not (view.lat and view.lng),  # the page, first run of a session
        choropleth=(
            legend.bilan_choropleth(base.data.chiffres, terr.epci, terr.communes, bilan.DEFAULT_INDICATOR)
            if epci is None
            else None
        ),
    )
    fmap = webmap.build_map(terr, chosen.placed, chosen.unplaced, options)
    return {
        "map": fmap,
        "selection": chosen,
        "selected": chosen.rows,
        "placed": chosen.placed,
        "unplaced": chosen.unplaced,
        "by_epci": chosen.by_epci,
        "commune_names": dict(zip(terr.communes["insee"], terr.communes["nom"])),
    }


def page_extras(base: Base, view, built: dict) -> None:
    """The rest of the page below the map (key figures, tables, CSV and Excel downloads)."""
    from geodash import comparison, dashboard, webmap

    terr, data, epci = base.terr, base.data, view.filters.epci
    selected = built["selected"]
    if epci:
        comparison.epci_bilan_line(data.chiffres, terr.communes, epci, terr.epci_name(epci))
        comparison.named_projects_line(selected)
        dashboard.key_figures(data.chiffres, epci)
        dashboard.theme_period_table(selected)
    numbers = webmap.number_projects(built["placed"])
    table = dashboard.project_table(selected, numbers, built["commune_names"])
    if not downloads_deferred():
        dashboard.to_csv_bytes(table)
        dashboard.to_xlsx_bytes(table)


def downloads_deferred() -> bool:
    """Does the map page hand the CSV/Excel downloads to Streamlit as callables (built only on click)?"""
    text = MAP_PAGE.read_text(encoding="utf-8") if MAP_PAGE.exists() else APP.read_text(encoding="utf-8")
    return "lambda: dashboard.to_xlsx_bytes" in text or "lambda: dashboard.to_csv_bytes" in text


def component_args(fmap, epci: str | None, mode: str = "normal") -> dict:
    """The arguments the page's map frame component gets for ``fmap`` (``geodash.mapframe.show``,
    called as the map page calls it), the view's script among them (``feature_group``).

    Streamlit sends them to the browser as ``json.dumps(args)`` (ensure_ascii, no compression), so
    the JSON length is the bytes on the wire for the map, framing aside. Pass a freshly built map.
    """
    from geodash import mapframe

    captured: dict = {}

    def capture(**kwargs):
        captured.update(kwargs)
        return kwargs.get("default")

    original = mapframe.component
    mapframe.component = lambda: capture
    try:
        mapframe.show(
            fmap,
            key=f"map-{'epci' if epci else 'departement'}-{mode}",
            height=900 if mode == "projecteur" else 580,
            returned_objects=["last_object_clicked"] if epci is None else [],
        )
    finally:
        mapframe.component = original
    captured.pop("on_change", None)
    return captured


def args_json(args: dict) -> str:
    return json.dumps(args)  # as streamlit.components.v1.custom_component does


def payload(base: Base, view) -> dict:
    """Bytes of one view's map: the script the map frame runs (``html``, the map document before the
    frame was kept) and the component's JSON args."""
    sent = component_args(app_view(base, view)["map"], view.filters.epci, view.mode)
    html = sent["feature_group"].encode("utf-8")
    args = args_json(sent).encode("utf-8")
    return {
        "html": len(html),
        "html_gzip": len(gzip.compress(html, 6)),
        "args_json": len(args),
        "args_gzip": len(gzip.compress(args, 6)),
    }


def map_parts(fmap) -> dict[str, int]:
    """Bytes of the map's script by kind of element (GeoJson layers, overlay, label markers...)."""
    fmap.get_root().render()
    parts: dict[str, int] = {}
    for child in fmap._children.values():
        try:
            text = child._template.module.script(child)
        except Exception:
            continue
        name = getattr(child, "layer_name", None) or type(child).__name__
        if type(child).__name__ == "Marker":
            name = "EPCI name labels (Marker)"
        parts[name] = parts.get(name, 0) + len(text.encode("utf-8"))
    return parts


def run_json(code: str, *args: str, timeout: float = 600, env: dict | None = None) -> tuple[float, dict]:
    """Run ``python -c code args`` in a fresh process; return (wall seconds, JSON printed last)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_DIR,
        env={**os.environ, **(env or {})},
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"subprocess failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    last = [line for line in proc.stdout.splitlines() if line.startswith("{")][-1]
    return wall, json.loads(last)


def log(*parts) -> None:
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


# --- variants of the app: the same app.py run with one thing changed ------------------------------

_VARIANT = '''"""geodash variant for the benchmarks (generated by bench/common.py): {doc}"""
import runpy

import streamlit as st

{patch}
runpy.run_path({app!r}, run_name="__main__")
'''

_NAIVE = """
import sys

sys.path.insert(0, {bench!r})
import common
from geodash import territories

_orig = getattr(territories, "_bench_original_load", territories.load_territories)
territories._bench_original_load = _orig


def _naive_load(path=None):
    return common.naive_territories(_orig(path))


def _no_cache(*args, **kwargs):
    if args and callable(args[0]):
        return args[0]
    return lambda fn: fn


territories.load_territories = _naive_load
st.cache_resource = _no_cache
"""

_NO_ST_CODE = """
st.code = lambda body, language=None, **kwargs: st.text(body)
"""

_MAP_ONLY = """
from geodash import mapframe

_show_script = getattr(mapframe, "_bench_original", mapframe.show_script)
mapframe._bench_original = _show_script


def _map_then_stop(*args, **kwargs):
    _show_script(*args, **kwargs)
    st.stop()


mapframe.show_script = _map_then_stop
"""

VARIANTS = {
    "naive": (
        "app.py unchanged, but the web layers are the full-resolution communes/EPCI converted to "
        "WGS84, and nothing is cached: the data are reloaded on every rerun.",
        _NAIVE,
    ),
    "no_st_code": (
        "the data-problems panel written with st.text instead of st.code (st.code makes the "
        "browser fetch and compile Streamlit's syntax highlighter, 1.5 MB of JavaScript).",
        _NO_ST_CODE,
    ),
    "map_only": (
        "the page stops right after the map (no tables, downloads or key figures): the floor "
        "of Streamlit + the map frame for this map.",
        _MAP_ONLY,
    ),
}


def write_variant(folder: Path, name: str) -> Path:
    """Write variant ``name`` of the app into ``folder``, with a ``static`` link to the app's Leaflet
    files (Streamlit serves ``static/`` from the main script's folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    static = folder / "static"
    if not static.exists():
        (REPO_DIR / "static").mkdir(exist_ok=True)
        static.symlink_to(REPO_DIR / "static", target_is_directory=True)
    doc, patch = VARIANTS[name]
    path = folder / f"{name}_app.py"
    patch = patch.replace("{bench!r}", repr(str(BENCH_DIR)))
    path.write_text(_VARIANT.format(doc=doc, patch=patch.strip(), app=str(APP)), encoding="utf-8")
    return path


def write_naive_app(folder: Path) -> Path:
    return write_variant(folder, "naive")


# --- the exact payload of the real app.py, through AppTest ----------------------------------------


class MapCapture:
    """While active, every map a script run in this process (AppTest) draws records the length of
    the view script the map frame runs (``html``) and the JSON its component would send; nothing is sent."""

    def __init__(self):
        self.records: list[dict] = []

    def __enter__(self):
        from geodash import mapframe

        self._module = mapframe
        self._original = mapframe.component
        capture = self

        def component(**kwargs):
            kwargs.pop("on_change", None)
            script = kwargs["feature_group"].encode("utf-8")
            sent = args_json(kwargs).encode("utf-8")
            capture.records.append(
                {
                    "html": len(script),
                    "html_gzip": len(gzip.compress(script, 6)),
                    "args_json": len(sent),
                    "args_gzip": len(gzip.compress(sent, 6)),
                }
            )
            return kwargs.get("default")

        mapframe.component = lambda: component
        return self

    def __exit__(self, *exc):
        self._module.component = self._original


def app_payload(epci: str | None, mode: str = "normal", script: Path | None = None) -> dict:
    """Bytes of the map the real ``app.py`` sends for ``?epci=...&mode=...`` (AppTest, one run)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script or APP), default_timeout=300)
    if epci:
        at.query_params["epci"] = epci
    if mode != "normal":
        at.query_params["mode"] = mode
    with MapCapture() as cap:
        at.run()
    if at.exception:
        raise RuntimeError(f"app.py failed for epci={epci} mode={mode}: {at.exception}")
    if not cap.records:
        raise RuntimeError(f"app.py drew no map for epci={epci} mode={mode}")
    return cap.records[-1]


class Restore:
    """Put back what a variant script patches in this process (AppTest runs scripts in-process)."""

    def __enter__(self):
        import streamlit as st

        from geodash import mapframe, territories

        self.saved = [
            (st, "cache_resource", st.cache_resource),
            (st, "code", st.code),
            (territories, "load_territories", territories.load_territories),
            (mapframe, "show_script", mapframe.show_script),
        ]
        return self

    def __exit__(self, *exc):
        for obj, name, value in self.saved:
            setattr(obj, name, value)


class OtherCPU:
    """CPU seconds used by processes that are not this bench's (other people's tests, servers…),
    sampled from /proc every ``every`` seconds while active: timings are pessimistic when it is high."""

    def __init__(self, every: float = 1.0):
        import threading

        self.every, self.others, self._stop = every, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def _snapshot(self) -> dict[int, tuple[int, float]]:
        snap = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                snap[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / self._tick)
            except (OSError, IndexError, ValueError):
                continue
        return snap

    def _mine(self, pid: int, snap) -> bool:
        me = os.getpid()
        for _ in range(64):
            if pid == me:
                return True
            if pid not in snap or pid <= 1:
                return False
            pid = snap[pid][0]
        return False

    def _loop(self):
        before = self._snapshot()
        while not self._stop.wait(self.every):
            now = self._snapshot()
            for pid, (_, cpu) in now.items():
                if pid in before and not self._mine(pid, now):
                    self.others += max(0.0, cpu - before[pid][1])
            before = now

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
