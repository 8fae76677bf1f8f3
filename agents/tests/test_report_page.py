import html
import json

import pytest
from django.urls import reverse

from agents.models import Interview
from agents.tests.report_support import PLAN, RUBRIC
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append

PROVENANCE = {
    "model": "qwen2.5-7b-instruct",
    "prompt_version": "report-0123456789",
    "plan_version": 3,
    "rubric_version": 2,
    "written_at": "2026-12-01T10:00:00+00:00",
}
REPORT = {
    "summary": "Knows Python well.",
    "strengths": ["Clear"],
    "concerns": [],
    "competencies": [
        {
            "key": "python",
            "name": "Python",
            "scale": "1-5",
            "status": "scored",
            "score": 4,
            "quotes": ["I love Python"],
            "dropped_quotes": ["made up"],
            "rationale": "She uses it every day.",
        },
        {
            "key": "sql",
            "name": "SQL",
            "scale": "1-5",
            "status": "not_asked",
            "score": None,
            "quotes": [],
            "dropped_quotes": [],
            "rationale": "No question about this was asked in the interview.",
        },
        {
            "key": "work_permit",
            "name": "Right to work",
            "scale": "yes_no",
            "status": "not_answered",
            "score": None,
            "quotes": [],
            "dropped_quotes": [],
            "rationale": "She changed the subject.",
        },
    ],
    "grounded": True,
    "grounding_problem": "",
    "recommendation": "yes",
    "provenance": PROVENANCE,
    "model": "qwen2.5-7b-instruct",
}
UNGROUNDED = {
    **REPORT,
    "summary": "I'm here to help you with your projects. I'm here to help you with your projects.",
    "strengths": ["Invented strength"],
    "competencies": [
        {**REPORT["competencies"][0], "status": "not_answered", "score": None, "quotes": []},
        *REPORT["competencies"][1:],
    ],
    "grounded": False,
    "grounding_problem": "No score is backed by a quote from the candidate's own words.",
    "recommendation": None,
}


def make_report_interview(report):
    interview = make_interview(
        status=Interview.Status.COMPLETED,
        report=report,
        report_status=Interview.ReportStatus.READY,
        plan=PLAN,
        rubric=RUBRIC,
    )
    transcript_append(interview_id=interview.pk, speaker="candidate", text="I love Python")
    return interview


@pytest.fixture
def interview(db):
    return make_report_interview(REPORT)


def page_of(client, interview):
    """The page with entities decoded, so apostrophes in the text match as written."""
    response = client.get(reverse("agents:interview_detail", args=[interview.pk]))
    return html.unescape(response.content.decode())


def block(page, key):
    start = page.index(f'id="competency-{key}"')
    return page[start : page.index("</article>", start)]


def test_each_competency_has_its_own_block_with_score_level_quotes_and_rationale(
    recruiter_client, interview
):
    page = page_of(recruiter_client, interview)
    assert "Recommendation: <strong" in page and ">Yes</strong>" in page
    python = block(page, "python")
    assert "4 / 5" in python
    assert "Level 4 of 5: Level 4 of Python." in python
    assert "“I love Python”" in python
    assert "She uses it every day." in python
    assert "1 quote the model gave is not in the candidate's words and was left out" in python
    assert "“made up”" in python and "not in the transcript" in python
    assert "Not asked" in block(page, "sql") and "/ 5" not in block(page, "sql")
    assert "Level" not in block(page, "work_permit")
    assert "Not answered" in block(page, "work_permit")
    assert "She changed the subject." in block(page, "work_permit")


def test_the_page_says_the_ai_wrote_it_and_which_model_prompt_plan_and_rubric(
    recruiter_client, interview
):
    page = page_of(recruiter_client, interview)
    assert "Written by the AI from the transcript" in page
    assert "a person decides" in page
    assert (
        "Written by the AI model qwen2.5-7b-instruct, prompt report-0123456789, "
        "plan version 3, rubric version 2, on 2026-12-01"
    ) in page


def test_an_ungrounded_report_says_so_and_shows_no_recommendation(recruiter_client, db):
    interview = make_report_interview(UNGROUNDED)
    page = page_of(recruiter_client, interview)
    assert "The model could not write a report grounded in the transcript." in page
    assert "No score is backed by a quote from the candidate's own words." in page
    assert "Recommendation:" not in page
    assert "I'm here to help you" not in page
    assert "Invented strength" not in page
    assert "Not answered" in block(page, "python")
    assert "Write it again from the transcript" in page


def test_a_report_from_before_competencies_still_shows_its_topics(recruiter_client, db):
    legacy = {
        "summary": "Knows engines.",
        "strengths": [],
        "concerns": [],
        "topics": [{"topic": "Engines", "score": 3, "evidence": ["I love Python"]}],
        "recommendation": "no",
        "model": "fake-model",
    }
    page = page_of(recruiter_client, make_report_interview(legacy))
    assert "Engines" in page and "3/5" in page
    assert "Recommendation: <strong" in page and ">No</strong>" in page
    assert "Written by the AI model fake-model." in page


def test_the_recruiter_edits_the_report_and_the_scores(recruiter_client, recruiter, interview):
    response = recruiter_client.post(
        reverse("agents:report_edit", args=[interview.pk]),
        {
            "summary": "Strong Python, needs SQL.",
            "strengths": "Clear\nCalm under pressure\n",
            "concerns": "SQL",
            "recommendation": "strong_yes",
            "competency_python_score": "5",
        },
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    report = interview.report
    assert report["summary"] == "Strong Python, needs SQL."
    assert report["strengths"] == ["Clear", "Calm under pressure"]
    assert report["concerns"] == ["SQL"]
    assert report["recommendation"] == "strong_yes"
    python, sql, permit = report["competencies"]
    assert (python["score"], python["quotes"]) == (5, ["I love Python"])
    assert (sql["status"], sql["score"]) == ("not_asked", None)
    assert (permit["status"], permit["score"]) == ("not_answered", None)
    assert report["edited_by"] == recruiter.username
    assert "Level 5 of 5: Level 5 of Python." in page_of(recruiter_client, interview)


def test_an_invalid_edit_says_why_and_keeps_the_report(recruiter_client, interview):
    response = recruiter_client.post(
        reverse("agents:report_edit", args=[interview.pk]),
        {"summary": "x", "recommendation": "maybe", "competency_python_score": "9"},
        follow=True,
    )
    assert "The report was not saved." in response.content.decode()
    interview.refresh_from_db()
    assert interview.report["summary"] == "Knows Python well."


def test_the_interview_export_has_the_competencies_with_the_rubrics_words(
    recruiter_client, interview
):
    response = recruiter_client.get(reverse("agents:interview_json", args=[interview.pk]))
    report = json.loads(response.content)["report"]
    python = report["competencies"][0]
    assert (python["key"], python["status"], python["score"]) == ("python", "scored", 4)
    assert python["level"] == "Level 4 of Python."
    assert python["quotes"] == ["I love Python"]
    assert report["provenance"] == PROVENANCE


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
    page = page_of(recruiter_client, interview)
    assert "refused the API key (HTTP 401)" in page
    assert "Retry the report" in page

    with django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(reverse("agents:report_retry", args=[interview.pk]))
    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.PENDING
    assert queued == [interview.pk]


def test_a_recruiters_own_words_on_an_ungrounded_report_are_shown_as_theirs(
    recruiter_client, recruiter, db
):
    interview = make_report_interview(UNGROUNDED)
    form = page_of(recruiter_client, interview).split("Edit the report")[1]
    assert "I'm here to help you" not in form

    recruiter_client.post(
        reverse("agents:report_edit", args=[interview.pk]),
        {
            "summary": "Talked about Python only.",
            "strengths": "",
            "concerns": "",
            "recommendation": "no",
        },
    )
    page = page_of(recruiter_client, interview)
    assert "The model could not write a report grounded in the transcript." in page
    assert "Talked about Python only." in page
    assert 'Recommendation: <strong data-recommendation="no">No</strong>' in page
    assert f"(set by {recruiter.username})" in page
