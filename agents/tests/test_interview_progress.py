"""The recruiter's interview page shows where the interviewer is in the plan, live."""

import re

import pytest
from channels.db import database_sync_to_async

from agents.services import interview_gate_fallback_count, interview_progress_save
from agents.tests.transcript_support import (
    close_worker_connections,
    communicator,
    make_interview,
    session_cookie,
)


def _page(recruiter_client, interview):
    response = recruiter_client.get(f"/interviews/{interview.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _panel(html):
    return re.search(r'<section class="card progress-panel".*?</section>', html, re.S).group(0)


def _text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _rows(panel):
    return re.findall(r'data-question-status="([^"]+)"', panel)


def test_before_the_interview_the_page_shows_the_plan_and_its_estimate(
    recruiter_client, scheduled_interview
):
    interview, _secret = scheduled_interview

    panel = _panel(_page(recruiter_client, interview))

    assert "Not started: 4 questions, about 15 minutes, limit 15 minutes." in _text(panel)
    assert "walk me through your background" in panel
    assert _rows(panel) == ["to come"] * 4


def test_the_page_shows_the_section_the_question_n_of_m_and_the_time_used(
    recruiter_client, scheduled_interview
):
    interview, _secret = scheduled_interview
    interview_progress_save(
        interview_id=interview.pk,
        progress={
            "section_index": 1,
            "section_title": "Relevant experience",
            "question_index": 1,
            "question_count": 4,
            "question_id": "experience",
            "question_text": "Tell me about a project.",
            "covered": ["background", "experience"],
            "skipped": [],
            "follow_ups_used": {"background": 1, "experience": 1},
            "section_seconds": {"0": 150.0, "1": 100.0},
            "elapsed_seconds": 250.0,
            "time_limit_minutes": 15,
            "finished": False,
        },
    )
    interview_gate_fallback_count(interview_id=interview.pk)

    panel = _text(_panel(_page(recruiter_client, interview)))

    assert "Relevant experience : question 2 of 4 · 4 of 15 minutes used" in panel
    assert "1 of 1" in panel and "1 of 2" in panel
    assert "replaced the model's words with a planned line 1 time." in panel
    assert _rows(_panel(_page(recruiter_client, interview))) == [
        "covered",
        "current",
        "to come",
        "to come",
    ]


def test_a_finished_interview_shows_the_skipped_and_the_not_asked_questions(
    recruiter_client, scheduled_interview
):
    interview, _secret = scheduled_interview
    interview_progress_save(
        interview_id=interview.pk,
        progress={
            "section_index": 1,
            "section_title": "Relevant experience",
            "question_index": 2,
            "question_count": 4,
            "question_id": "challenge",
            "question_text": "What was the hardest problem?",
            "covered": ["background", "challenge"],
            "skipped": ["experience"],
            "follow_ups_used": {},
            "section_seconds": {"0": 120.0, "1": 600.0},
            "elapsed_seconds": 905.0,
            "time_limit_minutes": 15,
            "finished": True,
        },
    )

    panel = _panel(_page(recruiter_client, interview))

    assert "Finished after 15 of 15 minutes." in _text(panel)
    assert _rows(panel) == ["covered", "skipped", "covered", "not asked"]


@pytest.mark.django_db(transaction=True)
async def test_saving_progress_tells_the_open_recruiter_page_to_fetch_it(client, recruiter):
    interview = await database_sync_to_async(make_interview)()
    cookie = await database_sync_to_async(session_cookie)(client, recruiter)
    socket = communicator(f"/ws/interviews/{interview.pk}/?after=0", cookie=cookie)
    assert (await socket.connect())[0]

    await database_sync_to_async(interview_progress_save)(
        interview_id=interview.pk, progress={"question_index": 0}
    )

    assert await socket.receive_json_from() == {"type": "changed", "part": "progress"}
    await socket.disconnect()
    await close_worker_connections()
