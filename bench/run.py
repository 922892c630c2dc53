"""geodash benchmarks (issue 23): geodash against a trivial Streamlit page served the same way, in the
same run, and its server's memory and capacity.

    python3 bench/run.py --help
    python3 bench/run.py                              # every section; report printed
    python3 bench/run.py switch first-visit           # only these sections
    python3 bench/run.py --write --wait-idle 60       # the only way to rewrite bench/RESULTS.md

Without ``--write`` the report and the raw figures go to a temporary folder whose path is printed;
bench/RESULTS.md and bench/results.json are never touched.
"""

from __future__ import annotations

import argparse
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

SECTIONS = {
    "switch": "browser: choose another EPCI → map drawn, page consistent; vs the trivial page (21 switches each)",
    "first-visit": "browser: `streamlit run` → first map drawn, vs the trivial page's text and the map-only floor (9 starts each, in turn: a cold start varies by ±0.2 s on a shared machine)",
    "memory": "server RSS after every view and after 50 sessions came and went; national scale (all of France)",
    "capacity": "protocol load: 10, 50, 100 concurrent sessions switching, geodash and trivial, errors counted",
}
DEFAULT = list(SECTIONS)


def _wait_idle(limit: float, window: float = 5.0) -> float:
    """Wait (up to ``limit`` seconds) until the machine (the bench sleeps meanwhile) uses less than 0.2
    core over ``window`` seconds: it is shared. Returns the seconds waited (not counted in the run)."""
    t0 = time.perf_counter()
    while True:
        with common.OtherCPU(every=1.0) as other:
            time.sleep(window)
        waited = time.perf_counter() - t0
        if other.machine < 0.2 * window or waited >= limit:
            if waited > window + 1:
                log(f"waited {waited:.0f} s for the machine to be idle (busy: {other.machine / window:.2f} core)")
            return waited - window
        log(f"machine busy ({other.machine / window:.2f} core), waiting…")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 bench/run.py",
        description="geodash benchmarks (issue 23: every time figure against a trivial Streamlit page).",
        epilog="sections:\n" + "\n".join(f"  {k:<12} {v}" for k, v in SECTIONS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sections", nargs="*", metavar="SECTION", help=f"default: {' '.join(DEFAULT)}")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md and bench/results.json")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for trying the bench itself")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=120.0,
        metavar="S",
        help="before each section, wait up to S s for an idle machine (120)",
    )
    parser.add_argument("--switches", type=int, default=21, help="switches per page in `switch` (21, at least 11)")
    parser.add_argument("--starts", type=int, default=9, help="server starts per page in `first-visit` (9, at least 5)")
    parser.add_argument("--no-national", action="store_true", help="`memory` without the national scale")
    args = parser.parse_args(argv)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)} (choose from {', '.join(SECTIONS)})")
    if args.switches < 11 and not args.quick:
        parser.error("--switches: at least 11 (or --quick)")
    if args.starts < 5 and not args.quick:
        parser.error("--starts: at least 5 (or --quick)")
    args.sections = args.sections or list(DEFAULT)
    return args


def run_section(name: str, args) -> dict:
    quick = args.quick
    if name in ("switch", "first-visit"):
        import browser

        if name == "switch":
            return browser.switch(min(args.switches, 6) if quick else args.switches)
        return browser.first_visit(2 if quick else args.starts)
    import server

    if name == "memory":
        return server.memory(20 if quick else 50, national=not args.no_national)
    return server.capacity((10, 50, 100), 8.0 if quick else 15.0)


def main(argv: list[str]) -> int:
    args = parse(argv)
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    command = "python3 bench/run.py" + (" " + " ".join(argv) if argv else "")
    waited = 0.0
    results: dict = {
        "machine": common.machine(),
        "command": command,
        "quick": args.quick,
        "sections": {},
        "durations": {},
        "waited_for_idle_s": waited,
        "loadavg_start": common.loadavg(),
    }
    t_all = time.perf_counter()
    for name in args.sections:
        # the machine is shared: wait for it to be idle before each section, not only at the start
        section_wait = _wait_idle(args.wait_idle) if args.wait_idle > 0 else 0.0
        results["waited_for_idle_s"] += section_wait
        results.setdefault("waited_s", {})[name] = section_wait
        log(f"=== {name}")
        load_before = common.loadavg()
        t0 = time.perf_counter()
        with common.OtherCPU() as other:
            try:
                results["sections"][name] = run_section(name, args)
            except Exception:
                results["sections"][name] = {"error": traceback.format_exc()[-3000:]}
                log(f"{name} FAILED", traceback.format_exc()[-1500:])
        results["durations"][name] = time.perf_counter() - t0
        results.setdefault("loadavg", {})[name] = [load_before, common.loadavg()]
        results.setdefault("other_cpu_s", {})[name] = other.others
        results.setdefault("machine_cpu_s", {})[name] = other.machine
    results["durations"]["total"] = time.perf_counter() - t_all
    results["git_end"] = common.machine()["git"]
    import report

    if args.write:
        out_md, out_json = BENCH / "RESULTS.md", BENCH / "results.json"
    else:
        folder = Path(tempfile.mkdtemp(prefix="geodash-bench-"))
        out_md, out_json = folder / "RESULTS.md", folder / "results.json"
    out_json.write_text(json.dumps(results, indent=1, default=str, ensure_ascii=False), encoding="utf-8")
    text = report.render(results)  # python3 bench/report.py PATH re-renders from the JSON
    out_md.write_text(text, encoding="utf-8")
    if not args.write:
        print(text)
    log(f"done in {results['durations']['total']:.0f} s: {out_md}, {out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
