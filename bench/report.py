"""bench/RESULTS.md from the figures of one run (bench/results.json).

python3 bench/report.py [results.json]     # print the report again from the figures, measuring nothing
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: Issue 23's targets: ratios to the trivial page measured in the same run, and memory.
TARGETS = {
    "switch_median": 2.0,  # aim 1.5
    "switch_aim": 1.5,
    "switch_p90": 2.5,
    "map_vs_trivial": 1.0,
    "first_visit": 1.5,
    "rss_views_mb": 300.0,
    "growth": 0.10,
    "national_mb": 400.0,
}


def sec(s) -> str:
    return "–" if s is None else f"{s:.3f} s" if s < 1 else f"{s:.2f} s"


def kb(n) -> str:
    return "–" if n is None else f"{n / 1000:,.1f} KB".replace(",", " ")


def mb(n) -> str:
    return "–" if n is None else f"{n:.0f} MB"


def num(n) -> str:
    return f"{n:,}".replace(",", "\u202f")  # a narrow no-break space between thousands, as the app writes them


def x(v) -> str:
    return "–" if v is None else f"{v:.2f}×"


def verdict(value, limit, aim=None) -> str:
    if value is None:
        return "not measured"
    if value > limit:
        return "**MISSED**"
    return "met" + (f" (aim {aim:g}× {'met' if value <= aim else 'not reached'})" if aim else "")


def table(rows: list[list], head: list[str]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join("" if c is None else str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _med(stats: dict | None):
    return (stats or {}).get("median")


def header(r: dict) -> list[str]:
    m = r["machine"]
    d = r["durations"]
    L = [
        "# geodash — benchmarks",
        "",
        f"Measured on **{m['date']}** with `{r['command']}` (from the repository root; "
        f"{'quick mode: fewer repeats' if r.get('quick') else 'full run'}), in {d.get('total', 0) / 60:.1f} min "
        f"({', '.join(f'{k} {v:.0f} s' for k, v in d.items() if k != 'total')}).",
        "",
    ]
    code = f"git {m['git']}"
    if r.get("git_end") and r["git_end"] != m["git"]:
        code += f" at the start; **{r['git_end']} at the end: the code changed during the run**"
    L.append(
        table(
            [
                [
                    "machine",
                    f"{m['nproc']} CPU cores ({m['cpu']}), {m['ram_gib']} GiB RAM, "
                    + (f"{m['swap_gib']} GiB swap" if m.get("swap_gib") else "no swap"),
                ],
                ["load average at the start (1, 5, 15 min)", ", ".join(f"{v:.2f}" for v in r.get("loadavg_start", []))],
                ["software", f"Python {m['python']}, " + ", ".join(f"{k} {v}" for k, v in m["versions"].items())],
                ["browser", m["chromium"]],
                ["code measured", code],
            ],
            ["", ""],
        )
    )
    L.append("")
    if r.get("waited_for_idle_s", 0) > 1:
        L += [
            f"The bench waited {r['waited_for_idle_s']:.0f} s in all for other processes to calm down before the "
            "sections"
            + (
                " (" + ", ".join(f"{k} {v:.0f} s" for k, v in r["waited_s"].items()) + "; it waits at most "
                "`--wait-idle` seconds, then measures anyway)"
                if r.get("waited_s")
                else ""
            )
            + ".",
            "",
        ]
    oc = r.get("other_cpu_s", {})
    if oc:
        busy = [k for k, v in oc.items() if v > 0.05 * d.get(k, 1) * (m["nproc"] or 1)]
        load = r.get("loadavg", {})
        L.append(
            "CPU used by processes outside the bench while each section ran (sampled from /proc every second): "
            + ", ".join(f"{k} {v:.0f} s in {d.get(k, 0):.0f} s" for k, v in oc.items())
            + (
                " (a process that starts and ends within a second is not seen; the whole machine, the bench "
                "included, was busy "
                + ", ".join(f"{k} {v:.0f} s" for k, v in r.get("machine_cpu_s", {}).items())
                + f" of {m['nproc']} cores × the section's time)"
                if r.get("machine_cpu_s")
                else ""
            )
            + (
                f". **Other work competed for the cores during {', '.join(busy)}**: those timings are pessimistic."
                if busy
                else " — the machine was otherwise idle."
            )
            + (
                " Load average (1 min) at the start of each section: "
                + ", ".join(f"{k} {v[0][0]:.2f}" for k, v in load.items())
                + "."
                if load
                else ""
            )
        )
        L.append("")
    return L


def verdicts(r: dict) -> list[str]:
    s = r["sections"]
    sw, fv, mem, cap = (s.get(k, {}) for k in ("switch", "first-visit", "memory", "capacity"))
    rows = []
    if "summary" in sw:
        g, t, su = sw["summary"]["geodash"], sw["summary"]["trivial"], sw["summary"]
        rows += [
            [
                f"switch → page consistent, median (n = {g['n']})",
                f"{sec(g['median'])} vs {sec(t['median'])}",
                x(su["ratio_median"]),
                "≤ 2× (aim 1.5×)",
                verdict(su["ratio_median"], TARGETS["switch_median"], TARGETS["switch_aim"]),
            ],
            [
                "switch → page consistent, p90 vs the trivial page's median",
                f"{sec(g['p90'])} vs {sec(t['median'])} (trivial p90 {sec(t['p90'])}: {x(su['ratio_p90_p90'])})",
                x(su["ratio_p90"]),
                "≤ 2.5×",
                verdict(su["ratio_p90"], TARGETS["switch_p90"]),
            ],
            [
                "switch → map drawn (median) vs the trivial page's whole switch (median)",
                f"{sec(su['map']['median'])} vs {sec(t['median'])}",
                x(su["ratio_map"]),
                "≤ 1×",
                verdict(su["ratio_map"], TARGETS["map_vs_trivial"]),
            ],
        ]
    if "summary" in fv:
        f = fv["summary"]
        rows.append(
            [
                f"first visit: `streamlit run` → map drawn vs text drawn (median of {f['geodash']['drawn']['n']})",
                f"{sec(f['geodash']['drawn']['median'])} vs {sec(f['trivial']['drawn']['median'])}",
                x(f["ratio"]),
                "≤ 1.5×",
                verdict(f["ratio"], TARGETS["first_visit"]),
            ]
        )
    if "warm_mb" in mem:
        rows += [
            [
                "server RSS after every view visited (one session, 21 views)",
                f"{mb(mem['warm_mb'])} (peak of the run {mb(mem['peak_mb'])})",
                "",
                "≤ 300 MB",
                verdict(mem["warm_mb"], TARGETS["rss_views_mb"]),
            ],
            [
                f"server RSS after {mem['sessions']} sessions came and went, vs after every view",
                f"{mb(mem['after_sessions_mb'])} vs {mb(mem['warm_mb'])} ({mem['growth']:+.1%})",
                "",
                "within 10 %",
                verdict(mem["growth"], TARGETS["growth"]),
            ],
        ]
        nat = mem.get("national", {})
        if "load" in nat:
            n = nat["load"]
            rows.append(
                [
                    f"national scale (France, {num(n['communes'])} communes, {num(n['epci'])} EPCI, "
                    f"{num(nat['projects'])} financements): RSS with the national and the largest EPCI's views "
                    "prepared",
                    f"{mb(n['rss_views_mb'])} (once loaded {mb(n['rss_loaded_mb'])}, peak {mb(n['hwm_mb'])})",
                    "",
                    "≤ 400 MB",
                    verdict(n["rss_views_mb"], TARGETS["national_mb"]),
                ]
            )
        elif nat:
            rows.append(["national scale", f"failed: {nat.get('error', '?')}", "", "≤ 400 MB", "not measured"])
    for name in ("geodash", "trivial"):
        if name in cap:
            levels = cap[name]["rows"]
            errors = sum(row["errors"] for row in levels)
            rows.append(
                [
                    f"protocol load, {name}: {'/'.join(str(row['sessions']) for row in levels)} sessions at once",
                    f"{sum(row['reruns'] for row in levels)} reruns, {errors} errors",
                    "",
                    "no error",
                    "met" if errors == 0 and all(row["opened"] == row["sessions"] for row in levels) else "**MISSED**",
                ]
            )
    if not rows:
        return []
    return [
        "## Verdict (issue 23's targets)",
        "",
        "Ratios are geodash ÷ the trivial page (`bench/trivial_app.py`: one selectbox rewriting one line of text, "
        "served by `streamlit run bench/trivial_app.py` as geodash is by `streamlit run app.py`, both through "
        "`st.App`), measured in the same run, the pages taking turns. Timings are never pass/fail tests.",
        "",
        table(rows, ["measure", "geodash vs trivial", "ratio", "target", "verdict"]),
        "",
    ]


def switch_section(sw: dict) -> list[str]:
    if "summary" not in sw:
        return ["## Switch", "", f"Not measured: {sw.get('skipped') or sw.get('error', '?')[-500:]}", ""]
    su = sw["summary"]
    st, tt = su["stages"], su["trivial_stages"]
    names = [
        ("first_message", "first WebSocket message of the run received (`session_status_changed`)"),
        ("map_delta", "map's component delta received (server: the run up to the map, serialised, sent)"),
        ("draw_start", "the map's script starts drawing the view (removes the previous `data-gd-ready`)"),
        ("map", "**map drawn**: `data-gd-ready` set, legend titled with the new EPCI"),
        ("paint", "map painted (two animation frames after `data-gd-ready`)"),
        ("script_finished", "`script_finished` received (the rest of the page, Streamlit's GC after the run)"),
        ("consistent", "**page consistent**: `h1` names the EPCI, map drawn, no run in progress"),
    ]
    rows = [[label, sec(_med(st[k])), sec(st[k]["p90"]), sec(_med(tt[k])) if k in tt else ""] for k, label in names]
    L = [
        "## Switch: where the time goes",
        "",
        f"One Chromium tab per page, {sw['n']} switches each, taking turns; geodash from EPCI to EPCI (every EPCI at "
        "least once, shuffled), typed in the sidebar list « Intercommunalité » and Enter, as a user does; the "
        "trivial page's options in turn. Seconds after the Enter key, page clock (see Method). The server had "
        f"ended its start-up warm-up ({sw.get('warm_up_wait_s', 0):.0f} s after it answered) before the first switch.",
        "",
        table(rows, ["milestone", "geodash median", "geodash p90", "trivial median"]),
        "",
    ]
    alone = su.get("alone")
    if alone:
        ga, ta = alone["geodash"], alone["trivial"]
        L += [
            "The same switches by a session without a browser (`protocol_load.Session`, Streamlit's protocol, on the "
            "same servers after the browser's; seconds after the `BackMsg` was sent):",
            "",
            table(
                [
                    ["first message received", sec(_med(ga["first_message"])), sec(_med(ta["first_message"]))],
                    ["map's component delta received", sec(_med(ga["map_delta"])), ""],
                    ["`script_finished` received", sec(_med(ga["script_finished"])), sec(_med(ta["script_finished"]))],
                    [
                        "server CPU per rerun (from /proc)",
                        sec(_med(ga["server_cpu_s"])),
                        sec(_med(ta["server_cpu_s"])),
                    ],
                ],
                ["server alone", "geodash median", "trivial median"],
            ),
            "",
        ]
        bad = [p for row in sw["alone"]["geodash"] + sw["alone"]["trivial"] for p in row["problems"]]
        if bad:
            L += ["Problems in those replies: " + "; ".join(bad[:5]), ""]
    g = sw["geodash"]
    med = {k: _med(st[k]) or 0 for k in ("first_message", "map_delta", "draw_start", "map", "script_finished")}
    med["consistent"] = _med(st["consistent"]) or 0
    L.append(
        f"Read as two chains (medians). The map: {sec(med['draw_start'])} from Enter until its script starts drawing "
        f"the chosen territory (the list tells the map first: the view, published by the server as a static file, is "
        f"fetched), {sec(med['map'] - med['draw_start'])} drawing it (Leaflet). The page: {sec(med['first_message'])} "
        f"from Enter to the run's first message, {sec(med['map_delta'] - med['first_message'])} more until the map's "
        f"delta arrives (the same view: not drawn again), {sec(med['script_finished'] - med['map_delta'])} more until "
        f"`script_finished`, {sec(med['consistent'] - med['script_finished'])} more until the page is consistent "
        f"(Streamlit's frontend rendering the run's elements). The map's delta: median "
        f"{kb(_med(su['map_delta_bytes']))} (max {kb(su['map_delta_bytes']['max'])}); all the run's WebSocket "
        f"messages: median {kb(_med(su['ws_bytes']))}. Server CPU per switch (from /proc): "
        f"{sw.get('geodash_server_cpu_per_switch_s', 0) * 1000:.0f} ms. Main-thread tasks over 50 ms in the "
        f"geodash tab (Long Tasks API), median per switch: {sec(_med(st['long_tasks_s']))}. "
        f"Server RSS after the switches: {mb(sw.get('geodash_rss_mb'))}. Requests outside 127.0.0.1: "
        f"{len(sw.get('external_requests', []))}."
    )
    L.append("")
    L.append(
        table(
            [
                [
                    i + 1,
                    s["to"],
                    s["markers"],
                    kb(s["map_delta_bytes"]),
                    sec(s["map_delta"]),
                    sec(s["map"]),
                    sec(s["script_finished"]),
                    sec(s["consistent"]),
                    sec(t["consistent"]),
                ]
                for i, (s, t) in enumerate(zip(g, sw["trivial"]))
            ],
            [
                "#",
                "to (SIREN)",
                "markers",
                "map delta",
                "delta received",
                "map drawn",
                "script_finished",
                "consistent",
                "trivial consistent",
            ],
        )
    )
    L.append("")
    return L


def first_visit_section(fv: dict) -> list[str]:
    if "summary" not in fv:
        return ["## First visit", "", f"Not measured: {fv.get('skipped') or fv.get('error', '?')[-500:]}", ""]
    f = fv["summary"]
    names = [
        ("healthy", "server answers its health check"),
        ("dcl", "Streamlit's page scripts loaded (`DOMContentLoaded`)"),
        ("first_message", "first WebSocket message received"),
        ("map_delta", "map's component delta received"),
        ("leaflet_asked", "Leaflet asked for (by the page's first element, `static/page_boot.js`)"),
        ("leaflet_loaded", "Leaflet received"),
        ("draw_start", "the map's script starts drawing"),
        ("drawn", "**drawn**: the map (`data-gd-ready`, département legend) / the trivial page's text"),
        ("paint", "map painted"),
        ("consistent", "page consistent (title, map, no run in progress; geodash: the whole page, not its first look)"),
        ("server_cpu_s", "server CPU seconds used by then (start-up included)"),
    ]
    pages = [name for name in ("geodash", "map_only", "map_only_startup", "trivial") if name in f]
    rows = [[label, *(sec(_med(f[name].get(k))) for name in pages)] for k, label in names if k in f["geodash"]]
    heads = {
        "geodash": "geodash",
        "map_only": "first look alone",
        "map_only_startup": "first look, start-up running",
        "trivial": "trivial",
    }
    L = [
        "## First visit",
        "",
        f"`streamlit run app.py` vs `streamlit run bench/trivial_app.py`, {f['geodash']['drawn']['n']} starts each, "
        "taking turns (the page that starts first rotates); a new browser context (empty cache) asks for the page as "
        "soon as the health check answers (polled every 20 ms). Seconds after the server process was started, "
        "medians. geodash's start-up warm-up (`geodash.startup`) runs in the server while the page loads; a "
        "session's first run draws the first look its previous start saved (`geodash.firstlook`: title, territory "
        "list, map), the next one the whole page.",
        "",
    ]
    if "map_only" in f:
        L += [
            "The floor of the design, in the same turns (`bench/map_only_app.py`): geodash's first look alone: "
            "the pages' CSS and boot component, the territory list, the title and geodash's map component drawing the "
            "root URL's view, read from a file the bench wrote before the server started (no data read, neither "
            "pandas nor geopandas imported); then the same page while its server runs geodash's start-up "
            f"(imports, data, views), as `app.py`'s does. Map drawn ÷ trivial: first look alone "
            f"{x(f['ratio_map_only'])}, with the start-up running {x(f['ratio_map_only_startup'])}, geodash "
            f"{x(f['ratio'])}.",
            "",
        ]
    return L + [
        table(rows, ["milestone", *(heads[name] for name in pages)]),
        "",
        f"Page consistent: geodash ÷ trivial {x(f['ratio_consistent'])}.",
        "",
    ]


def memory_section(mem: dict) -> list[str]:
    if "rss" not in mem:
        return ["## Memory", "", f"Not measured: {mem.get('error', '?')[-500:]}", ""]
    L = [
        "## Memory",
        "",
        f"geodash's server started with `--server.disconnectedSessionTTL {mem['ttl_s']}` (Streamlit keeps a closed "
        "session 120 s by default, for reconnection; a shorter TTL shows the same end state sooner); sessions speak "
        f"Streamlit's protocol (`bench/protocol_load.py`, no browser). Errors in these sessions: {mem['n_errors']}.",
        "",
        table(
            [[row["after"], mb(row.get("VmRSS")), mb(row.get("VmHWM"))] for row in mem["rss"]], ["after", "RSS", "peak"]
        ),
        "",
    ]
    nat = mem.get("national", {})
    if "load" in nat:
        n, b = nat["load"], nat["build"]
        L += [
            "### National scale",
            "",
            f"`bench/national.py`: {nat['wheel']} read ({sec(b['read_wheel_s'])}) and all of France built into a "
            f"GeoPackage ({num(b['communes'])} communes, {num(b['epci'])} EPCI, {b['gpkg_bytes'] / 1e6:.0f} MB; "
            f"{sec(b['build_s'])}; {b['communes_without_epci_left_out']} communes in no EPCI left out), then a fresh "
            "process imports what the server imports (Streamlit, the map page), loads it as the server keeps it "
            f"(the communes without their full-resolution shapes; {sec(n['load_territories_s'])}), spreads {num(nat['projects'])} financements (the Pas-de-Calais's real "
            f"rows drawn again) over the communes and places them (on those shapes, read again; "
            f"{sec(n['place_projects_s'])}), gives memory back "
            "as the server's start-up does, and prepares two views as the server's warm-up does "
            "(`viewmodel.prepare`)"
            + (
                f". `load_territories` refused the file as built (« {nat['load_check_refused']} »): its "
                "Pas-de-Calais tolerances were widened."
                if nat.get("load_check_refused")
                else "; only `EXPECTED_BOUNDS_L93` (the Pas-de-Calais's box) was widened."
            ),
            "",
            table([[step, mb(v)] for step, v in n["rss"]], ["process RSS after", ""]),
            "",
            table(
                [
                    [
                        name
                        if name == "national"
                        else f"largest EPCI: {n['largest_epci']['nom']} ({n['largest_epci']['communes']} communes)",
                        num(v["projects"]),
                        num(v["markers"]),
                        f"{v['map_json_bytes'] / 1e6:.2f} MB",
                        sec(v["prepare_s"]),
                    ]
                    for name, v in n["views"].items()
                ],
                ["view", "financements", "markers", "map data (JSON)", "prepared in"],
            ),
            "",
            f"Peak RSS of the process: {mb(n['hwm_mb'])}.",
            "",
        ]
    elif nat:
        L += ["### National scale", "", f"Failed: {nat.get('error')}", ""]
    return L


def capacity_section(cap: dict) -> list[str]:
    L = []
    for name in ("geodash", "trivial"):
        if name not in cap:
            continue
        rows = [
            [
                row["sessions"],
                f"{row['opened']} in {row['open_wall_s']:.2f} s",
                row["reruns"],
                f"{row['reruns_per_s'] or 0:.1f}",
                sec(row["p50_s"]),
                sec(row["p95_s"]),
                row["errors"],
                f"{row['server_cpu_s'] or 0:.0f} s / {row['wall_s']:.0f} s",
                mb(row["server_rss_mb"]),
            ]
            for row in cap[name]["rows"]
        ]
        L += [
            f"**Capacity, {name}**",
            "",
            table(
                rows,
                [
                    "sessions",
                    "opened (first run)",
                    "reruns",
                    "reruns/s",
                    "p50",
                    "p95",
                    "errors",
                    "server CPU / wall",
                    "server RSS after",
                ],
            ),
            "",
        ]
        samples = [e for row in cap[name]["rows"] for e in row["error_samples"]]
        if samples:
            L += ["Errors (first ones): " + "; ".join(samples[:5]), ""]
    if not L:
        return []
    return [
        "## Capacity",
        "",
        f"`bench/protocol_load.py`: N sessions open at once on a fresh server, then each switches the list, waiting "
        f"for each rerun, for {cap['duration_s']:.0f} s or {cap['max_switches']} switches; every reply checked "
        "(successful finish, no exception element, the chosen territory's title / the option's text).",
        "",
        *L,
    ]


METHOD = """## Method

- `python3 bench/run.py` runs the sections (`switch` and `first-visit` in `bench/browser.py`, `memory` and
  `capacity` in `bench/server.py`, the national scale in `bench/national.py`, the protocol sessions in
  `bench/protocol_load.py`); this page is written by `bench/report.py` from `bench/results.json`. Servers listen on
  127.0.0.1 only (never port 8511), are started from the repository root (its `.streamlit/config.toml`) and stopped
  by process id.
- Browser times come from the page's own clock (`Date.now()` in an init script): the Enter key (a capture listener),
  each WebSocket message's arrival (the page's `WebSocket` wrapped; the bytes are decoded afterwards with Streamlit's
  `ForwardMsg`: the map is the run's `bidi_component` delta), the map's `data-gd-ready` (set by
  `static/webmap_overlay.js` once a view's markers are in the map) with the legend's `.gd-legend-title` at that
  moment, and page consistency checked on every animation frame.
- « No run in progress »: Streamlit offers no public sign of it in the page. The bench reads the attribute
  `data-test-script-state="notRunning"` of Streamlit's app root (its own test hook); the arrival of the run's
  `script_finished` message is given beside it. The product's code reads neither (no `data-testid` in `src/`).
- Chromium (Debian's, through `chromium_launch.py`), the servers and the bench share the machine's cores, as a
  laptop demo would; loopback networking (no latency, no bandwidth limit).
- Figures are medians unless said; p90 is the nearest-rank 90th percentile; bytes are decimal (1 KB = 1000 bytes).
- `python3 bench/table.py` (not a section) times the project table alone: `french_grid` (built once per view) and its size.
"""


def render(r: dict) -> str:
    s = r["sections"]
    L = header(r) + verdicts(r)
    if "switch" in s:
        L += switch_section(s["switch"])
    if "first-visit" in s:
        L += first_visit_section(s["first-visit"])
    if "memory" in s:
        L += memory_section(s["memory"])
    if "capacity" in s:
        L += capacity_section(s["capacity"])
    for name, section in s.items():
        if isinstance(section, dict) and "error" in section and "summary" not in section and "rss" not in section:
            L += [f"**Section {name} failed**:", "", "```", section["error"][-2000:], "```", ""]
    L.append(METHOD)
    return "\n".join(L).rstrip() + "\n"


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("results.json")
    sys.stdout.write(render(json.loads(path.read_text(encoding="utf-8"))))
