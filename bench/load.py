"""Bounded load test on loopback: N concurrent headless Chromium pages against one Streamlit server.

The script starts ``streamlit run app.py`` on a free 127.0.0.1 port (never 8511), opens one Debian
Chromium with N browser contexts (N independent Streamlit sessions), and for ``--duration`` seconds
has every page switch EPCI and filters, half the time through the URL (``?epci=…&theme=…``, a new
session) and half through the sidebar selectbox (same session). After every switch the page must
show the EPCI it asked for — title, map legend, ``?epci=`` in its address, only the requested
theme's markers — and no error element: a session that saw another's state would fail here.

Recorded: server RSS before / peak / after (psutil if installed, else /proc), switches done,
median and 90th-percentile switch time, errors. The figures are appended as a markdown section to
``bench/load_results.md`` with the machine (nproc, RAM), the date and the command.

    python3 bench/load.py                  # N=20, 60 s
    python3 bench/load.py -n 8 --duration 30 --seed 2

Nothing leaves 127.0.0.1: every other request is aborted and counted as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
RESULTS = REPO_DIR / "bench" / "load_results.md"
THEMES = ["Aménagement", "Solidarité", "Education", "Culture", "Sport"]
ERROR_SELECTOR = '[data-testid="stException"], [data-testid="stAlertContentError"]'


# --- Machine and server -------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (psutil when installed, else /proc/<pid>/status)."""
    try:
        import psutil  # noqa: PLC0415

        return psutil.Process(pid).memory_info().rss
    except ImportError:
        pass
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine so far (all cores, /proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def machine() -> dict:
    ram = 0
    try:
        with open("/proc/meminfo") as f:
            ram = int(next(line for line in f if line.startswith("MemTotal:")).split()[1]) * 1024
    except (OSError, StopIteration):
        pass
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "ram_gib": ram / 2**30,
        "cpu": cpu,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    """The browser tests' server starter: ``streamlit run app.py`` on a free loopback port."""
    sys.path.insert(0, str(REPO_DIR))
    from tests.browser.conftest import start_server as start

    return start(log=log)


# --- One simulated user -------------------------------------------------------------------------


@dataclass
class Stats:
    switches: int = 0
    times: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=lambda: {"url": [], "selectbox": []})
    errors: list[str] = field(default_factory=list)
    wrong_state: int = 0
    error_elements: int = 0
    external: int = 0


def _slug(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if c.isalnum())


async def _map_ready(page, title: str, timeout: float) -> tuple[object, int]:
    """The newest map frame whose overlay script ran with ``title`` as legend title."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in reversed(page.frames):
            try:
                state = await frame.evaluate(
                    "() => { const c = document.querySelector('.leaflet-container[data-gd-ready]');"
                    " const t = document.querySelector('.gd-legend-title');"
                    " return c && t ? [t.textContent, +c.getAttribute('data-gd-ready')] : null; }"
                )
            except Exception:  # frame detached or not yet scriptable
                continue
            if state and state[0] == title:
                return frame, state[1]
        await asyncio.sleep(0.15)
    raise TimeoutError(f"no map drawn for « {title} » within {timeout:.0f} s")


async def _check(page, frame, siren: str, name: str, theme: str | None, stats: Stats, who: str) -> None:
    """The page shows what this session asked for, and no error."""
    problems = []
    current = await page.evaluate("() => new URL(location.href).searchParams.get('epci')")
    if current != siren:
        problems.append(f"URL epci={current}")
    h1 = await page.locator("h1").first.text_content()
    if (h1 or "").strip() != name:
        problems.append(f"title « {h1} »")
    if theme:
        kinds = await frame.evaluate("() => [...document.querySelectorAll('.gd-marker')].map(m => m.className)")
        other = [k for k in kinds if f"gd-theme-{_slug(theme)}" not in k]
        if other:
            problems.append(f"{len(other)} marker(s) of another theme than {theme}")
    if problems:
        stats.wrong_state += 1
        stats.errors.append(f"{who}: asked {siren} ({theme or 'all'}), saw " + "; ".join(problems))
    if await page.locator(ERROR_SELECTOR).count():
        stats.error_elements += 1
        text = await page.locator(ERROR_SELECTOR).first.inner_text()
        stats.errors.append(f"{who}: error element « {text[:120]} »")


async def user(
    i: int,
    browser,
    url: str,
    epci: dict[str, tuple[str, str]],
    deadline: float,
    switch_timeout: float,
    rng: random.Random,
    stats: Stats,
) -> None:
    who = f"page {i:02d}"
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await context.new_page()

    async def guard(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            await route.continue_()
        else:
            stats.external += 1
            await route.abort()

    await page.route("**/*", guard)
    sirens = list(epci)
    siren, theme = None, None
    try:
        while time.monotonic() < deadline:
            target = rng.choice([s for s in sirens if s != siren])
            name, short = epci[target]
            kind = "url" if siren is None or rng.random() < 0.5 else "selectbox"
            started = time.monotonic()
            try:
                if kind == "url":
                    theme = rng.choice([None, None] + THEMES)
                    await page.goto(
                        f"{url}/?epci={target}" + (f"&theme={theme}" if theme else ""), timeout=switch_timeout * 1000
                    )
                else:  # same session: type the name into the selectbox, pick it
                    box = page.get_by_test_id("stSelectbox").first
                    await box.click(timeout=switch_timeout * 1000)
                    await page.keyboard.type(short)
                    await page.get_by_role("option", name=short, exact=True).click(timeout=switch_timeout * 1000)
                frame, _ = await _map_ready(page, name, switch_timeout)
                await page.wait_for_function(
                    f"() => new URL(location.href).searchParams.get('epci') === '{target}'",
                    timeout=switch_timeout * 1000,
                )
                elapsed = time.monotonic() - started
                siren = target
                await _check(page, frame, target, name, theme, stats, who)
                stats.switches += 1
                stats.times.append(elapsed)
                stats.by_kind[kind].append(elapsed)
            except Exception as exc:  # timeouts, detached frames: counted, the user goes on
                stats.errors.append(f"{who}: {kind} → {target}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
                siren = None  # start again from a fresh URL
            await asyncio.sleep(rng.uniform(0.2, 1.0))  # a user reads the map a moment
    finally:
        await context.close()


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    sys.path.insert(0, str(REPO_DIR / "src"))
    sys.path.append(str(REPO_DIR))  # chromium_launch.py, shared with the browser tests
    from chromium_launch import MISSING, chromium_path, launch
    from geodash.territories import load_territories

    terr = load_territories()
    epci = {s: (terr.epci_name(s), terr.epci_name(s, short=True)) for s in terr.sirens}
    log = Path(args.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    proc, url = start_server(log)
    result: dict = {"url": url, "loadavg": os.getloadavg()}
    try:
        result["rss_start"] = rss_bytes(proc.pid)  # no session yet: the data is read by the first one
        if not chromium_path():
            raise SystemExit(MISSING)
        stats = Stats()
        async with async_playwright() as p:
            browser = await launch(p)
            warm = await browser.new_context()
            page = await warm.new_page()
            first = time.monotonic()
            await page.goto(url, timeout=120_000)
            await _map_ready(page, "Pas-de-Calais : les 20 intercommunalités", 120)
            result["first_load_s"] = time.monotonic() - first
            await warm.close()
            await asyncio.sleep(3)
            result["rss_before"] = rss_bytes(proc.pid)
            peak = result["rss_before"]
            cpu_server, cpu_all = cpu_seconds(proc.pid), machine_cpu_seconds()
            started = time.monotonic()
            deadline = started + args.duration
            rngs = [random.Random(args.seed * 1000 + i) for i in range(args.n)]
            users = [
                asyncio.create_task(user(i, browser, url, epci, deadline, args.switch_timeout, rngs[i], stats))
                for i in range(args.n)
            ]

            async def sample():
                nonlocal peak
                while True:
                    peak = max(peak, rss_bytes(proc.pid))
                    await asyncio.sleep(0.5)

            sampler = asyncio.create_task(sample())
            # Bounded: a switch under way at the deadline may finish, nothing runs past the grace period.
            done, pending = await asyncio.wait(users, timeout=args.duration + args.switch_timeout + 30)
            for task in pending:
                task.cancel()
                stats.errors.append("a page was still busy after the grace period: cancelled")
            result["wall_s"] = time.monotonic() - started
            result["cpu_server_s"] = cpu_seconds(proc.pid) - cpu_server
            result["cpu_all_s"] = machine_cpu_seconds() - cpu_all
            result["rss_loaded"] = rss_bytes(proc.pid)  # right after the last switch (sessions closing)
            sampler.cancel()
            await browser.close()
        await asyncio.sleep(5)  # sessions closed: what the server keeps
        result["rss_after"] = rss_bytes(proc.pid)
        result["rss_peak"] = max(peak, result["rss_loaded"])
        result["stats"] = stats
        result["server_alive"] = proc.poll() is None
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    return result


def _q(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def report(args, result: dict, command: str) -> str:
    m = machine()
    s: Stats = result["stats"]
    mib = lambda b: f"{b / 2**20:.0f} MiB"  # noqa: E731
    med = statistics.median(s.times) if s.times else float("nan")
    lines = [
        f"## Load test, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC — {args.n} pages, {args.duration:.0f} s",
        "",
        f"- Command: `{command}`",
        f"- Machine: {m['nproc']} CPU ({m['cpu']}), {m['ram_gib']:.1f} GiB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}; load average before the run {result['loadavg'][0]:.2f} (1 min)",
        f"- One Streamlit server (`streamlit run app.py`, 127.0.0.1) and one headless Chromium with {args.n} "
        f"contexts on the same machine; each page switches EPCI (and the theme filter) for {args.duration:.0f} s, "
        "half through `?epci=…&theme=…` URLs (new session), half through the selectbox (same session), "
        f"reading 0.2–1 s between switches; seed {args.seed}.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| switches done (all pages) | {s.switches} ({s.switches / max(result['wall_s'], 1e-9):.2f} / s) |",
        f"| median switch time (action → map of the asked EPCI drawn) | {med:.2f} s |",
        f"| 90th percentile / slowest | {_q(s.times, 0.9):.2f} s / {max(s.times, default=float('nan')):.2f} s |",
        f"| median by URL / by selectbox | {_q(s.by_kind['url'], 0.5):.2f} s ({len(s.by_kind['url'])}) / "
        f"{_q(s.by_kind['selectbox'], 0.5):.2f} s ({len(s.by_kind['selectbox'])}) |",
        f"| wrong state seen (another EPCI, theme or URL) | {s.wrong_state} |",
        f"| error elements on a page | {s.error_elements} |",
        f"| requests outside 127.0.0.1 | {s.external} |",
        f"| errors (timeouts, failed switches, all kinds) | {len(s.errors)} |",
        f"| first page (département map) on a cold server | {result['first_load_s']:.1f} s |",
        f"| server RSS at start / after that first page (data cached) | {mib(result['rss_start'])} / "
        f"{mib(result['rss_before'])} |",
        f"| server RSS peak during the run | {mib(result['rss_peak'])} |",
        f"| server RSS at the end of the run / 5 s after the pages closed | {mib(result['rss_loaded'])} / "
        f"{mib(result['rss_after'])} |",
        f"| CPU used during the run: server / whole machine (server + Chromium) | "
        f"{result['cpu_server_s']:.0f} s / {result['cpu_all_s']:.0f} s of {result['wall_s'] * (m['nproc'] or 1):.0f} s "
        f"available ({result['wall_s']:.0f} s × {m['nproc']} cores) |",
        f"| server still running at the end | {'yes' if result['server_alive'] else 'NO'} |",
        "",
    ]
    if s.errors:
        lines += ["Errors (first 10):", ""] + [f"- {e}" for e in s.errors[:10]] + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20, help="concurrent pages (browser contexts), default 20")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of switching, default 60")
    parser.add_argument(
        "--switch-timeout",
        type=float,
        default=90.0,
        help="seconds one switch may take before it counts as an error, default 90",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", default=str(REPO_DIR / "artifacts" / "load_streamlit.log"))
    parser.add_argument("--results", default=str(RESULTS), help="markdown file the section is appended to")
    parser.add_argument("--no-write", action="store_true", help="print the section only")
    args = parser.parse_args(argv)
    if args.n < 1 or args.duration <= 0:
        parser.error("N and the duration must be positive")
    command = "python3 bench/load.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    result = asyncio.run(run(args))
    section = report(args, result, command.strip())
    print(section)
    if not args.no_write:
        path = Path(args.results)
        head = (
            ""
            if path.exists()
            else (
                "# geodash — load tests\n\nSections appended by `bench/load.py`, newest last. "
                "Server and browser share the machine, so the times include the "
                "browser's own CPU use.\n\n"
            )
        )
        with open(path, "a", encoding="utf-8") as f:
            f.write(head + section + "\n")
    s = result["stats"]
    return 1 if (s.wrong_state or s.error_elements or not result["server_alive"]) else 0


if __name__ == "__main__":
    sys.exit(main())
