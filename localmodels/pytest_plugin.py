"""pytest plugin: a session-scoped ``localmodels_url`` fixture.

Register with ``pytest_plugins = ["localmodels.pytest_plugin"]``
(or run pytest with ``-p localmodels.pytest_plugin``).
Uses ``LOCALMODELS_URL`` when set; otherwise starts ``python -m localmodels`` on a free port,
waits for ``/health`` to report ready (up to ``LOCALMODELS_START_TIMEOUT`` s, default 180), yields
``http://127.0.0.1:PORT`` and stops the server at the end of the session.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:  # noqa: S310 (http only)
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:  # 503 while loading still carries the JSON
        try:
            return json.loads(exc.read())
        except ValueError:
            return None
    except (OSError, ValueError):
        return None


@contextmanager
def run_server(
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    extra_args: list[str] | None = None,
) -> Iterator[str]:
    """Start ``python -m localmodels`` on a free port; yield its base URL once ready."""
    timeout = timeout or float(os.environ.get("LOCALMODELS_START_TIMEOUT", "180"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (lives as long as the server)
        prefix="localmodels-", suffix=".log", delete=False
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "localmodels",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *(extra_args or []),
        ],
        env={**os.environ, **(env or {})},
        cwd=str(Path(__file__).resolve().parent.parent),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"localmodels exited with {proc.returncode}; log: {log.name}\n"
                    + Path(log.name).read_text(errors="replace")[-4000:]
                )
            health = _health(url)
            if health and health.get("ready"):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"localmodels not ready after {timeout:.0f}s ({health}); log: {log.name}"
                )
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def localmodels_url() -> Iterator[str]:
    external = os.environ.get("LOCALMODELS_URL", "").strip()
    if external:
        yield external.rstrip("/")
        return
    env = {"LOCALMODELS_API_KEY": ""}  # this server is keyless; key tests start their own
    with run_server(env=env) as url:
        yield url
