"""The interviewer agent in text mode, against a scripted OpenAI-compatible model."""

import asyncio

import pytest
from livekit.agents import AgentSession

from agents.worker.entrypoint import load_interview
from agents.worker.interviewer import Interviewer, InterviewState, build_instructions
from providers.clients import agent_plugins
from providers.tests.provider_helpers import use_one_server
from tests.fake_openai import Reply

END_CALL = {"name": "end_interview", "arguments": {"reason": "time limit reached"}}


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


async def test_the_interviewer_greets_first_with_the_resume_in_the_request(
    interview_setup, fake_openai
):
    brief, profile = interview_setup
    fake_openai.script(
        "chat", Reply(content="Hello Grace! Tell me about the A-0 compiler at Remington Rand.")
    )
    _stt, llm, _tts = agent_plugins(profile)

    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        result = await session.start(Interviewer(brief), capture_run=True)

    result.expect.skip_next_event_if(type="agent_handoff")
    result.expect.next_event().is_message(role="assistant")
    greeting_request = fake_openai.requests["chat"][0]
    system = _system_text(greeting_request)
    assert "Remington Rand" in system
    assert "A-0 compiler" in system
    assert "Greet Grace Hopper" in system


async def test_the_interviewer_asks_about_the_resume_after_an_answer(interview_setup, fake_openai):
    brief, profile = interview_setup
    fake_openai.script(
        "chat",
        Reply(content="Hello Grace, welcome."),
        Reply(content="What made you build the A-0 compiler?"),
    )
    _stt, llm, _tts = agent_plugins(profile)

    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        await session.start(Interviewer(brief))
        result = await session.run(user_input="Hi, I'm ready.")

    result.expect.next_event().is_message(role="assistant")
    answer_request = fake_openai.requests["chat"][-1]
    contents = [str(message.get("content")) for message in answer_request["messages"]]
    assert any("I'm ready" in content for content in contents)
    assert "Remington Rand" in _system_text(answer_request)


async def test_the_interviewer_ends_at_the_time_limit_through_its_tool(
    interview_setup, fake_openai
):
    brief, profile = interview_setup
    fake_openai.script(
        "chat",
        Reply(content="Hello Grace, welcome."),
        Reply(tool_calls=[END_CALL]),
    )
    ended = asyncio.get_running_loop().create_future()

    async def on_end(reason):
        ended.set_result(reason)

    state = InterviewState(brief=brief, on_end=on_end)
    _stt, llm, _tts = agent_plugins(profile)
    async with llm, AgentSession(llm=llm, userdata=state) as session:
        agent = Interviewer(brief)
        await session.start(agent)
        await agent.time_is_up()
        reason = await asyncio.wait_for(ended, timeout=10)

        spoken = [
            item.text_content
            for item in session.history.items
            if item.type == "message" and item.role == "assistant"
        ]
    assert reason == "time limit reached"
    assert state.end_reason == "time limit reached"
    time_up_request = fake_openai.requests["chat"][-1]
    assert "time for this interview is up" in str(time_up_request["messages"])
    assert [tool["function"]["name"] for tool in time_up_request["tools"]] == ["end_interview"]
    assert any("Thank you for your time today, Grace Hopper" in text for text in spoken)
    # The closing words are pre-written: no model call after the tool.
    assert len(fake_openai.requests["chat"]) == 2


def test_the_worker_does_not_start_a_cancelled_interview(scheduled_interview):
    from agents.services import interview_cancel

    interview, _secret = scheduled_interview
    interview_cancel(interview=interview)

    assert load_interview(interview.pk) is None
