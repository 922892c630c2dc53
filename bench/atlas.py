"""The print atlas (placeholder until ``geodash.atlas`` exists): the whole atlas, timed once.

The measurement turns on by itself when ``geodash.atlas`` is importable: it runs the command line
``python -m geodash atlas --sortie <tmp>`` (every EPCI and the département, PDF + PNG + SVG, one
worker per core) in a fresh process and reports its wall time, peak memory and output size.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import REPO_DIR, log


def available() -> bool:
    try:
        return importlib.util.find_spec("geodash.atlas") is not None
    except (ImportError, ValueError):
        return False


def run(quick: bool = False) -> dict:
    if not available():
        return {"status": "pending", "reason": "geodash.atlas is not importable"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "atlas"
        cmd = [sys.executable, "-m", "geodash", "atlas", "--sortie", str(out)]
        if quick:
            cmd += ["--formats", "pdf"]
        log("atlas:", " ".join(cmd[1:]))
        t0 = time.perf_counter()
        with open(Path(tmp) / "out.txt", "w+") as fout, open(Path(tmp) / "err.txt", "w+") as ferr:
            proc = subprocess.Popen(
                cmd,
                cwd=REPO_DIR,
                stdout=fout,
                stderr=ferr,
                text=True,
                env={**os.environ, "STREAMLIT_LOGGER_LEVEL": "error"},
            )
            timer = threading.Timer(300, proc.kill)
            timer.start()
            # wait4: the rusage of the atlas process, whose peak covers the workers it waited for
            _, status, usage = os.wait4(proc.pid, 0)
            timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
            wall = time.perf_counter() - t0
            fout.seek(0), ferr.seek(0)
            stdout, stderr = fout.read(), ferr.read()
        peak_mb = usage.ru_maxrss * 1024 / 1e6
        files = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
        by_ext: dict[str, int] = {}
        for p in files:
            by_ext[p.suffix] = by_ext.get(p.suffix, 0) + 1
        return {
            "status": "ok" if proc.returncode == 0 else f"failed (exit {proc.returncode})",
            "command": "python3 -m geodash atlas --sortie <tmp>" + (" --formats pdf" if quick else ""),
            "wall_s": wall,
            "files": len(files),
            "files_by_type": by_ext,
            "bytes": sum(p.stat().st_size for p in files),
            "peak_rss_mb_any_process": peak_mb,
            "stdout_tail": stdout.strip().splitlines()[-1:] if stdout else [],
            "stderr_tail": [line for line in stderr.strip().splitlines() if "ScriptRunContext" not in line][-3:],
        }
