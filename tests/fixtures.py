import pytest

from dashboard.models import User


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
