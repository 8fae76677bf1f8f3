"""Start the project's real processes (Celery worker, web server) for tests."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, *, timeout=30.0, host="127.0.0.1"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout} s")


def test_database_url():
    """The URL of the database pytest-django created, for child processes."""
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def child_env(**extra):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        DOTENV="0",
        DEBUG="true",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


@contextmanager
def running(args, *, env, log_path, ready=None):
    """Run a child process for the duration of the block; its output goes to log_path."""
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(args, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        if ready is not None:
            ready(process)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def celery_worker_args(*, concurrency=1, queues="celery", hostname="test"):
    return [
        sys.executable, "-m", "celery", "-A", "dashboard", "worker",
        "--loglevel=INFO", f"--concurrency={concurrency}", f"--queues={queues}",
        f"--hostname={hostname}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip


def wait_for_worker(app, *, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return
    raise TimeoutError("the Celery worker did not answer a ping")
