"""The speech gate: a bad reply is written again once, then replaced by the plan's next line."""

import asyncio
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from django.db import connections
from livekit.agents import AgentSession

from agents.models import Interview
from agents.worker.entrypoint import InterviewRun, load_interview
from agents.worker.gate import gate_limits, gate_problems
from agents.worker.interviewer import Interviewer
from providers.clients import agent_plugins
from providers.models import ProviderProfile
from providers.tests.provider_helpers import use_one_server
from tests.fake_openai import Reply

# A new profile's limits: 2 sentences, 40 words, repeats within 12 turns.
LIMITS = gate_limits(ProviderProfile())
GOOD = "That sounds like careful work. How did you test the compiler?"
BAD_REPLIES = {
    "it has 3 sentences": "Great answer. I like compilers. What did you test?",
    "it has 45 words": "That is " + "really " * 40 + "good. What next?",
    "it has markup": "**Great answer!** What did you test?",
    "it speaks out of role": "As an AI assistant, I can help with your projects. What next?",
    "it speaks out of role (as the candidate)": "I worked at Acme for years. What about you?",
    "it speaks out of role (a podcast host)": "Welcome to my podcast! What brings you here?",
    "it does not end on a question": "That sounds like careful work.",
    "it is empty": "  ",
}


@pytest.mark.parametrize("problem", BAD_REPLIES)
def test_the_gate_refuses_each_kind_of_bad_reply(problem):
    problems = gate_problems(BAD_REPLIES[problem], limits=LIMITS, recent=[], question_due=True)

    assert problem.split(" (")[0] in problems


def test_the_gate_refuses_a_sentence_from_the_last_turns_and_passes_a_good_reply():
    recent = ["Tell me about your work at Remington Rand.", "That sounds like careful work."]

    earlier = ["Tell me about your work at Remington Rand."]

    assert "it repeats a sentence" in gate_problems(GOOD, limits=LIMITS, recent=recent)
    assert gate_problems(GOOD, limits=LIMITS, recent=earlier) == []
    assert gate_problems("Thanks, that helps.", limits=LIMITS, question_due=False) == []


@pytest.fixture
def run_on_scripted_model(transactional_db, scheduled_interview, fake_openai):
    """The worker's InterviewRun for a stored interview, its models on the scripted server."""
    interview, _secret = scheduled_interview
    brief, profile = load_interview(interview.pk)
    profile = use_one_server(profile, fake_openai.url)
    run = InterviewRun(SimpleNamespace(shutdown=lambda reason: None), brief, profile)
    return interview, run


async def _first_answer(run, answer):
    _stt, llm, _tts = agent_plugins(run.profile)
    async with llm, AgentSession(llm=llm, userdata=run.state) as session:
        await session.start(Interviewer(run.brief, profile=run.profile))
        result = await session.run(user_input=answer)
        reply = result.expect.next_event().is_message(role="assistant").event().item
    await asyncio.gather(*run.writes)
    return reply.text_content


async def _stored(interview):
    row = await database_sync_to_async(Interview.objects.get)(pk=interview.pk)
    await database_sync_to_async(connections.close_all)()
    return row


async def test_a_bad_reply_is_written_again_with_a_tighter_instruction(
    run_on_scripted_model, fake_openai
):
    interview, run = run_on_scripted_model
    fake_openai.script(
        "chat", Reply(content=BAD_REPLIES["it speaks out of role"]), Reply(content=GOOD)
    )

    reply = await _first_answer(run, "I built the A-0 compiler.")

    assert reply == GOOD
    retry = fake_openai.requests["chat"][1]["messages"][-1]["content"]
    assert "could not be used because it speaks out of role" in retry
    assert (await _stored(interview)).gate_fallbacks == 0


async def test_a_reply_that_fails_twice_is_replaced_by_the_plans_next_line_and_counted(
    run_on_scripted_model, fake_openai
):
    interview, run = run_on_scripted_model
    fake_openai.script(
        "chat",
        Reply(content="I'm so glad to have you as a guest on my podcast."),
        Reply(content="I'm so glad to have you as a guest on my podcast."),
    )
    second_question = run.state.runner.questions[1][1].text

    reply = await _first_answer(run, "I built the A-0 compiler.")

    assert "podcast" not in reply
    assert reply.endswith(second_question)
    assert len(fake_openai.requests["chat"]) == 2
    stored = await _stored(interview)
    assert stored.gate_fallbacks == 1
    assert stored.progress["question_index"] == 1
    assert stored.progress["covered"] == ["background", "experience"]
