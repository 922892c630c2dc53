"""bench/protocol_load.py reads a real server's replies right (Streamlit's WebSocket protocol, no browser)."""

from __future__ import annotations

import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from geodash import settings
from geodash.territories import load_territories

pytest.importorskip("websockets")
sys.path.insert(0, str(settings.REPO_DIR / "bench"))
import protocol_load as pl  # noqa: E402

from .conftest import start_server  # noqa: E402

pytestmark = pytest.mark.browser
ARRAS = "200033579"


def test_session_reads_the_territory_list_and_switches(server):
    terr = load_territories()
    short, title = terr.epci_name(ARRAS, short=True), terr.epci_name(ARRAS)
    other = terr.epci_name(next(s for s in terr.sirens if s != ARRAS))

    async def scenario():
        session = pl.Session(server)
        _, first = await session.open("Intercommunalité")
        _, switched = await session.choose(short)
        await session.close()
        return session.list, first, switched

    # its own thread: the session's sync Playwright (other browser tests) keeps an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        (kind, widget_id, options, values), first, switched = pool.submit(asyncio.run, scenario()).result()
    assert first.new_session and first.status == "FINISHED_SUCCESSFULLY"
    assert kind == "trigger" and widget_id.endswith("__events")  # geodash's own chooser: its trigger « chosen »
    assert options[0] == "Tout le département" and len(options) == 1 + len(terr.sirens)
    assert values[0] == "" and values[options.index(short)] == ARRAS
    assert any("Pas-de-Calais" in t for t in first.texts) and not any(title in t for t in first.texts)
    # The page's own first element (language, the map's code asked for), the territory list, the map, the table.
    assert [name.rpartition(".")[2] for name in first.components] == [
        "geodash_page",
        "geodash_territory",
        "geodash_map",
        "geodash_grid",
    ]
    assert pl.problems(switched, title) == []
    assert pl.problems(switched, other) == [f"« {other} » not in the page's headings, markdown or HTML"]


def _in_thread(coroutine):
    """Run ``coroutine`` in a thread of its own: the session's sync Playwright (other browser tests)
    keeps an event loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_clients_clear_cache_message_does_not_reload_the_data(artifacts):
    """Streamlit's ``clear_cache`` message, sent by any client on its websocket, empties every Streamlit
    cache of the server: the loaded data and the views prepared for every visitor are not kept there,
    so the next run finds them (the server writes « données chargées » each time it loads them)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    log = artifacts / "streamlit_clear_cache.log"
    proc, url = start_server(log=log)
    try:

        def loads() -> int:
            return log.read_text(encoding="utf-8", errors="replace").count("données chargées")

        deadline = time.monotonic() + 120
        while loads() == 0:  # the start-up's warm-up loads them once
            assert proc.poll() is None and time.monotonic() < deadline, "the data were never loaded"
            time.sleep(0.1)

        async def scenario():
            session = pl.Session(url)
            await session.open("Intercommunalité")
            for _ in range(2):
                await session.ws.send(BackMsg(clear_cache=True).SerializeToString())
                _, reply = await session.run(pl.rerun_message(f"epci={ARRAS}"))
                assert pl.problems(reply, None) == []
            await session.close()
            return reply

        reply = _in_thread(scenario())
        assert any("Arras" in t for t in reply.texts)  # the run after the clearing drew its page
        assert loads() == 1, log.read_text(encoding="utf-8", errors="replace")[-3000:]
    finally:
        proc.terminate()
        proc.wait(10)


def test_refuses_a_non_loopback_address():
    with pytest.raises(SystemExit, match="loopback"):
        pl.Session("http://192.0.2.1:8501")
