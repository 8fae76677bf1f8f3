import sys

import pytest
import redis
from django.conf import settings

from accounts.models import User

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _no_rate_limits_carried_over():
    """Each test starts with no failed sign-in and no join request counted, and no
    interview live on a model server: the counters live in Redis (the "limits" cache), so
    they would outlive the test that made them. Cleared before the test, while nothing it
    patches (DNS, sockets) is in the way."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        for key in client.scan_iter(f"{settings.CACHES['limits']['KEY_PREFIX']}:*"):
            client.delete(key)
        # Interviews marked live and batch slots held (providers/llm_slots.py) likewise.
        for key in client.scan_iter("llm-slots:*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
def admin_user(db):
    return User.objects.create_user(
        username="ada", password="correct horse battery", role=User.Role.ADMIN
    )


@pytest.fixture
def recruiter(db):
    return User.objects.create_user(
        username="rita", password="correct horse battery", role=User.Role.RECRUITER
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real Celery worker process consuming from the test Redis, on the test database."""
    from dashboard.celery import app
    from tests.processes import celery_worker_args, child_env, running, wait_for_worker

    app.control.purge()
    with running(
        celery_worker_args(),
        env=child_env(),
        log_path=tmp_path / "celery.log",
        ready=lambda _process: wait_for_worker(app),
    ) as process:
        yield process


@pytest.fixture(scope="session")
def _fake_openai_server():
    from tests.fake_openai import FakeOpenAI

    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai(_fake_openai_server):
    """A scriptable OpenAI-compatible server (see tests/fake_openai.py), reset per test."""
    _fake_openai_server.reset()
    return _fake_openai_server


# --- Interviews (agents app) ---


@pytest.fixture
def interview_profile(db):
    """The active provider profile interviews are created on (points at the embedded defaults)."""
    from providers.models import ProviderProfile
    from providers.services import profile_activate, profile_default_values

    profile = ProviderProfile.objects.create(
        name="Interview profile",
        llm_api_key="sk-llm-secret",
        **profile_default_values(models_url="http://127.0.0.1:9"),
    )
    return profile_activate(profile=profile)


@pytest.fixture
def interview_candidate(db):
    """A candidate with a parsed resume that has distinctive facts to look for."""
    from resumes.models import Candidate, Resume

    candidate = Candidate.objects.create(name="Grace Hopper", email="grace@example.com")
    Resume.objects.create(
        candidate=candidate,
        original_name="grace.pdf",
        sha256="a" * 64,
        status=Resume.Status.PARSED,
        parsed={
            "basics": {"name": "Grace Hopper", "label": "Compiler engineer"},
            "work": [
                {
                    "name": "Remington Rand",
                    "position": "Senior mathematician",
                    "summary": "Built the A-0 compiler for the UNIVAC I.",
                }
            ],
            "skills": [{"name": "COBOL"}],
        },
    )
    return candidate


@pytest.fixture
def scheduled_interview(interview_profile, interview_candidate, recruiter):
    """(interview, link_secret) for a freshly created interview."""
    from agents.services import interview_create

    return interview_create(
        candidate=interview_candidate,
        role_title="Backend engineer",
        job_description="Python, Django and PostgreSQL services.",
        max_duration_minutes=15,
        created_by=recruiter,
    )


@pytest.fixture
def web_server(transactional_db, tmp_path):
    """The ASGI app (HTTP and WebSockets) served by uvicorn on the test database."""
    from tests.processes import child_env, free_port, running, wait_for_port

    port = free_port()
    args = [
        sys.executable, "-m", "uvicorn", "dashboard.asgi:application",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with running(args, env=child_env(), log_path=tmp_path / "web.log"):
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"


def _chromium(playwright, *extra_args):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync", *extra_args],
    )


@pytest.fixture
def page():
    """A page in headless Chromium (Debian's)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _chromium(playwright)
        yield browser.new_page()
        browser.close()


@pytest.fixture
def microphone_browser():
    """Headless Chromium with a beeping fake microphone that it grants without asking."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _chromium(
            playwright,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
        )
        yield browser
        browser.close()
