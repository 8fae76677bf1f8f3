"""A model endpoint failing mid-interview: retries, a spoken apology, then a recorded failure."""

import asyncio
import dataclasses
from contextlib import asynccontextmanager

from livekit.agents import AgentSession, CloseEvent, CloseReason

from agents.models import Interview
from agents.worker.guard import FailureGuard, interview_outcome
from agents.worker.interviewer import Interviewer, InterviewState, prompt
from agents.worker.session import connect_options
from agents.worker.tests.worker_support import BRIEF, until
from providers.clients import agent_plugins
from providers.tests.provider_helpers import scripted_profile
from tests.fake_openai import Reply

QUESTION = "Tell me about a system you built."
# Two follow-ups: the model is asked after each of the candidate's first two answers.
BRIEF = dataclasses.replace(
    BRIEF,
    plan={
        "time_limit_minutes": 10,
        "sections": [
            {
                "kind": "opening",
                "title": "Opening",
                "questions": [{"id": "built", "text": QUESTION, "follow_ups": 2, "minutes": 5}],
            }
        ],
    },
)


@asynccontextmanager
async def guarded_session(profile, state, ended):
    """The interviewer on the profile's LLM, its failures watched as the worker watches them."""

    async def end():
        ended.set()

    _stt, llm, _tts = agent_plugins(profile)
    async with (
        llm,
        AgentSession(llm=llm, userdata=state, conn_options=connect_options()) as session,
    ):
        FailureGuard(session, state=state, profile=profile, recorder=None, end=end)
        await session.start(Interviewer(BRIEF))
        yield session


def _spoken(session):
    return [
        item.text_content
        for item in session.history.items
        if item.type == "message" and item.role == "assistant"
    ]


async def test_a_failing_llm_is_retried_then_apologised_for_then_fails_the_interview(fake_openai):
    profile = scripted_profile(fake_openai.url)
    fake_openai.defaults["chat"] = Reply.error(503, "The model is overloaded.")
    state = InterviewState(brief=BRIEF)
    ended = asyncio.Event()
    async with guarded_session(profile, state, ended) as session:
        await until(lambda: len(_spoken(session)) == 1)
        assert _spoken(session)[0].endswith(QUESTION)

        session.generate_reply(user_input="I built payment systems.")
        await until(lambda: prompt("apology.txt") in _spoken(session))
        # One request and two retries, all refused, before the candidate hears the apology.
        assert len(fake_openai.requests["chat"]) == 3
        assert not ended.is_set()

        session.generate_reply(user_input="Hello? Are you there?")
        await asyncio.wait_for(ended.wait(), timeout=30)
        await until(lambda: prompt("failed.txt") in _spoken(session))

    status, reason = interview_outcome(
        state, CloseEvent(reason=CloseReason.USER_INITIATED), profile
    )
    assert status == Interview.Status.FAILED
    host = fake_openai.url.split("//")[1].split("/")[0]
    assert reason.startswith(f"The language model service at {host} stopped working")
    assert "overloaded" in reason


async def test_an_llm_that_recovers_after_an_apology_keeps_the_interview_going(fake_openai):
    profile = scripted_profile(fake_openai.url)
    refused = Reply.error(503, "The model is overloaded.")
    fake_openai.script(
        "chat",
        refused,
        refused,
        refused,
        Reply(content="Thanks. What did you build there?"),
    )
    state = InterviewState(brief=BRIEF)
    ended = asyncio.Event()
    async with guarded_session(profile, state, ended) as session:
        await until(lambda: len(_spoken(session)) == 1)
        session.generate_reply(user_input="I built payment systems.")
        await until(lambda: prompt("apology.txt") in _spoken(session))
        session.generate_reply(user_input="As I said, payment systems.")
        await until(lambda: "Thanks. What did you build there?" in _spoken(session))

    assert not ended.is_set()
    assert state.failure is None
    status, _reason = interview_outcome(
        state, CloseEvent(reason=CloseReason.USER_INITIATED), profile
    )
    assert status == Interview.Status.COMPLETED
