"""The speech gate's limits are the provider profile's settings, not fixed numbers."""

import pytest
from livekit.agents import AgentSession

from agents.worker.gate import gate_limits, gate_problems
from agents.worker.interviewer import Interviewer
from agents.worker.tests.test_worker_plan import OUTAGE, Clock, _state, spoken
from providers.clients import agent_plugins
from providers.models import ProviderProfile
from providers.tests.provider_helpers import scripted_profile
from tests.fake_openai import Reply

THREE_SENTENCES = "That is a careful design. I like the audit table. How do you back it up?"
# 45 words in two sentences.
LONG = "That is " + "very " * 36 + "careful work. How do you test it?"


async def _follow_up_to(profile):
    """The interviewer's reply to an answer that gets a follow-up (the model's, when it passes)."""
    state = _state(Clock())
    _stt, llm, _tts = agent_plugins(profile)
    async with llm, AgentSession(llm=llm, userdata=state) as session:
        await session.start(Interviewer(state.brief, profile=profile))
        await session.run(user_input="I'm Grace.")
        await session.run(user_input="I start with the tables and an audit log.")
        return spoken(session)[-1], state


def test_the_long_reply_has_the_sentences_and_words_the_tests_need():
    assert len(LONG.split()) == 45
    assert gate_problems(LONG, limits=gate_limits(ProviderProfile()), question_due=True) == [
        "it has 45 words"
    ]


@pytest.mark.parametrize(
    ("setting", "allowed", "reply"),
    [("gate_max_sentences", 3, THREE_SENTENCES), ("gate_max_words", 45, LONG)],
)
async def test_a_reply_within_the_profiles_limit_is_spoken(fake_openai, setting, allowed, reply):
    profile = scripted_profile(fake_openai.url)
    setattr(profile, setting, allowed)
    fake_openai.script("chat", Reply(content=reply))

    said, state = await _follow_up_to(profile)

    assert said == reply
    assert state.gate_fallbacks == 0


@pytest.mark.parametrize(
    ("setting", "allowed", "reply"),
    [("gate_max_sentences", 2, THREE_SENTENCES), ("gate_max_words", 44, LONG)],
)
async def test_a_reply_over_the_profiles_limit_is_replaced_by_the_plans_next_line(
    fake_openai, setting, allowed, reply
):
    profile = scripted_profile(fake_openai.url)
    setattr(profile, setting, allowed)
    fake_openai.script("chat", Reply(content=reply), Reply(content=reply))

    said, state = await _follow_up_to(profile)

    assert said == f"Thank you. {OUTAGE}"
    assert state.gate_fallbacks == 1
    assert len(fake_openai.requests["chat"]) == 2


def test_a_sentence_said_before_the_profiles_repeat_window_may_come_back():
    said = "That sounds like careful work."
    recent = [said, "Tell me about the schema.", "And the indexes?"]
    profile = ProviderProfile(gate_repeat_window=2)

    assert gate_problems(said, limits=gate_limits(profile), recent=recent, question_due=False) == []
    profile.gate_repeat_window = 3
    assert gate_problems(said, limits=gate_limits(profile), recent=recent, question_due=False) == [
        "it repeats a sentence"
    ]
