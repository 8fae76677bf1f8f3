import re
from pathlib import Path

import pytest

from webhooks.tests.receiver import Receiver

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def readme_verify():
    """The `verify` function of the README's "Webhooks" section, run as a reader would copy it."""
    section = README.read_text().split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) == 5, code
    namespace = {}
    exec(code, namespace)  # noqa: S102 - our own README
    return namespace["verify"]


@pytest.fixture
def fast_retry_worker(transactional_db, tmp_path):
    """A real Celery worker whose webhook retries wait 1, 2, 4, 4... seconds; yields its log."""
    from dashboard.celery import app
    from tests.processes import celery_worker_args, child_env, running, wait_for_worker

    app.control.purge()
    log_path = tmp_path / "celery.log"
    env = child_env(WEBHOOK_RETRY_BASE_SECONDS=1, WEBHOOK_RETRY_MAX_SECONDS=4, LOG_LEVEL="DEBUG")
    with running(
        celery_worker_args(), env=env, log_path=log_path, ready=lambda _p: wait_for_worker(app)
    ):
        yield log_path
