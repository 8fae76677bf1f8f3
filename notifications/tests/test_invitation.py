"""The candidate's invitation: sent when the interview is created, once, and on request again."""

import pytest
from django.urls import reverse

from agents.models import Interview
from agents.selectors import interview_join_url
from notifications import services
from notifications.models import MailLog
from notifications.tests.conftest import PUBLIC_BASE_URL, html_of, text_of

pytestmark = pytest.mark.django_db(transaction=True)


def create_interview(client, candidate, **fields):
    data = {
        "candidate": candidate.pk,
        "role_title": "Backend engineer",
        "job_description": "Python services.",
        "max_duration_minutes": 25,
        **fields,
    }
    return client.post(reverse("agents:interview_create"), data, follow=True)


def test_the_invitation_carries_the_link_its_expiry_and_what_to_expect(
    recruiter_client, interview_profile, interview_candidate, smtp_server, eager_tasks
):
    page = create_interview(recruiter_client, interview_candidate)

    interview = Interview.objects.get()
    link = interview_join_url(interview)
    assert link.startswith(f"{PUBLIC_BASE_URL}/join/")
    [(recipients, message)] = smtp_server.wait_for(1)
    assert recipients == ["grace@example.com"]
    assert message["To"] == "grace@example.com"
    assert message["From"] == "Interviews <interviews@example.com>"
    assert message["Subject"] == "Your interview for Backend engineer"
    text = text_of(message)
    assert link in text
    assert link in html_of(message)
    expiry = interview.link_expires_at.strftime("%B %-d, %Y, %H:%M")
    assert expiry in text
    for expectation in ["up to 25 minutes", "recorded", "a microphone and a quiet room"]:
        assert expectation in text
    log = page.content.decode()
    assert "Your interview for Backend engineer" in log
    assert "Sent" in log


@pytest.mark.parametrize(
    ("email", "message"),
    [
        (
            "",
            "No invitation sent: the candidate has no email address. "
            "Add one on the candidate&#x27;s page.",
        ),
        (
            "grace.example.com",
            "No invitation sent: the candidate&#x27;s email address \u201cgrace.example.com\u201d "
            "is not valid. Correct it on the candidate&#x27;s page.",
        ),
    ],
)
def test_without_a_usable_address_the_interview_is_made_and_the_page_says_why(
    recruiter_client, interview_profile, interview_candidate, smtp_server, eager_tasks, email,
    message,
):  # fmt: skip
    interview_candidate.email = email
    interview_candidate.save()

    page = create_interview(recruiter_client, interview_candidate)

    interview = Interview.objects.get()
    assert page.redirect_chain[-1][0] == reverse("agents:interview_detail", args=[interview.pk])
    assert message in page.content.decode()
    assert smtp_server.messages == []
    mail = MailLog.objects.get()
    assert (mail.kind, mail.status) == (MailLog.Kind.INVITATION, MailLog.Status.FAILED)


def test_a_repeated_task_sends_the_invitation_once(scheduled_interview, smtp_server):
    from notifications.tasks import mail_send

    interview, _secret = scheduled_interview
    mail = MailLog.objects.get(interview=interview)

    mail_send.apply(args=[mail.pk])
    mail_send.apply(args=[mail.pk])
    services.invitation_queue(interview_id=interview.pk)

    assert len(smtp_server.messages) == 1
    assert MailLog.objects.get().status == MailLog.Status.SENT


def test_the_recruiter_can_send_the_invitation_again(
    smtp_server, eager_tasks, recruiter_client, scheduled_interview
):
    interview, secret = scheduled_interview
    smtp_server.wait_for(1)
    smtp_server.messages.clear()
    detail = reverse("agents:interview_detail", args=[interview.pk])
    assert "Send the invitation again" in recruiter_client.get(detail).content.decode()

    page = recruiter_client.post(
        reverse("notifications:invitation_resend", args=[interview.pk]), follow=True
    )

    assert "The invitation is on its way to grace@example.com." in page.content.decode()
    [(recipients, message)] = smtp_server.wait_for(1)
    assert recipients == ["grace@example.com"]
    assert f"{PUBLIC_BASE_URL}/join/{secret}/" in text_of(message)
    assert MailLog.objects.filter(status=MailLog.Status.SENT).count() == 2


def test_a_new_link_gets_its_own_invitation_and_the_old_one_is_not_sent(
    scheduled_interview, smtp_server
):
    from agents.services import interview_link_regenerate
    from notifications.tasks import mail_send

    interview, old_secret = scheduled_interview
    new_secret = interview_link_regenerate(interview=interview)
    old, new = MailLog.objects.order_by("pk")

    mail_send.apply(args=[old.pk])
    mail_send.apply(args=[new.pk])

    [(_recipients, message)] = smtp_server.wait_for(1)
    assert new_secret in text_of(message)
    assert old_secret not in text_of(message)
    old.refresh_from_db()
    assert old.status == MailLog.Status.FAILED
    assert "the link was replaced before this mail went out" in old.error
