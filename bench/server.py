"""The server sections, no browser (Streamlit's own WebSocket protocol, ``protocol_load.py``):

- ``memory``: geodash's server RSS (from /proc) once started, after one session visited every view,
  after 50 sessions came and went; then the national scale (``national.py``, all of France);
- ``capacity``: 10, 50 and 100 sessions at once switching the territory list, geodash and the trivial
  page, every reply checked, errors counted.
"""

from __future__ import annotations

import asyncio
import time

import protocol_load as pl
from common import APP, TRIVIAL, Server, log


def memory(sessions: int = 50, batch: int = 10, ttl: int = 10, national: bool = True) -> dict:
    """Server RSS: started (warm-up ended), after one session visited every view, after ``sessions``
    protocol sessions (``batch`` at a time, each opening the page and switching 3 times) came and went.

    The server runs with ``server.disconnectedSessionTTL = ttl``: Streamlit keeps a closed session 120 s
    by default, for reconnections; after the TTL, one more session opens and closes so that the expired
    ones are dropped, as any later visitor would, and one more after it."""
    server = Server(APP, extra_args=["--server.disconnectedSessionTTL", str(ttl)])
    rss: list[dict] = []
    errors: list[str] = []
    reruns = 0
    try:
        server.wait_healthy()
        server.wait_settled()
        rss.append({"after": "server started (warm-up ended), no session", **server.rss()})
        expect = pl.geodash_expect()

        async def visit_all():
            s = pl.Session(server.url)
            _, first = await s.open("Intercommunalité")
            bad = pl.problems(first, None)
            for option in s.widget[1][1:] + [s.widget[1][0]]:
                _, reply = await s.choose(option)
                bad += pl.problems(reply, expect(option))
            await s.close()
            return bad

        errors += asyncio.run(visit_all())
        time.sleep(1)
        rss.append({"after": "one session visited all 21 views", **server.rss()})
        warm = server.rss()["VmRSS"]
        for _ in range(sessions // batch):
            row = asyncio.run(pl.run_level(server.url, batch, "Intercommunalité", 60, 3, expect))
            errors += row["error_samples"]
            reruns += row["reruns"]
        rss.append({"after": f"{sessions} sessions closed ({batch} at a time, 3 switches each)", **server.rss()})
        time.sleep(ttl + 2)

        async def one():
            s = pl.Session(server.url)
            await s.open("Intercommunalité")
            await s.close()

        asyncio.run(one())
        time.sleep(2)
        rss.append({"after": f"TTL passed ({ttl} s), one more session came and went", **server.rss()})
        asyncio.run(one())  # the previous one's closing evicted the expired sessions: one more after it
        time.sleep(2)
        rss.append({"after": "and another one", **server.rss()})
        after = server.rss()["VmRSS"]
    finally:
        server.stop()
    out = {
        "rss": rss,
        "warm_mb": warm,
        "after_sessions_mb": after,
        "growth": after / warm - 1,
        "peak_mb": max(r.get("VmHWM", 0) for r in rss),
        "errors": errors[:10],
        "n_errors": len(errors),
        "sessions": sessions,
        "reruns": reruns,
        "ttl_s": ttl,
    }
    log("memory", {k: v for k, v in out.items() if k != "rss"})
    if national:
        import national as nat

        try:
            out["national"] = nat.run()
        except Exception as exc:  # the server figures stand on their own
            import traceback

            out["national"] = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-3000:]}
            log("national FAILED", out["national"]["traceback"])
    return out


def capacity(levels=(10, 50, 100), duration: float = 15.0, max_switches: int = 30) -> dict:
    """Protocol load on each page (a fresh server each): ``levels`` sessions at once, each switching the
    list for ``duration`` seconds or ``max_switches`` switches, waiting for each rerun."""
    out = {"duration_s": duration, "max_switches": max_switches, "levels": list(levels)}
    for name, script, expect in (
        ("geodash", APP, pl.geodash_expect()),
        ("trivial", TRIVIAL, pl.trivial_expect),
    ):
        server = Server(script)
        try:
            server.wait_healthy()
            server.wait_settled()
            asyncio.run(pl.run_level(server.url, 1, "Intercommunalité", 2, 1, expect))  # one visit first
            rss0 = server.rss().get("VmRSS")
            rows = pl.capacity(server.url, list(levels), duration, max_switches, expect, pid=server.proc.pid, log=log)
            out[name] = {"rows": rows, "rss_before_mb": rss0, "rss_peak_mb": server.rss().get("VmHWM")}
        finally:
            server.stop()
    return out


def reruns_alone(server: Server, options: list[str], expect) -> list[dict]:
    """One protocol session (no browser) choosing ``options`` in turn on a running server, after three
    untimed switches: seconds from the ``BackMsg`` sent to the first message, the map's component delta
    (geodash) and ``script_finished``; the server's CPU seconds per rerun."""

    async def session():
        s = pl.Session(server.url)
        await s.open("Intercommunalité")
        for option in s.widget[1][1:4]:
            await s.choose(option)
        rows = []
        for option in options:
            cpu = server.cpu()
            t0 = time.perf_counter()
            _, reply = await s.choose(option)
            maps = [m for m in reply.timeline if m[1] == "element:bidi_component"]
            finished = [m for m in reply.timeline if m[1] == "script_finished"]
            rows.append(
                {
                    "to": option,
                    "first_message": reply.timeline[0][0] - t0,
                    "map_delta": max(maps, key=lambda m: m[2])[0] - t0 if maps else None,
                    "script_finished": finished[-1][0] - t0 if finished else None,
                    "bytes": reply.bytes,
                    "server_cpu_s": server.cpu() - cpu,
                    "problems": pl.problems(reply, expect(option)),
                }
            )
        await s.close()
        return rows

    return asyncio.run(session())


__all__ = ["memory", "capacity", "reruns_alone"]
