"""The recruiter's interview page in a real browser: status, latency and report follow live."""

import json
import threading

import pytest
from django.db import connection
from playwright.sync_api import expect

from agents.models import Interview
from agents.services import interview_mark_completed, profile_snapshot
from agents.tests.transcript_support import make_interview
from agents.transcripts import agent_state_broadcast, transcript_append, turn_metrics_record
from providers.tests.provider_helpers import scripted_profile
from tests.fake_openai import Reply

REPORT = {
    "summary": "Grace explained the payment service she rewrote.",
    "strengths": ["Owns production systems"],
    "concerns": [],
    "competencies": {
        "relevant_experience": {
            "quotes": ["I rewrote the payment service."],
            "score": "4",
            "rationale": "She rewrote a production service.",
        },
        "communication": {"quotes": [], "score": "not_answered", "rationale": ""},
    },
    "recommendation": "Yes",
}


@pytest.fixture
def live_interview(transactional_db, fake_openai):
    # Made before the browser starts: Playwright's event loop forbids database calls after.
    profile = scripted_profile(fake_openai.url)
    interview = make_interview(
        status=Interview.Status.LIVE, profile_snapshot=profile_snapshot(profile)
    )
    transcript_append(interview_id=interview.pk, speaker="agent", text="Tell me about your work.")
    transcript_append(
        interview_id=interview.pk, speaker="candidate", text="I rewrote the payment service."
    )
    return interview


def in_another_thread(service, **kwargs):
    """Run a service as the agent worker would, outside the browser's event loop."""
    errors = []

    def run():
        try:
            service(**kwargs)
        except Exception as exc:  # re-raised in the test below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def sign_in(page, web_server):
    page.goto(f"{web_server}/accounts/login/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_the_page_shows_new_latency_the_end_and_the_report_without_a_reload(
    web_server, celery_worker, fake_openai, recruiter, live_interview, page
):
    # Slow enough for "Writing" to be on the page before the report is done.
    fake_openai.script("chat", Reply(content=json.dumps(REPORT), delay=2))
    sign_in(page, web_server)
    page.goto(f"{web_server}/interviews/{live_interview.pk}/")
    expect(page.locator("#transcript [data-connection]")).to_have_text("connected")
    expect(page.locator("[data-interview-status]")).to_have_text("Live")
    in_another_thread(agent_state_broadcast, interview_id=live_interview.pk, state="listening")
    expect(page.locator("[data-agent-state]")).to_have_text("interviewer: listening")
    latency = page.locator("#latency")
    expect(latency).not_to_contain_text("answered turn")
    page.evaluate("window.reloaded = false")

    in_another_thread(
        turn_metrics_record,
        interview_id=live_interview.pk,
        turn=1,
        total_latency=1.25,
        end_of_utterance_delay=0.6,
        transcription_delay=0.3,
        llm_ttft=0.4,
        tts_ttfb=0.2,
    )
    expect(latency).to_contain_text("Median 1.25 s")
    expect(latency).to_contain_text("1 answered turn")

    in_another_thread(
        interview_mark_completed,
        interview_id=live_interview.pk,
        reason="The candidate left the interview.",
    )
    expect(page.locator("[data-interview-status]")).to_have_text("Completed")
    expect(page.get_by_text("Completed: The candidate left the interview.")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel interview")).to_have_count(0)
    expect(page.locator("[data-agent-state]")).to_have_text("interviewer: –")
    report = page.locator("#report")
    expect(report).to_contain_text("Writing")
    expect(report).to_contain_text("Recommendation: Yes", timeout=30_000)
    expect(report).to_contain_text("Grace explained the payment service she rewrote.")
    # The transcript panel was never replaced, and the page itself never reloaded.
    expect(page.locator("#transcript .segment")).to_have_count(2)
    assert page.evaluate("window.reloaded") is False


def test_a_report_being_edited_is_not_replaced_under_the_recruiter(
    web_server, recruiter, live_interview, page
):
    in_another_thread(_ready_report, interview_id=live_interview.pk)
    sign_in(page, web_server)
    page.goto(f"{web_server}/interviews/{live_interview.pk}/")
    expect(page.locator("#transcript [data-connection]")).to_have_text("connected")
    page.get_by_text("Edit the report").click()
    summary = page.get_by_label("Summary")
    summary.fill("My own words, not saved yet.")

    # Someone else's save reaches this page while the editor is open.
    in_another_thread(_edit_report, interview_id=live_interview.pk, summary="Their words.")
    # A later change still reaches the page, so the report's has been handled by then.
    in_another_thread(turn_metrics_record, interview_id=live_interview.pk, turn=1, llm_ttft=0.4)
    expect(page.locator("#latency tbody tr")).to_have_count(1)
    expect(summary).to_have_value("My own words, not saved yet.")
    expect(page.locator("#report")).not_to_contain_text("Their words.")


def _ready_report(*, interview_id):
    Interview.objects.filter(pk=interview_id).update(
        report={**REPORT, "competencies": [], "model": "fake-model"},
        report_status=Interview.ReportStatus.READY,
    )


def _edit_report(*, interview_id, summary):
    from accounts.models import User
    from agents.reports import report_update

    report_update(
        interview=Interview.objects.get(pk=interview_id),
        changes={"summary": summary},
        user=User.objects.get(username="rita"),
    )
