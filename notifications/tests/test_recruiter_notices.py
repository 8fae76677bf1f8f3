"""The recruiter who created the interview hears when it ends and when its report is done."""

import pytest

from agents.models import Interview
from agents.services import interview_mark_completed, interview_mark_failed
from agents.signals import report_finished, send_on_commit
from notifications.models import MailLog
from notifications.tests.conftest import PUBLIC_BASE_URL, html_of, text_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def interview(scheduled_interview, recruiter, smtp_server, eager_tasks):
    recruiter.email = "rita@example.com"
    recruiter.save()
    return scheduled_interview[0]


def test_the_recruiter_hears_that_the_interview_completed(interview, smtp_server):
    interview_mark_completed(interview_id=interview.pk, reason="The interview is over.")
    interview_mark_completed(interview_id=interview.pk, reason="The interview is over.")

    notices = [(to, m) for to, m in smtp_server.messages if to == ["rita@example.com"]]
    [(_to, message)] = notices
    assert message["Subject"] == "Interview completed: Grace Hopper, Backend engineer"
    page = f"{PUBLIC_BASE_URL}/interviews/{interview.pk}/"
    assert page in text_of(message)
    assert page in html_of(message)


def test_the_recruiter_hears_why_the_interview_failed(interview, smtp_server):
    interview_mark_failed(interview_id=interview.pk, reason="The interviewer stopped unexpectedly.")

    [(_to, message)] = [(to, m) for to, m in smtp_server.messages if to == ["rita@example.com"]]
    assert message["Subject"] == "Interview failed: Grace Hopper, Backend engineer"
    assert "Why: The interviewer stopped unexpectedly." in text_of(message)


def test_the_recruiter_hears_that_the_report_is_ready(interview, smtp_server):
    Interview.objects.filter(pk=interview.pk).update(report_status=Interview.ReportStatus.READY)

    send_on_commit(report_finished, interview_id=interview.pk, status=Interview.ReportStatus.READY)

    [(_to, message)] = [(to, m) for to, m in smtp_server.messages if to == ["rita@example.com"]]
    assert message["Subject"] == "Report ready: Grace Hopper, Backend engineer"
    assert f"{PUBLIC_BASE_URL}/interviews/{interview.pk}/" in text_of(message)


def test_a_recruiter_without_an_address_gets_a_failed_notice_that_says_why(
    interview, recruiter, smtp_server
):
    recruiter.email = ""
    recruiter.save()

    interview_mark_completed(interview_id=interview.pk, reason="The interview is over.")

    notice = MailLog.objects.get(kind=MailLog.Kind.INTERVIEW_COMPLETED)
    assert notice.status == MailLog.Status.FAILED
    assert notice.error == (
        "No notice sent: the recruiter who created this interview (rita) has no email address."
    )
