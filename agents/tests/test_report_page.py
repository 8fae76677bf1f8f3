import pytest
from django.urls import reverse

from agents.models import Interview
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append

REPORT = {
    "summary": "Knows Python well.",
    "strengths": ["Clear"],
    "concerns": [],
    "topics": [
        {
            "topic": "Python",
            "score": 4,
            "evidence": ["I love Python"],
            "unverified_evidence": ["made up"],
        }
    ],
    "recommendation": "yes",
    "model": "fake-model",
}


@pytest.fixture
def interview(db):
    interview = make_interview(
        status=Interview.Status.COMPLETED, report=REPORT, report_status=Interview.ReportStatus.READY
    )
    transcript_append(interview_id=interview.pk, speaker="candidate", text="I love Python")
    return interview


def test_the_report_is_shown_with_unverified_quotes_marked(recruiter_client, interview):
    page = recruiter_client.get(
        reverse("agents:interview_detail", args=[interview.pk])
    ).content.decode()
    assert "Knows Python well." in page
    assert "Recommendation: <strong" in page and ">Yes</strong>" in page
    assert "“I love Python”" in page
    assert "not in the transcript" in page


def test_the_recruiter_edits_the_report(recruiter_client, recruiter, interview):
    response = recruiter_client.post(
        reverse("agents:report_edit", args=[interview.pk]),
        {
            "summary": "Strong Python, needs SQL.",
            "strengths": "Clear\nCalm under pressure\n",
            "concerns": "SQL",
            "recommendation": "strong_yes",
            "topic_0_score": "5",
        },
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    report = interview.report
    assert report["summary"] == "Strong Python, needs SQL."
    assert report["strengths"] == ["Clear", "Calm under pressure"]
    assert report["concerns"] == ["SQL"]
    assert report["recommendation"] == "strong_yes"
    assert report["topics"][0]["score"] == 5
    assert report["topics"][0]["evidence"] == ["I love Python"]
    assert report["edited_by"] == recruiter.username


def test_an_invalid_edit_says_why_and_keeps_the_report(recruiter_client, interview):
    response = recruiter_client.post(
        reverse("agents:report_edit", args=[interview.pk]),
        {"summary": "x", "recommendation": "maybe", "topic_0_score": "9"},
        follow=True,
    )
    assert "The report was not saved." in response.content.decode()
    interview.refresh_from_db()
    assert interview.report["summary"] == "Knows Python well."


def test_a_failed_report_shows_its_reason_and_can_be_retried(
    recruiter_client, interview, django_capture_on_commit_callbacks, monkeypatch
):
    from agents import tasks

    queued = []
    monkeypatch.setattr(tasks.interview_report_write, "delay", queued.append)
    Interview.objects.filter(pk=interview.pk).update(
        report_status=Interview.ReportStatus.FAILED,
        report_error="The model server refused the API key (HTTP 401).",
    )
    page = recruiter_client.get(
        reverse("agents:interview_detail", args=[interview.pk])
    ).content.decode()
    assert "refused the API key (HTTP 401)" in page
    assert "Retry the report" in page

    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(reverse("agents:report_retry", args=[interview.pk]))
    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.PENDING
    assert queued == [interview.pk]
