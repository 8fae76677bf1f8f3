"""A reply cut short before the candidate heard any of it doesn't move the plan on."""

import pytest
from livekit.agents import AgentSession
from livekit.agents.llm import ChatContext

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


async def reply_to(agent, chat_ctx):
    return "".join(
        [part async for part in agent.llm_node(chat_ctx, [], None) if isinstance(part, str)]
    )


def progress(runner):
    return runner.index, dict(runner.follow_ups_used), list(runner.covered)


async def test_words_after_an_unheard_reply_are_answered_from_where_the_plan_was(
    interview_setup, fake_openai
):
    brief, profile = interview_setup
    for _ in range(2):
        fake_openai.script("chat", Reply(content="What did you measure there?"))
    _stt, llm, _tts = agent_plugins(profile)
    agent = Interviewer(brief, profile=profile)

    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        await session.start(agent)
        await until(lambda: agent.chat_ctx.items)
        chat_ctx = ChatContext(list(agent.chat_ctx.items))
        chat_ctx.add_message(role="user", content="I built the billing service.")
        await reply_to(agent, chat_ctx)
        after_first = progress(agent.runner)

        # The candidate was only pausing: they went on before the reply was heard, so no
        # interviewer message was committed between their two turns.
        chat_ctx.add_message(role="user", content="Then I moved it to a queue.")
        await reply_to(agent, chat_ctx)
        after_both = progress(agent.runner)

    assert after_both == after_first
    candidate_turns = [text for who, text in agent.transcript if who == "Candidate"]
    assert candidate_turns == ["I built the billing service. Then I moved it to a queue."]
