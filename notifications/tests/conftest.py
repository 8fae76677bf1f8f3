import email
import logging
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller

from agents.selectors import interview_join_url
from agents.signals import interview_link_issued
from tests.processes import free_port

PUBLIC_BASE_URL = "https://interviews.example.com"


class Inbox:
    """What a real SMTP server (aiosmtpd, in a thread) received; it answers each RCPT with
    the next of `rcpt_answers` (then accepts)."""

    def __init__(self):
        self.messages = []
        self.rcpt_answers = []
        self._arrived = threading.Condition()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answers:
            return self.rcpt_answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append((envelope.rcpt_tos, message))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count, *, timeout=120.0):
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages


def text_of(message):
    return message.get_body(("plain",)).get_content()


def html_of(message):
    return message.get_body(("html",)).get_content()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 and a free port; the site sends its mail there."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Interviews <interviews@example.com>"
    settings.MAIL_RETRY_SECONDS = 0
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def eager_tasks():
    """Tasks run in this process as they are queued (after commit), retries included."""
    from dashboard.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def link_secrets_stay_out_of_logs(caplog):
    """No log line of any test here carries a candidate link or its secret."""
    from agents.models import Interview

    caplog.set_level(logging.DEBUG)
    links = []

    def remember_link(sender, interview_id, **kwargs):
        links.append(interview_join_url(Interview.objects.get(pk=interview_id)))

    interview_link_issued.connect(remember_link)
    yield links
    interview_link_issued.disconnect(remember_link)
    logged = "\n".join(
        record.getMessage()
        for when in ("setup", "call")
        for record in caplog.get_records(when)
        # The receiving server stands for the outside world, which gets the link by mail.
        if not record.name.startswith("mail.log")
    )
    assert "/join/" not in logged
    for link in links:
        assert link.rsplit("/join/", 1)[1].strip("/") not in logged
