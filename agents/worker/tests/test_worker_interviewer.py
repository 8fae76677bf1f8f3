"""The interviewer agent in text mode, against a scripted OpenAI-compatible model."""

import asyncio

import pytest
from livekit.agents import AgentSession

from agents.worker.entrypoint import load_interview
from agents.worker.interviewer import Interviewer, InterviewState, build_instructions
from providers.clients import agent_plugins
from providers.tests.provider_helpers import use_one_server
from tests.fake_openai import Reply


@pytest.fixture
def interview_setup(scheduled_interview, interview_profile, fake_openai):
    """(brief, profile) of a scheduled interview, its profile pointed at the scripted model."""
    interview, _secret = scheduled_interview
    brief, profile = load_interview(interview.pk)
    return brief, use_one_server(profile, fake_openai.url)


def _system_text(request):
    return " ".join(
        message["content"] if isinstance(message["content"], str) else str(message["content"])
        for message in request["messages"]
        if message["role"] in ("system", "developer")
    )


def test_the_instructions_carry_the_persona_role_and_resume_facts(interview_setup):
    brief, profile = interview_setup
    instructions = build_instructions(brief)

    assert profile.persona.strip() in instructions
    assert "Backend engineer" in instructions
    assert "Python, Django and PostgreSQL" in instructions
    assert "Senior mathematician, Remington Rand" in instructions
    assert "A-0 compiler" in instructions
    assert "COBOL" in instructions


async def test_the_interviewer_greets_by_name_and_asks_the_plans_first_question_as_written(
    interview_setup, fake_openai
):
    brief, profile = interview_setup
    _stt, llm, _tts = agent_plugins(profile)

    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        result = await session.start(Interviewer(brief, profile=profile), capture_run=True)

    result.expect.skip_next_event_if(type="agent_handoff")
    greeting = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert greeting.startswith("Hello Grace Hopper, thank you for joining.")
    assert "for the Backend engineer role" in greeting
    assert greeting.endswith(brief.plan["sections"][0]["questions"][0]["text"])
    # Fixed lines: the model is not asked.
    assert fake_openai.requests["chat"] == []


async def test_the_interviewer_follows_up_with_the_resume_and_the_answer_in_the_request(
    interview_setup, fake_openai
):
    brief, profile = interview_setup
    fake_openai.script("chat", Reply(content="Interesting. What made you build the A-0 compiler?"))
    _stt, llm, _tts = agent_plugins(profile)

    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        await session.start(Interviewer(brief, profile=profile))
        result = await session.run(user_input="Hi, I'm ready. I write compilers.")

    reply = result.expect.next_event().is_message(role="assistant").event().item.text_content
    assert reply == "Interesting. What made you build the A-0 compiler?"
    answer_request = fake_openai.requests["chat"][-1]
    assert "I'm ready. I write compilers." in " ".join(
        message["content"] for message in answer_request["messages"]
    )
    assert "Remington Rand" in _system_text(answer_request)


async def test_the_interviewer_ends_at_the_time_limit_with_its_closing_words(
    interview_setup, fake_openai
):
    brief, profile = interview_setup
    ended = asyncio.get_running_loop().create_future()

    async def on_end(reason):
        ended.set_result(reason)

    state = InterviewState(brief=brief, on_end=on_end)
    _stt, llm, _tts = agent_plugins(profile)
    async with llm, AgentSession(llm=llm, userdata=state) as session:
        agent = Interviewer(brief, profile=profile)
        await session.start(agent)
        agent.time_is_up()
        reason = await asyncio.wait_for(ended, timeout=10)

        spoken = [
            item.text_content
            for item in session.history.items
            if item.type == "message" and item.role == "assistant"
        ]
    assert reason == "Time limit reached."
    assert state.end_reason == "Time limit reached."
    assert spoken[-1].startswith("We have reached the end of our time. Thank you for your time")
    assert "Grace Hopper" in spoken[-1]
    # The closing words are pre-written: the model is never asked.
    assert fake_openai.requests["chat"] == []
    assert state.runner.progress()["finished"] is True


def test_the_worker_does_not_start_a_cancelled_interview(scheduled_interview):
    from agents.services import interview_cancel

    interview, _secret = scheduled_interview
    interview_cancel(interview=interview)

    assert load_interview(interview.pk) is None
