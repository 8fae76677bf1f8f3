"""A mail whose task never reached a worker (Redis away) is sent by the next reminder run."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from agents.models import Interview
from notifications.models import MailLog
from notifications.tasks import invitation_reminders_send, mail_send

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invitation_queued_while_redis_was_away_goes_out_later(
    recruiter_client, interview_profile, interview_candidate, smtp_server, eager_tasks, monkeypatch
):
    def broker_away(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(mail_send, "delay", broker_away)
        page = recruiter_client.post(
            reverse("agents:interview_create"),
            {"candidate": interview_candidate.pk, "role_title": "Data engineer",
             "max_duration_minutes": 20},
            follow=True,
        )  # fmt: skip

    assert page.status_code == 200
    interview = Interview.objects.get()
    mail = MailLog.objects.get(interview=interview)
    assert mail.status == MailLog.Status.PENDING
    MailLog.objects.filter(pk=mail.pk).update(updated_at=timezone.now() - timedelta(minutes=20))

    invitation_reminders_send.apply()

    [(recipients, message)] = smtp_server.wait_for(1)
    assert recipients == ["grace@example.com"]
    assert message["Subject"] == "Your interview for Data engineer"
    mail.refresh_from_db()
    assert mail.status == MailLog.Status.SENT
