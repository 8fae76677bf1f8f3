import json

import pytest

from agents import reports
from agents.models import Interview
from agents.reports import RetryIn, report_request, report_write
from agents.services import profile_snapshot
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append
from providers.models import ProviderProfile
from tests.fake_openai import Reply

GOOD = {
    "summary": "Grace has built payment systems in Python and explained them clearly.",
    "strengths": ["Clear explanations", "Owns production incidents"],
    "concerns": ["Little frontend experience"],
    "topics": [
        {
            "topic": "Python",
            "score": "4/5",
            "evidence": ["I rewrote the payments service in Python", "I invented quantum sorting"],
        }
    ],
    "recommendation": "Strong yes",
}


def pending_interview(llm_url, api_key="sk-secret-key-123"):
    profile = ProviderProfile(
        name="Scripted",
        llm_base_url=llm_url,
        llm_model="fake-model",
        llm_api_key=api_key,
        stt_base_url=llm_url,
        stt_model="stt",
        tts_base_url=llm_url,
        tts_model="tts",
        tts_voice="v",
    )
    interview = make_interview(
        status=Interview.Status.COMPLETED,
        profile_snapshot=profile_snapshot(profile),
        report_status=Interview.ReportStatus.PENDING,
    )
    transcript_append(interview_id=interview.pk, speaker="agent", text="Tell me about your work.")
    transcript_append(
        interview_id=interview.pk,
        speaker="candidate",
        text="Last year I rewrote the payments service in Python, and it halved our latency.",
    )
    return interview


@pytest.fixture
def interview(db, fake_openai):
    return pending_interview(fake_openai.url)


def test_a_fenced_reply_with_trailing_text_is_stored_with_only_real_quotes_as_evidence(
    interview, fake_openai
):
    fake_openai.script("chat", Reply(content=f"```json\n{json.dumps(GOOD)}\n```\nHope this helps!"))
    assert report_write(interview_id=interview.pk) is None

    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.READY
    report = interview.report
    assert report["summary"] == GOOD["summary"]
    assert report["strengths"] == GOOD["strengths"]
    assert report["concerns"] == GOOD["concerns"]
    assert report["recommendation"] == "strong_yes"
    [topic] = report["topics"]
    assert topic["score"] == 4
    assert topic["evidence"] == ["I rewrote the payments service in Python"]
    assert topic["unverified_evidence"] == ["I invented quantum sorting"]

    [request] = fake_openai.requests["chat"]
    assert request["response_format"]["type"] == "json_schema"
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["recommendation"]["enum"] == [
        "strong_yes",
        "yes",
        "no",
        "strong_no",
    ]
    assert "rewrote the payments service" in request["messages"][1]["content"]
    assert "Backend engineer" in request["messages"][1]["content"]


def test_a_server_without_structured_output_is_asked_in_json_mode(interview, fake_openai):
    fake_openai.script(
        "chat",
        Reply.error(400, "response_format type json_schema is not supported"),
        Reply(content=json.dumps(GOOD)),
    )
    assert report_write(interview_id=interview.pk) is None

    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.READY
    first, second = fake_openai.requests["chat"]
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"] == {"type": "json_object"}


def test_a_malformed_reply_is_asked_again_and_only_the_good_one_is_stored(interview, fake_openai):
    fake_openai.script(
        "chat",
        Reply(content='{"summary": "cut off'),
        Reply(content=json.dumps({**GOOD, "recommendation": "maybe"})),
        Reply(content=json.dumps(GOOD)),
    )
    report_write(interview_id=interview.pk)

    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.READY
    assert interview.report["summary"] == GOOD["summary"]
    assert len(fake_openai.requests["chat"]) == 3


def test_replies_that_never_validate_fail_with_the_reason_and_store_nothing(interview, fake_openai):
    fake_openai.script("chat", *[Reply(content="I think they were great.")] * 3)
    report_write(interview_id=interview.pk)

    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.FAILED
    assert "did not reply with a usable report after 3 tries" in interview.report_error
    assert "no JSON object" in interview.report_error
    assert interview.report == {}


def test_a_refused_key_fails_at_once_without_showing_the_key(interview, fake_openai):
    fake_openai.script(
        "chat", Reply.error(401, "Incorrect API key provided: sk-secret-key-123", "invalid_api_key")
    )
    assert report_write(interview_id=interview.pk) is None

    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.FAILED
    assert "refused the API key (HTTP 401)" in interview.report_error
    assert "sk-secret-key-123" not in interview.report_error
    assert len(fake_openai.requests["chat"]) == 1


def test_a_server_error_is_retried_later_and_the_page_says_so(interview, fake_openai):
    fake_openai.script("chat", Reply.error(500, "CUDA out of memory"))
    outcome = report_write(interview_id=interview.pk)

    assert isinstance(outcome, RetryIn)
    assert outcome.seconds > 0
    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.PENDING
    assert "HTTP 500" in interview.report_error
    assert "Trying again" in interview.report_error

    fake_openai.script("chat", Reply(content=json.dumps(GOOD)))
    assert report_write(interview_id=interview.pk, retries_done=1) is None
    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.READY


def test_a_busy_server_is_retried_no_sooner_than_it_asked(interview, fake_openai):
    fake_openai.script(
        "chat",
        Reply(status=429, json={"error": {"message": "slow down"}}, headers={"Retry-After": "7"}),
    )
    outcome = report_write(interview_id=interview.pk)
    assert isinstance(outcome, RetryIn)
    assert outcome.seconds >= 7


def test_transient_faults_give_up_after_the_retry_budget(interview, fake_openai, settings):
    settings.REPORT_LLM_MAX_RETRIES = 2
    fake_openai.script("chat", Reply.error(503, "overloaded"))
    assert report_write(interview_id=interview.pk, retries_done=2) is None
    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.FAILED
    assert "Gave up after 3 tries" in interview.report_error


def test_an_unreachable_server_is_a_transient_fault(db):
    interview = pending_interview("http://127.0.0.1:9/v1")
    assert isinstance(report_write(interview_id=interview.pk), RetryIn)
    interview.refresh_from_db()
    assert "Could not reach the model server" in interview.report_error


def test_a_report_no_longer_pending_is_left_alone(interview, fake_openai):
    Interview.objects.filter(pk=interview.pk).update(report_status=Interview.ReportStatus.READY)
    report_write(interview_id=interview.pk)
    assert fake_openai.requests["chat"] == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_the_report_after_a_server_error(celery_worker, fake_openai):
    interview = pending_interview(fake_openai.url)
    fake_openai.script("chat", Reply.error(502, "bad gateway"), Reply(content=json.dumps(GOOD)))

    report_request(interview_id=interview.pk)

    interview = _wait_for_report(interview.pk)
    assert interview.report_status == Interview.ReportStatus.READY
    assert interview.report["recommendation"] == "strong_yes"
    assert len(fake_openai.requests["chat"]) == 2


def _wait_for_report(pk, timeout=30):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        interview = Interview.objects.get(pk=pk)
        if interview.report_status in (
            Interview.ReportStatus.READY,
            Interview.ReportStatus.FAILED,
        ):
            return interview
        time.sleep(0.2)
    raise AssertionError(f"no report within {timeout} s: {interview.report_error}")


def test_the_prompt_lives_in_its_own_file():
    assert "recommendation" in reports.system_prompt()
