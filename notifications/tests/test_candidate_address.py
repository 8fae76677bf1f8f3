"""The recruiter corrects the candidate's address on the candidate's page, then re-sends."""

import pytest
from django.urls import reverse

from notifications.models import MailLog
from notifications.tests.conftest import text_of

pytestmark = pytest.mark.django_db(transaction=True)


def edit(client, candidate, email):
    return client.post(
        reverse("resumes:detail", args=[candidate.pk]),
        {"name": candidate.name, "email": email, "parsed_json": "{}"},
        follow=True,
    )


def test_an_invalid_address_is_refused_in_plain_words_and_kept_in_the_form(
    recruiter_client, interview_candidate
):
    page = edit(recruiter_client, interview_candidate, "grace@").content.decode()

    assert "Enter a valid email address." in page
    assert 'value="grace@"' in page
    interview_candidate.refresh_from_db()
    assert interview_candidate.email == "grace@example.com"


def test_after_adding_the_address_the_invitation_goes_to_it(
    smtp_server, eager_tasks, recruiter_client, scheduled_interview, interview_candidate
):
    interview, secret = scheduled_interview
    detail = reverse("agents:interview_detail", args=[interview.pk])
    assert MailLog.objects.get().status == MailLog.Status.SENT
    smtp_server.messages.clear()

    edit(recruiter_client, interview_candidate, "grace.hopper@example.org")
    recruiter_client.post(reverse("notifications:invitation_resend", args=[interview.pk]))

    [(recipients, message)] = smtp_server.wait_for(1)
    assert recipients == ["grace.hopper@example.org"]
    assert secret in text_of(message)
    assert "grace.hopper@example.org" in recruiter_client.get(detail).content.decode()


def test_the_invitation_cannot_be_sent_again_once_the_interview_is_over(
    smtp_server, eager_tasks, recruiter_client, scheduled_interview
):
    from agents.services import interview_mark_completed

    interview, _secret = scheduled_interview
    interview_mark_completed(interview_id=interview.pk, reason="Done.")
    smtp_server.messages.clear()

    page = recruiter_client.post(
        reverse("notifications:invitation_resend", args=[interview.pk]), follow=True
    ).content.decode()

    assert "This interview is completed, so there is no invitation to send again." in page
    assert "Send the invitation again" not in page
    assert smtp_server.messages == []
