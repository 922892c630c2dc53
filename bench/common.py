"""Shared helpers of the bench: a Streamlit server on a loopback port, the EPCI names, time and memory
read from ``/proc``, what the figures were measured on.

Nothing here writes outside ``bench/`` or a temporary folder.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
if str(REPO_DIR) not in sys.path:
    sys.path.append(str(REPO_DIR))  # chromium_launch.py, the Chromium of the bench and the browser tests
APP = REPO_DIR / "app.py"
TRIVIAL = BENCH_DIR / "trivial_app.py"
MAP_ONLY = BENCH_DIR / "map_only_app.py"
MB = 1000 * 1000
FORBIDDEN_PORTS = {8511}
#: The option of the territory list and the page's title for the whole département.
DEPT_LABEL = "Tout le département"


def log(*parts) -> None:
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


# --- statistics -----------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile of ``values`` (nearest rank; ``None`` values left out)."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def stats(values: list[float]) -> dict:
    values = [v for v in values if v is not None]
    return {
        "n": len(values),
        "median": statistics.median(values) if values else None,
        "p90": quantile(values, 0.9),
        "min": min(values) if values else None,
        "max": max(values) if values else None,
    }


# --- processes ------------------------------------------------------------------------------------


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


class Server:
    """``streamlit run SCRIPT`` on a free loopback port (never 8511), from the repository root (its
    ``.streamlit/config.toml``); ``started`` is the epoch of Popen. Stopped by its process id."""

    def __init__(
        self,
        script: Path,
        log_path: Path | None = None,
        extra_args: list[str] | None = None,
        env: dict[str, str] | None = None,
    ):
        self.script = script
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (kept open for the server's life)
        env = {**os.environ, "STREAMLIT_LOGGER_LEVEL": "error", **(env or {})}
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
        """Poll ``/_stcore/health`` every 20 ms; return the epoch it first answered 200."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Streamlit server for {self.script.name} exited ({self.proc.returncode})")
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).status == 200:
                    return time.time()
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("the Streamlit server did not start")

    def rss(self) -> dict:
        return proc_status(self.proc.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def wait_settled(self, quiet: float = 3.0, timeout: float = 180) -> float:
        """Wait until the server has been idle for ``quiet`` seconds (under 5 % of a core: geodash's
        start-up warm-up has prepared the views; ``quiet`` is longer than the pause the warm-up makes
        before them, ``geodash.startup.QUIET_S``); return the seconds waited. For measures of the
        steady state: the first visit is measured without this wait."""
        start = time.time()
        deadline = start + timeout
        while time.time() < deadline:
            before = self.cpu()
            time.sleep(quiet)
            if self.cpu() - before < 0.05 * quiet:
                return time.time() - start
        raise RuntimeError(f"the server was still busy after {timeout} s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def epci_names() -> tuple[list[str], dict[str, str], dict[str, str]]:
    """SIRENs, the territory list's label (short name) and the page's title (official name) of each EPCI."""
    from geodash.territories import load_territories

    terr = load_territories()
    return (
        list(terr.sirens),
        {s: terr.epci_name(s, short=True) for s in terr.sirens},
        {s: terr.epci_name(s) for s in terr.sirens},
    )


# --- the machine ----------------------------------------------------------------------------------


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    meminfo = {line.split(":")[0]: int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()}
    versions = {}
    for mod in ("streamlit", "shapely", "geopandas", "pandas", "pyarrow", "playwright", "websockets"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod)
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
        "ram_gib": round(meminfo["MemTotal"] / 1024 / 1024, 1),
        "swap_gib": round(meminfo.get("SwapTotal", 0) / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "os": platform.platform(),
        "chromium": chromium,
        "versions": versions,
        "git": commit + (" + uncommitted changes in src/ or app.py" if dirty else ""),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (all cores, /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _uptime() -> float:
    return float(Path("/proc/uptime").read_text().split()[0])


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


class OtherCPU:
    """CPU seconds used by processes that are not this bench's (other people's tests, servers…),
    sampled from /proc every ``every`` seconds while active: timings are pessimistic when it is high.
    A process that starts and ends between two samples is not seen (short test subprocesses)."""

    def __init__(self, every: float = 1.0):
        self.every, self.others, self._stop = every, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def _snapshot(self) -> dict[int, tuple[int, float, float]]:
        """pid -> (parent pid, CPU seconds, start time in seconds since boot)."""
        snap = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cpu = (int(fields[11]) + int(fields[12])) / self._tick
                snap[int(entry.name)] = (int(fields[1]), cpu, int(fields[19]) / self._tick)
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
        before, since = self._snapshot(), _uptime()
        while not self._stop.wait(self.every):
            now, at = self._snapshot(), _uptime()
            for pid, (_, cpu, started) in now.items():
                if self._mine(pid, now):
                    continue
                if pid in before and before[pid][2] == started:
                    self.others += max(0.0, cpu - before[pid][1])
                elif started >= since - 0.05:  # born since the last sample: all its CPU is new
                    self.others += cpu
            before, since = now, at

    def __enter__(self):
        self._busy0 = machine_busy()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.machine = machine_busy() - self._busy0  # every process, the bench's included
