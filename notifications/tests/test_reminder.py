"""The reminder: once, a day before the link expires, to a candidate invited earlier."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from agents.services import interview_create
from notifications.models import MailLog
from notifications.tasks import invitation_reminders_send
from notifications.tests.conftest import PUBLIC_BASE_URL, text_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_beat_runs_the_reminders():
    entry = settings.CELERY_BEAT_SCHEDULE["send-invitation-reminders"]
    assert entry["task"] == invitation_reminders_send.name


@pytest.fixture
def invited_yesterday(interview_profile, interview_candidate, recruiter, smtp_server, eager_tasks):
    """(interview, secret): its link expires in 23 hours; the invitation went out 2 days ago."""
    interview, secret = interview_create(
        candidate=interview_candidate,
        role_title="Backend engineer",
        created_by=recruiter,
        link_valid_for=timedelta(hours=23),
    )
    MailLog.objects.filter(interview=interview).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    smtp_server.messages.clear()
    return interview, secret


def test_the_candidate_is_reminded_once_before_the_link_expires(invited_yesterday, smtp_server):
    interview, secret = invited_yesterday

    invitation_reminders_send.apply()
    invitation_reminders_send.apply()

    [(recipients, message)] = smtp_server.wait_for(1)
    assert recipients == ["grace@example.com"]
    assert (
        message["Subject"] == "Reminder: your interview link for Backend engineer expires tomorrow"
    )
    text = text_of(message)
    assert f"{PUBLIC_BASE_URL}/join/{secret}/" in text
    assert interview.link_expires_at.strftime("%B %-d, %Y, %H:%M") in text
    assert "a microphone and a quiet room" in text


def test_no_reminder_when_the_invitation_itself_went_out_within_the_last_day(
    interview_profile, interview_candidate, smtp_server, eager_tasks
):
    interview_create(
        candidate=interview_candidate,
        role_title="Backend engineer",
        link_valid_for=timedelta(hours=20),
    )

    invitation_reminders_send.apply()

    assert [message["Subject"] for _to, message in smtp_server.messages] == [
        "Your interview for Backend engineer"
    ]


def test_no_reminder_for_a_link_far_from_expiry_or_a_cancelled_interview(
    invited_yesterday, scheduled_interview, smtp_server
):
    from agents.services import interview_cancel

    interview, _secret = invited_yesterday
    interview_cancel(interview=interview)
    smtp_server.messages.clear()

    invitation_reminders_send.apply()

    assert smtp_server.messages == []
