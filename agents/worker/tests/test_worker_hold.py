"""The candidate asking for a moment holds the turn: the interviewer waits, within a bound."""

import asyncio

import pytest
from livekit.agents import AgentSession

from agents.worker import hold
from agents.worker.entrypoint import load_interview
from agents.worker.interviewer import Interviewer, InterviewState
from agents.worker.tests.worker_support import until
from providers.clients import agent_plugins
from providers.tests.provider_helpers import use_one_server
from tests.fake_openai import Reply


@pytest.fixture
def interview_setup(scheduled_interview, interview_profile, fake_openai):
    interview, _secret = scheduled_interview
    brief, profile = load_interview(interview.pk)
    return brief, use_one_server(profile, fake_openai.url)


def replies(session):
    return [
        item.text_content
        for item in session.history.items
        if getattr(item, "role", None) == "assistant"
    ]


@pytest.mark.parametrize(
    ("words", "holds"),
    [
        ("Let me think.", True),
        ("Hmm, let me see", True),
        ("That's a good one. Give me a moment.", True),
        ("Hold on, one second", True),
        ("Let me think. I used Redis as a queue for the retries.", False),
        ("I think I would start with the database.", False),
    ],
)
def test_only_words_that_end_by_asking_for_time_hold_the_turn(words, holds):
    assert hold.asks_for_time(words) is holds


async def test_let_me_think_holds_the_turn(interview_setup, fake_openai, monkeypatch):
    brief, profile = interview_setup
    monkeypatch.setattr(hold, "HOLD_SECONDS", 30.0)
    fake_openai.script("chat", Reply(content="Interesting. What made you build it?"))
    _stt, llm, _tts = agent_plugins(profile)

    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        await session.start(Interviewer(brief, profile=profile))
        await until(lambda: replies(session))
        greeted = len(replies(session))
        session.generate_reply(user_input="Hmm, let me think.")
        await asyncio.sleep(1.5)
        assert len(replies(session)) == greeted, "the interviewer spoke into the pause"
        assert fake_openai.requests["chat"] == []

        await session.run(user_input="I built the A-0 compiler at Remington Rand.")

    assert len(replies(session)) == greeted + 1
    answer = " ".join(str(m["content"]) for m in fake_openai.requests["chat"][-1]["messages"])
    # The held words and the answer reach the model as one turn.
    assert "Hmm, let me think. I built the A-0 compiler" in answer


async def test_a_candidate_who_says_nothing_more_gets_a_reply_after_the_hold(
    interview_setup, fake_openai, monkeypatch
):
    brief, profile = interview_setup
    monkeypatch.setattr(hold, "HOLD_SECONDS", 0.5)
    fake_openai.script("chat", Reply(content="Take your time. Shall I rephrase?"))
    _stt, llm, _tts = agent_plugins(profile)

    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        await session.start(Interviewer(brief, profile=profile))
        await until(lambda: replies(session))
        greeted = len(replies(session))
        session.generate_reply(user_input="Give me a moment.")
        await until(lambda: len(replies(session)) > greeted, timeout=20)
