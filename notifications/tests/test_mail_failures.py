"""A send that fails: retried while the reason may pass, then logged as failed in plain words."""

import pytest
from django.urls import reverse

from notifications.models import MailLog
from notifications.tasks import mail_send
from tests.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def invitation(interview):
    return MailLog.objects.get(interview=interview, kind=MailLog.Kind.INVITATION)


def test_a_refused_address_is_logged_with_the_servers_reason_and_shown(
    recruiter_client, scheduled_interview, smtp_server
):
    interview, _secret = scheduled_interview
    smtp_server.rcpt_answers = ["550 5.1.1 No such user here"]

    mail_send.apply(args=[invitation(interview).pk])

    mail = invitation(interview)
    reason = "The mail server refused the address grace@example.com: 550 5.1.1 No such user here."
    assert (mail.status, mail.error, mail.attempts) == (MailLog.Status.FAILED, reason, 1)
    assert smtp_server.messages == []
    page = recruiter_client.get(reverse("agents:interview_detail", args=[interview.pk]))
    assert f"The invitation was not sent. {reason}" in page.content.decode()


def test_a_temporary_refusal_is_tried_again_and_then_delivered(scheduled_interview, smtp_server):
    interview, _secret = scheduled_interview
    smtp_server.rcpt_answers = ["451 4.3.0 Mailbox busy, try again later"]

    mail_send.apply(args=[invitation(interview).pk])

    mail = invitation(interview)
    assert (mail.status, mail.error, mail.attempts) == (MailLog.Status.SENT, "", 2)
    assert len(smtp_server.messages) == 1


def test_an_unreachable_server_is_tried_a_few_times_then_logged_as_failed(
    scheduled_interview, smtp_server, settings
):
    interview, _secret = scheduled_interview
    settings.EMAIL_PORT = free_port()
    settings.MAIL_SEND_ATTEMPTS = 3

    mail_send.apply(args=[invitation(interview).pk])

    mail = invitation(interview)
    assert mail.status == MailLog.Status.FAILED
    assert mail.attempts == 3
    assert mail.error == (
        f"Nothing answers at 127.0.0.1:{settings.EMAIL_PORT} (connection refused): "
        "check EMAIL_HOST and EMAIL_PORT."
    )
