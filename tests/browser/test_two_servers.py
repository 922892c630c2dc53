"""Two servers, one database: two Streamlit processes on one PostgreSQL database behind nginx, with the
configuration of ``deploy/nginx.conf`` (only its ports changed). An edit made through one server is seen
through nginx by a visitor whom nginx sends to the other.

nginx is Debian's, run in the foreground from a temporary prefix on a free loopback port; without it the
test is skipped locally and fails in CI (``CI=true``).
"""

from __future__ import annotations

import time
import urllib.request
import uuid

import pytest
import sqlalchemy as sa

from geodash import db
from geodash.db.engine import make_engine

from ..nginx import UPSTREAM_HEADER, nginx_binary, start_nginx
from .conftest import _free_port, start_server
from .test_saisie import ARRAS, PASSWORD, open_financing, sign_in, signed_in, type_in

pytestmark = pytest.mark.browser


@pytest.fixture
def postgres_database(postgres_admin_url):
    admin = make_engine(postgres_admin_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"geodash_two_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _upstream(url: str) -> str:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
        return response.headers[UPSTREAM_HEADER]


def test_an_edit_through_one_server_is_seen_through_the_other(postgres_database, tmp_path, artifacts, make_page):
    nginx_binary()
    engine = db.ensure_database(make_engine(postgres_database))
    db.create_account(engine, "marie.dupont", PASSWORD, "editeur")
    env = {"GEODASH_DATABASE_URL": postgres_database}
    # as deployed (README, deploy/nginx.conf): the production entry, app.py
    servers = [start_server(env, log=artifacts / f"streamlit_two_{i}.log") for i in (1, 2)]
    proxy = None
    try:
        ports = tuple(int(url.rsplit(":", 1)[1]) for _, url in servers)
        listen = _free_port()
        proxy = start_nginx(ports, listen, tmp_path)
        front = f"http://127.0.0.1:{listen}"
        deadline = time.monotonic() + 30
        while True:
            try:
                sticky = _upstream(front)
                break
            except OSError:
                assert proxy.poll() is None, (tmp_path / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not answer"
                time.sleep(0.2)
        assert {_upstream(front) for _ in range(5)} == {sticky}  # sticky: this client always reaches one server
        other = next(url for _, url in servers if not url.endswith(f":{sticky.rsplit(':', 1)[1]}"))

        visitor = make_page()  # through nginx: websocket and all
        visitor.page.goto(f"{front}/?epci={ARRAS}&q=Casino")  # the table shows only the Casino's row
        visitor.wait_map(title="Arras")
        visitor.page.locator(".gd-grid").last.wait_for()

        editor = make_page()  # directly on the server nginx does not send this client to
        sign_in(editor, other, "marie.dupont")
        signed_in(editor, "marie.dupont")
        open_financing(editor, "Communauté urbaine d'Arras", "CUA-004")
        title = "Salle de spectacle Le Casino rénovée (saisie sur l'autre serveur)"
        type_in(editor, "Intitulé", title)
        editor.page.get_by_role("button", name="Enregistrer").click()
        editor.page.get_by_text("Financement CUA-004 enregistré").wait_for()

        visitor.page.reload()
        visitor.wait_map(title="Arras")
        visitor.page.wait_for_function(
            "t => [...document.querySelectorAll('.gd-grid')].some(g => g.textContent.includes(t))",
            arg=title,
            timeout=15_000,
        )
        assert _upstream(front) == sticky  # seen through the server that did not make the edit
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        for proc, _ in servers:
            proc.terminate()
            proc.wait(10)
        engine.dispose()
