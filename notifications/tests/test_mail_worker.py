"""The invitation through the real path: a Celery worker process sends it over SMTP."""

import time

import pytest

from notifications.models import MailLog
from notifications.tests.conftest import PUBLIC_BASE_URL, text_of
from tests.processes import celery_worker_args, child_env, running, wait_for_worker


@pytest.fixture
def mail_worker(transactional_db, smtp_server, tmp_path):
    """A Celery worker whose mail goes to the test's SMTP server; yields its log's path."""
    from dashboard.celery import app

    app.control.purge()
    log_path = tmp_path / "celery.log"
    env = child_env(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp_server.port,
        EMAIL_USE_TLS="false",
        DEFAULT_FROM_EMAIL="Interviews <interviews@example.com>",
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
    )
    with running(
        celery_worker_args(), env=env, log_path=log_path, ready=lambda _p: wait_for_worker(app)
    ):
        yield log_path


def test_a_worker_sends_the_invitation_and_logs_no_link(
    mail_worker, interview_profile, interview_candidate, recruiter, smtp_server
):
    from agents.services import interview_create

    interview, secret = interview_create(
        candidate=interview_candidate, role_title="Site reliability engineer", created_by=recruiter
    )

    [(recipients, message)] = smtp_server.wait_for(1)
    assert recipients == ["grace@example.com"]
    assert message["Subject"] == "Your interview for Site reliability engineer"
    assert f"{PUBLIC_BASE_URL}/join/{secret}/" in text_of(message)
    # The worker records the mail as sent once the server has taken it.
    deadline = time.monotonic() + 30
    while MailLog.objects.get(interview=interview).status == MailLog.Status.PENDING:
        assert time.monotonic() < deadline, "the mail log still says the mail is being sent"
        time.sleep(0.1)
    assert MailLog.objects.get(interview=interview).status == MailLog.Status.SENT
    worker_log = mail_worker.read_text()
    assert "notifications.tasks.mail_send" in worker_log
    assert secret not in worker_log
