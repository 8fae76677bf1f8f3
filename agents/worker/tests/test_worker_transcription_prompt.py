"""Speech-to-text is told the words of this interview: the resume's and the job's terms."""

import pytest
from livekit import rtc

from agents.worker.entrypoint import load_interview
from agents.worker.interviewer import InterviewBrief
from agents.worker.vocabulary import transcription_prompt
from providers.clients import agent_plugins
from providers.tests.provider_helpers import use_one_server


def _brief(**overrides):
    values = {
        "interview_id": None,
        "candidate_name": "Jordan Reyes",
        "role_title": "Backend engineer",
        "job_description": "Payment services in Python and Go on PostgreSQL. Deploys to AWS.",
        "resume": {
            "work": [{"name": "Stripe", "position": "Software engineer"}],
            "education": [{"institution": "Universidad de Chile", "area": "Informatics"}],
            "skills": [{"name": "PostgreSQL", "keywords": ["pgbouncer"]}, {"name": "Go"}],
        },
        "max_duration_minutes": 10,
        "persona": "",
    }
    return InterviewBrief(**(values | overrides))


def test_the_prompt_names_the_employers_schools_and_tools_of_the_resume_and_the_job():
    prompt = transcription_prompt(_brief())

    assert prompt.startswith("Jordan Reyes is interviewing for Backend engineer.")
    for term in ("Stripe", "Universidad de Chile", "pgbouncer", "Python", "AWS"):
        assert term in prompt
    # Each term once, and words that merely start a sentence are not terms.
    assert prompt.count("PostgreSQL") == 1
    assert prompt.count("Go,") + prompt.count("Go.") == 1
    assert "Payment" not in prompt
    assert "Deploys" not in prompt


def test_a_candidate_without_a_resume_still_gets_the_jobs_terms():
    prompt = transcription_prompt(_brief(resume={}))

    assert "Python" in prompt and "PostgreSQL" in prompt
    assert "Stripe" not in prompt


@pytest.fixture
def interview_setup(scheduled_interview, interview_profile, fake_openai):
    interview, _secret = scheduled_interview
    brief, profile = load_interview(interview.pk)
    return brief, use_one_server(profile, fake_openai.url)


async def test_every_transcription_request_carries_the_interviews_prompt(
    interview_setup, fake_openai
):
    brief, profile = interview_setup
    stt, _llm, _tts = agent_plugins(profile, stt_prompt=transcription_prompt(brief))
    silence = rtc.AudioFrame.create(16000, 1, 16000)

    async with stt:
        await stt.recognize(silence)

    sent = fake_openai.requests["transcriptions"][-1]
    assert sent["prompt"] == transcription_prompt(brief)
    assert "COBOL" in sent["prompt"]
