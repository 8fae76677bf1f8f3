"""`make run`'s "ready" process: one line once every other process answers.

Polls the web server (/healthz), the embedded models (/health, 200 once loaded), LiveKit
(its HTTP port answers), the agent worker (its health port) and a Celery worker (a
broadcast ping), then prints where to sign in. Until then it names, once a minute, what
it is still waiting for.

It then sleeps until honcho stops it: honcho stops every process as soon as one exits,
whatever its exit code, so exiting here would stop the whole system.
"""

import os
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

POLL_SECONDS = 3.0  # each poll is a line in the models' and web's access logs
REMIND_SECONDS = 60


def http_status(url):
    """The HTTP status `url` answers with, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URLs)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, ValueError):
        return None


def celery_answers():
    from dashboard.celery import app

    try:
        return bool(app.control.ping(timeout=1.0))
    except Exception:  # broker not up yet
        return False


def agent_registered(since):
    """The worker marks its registration with LiveKit (agents/worker/entrypoint.py)."""
    from django.conf import settings

    marker = settings.VAR_DIR / "agent-registered"
    try:
        return marker.stat().st_mtime >= since
    except OSError:
        return False


def checks(since):
    """(name, what it waits for, check) for every process of the Procfile."""
    from django.conf import settings

    web_port = os.environ.get("WEB_PORT", "8000")
    models_port = os.environ.get("LOCALMODELS_PORT", "8100")
    livekit_http = settings.LIVEKIT_URL.replace("ws://", "http://", 1).replace(
        "wss://", "https://", 1
    )
    found = [
        ("web", "/healthz", lambda: http_status(f"http://127.0.0.1:{web_port}/healthz") == 200),
        (
            "models",
            "the models to load",
            lambda: http_status(f"http://127.0.0.1:{models_port}/health") == 200,
        ),
        ("livekit", livekit_http, lambda: http_status(livekit_http) is not None),
        ("worker", "a Celery worker to answer a ping", celery_answers),
    ]
    if settings.AGENT_HEALTH_PORT:
        agent_url = f"http://127.0.0.1:{settings.AGENT_HEALTH_PORT}/"
        found.append(("agent", agent_url, lambda: http_status(agent_url) == 200))
    # A marker older than this process is a previous run's.
    found.append(("agent", "registration with LiveKit", lambda: agent_registered(since)))
    return found


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    import django

    django.setup()
    started = time.monotonic()
    reminded = started
    pending = checks(since=time.time() - 5)
    while pending:
        pending = [check for check in pending if not check[2]()]
        if pending and time.monotonic() - reminded >= REMIND_SECONDS:
            reminded = time.monotonic()
            waiting = ", ".join(f"{name} ({what})" for name, what, _ in pending)
            print(f"Still waiting for: {waiting}", flush=True)
        if pending:
            time.sleep(POLL_SECONDS)
    web_port = os.environ.get("WEB_PORT", "8000")
    user = os.environ.get("ADMIN_USERNAME", "admin")
    password = os.environ.get("ADMIN_PASSWORD", "")
    print(
        f"Ready after {time.monotonic() - started:.0f}s: open http://127.0.0.1:{web_port}/"
        f" — {user} / {password}   (Ctrl-C stops everything)",
        flush=True,
    )
    from django.conf import settings

    if settings.EMAIL_HOST:
        print(f"Mail goes out through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}.", flush=True)
    else:
        print(
            f"Mail is written to {settings.EMAIL_FILE_PATH} (set EMAIL_HOST to send it).",
            flush=True,
        )
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
