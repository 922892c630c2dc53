"""Payload (1), server time (2) and the naive baseline (6), in process and in fresh processes."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from common import (
    APP,
    BENCH_DIR,
    Restore,
    app_payload,
    app_view,
    args_json,
    component_args,
    default_view,
    load_base,
    log,
    map_parts,
    median,
    page_extras,
    repeat,
    run_json,
    timed,
    write_naive_app,
)


def _views(base):
    return [None] + list(base.terr.sirens)


def payloads(base, naive_script: Path) -> dict:
    """Bytes of every view's map as the real app.py sends it (normal and projector mode), ours and
    the naive variant's."""
    out = {"views": {}, "parts": {}}
    names = dict(zip(base.terr.epci["siren"], base.terr.epci["nom_court"]))
    for epci in _views(base):
        built = app_view(base, default_view(base, epci))
        row = {
            "name": names.get(epci, "Département"),
            "projects": int(len(built["placed"])),
            "unplaced": int(len(built["unplaced"])),
        }
        for mode in ("normal", "projecteur"):
            row[mode] = app_payload(epci, mode)
        with Restore():
            row["naive"] = app_payload(epci, "normal", naive_script)
        out["views"][epci or "departement"] = row
        log("payload", epci, row["normal"]["args_json"], "naive", row["naive"]["args_json"])
    largest = max((k for k in out["views"] if k != "departement"), key=lambda k: out["views"][k]["normal"]["args_json"])
    for key in ("departement", largest):
        epci = None if key == "departement" else key
        out["parts"][key] = map_parts(app_view(base, default_view(base, epci))["map"])
    out["largest_epci"] = largest
    return out


def warm(base, repeats: int) -> dict:
    """Server time with the data cached in process, timed stage after stage in the same iteration:
    ``build`` (filters, totals, build_map), ``map`` (+ the view's script for the map frame: what happens before
    the map leaves), ``page`` (+ key figures, tables, CSV and Excel downloads)."""
    out = {}
    for epci in _views(base):
        view = default_view(base, epci)
        runs = []
        for i in range(repeats + 1):
            t0, c0 = time.perf_counter(), time.process_time()
            built = app_view(base, view)
            t1 = time.perf_counter()
            component_args(built["map"], epci)
            t2, c2 = time.perf_counter(), time.process_time()
            page_extras(base, view, built)
            t3, c3 = time.perf_counter(), time.process_time()
            if i:  # the first is a warm-up
                runs.append((t1 - t0, t2 - t0, t3 - t0, c2 - c0, c3 - c0))
        out[epci or "departement"] = {
            k: median([r[j] for r in runs]) for j, k in enumerate(("build", "map", "page", "map_cpu", "page_cpu"))
        }
        log("warm", epci, {k: round(v * 1000) for k, v in out[epci or "departement"].items()})
    return out


def naive_rerun(naive_repeats: int, epcis: list[str | None]) -> dict:
    """The naive rerun: reload and re-place everything, full-resolution geometry, then the map."""
    out = {}
    for epci in epcis:

        def rerun(epci=epci):
            b = load_base(naive=True)
            component_args(app_view(b, default_view(b, epci))["map"], epci)

        out[epci or "departement"] = median(repeat(rerun, naive_repeats, warmup=0))
        log("naive rerun", epci, round(out[epci or "departement"], 3))
    return out


def load_times(repeats: int) -> dict:
    """In-process load (app.load_base), ours and naive."""
    ours = repeat(lambda: load_base(), repeats, warmup=1)
    naive = repeat(lambda: load_base(naive=True), repeats, warmup=0)
    return {"ours": median(ours), "naive": median(naive)}


COLD = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import ast
# exactly the imports of app.py (its top-level import statements, read from the file)
tree = ast.parse(open(sys.argv[4], encoding="utf-8").read())
exec(compile(ast.Module([n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], []), "app-imports", "exec"))
t1 = time.perf_counter()
import common
naive = sys.argv[3] == "naive"
base = common.load_base(naive=naive)
t2 = time.perf_counter()
epci = sys.argv[2] or None
args = common.component_args(common.app_view(base, common.default_view(base, epci))["map"], epci)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "map": t3 - t2, "total_in_process": t3 - t0,
                  "rss_mb": common.proc_status()["VmRSS"], "hwm_mb": common.proc_status()["VmHWM"]}))
"""


def cold(epci: str, repeats: int, naive_repeats: int) -> dict:
    """Fresh process: interpreter start, imports, load, one EPCI map serialised."""
    out = {}
    for label, n in (("ours", repeats), ("naive", naive_repeats)):
        runs = []
        for _ in range(n):
            wall, stages = run_json(COLD, str(BENCH_DIR), epci, label, str(APP))
            runs.append({"wall": wall, **stages})
        out[label] = {k: median([r[k] for r in runs]) for k in runs[0]}
        log("cold", label, {k: round(v, 3) for k, v in out[label].items()})
    return out


def apptest(repeats: int, switches: list[str], script: Path | None = None) -> dict:
    """Whole Streamlit script runs with ``streamlit.testing.v1.AppTest`` (in this process)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script or APP), default_timeout=300)
    first, _ = timed(at.run)
    assert not at.exception, at.exception
    same = repeat(at.run, repeats, warmup=0)
    switch = []
    for siren in switches:
        t, _ = timed(at.sidebar.selectbox[0].set_value(siren).run)
        assert not at.exception, at.exception
        switch.append(t)
    same_epci = repeat(at.run, repeats, warmup=0)
    return {
        "first_run": first,
        "rerun_departement": median(same),
        "rerun_epci": median(same_epci),
        "switch_epci": median(switch),
        "switch_epci_max": max(switch),
        "switch_samples": len(switch),
    }


def run(quick: bool = False, naive_script: Path | None = None) -> dict:
    repeats = 3 if quick else 5
    naive_repeats = 2 if quick else 3
    log("loading data")
    base = load_base()
    from common import downloads_deferred

    results: dict = {"downloads_deferred": downloads_deferred()}
    with tempfile.TemporaryDirectory() as tmp:
        naive_script = naive_script or write_naive_app(Path(tmp))
        results["load"] = load_times(naive_repeats)
        results["payload"] = payloads(base, naive_script)
        results["warm"] = warm(base, repeats)
        largest = results["payload"]["largest_epci"]
        busiest = max(base.terr.sirens, key=lambda s: int((base.placed["epci_siren"] == s).sum()))
        results["busiest_epci"] = busiest
        results["naive_rerun"] = naive_rerun(naive_repeats, [None, largest] + ([busiest] if busiest != largest else []))
        results["stages"] = {
            key: stages(base, None if key == "departement" else key, repeats) for key in ("departement", largest)
        }
        results["what_if_epci"] = what_if_epci(base, largest)
        log("what-if", results["what_if_epci"])
        results["cold"] = cold(largest, repeats, naive_repeats)
        switches = list(base.terr.sirens)[: (6 if quick else 20)]
        log("AppTest (ours)")
        results["apptest"] = apptest(repeats, switches)
        log("AppTest", results["apptest"])
        log("AppTest (naive)")
        with Restore():
            results["apptest_naive"] = apptest(naive_repeats, switches[: naive_repeats + 1], naive_script)
        log("AppTest naive", results["apptest_naive"])
    return results


if __name__ == "__main__":
    json.dump(run("--quick" in sys.argv), sys.stdout, indent=1, default=str)


# --- where the time and the bytes go, and what would move them -----------------------------------


def stages(base, epci: str | None, repeats: int) -> dict:
    """Warm server time of one view, stage by stage (each stage timed in the same iteration; medians)."""
    from geodash import dashboard, webmap
    from geodash.selection import select

    view = default_view(base, epci)
    names = [
        "filters + aggregates (select)",
        "build_map (folium objects)",
        "map frame script (folium render, once)",
        "(one render alone, as components.html would need)",
        "project table",
        "CSV download bytes",
        "Excel download bytes",
    ] + (["key figures + theme table"] if epci else [])
    runs = []
    for i in range(repeats + 1):
        t = [time.perf_counter()]
        select(base, view.filters)
        t.append(time.perf_counter())
        built = app_view(base, view)  # includes the filters again (a few ms): subtracted below
        t.append(time.perf_counter())
        component_args(built["map"], epci)
        t.append(time.perf_counter())
        fresh = app_view(base, view)["map"]
        t.append(time.perf_counter())
        fresh.get_root().render()
        t.append(time.perf_counter())
        numbers = webmap.number_projects(built["placed"])
        table = dashboard.project_table(built["selected"], numbers, built["commune_names"])
        t.append(time.perf_counter())
        dashboard.to_csv_bytes(table)
        t.append(time.perf_counter())
        dashboard.to_xlsx_bytes(table)
        t.append(time.perf_counter())
        if epci:
            dashboard.key_figures(base.data.chiffres, epci)
            dashboard.theme_period_table(built["selected"])
            t.append(time.perf_counter())
        d = [b - a for a, b in zip(t, t[1:])]
        if i:
            runs.append([d[0], d[1] - d[0], d[2], d[4]] + d[5:])
    out = {name: median([r[j] for r in runs]) for j, name in enumerate(names)}
    out["rows in the table"] = len(table)
    return out


def _overlay(fmap):
    for child in fmap._children.values():
        if hasattr(child, "projects") and hasattr(child, "legend"):
            return child
    return None


def what_if_epci(base, epci: str) -> dict:
    """Exact payload of one EPCI view under changes that would shrink it (each measured alone)."""
    import shapely
    from common import Base

    from geodash import settings

    def size(fmap):
        return len(args_json(component_args(fmap, epci)).encode())

    view = default_view(base, epci)
    out = {"current": size(app_view(base, view)["map"])}
    fmap = app_view(base, view)["map"]
    over = _overlay(fmap)
    if over is not None and over.projects and {"h", "p"} <= set(over.projects[0]):
        feats = over.projects
        out["composition"] = {
            "markers": len(feats),
            "popup html, in the page (bytes)": sum(len(json.dumps(f["p"])) for f in feats),
            "marker svg + label html (bytes)": sum(len(json.dumps(f["h"])) for f in feats),
            "legend html (bytes)": len(json.dumps(over.legend)),
            "characters escaped by tojson (< > & ')": sum(
                f["p"].count(c) + f["h"].count(c) for f in feats for c in "<>&'"
            ),
        }
        for f in feats:
            f["p"] = ""
        out["popups built on click from the project's row, not sent as HTML"] = size(fmap)
        fmap = app_view(base, view)["map"]
        for f in _overlay(fmap).projects:
            svg, sep, label = f["h"].partition("<span")
            f["h"] = sep + label
            f["m"] = [0, 0, 0]  # theme, period, number: the browser draws the SVG
        out["marker SVG drawn by the browser from (theme, period, number)"] = size(fmap)
    # the faded context: other EPCI coarser, or only the neighbours
    from common import with_context

    from geodash import territories as T

    context = base.terr.epci_context if hasattr(base.terr, "epci_context") else base.terr.epci_web
    for tol in (1000.0, 2000.0):
        if hasattr(T, "context_layer"):
            coarse = T.context_layer(base.terr.epci, tolerance=tol)
        else:
            geom = shapely.coverage_simplify(base.terr.epci.geometry.to_numpy(), tol)
            coarse = base.terr.epci.set_geometry(geom).to_crs(settings.CRS_WEB)
            coarse["geometry"] = shapely.make_valid(shapely.set_precision(coarse.geometry.to_numpy(), 1e-4))
        b2 = Base(with_context(base.terr, coarse), base.data, base.placed, base.unplaced, base.credit)
        out[f"other EPCI simplified at {tol:.0f} m"] = size(app_view(b2, view)["map"])
    chosen = base.terr.epci_web[base.terr.epci_web["siren"] == epci]
    x0, y0, x1, y1 = chosen.total_bounds
    dx, dy = (x1 - x0) * 0.25, (y1 - y0) * 0.25
    near = context[context.intersects(shapely.box(x0 - dx, y0 - dy, x1 + dx, y1 + dy))].reset_index(drop=True)
    b3 = Base(with_context(base.terr, near), base.data, base.placed, base.unplaced, base.credit)
    out[f"only the {len(near) - 1} neighbouring EPCI as context"] = size(app_view(b3, view)["map"])
    return out
