"""A candidate who asks about the job or the process in the middle of the interview gets an
answer, then hears the question again; a question about the question itself is an answer."""

import pytest
from livekit.agents import AgentSession

from agents.worker.interviewer import Interviewer, fixed_lines
from agents.worker.plan_runner import asks_about_the_process
from agents.worker.tests.test_worker_plan import SCHEMA, Clock, _state, spoken
from providers.clients import agent_plugins
from providers.tests.provider_helpers import scripted_profile
from tests.fake_openai import Reply

REMOTE = "The recruiting team will answer that when they contact you."
FOLLOW_UP = "That makes sense. How do you handle migrations on a live table?"


async def _turns(profile, state, answers):
    _stt, llm, _tts = agent_plugins(profile)
    async with llm, AgentSession(llm=llm, userdata=state) as session:
        await session.start(Interviewer(state.brief, profile=profile))
        for answer in answers:
            await session.run(user_input=answer)
        return spoken(session)


@pytest.mark.parametrize(
    ("words", "about_the_process"),
    [
        ("What does your company actually do?", True),
        ("What is the salary for this role?", True),
        ("Is the team remote?", True),
        ("Yes, what are the next steps?", True),
        ("Do you mean my current job?", False),
        ("Hello? Are you there?", False),
        ("I moved our office network to a new provider.", False),
    ],
)
def test_it_tells_a_question_about_the_process_from_other_turns(words, about_the_process):
    assert asks_about_the_process(words) is about_the_process


async def test_a_question_about_the_process_is_answered_then_the_question_is_asked_again(
    fake_openai,
):
    profile = scripted_profile(fake_openai.url)
    fake_openai.script("chat", Reply(content=REMOTE), Reply(content=FOLLOW_UP))
    state = _state(Clock())

    said = await _turns(
        profile, state, ["I'm Grace.", "Is the team remote?", "I start from the queries."]
    )

    assert said[-2] == f"{REMOTE} {fixed_lines().back_to_question} {SCHEMA}"
    assert said[-1] == FOLLOW_UP
    progress = state.runner.progress()
    assert progress["question_id"] == "schema"
    # The answer to the candidate's question is no follow-up of the plan's question.
    assert progress["follow_ups_used"] == {"schema": 1}
    task = fake_openai.requests["chat"][0]["messages"][1]["content"]
    assert "Is the team remote?" in task and "recruiting team reviews" in task


async def test_a_second_question_during_the_same_question_is_taken_as_its_answer(fake_openai):
    profile = scripted_profile(fake_openai.url)
    fake_openai.script("chat", Reply(content=REMOTE), Reply(content=FOLLOW_UP))
    state = _state(Clock())

    said = await _turns(
        profile, state, ["I'm Grace.", "Is the team remote?", "What is the salary?"]
    )

    assert said[-1] == FOLLOW_UP
    assert state.runner.progress()["follow_ups_used"] == {"schema": 1}
