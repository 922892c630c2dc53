"""bench/protocol_load.py reads a real server's replies right (Streamlit's WebSocket protocol, no browser)."""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from geodash import settings
from geodash.territories import load_territories

pytest.importorskip("websockets")
sys.path.insert(0, str(settings.REPO_DIR / "bench"))
import protocol_load as pl  # noqa: E402

pytestmark = pytest.mark.browser
ARRAS = "200033579"


def test_session_reads_the_selectbox_and_switches(server):
    terr = load_territories()
    short, title = terr.epci_name(ARRAS, short=True), terr.epci_name(ARRAS)
    other = terr.epci_name(next(s for s in terr.sirens if s != ARRAS))

    async def scenario():
        session = pl.Session(server)
        _, first = await session.open("Intercommunalité")
        _, switched = await session.choose(short)
        await session.close()
        return session.widget, first, switched

    # its own thread: the session's sync Playwright (other browser tests) keeps an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        (widget_id, options), first, switched = pool.submit(asyncio.run, scenario()).result()
    assert first.new_session and first.status == "FINISHED_SUCCESSFULLY"
    assert widget_id.endswith("-epci")
    assert options[0] == "Tout le département" and len(options) == 1 + len(terr.sirens)
    assert any("Pas-de-Calais" in t for t in first.texts) and not any(title in t for t in first.texts)
    assert first.components == 1  # the map
    assert pl.problems(switched, title) == []
    assert pl.problems(switched, other) == [f"« {other} » not in the page's headings/markdown"]


def test_refuses_a_non_loopback_address():
    with pytest.raises(SystemExit, match="loopback"):
        pl.Session("http://192.0.2.1:8501")
