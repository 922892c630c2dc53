"""nginx (the Debian package) run with ``deploy/nginx.conf`` on a test's ports, in the foreground, from a
temporary prefix; without nginx the tests that need it are skipped locally and fail in CI (``CI=true``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from geodash import settings

UPSTREAM_HEADER = "X-Geodash-Upstream"


def nginx_config(ports: tuple[int, int], listen: int, prefix: Path) -> str:
    """``deploy/nginx.conf`` on the test's ports, inside the main context nginx needs to run from ``prefix``.

    One header is added: the address of the server that answered, so the test knows where nginx sends it.
    """
    site = (settings.REPO_DIR / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    changed = (
        site.replace("server 127.0.0.1:8501", f"server 127.0.0.1:{ports[0]}")
        .replace("server 127.0.0.1:8502", f"server 127.0.0.1:{ports[1]}")
        .replace("listen 80;", f"listen 127.0.0.1:{listen};")
        .replace("    location / {", f"    add_header {UPSTREAM_HEADER} $upstream_addr always;\n\n    location / {{", 1)
    )
    assert changed.count(str(ports[0])) == 1 and changed.count(str(ports[1])) == 1 and str(listen) in changed
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nmaster_process off;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'};\n"
        f"events {{}}\nhttp {{\n    access_log {prefix / 'access.log'};\n{temp}\n{changed}\n}}\n"
    )


def nginx_binary() -> str:
    """The nginx executable; skips the test without it (fails it in CI)."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("nginx required in CI (apt-get install nginx)")
        pytest.skip("nginx not installed")
    return nginx


def start_nginx(ports: tuple[int, int], listen: int, prefix: Path) -> subprocess.Popen:
    """nginx with :func:`nginx_config`, once it accepts connections on ``listen``."""
    (prefix / "nginx.conf").write_text(nginx_config(ports, listen, prefix), encoding="utf-8")
    proxy = subprocess.Popen(
        [nginx_binary(), "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", listen), timeout=1).close()
            return proxy
        except OSError:
            error_log = prefix / "error.log"
            assert proxy.poll() is None, error_log.read_text() if error_log.exists() else "nginx stopped"
            assert time.monotonic() < deadline, "nginx did not answer"
            time.sleep(0.1)
