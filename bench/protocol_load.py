"""Server capacity without browsers: concurrent Streamlit sessions speaking the page's own protocol.

Each session opens ``ws://127.0.0.1:PORT/_stcore/stream`` (subprotocol ``streamlit``), as the
browser does, and sends ``BackMsg.rerun_script`` messages; the server answers with
``ForwardMsg`` messages (``new_session``, ``delta``…, ``script_finished``) in protobuf, the
classes shipped in the ``streamlit`` package. The territory list is read from the first run's
deltas: a selectbox (the trivial page), whose switch is a rerun with the widget's ``string_value``
set to another option, or geodash's own chooser (a ``st.components.v2`` component named
``geodash_territory``, its options in its JSON data), whose switch is a rerun carrying the
component's trigger ``chosen``, as its script sends it (``setTriggerValue``): the frontend sends a
component's triggers as one widget state, its id the component's id with Streamlit's suffix for
triggers, its value a JSON list of ``{"event", "value"}``. A rerun's latency is from sending the
``BackMsg`` to receiving ``script_finished``.

Every switch is checked: the run must finish successfully, carry no exception element, and (when
``expect`` maps an option to a text) contain that text in a heading or markdown element: a session
served another's state fails here.

    python3 bench/protocol_load.py --help
    python3 bench/protocol_load.py --sessions 10 50 --duration 15     # starts its own server

Loopback only: the URL's host must be 127.0.0.1 (or ::1/localhost).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

__all__ = ["RunReply", "parse_reply", "rerun_message", "Session", "run_level", "capacity", "LOOPBACK"]

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass
class RunReply:
    """What one script run sent back, read from its ForwardMsg messages."""

    status: str | None = None  # name of ForwardMsg.ScriptFinishedStatus once finished
    #: label -> the territory list: (kind "selectbox" or "trigger", the widget state's id, the options' names,
    #: the values sent for them).
    lists: dict[str, tuple[str, str, list[str], list[str]]] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)  # heading, markdown and HTML text, in order
    exceptions: list[str] = field(default_factory=list)
    #: Names of the component instances (``st.components.v2``: the page's ``geodash_page``, the map's
    #: ``geodash_map``; a v1 instance counts as its component's name).
    components: list[str] = field(default_factory=list)
    messages: int = 0
    bytes: int = 0
    new_session: bool = False
    #: The page the run showed (``navigation``'s ``page_script_hash``): later reruns name it, as the browser
    #: does (a rerun naming no page is a change of page, which forgets the page's widgets' states).
    page_hash: str = ""
    #: Each message as received: (time.perf_counter(), kind, bytes); kind is the message type, or
    #: ``element:<type>`` for a new element (``element:bidi_component``: geodash's map).
    timeline: list[tuple[float, str, int]] = field(default_factory=list)


def parse_reply(raw: bytes, reply: RunReply) -> bool:
    """Add one ForwardMsg (serialized) to ``reply``; True when it ends the run (a final
    ``script_finished``: not the early finish of a run that ``st.rerun`` replaces)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    msg.ParseFromString(raw)
    reply.messages += 1
    reply.bytes += len(raw)
    kind = msg.WhichOneof("type")
    reply.timeline.append((time.perf_counter(), _kind(msg, kind), len(raw)))
    if kind == "new_session":
        reply.new_session = True
    elif kind == "navigation":
        reply.page_hash = msg.navigation.page_script_hash
    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        ek = element.WhichOneof("type")
        if ek == "selectbox":
            options = list(element.selectbox.options)
            reply.lists[element.selectbox.label] = ("selectbox", element.selectbox.id, options, options)
        elif ek in ("heading", "markdown"):
            # As read: the pages escape every punctuation mark of the text they write as Markdown.
            reply.texts.append(re.sub(r"\\(.)", r"\1", getattr(element, ek).body))
        elif ek == "html":  # the map page's sections (geodash.webtext): the text, as read
            reply.texts.append(html.unescape(re.sub(r"<[^>]+>", " ", element.html.body)))
        elif ek == "exception":
            reply.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
        elif ek in ("component_instance", "bidi_component"):  # components v1 and v2 (the map)
            reply.components.append(getattr(element, ek).component_name)
            if ek == "bidi_component" and element.bidi_component.component_name.endswith("geodash_territory"):
                data = json.loads(element.bidi_component.json)
                values, names = zip(*data["options"])
                reply.lists[data["label"]] = (
                    "trigger",
                    _TRIGGERS.format(element.bidi_component.id),
                    list(names),
                    list(values),
                )
    elif kind == "script_finished":
        status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
        if status == "FINISHED_EARLY_FOR_RERUN":
            return False
        reply.status = status
        return True
    return False


def _kind(msg, kind: str | None) -> str:
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        return "element:" + (msg.delta.new_element.WhichOneof("type") or "?")
    return kind or "?"


#: The widget state's id of a v2 component's triggers (Streamlit's frontend sends them under it).
_TRIGGERS = "$$STREAMLIT_INTERNAL_KEY_{}__events"


def rerun_message(
    query_string: str = "",
    widgets: dict[str, str] | None = None,
    triggers: dict[str, tuple[str, str]] | None = None,
    page_hash: str = "",
) -> bytes:
    """``BackMsg.rerun_script`` as the frontend sends it: the URL's query string, the page shown
    (``page_hash``; none on a first run) and the widget states: string values (as a selectbox sends
    its formatted option), and components' triggers (``id -> (event, value)``)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = query_string
    msg.rerun_script.page_script_hash = page_hash
    for wid, value in (widgets or {}).items():
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = wid
        state.string_value = value
    for wid, (event, value) in (triggers or {}).items():
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = wid
        state.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return msg.SerializeToString()


def check_loopback(url: str) -> None:
    host = urlparse(url).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"refusing {url}: the load generator only talks to loopback addresses")


class Session:
    """One Streamlit session over its own WebSocket."""

    def __init__(self, url: str, timeout: float = 120.0):
        check_loopback(url)
        self.url = "ws" + url.rstrip("/").removeprefix("http").removeprefix("ws") + "/_stcore/stream"
        self.timeout = timeout
        self.ws = None
        self.widget: tuple[str, list[str]] | None = None  # the territory list's id and options
        self.list: tuple[str, str, list[str], list[str]] | None = None
        self.page_hash = ""

    async def open(self, label: str, query_string: str = "") -> tuple[float, RunReply]:
        import websockets

        self.ws = await websockets.connect(
            self.url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout, ping_interval=None
        )
        seconds, reply = await self.run(rerun_message(query_string))
        if label not in reply.lists:
            raise RuntimeError(f"no list « {label} » in the first run (got {list(reply.lists)})")
        self.list = reply.lists[label]
        self.widget = (self.list[1], self.list[2])
        self.page_hash = reply.page_hash
        return seconds, reply

    async def run(self, message: bytes) -> tuple[float, RunReply]:
        reply = RunReply()
        t0 = time.perf_counter()
        await self.ws.send(message)

        async def receive():
            while True:
                raw = await self.ws.recv()
                if isinstance(raw, bytes) and parse_reply(raw, reply):
                    return

        await asyncio.wait_for(receive(), self.timeout)
        return time.perf_counter() - t0, reply

    async def choose(self, option: str) -> tuple[float, RunReply]:
        """Choose the option named ``option`` in the territory list, as the page's frontend sends it."""
        kind, wid, names, values = self.list
        value = values[names.index(option)]
        if kind == "selectbox":
            return await self.run(rerun_message("", {wid: value}, page_hash=self.page_hash))
        return await self.run(rerun_message("", triggers={wid: ("chosen", value)}, page_hash=self.page_hash))

    async def close(self):
        if self.ws is not None:
            await self.ws.close()


def problems(reply: RunReply, expect: str | None) -> list[str]:
    """What is wrong with one run's reply (empty: nothing)."""
    out = []
    if reply.status != "FINISHED_SUCCESSFULLY":
        out.append(f"script finished with {reply.status}")
    out += [f"exception element: {e}" for e in reply.exceptions]
    if expect is not None and not any(expect in t for t in reply.texts):
        out.append(f"« {expect} » not in the page's headings, markdown or HTML")
    return out


@dataclass
class Level:
    sessions: int
    opened: int = 0
    open_wall_s: float = 0.0
    open_latency: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    bytes: int = 0

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def q(p):
            return lat[min(len(lat) - 1, round(p * (len(lat) - 1)))] if lat else None

        return {
            "sessions": self.sessions,
            "opened": self.opened,
            "open_wall_s": self.open_wall_s,
            "open_p50_s": statistics.median(self.open_latency) if self.open_latency else None,
            "reruns": len(lat),
            "wall_s": self.wall_s,
            "reruns_per_s": len(lat) / self.wall_s if self.wall_s else None,
            "p50_s": q(0.5),
            "p95_s": q(0.95),
            "max_s": lat[-1] if lat else None,
            "errors": len(self.errors),
            "error_samples": self.errors[:10],
            "mb_received": self.bytes / 1e6,
        }


async def run_level(
    url: str,
    n: int,
    label: str,
    duration: float,
    max_switches: int,
    expect: Callable[[str], str | None] | None = None,
    seed: int = 14,
    timeout: float = 120.0,
) -> dict:
    """Open ``n`` sessions (all at once), then have each switch the ``label`` selectbox to another
    option, waiting for each rerun to finish, until ``max_switches`` or ``duration`` seconds; close."""
    level = Level(n)
    sessions = [Session(url, timeout) for _ in range(n)]

    async def opener(s: Session):
        try:
            t, reply = await s.open(label)
            bad = problems(reply, None)
            if bad:
                level.errors.append("first run: " + "; ".join(bad))
            level.open_latency.append(t)
            level.opened += 1
            level.bytes += reply.bytes
        except Exception as exc:  # counted, the others go on
            level.errors.append(f"open: {type(exc).__name__}: {exc}"[:300])

    t0 = time.perf_counter()
    await asyncio.gather(*(opener(s) for s in sessions))
    level.open_wall_s = time.perf_counter() - t0
    deadline = time.perf_counter() + duration

    async def switcher(i: int, s: Session):
        if s.widget is None:
            return
        rng = random.Random(seed * 1000 + i)
        options = s.widget[1]
        current = options[0]
        for _ in range(max_switches):
            if time.perf_counter() >= deadline:
                return
            target = rng.choice([o for o in options if o != current])
            try:
                t, reply = await s.choose(target)
            except Exception as exc:
                level.errors.append(f"switch to {target}: {type(exc).__name__}: {exc}"[:300])
                return
            level.bytes += reply.bytes
            bad = problems(reply, expect(target) if expect else None)
            if bad:
                level.errors.append(f"switch to {target}: " + "; ".join(bad))
            else:
                level.latencies.append(t)
            current = target

    t0 = time.perf_counter()
    await asyncio.gather(*(switcher(i, s) for i, s in enumerate(sessions)))
    level.wall_s = time.perf_counter() - t0
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return level.summary()


def geodash_expect() -> Callable[[str], str | None]:
    """Option (short EPCI name) -> the page's title for it, from the territories the page loads."""
    from geodash.territories import load_territories

    terr = load_territories()
    short = {terr.epci_name(s, short=True): terr.epci_name(s) for s in terr.sirens}
    return lambda option: short.get(option, "Pas-de-Calais")


def trivial_expect(option: str) -> str:
    return f"**{option}**"


def capacity(
    url: str,
    levels: list[int],
    duration: float,
    max_switches: int,
    expect=None,
    label: str = "Intercommunalité",
    pid: int | None = None,
    log=print,
) -> list[dict]:
    """:func:`run_level` for each number of sessions, one after the other, with the server's CPU
    seconds and RSS (from /proc, when ``pid`` is given) around each."""
    out = []
    for n in levels:
        cpu0 = _cpu(pid)
        row = asyncio.run(run_level(url, n, label, duration, max_switches, expect))
        row["server_cpu_s"] = (_cpu(pid) - cpu0) if pid else None
        row["server_rss_mb"] = _rss(pid) if pid else None
        log(
            f"capacity {n} sessions: {row['reruns']} reruns, {row['reruns_per_s'] or 0:.1f}/s, "
            f"p50 {row['p50_s'] or 0:.2f} s, p95 {row['p95_s'] or 0:.2f} s, errors {row['errors']}"
        )
        out.append(row)
    return out


def _cpu(pid: int | None) -> float:
    from common import cpu_seconds

    return cpu_seconds(pid) if pid else 0.0


def _rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already running server (http://127.0.0.1:PORT); default: start one")
    parser.add_argument("--app", choices=["geodash", "trivial"], default="geodash", help="page to start and check")
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 50, 100], help="concurrent sessions")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of switching per level (bound)")
    parser.add_argument("--max-switches", type=int, default=40, help="switches per session at most (bound)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    server = None
    if args.url is None:
        from common import APP, TRIVIAL, Server

        server = Server(APP if args.app == "geodash" else TRIVIAL)
        server.wait_healthy()
        url, pid = server.url, server.proc.pid
    else:
        url, pid = args.url, None
    check_loopback(url)
    try:
        expect = geodash_expect() if args.app == "geodash" else trivial_expect
        rows = capacity(url, args.sessions, args.duration, args.max_switches, expect, pid=pid)
    finally:
        if server:
            server.stop()
    print(json.dumps(rows, indent=1))
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
