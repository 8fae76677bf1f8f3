"""The recruiter's interview page follows the interviewer through the plan without a reload."""

import pytest
from playwright.sync_api import expect

from agents.services import interview_progress_save
from agents.tests.test_interview_page_live import in_another_thread, sign_in
from agents.tests.transcript_support import make_interview

PLAN = {
    "version": 2,
    "time_limit_minutes": 10,
    "sections": [
        {
            "kind": "opening",
            "title": "Opening",
            "questions": [{"id": "intro", "text": "Please introduce yourself.", "minutes": 2}],
        },
        {
            "kind": "competency",
            "title": "Python",
            "questions": [
                {"id": "gil", "text": "When does the GIL matter?", "minutes": 3},
                {"id": "tests", "text": "How do you test a Celery task?", "minutes": 3},
            ],
        },
    ],
}


def _progress(index, question_id, title, covered, elapsed):
    return {
        "section_index": 0 if index == 0 else 1,
        "section_title": title,
        "question_index": index,
        "question_count": 3,
        "question_id": question_id,
        "question_text": "",
        "covered": covered,
        "skipped": [],
        "follow_ups_used": {},
        "section_seconds": {},
        "elapsed_seconds": elapsed,
        "time_limit_minutes": 10,
        "finished": False,
    }


@pytest.fixture
def planned_interview(transactional_db):
    # Made before the browser starts: Playwright's event loop forbids database calls after.
    return make_interview(plan=PLAN, max_duration_minutes=10)


def test_the_progress_panel_moves_with_the_interviewer(
    web_server, recruiter, planned_interview, page
):
    interview = planned_interview
    in_another_thread(
        interview_progress_save,
        interview_id=interview.pk,
        progress=_progress(0, "intro", "Opening", ["intro"], 30),
    )
    sign_in(page, web_server)
    page.goto(f"{web_server}/interviews/{interview.pk}/")
    expect(page.locator("#transcript [data-connection]")).to_have_text("connected")
    summary = page.locator("#progress [data-progress-summary]")
    expect(summary).to_have_text("Opening: question 1 of 3 · 0 of 10 minutes used")
    page.evaluate("window.reloaded = false")

    in_another_thread(
        interview_progress_save,
        interview_id=interview.pk,
        progress=_progress(1, "gil", "Python", ["intro", "gil"], 150),
    )

    expect(summary).to_have_text("Python: question 2 of 3 · 2 of 10 minutes used")
    expect(page.locator('#progress [data-question-status="covered"]')).to_have_count(1)
    expect(page.locator('#progress [data-question-status="current"]')).to_contain_text(
        "When does the GIL matter?"
    )
    assert page.evaluate("window.reloaded") is False
