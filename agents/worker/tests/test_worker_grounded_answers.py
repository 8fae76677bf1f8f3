"""An answer to the candidate's question says only what the interview knows: the role, the job
description, the time it takes and that the recruiting team follows up. One that states a
date, a number or a name it was not given is written again, then replaced by the referral
to the recruiting team."""

import dataclasses

import pytest
from livekit.agents import AgentSession

from agents.worker.gate import gate_limits, gate_problems, ungrounded_words
from agents.worker.interviewer import Interviewer, InterviewState, fixed_lines
from agents.worker.plan_runner import PlanRunner
from agents.worker.tests.test_worker_plan import Clock, spoken
from agents.worker.tests.test_worker_prompt_form import _embedded
from agents.worker.tests.worker_support import BRIEF
from providers.clients import agent_plugins
from providers.models import ProviderProfile
from providers.tests.provider_helpers import scripted_profile
from tests.fake_openai import Reply

JOB = "Builds and runs payment services in Python and PostgreSQL for Stripe-like checkouts."
PLAN = {
    "time_limit_minutes": 10,
    "sections": [
        {
            "kind": "candidate_questions",
            "title": "Your questions",
            "questions": [{"id": "ask", "text": "What would you like to ask?", "follow_ups": 1}],
        }
    ],
}
INVENTED = "The next steps are scheduled to happen next week."
RESTATED = "The role builds and runs payment services in Python and PostgreSQL."


def _facts():
    return (
        "The candidate is Grace. The role is Backend engineer. About the job: "
        f"{JOB} The interview takes about 10 minutes. After the interview, the recruiting "
        "team reviews it and contacts the candidate about the next steps."
    )


@pytest.mark.parametrize(
    ("answer", "invented"),
    [
        (INVENTED, ["week"]),
        ("You will hear from us within 3 days.", ["3", "days"]),
        ("The salary is $90,000 a year.", ["$90,000", "year"]),
        ("Our team at Google works from Berlin.", ["Google", "Berlin"]),
        ("They will call you on Monday morning.", ["Monday", "morning"]),
        ("There is a second round with two engineers.", ["second", "two"]),
    ],
)
def test_an_answer_stating_a_date_a_number_or_a_name_it_was_not_given_is_refused(answer, invented):
    problems = gate_problems(
        answer, limits=gate_limits(ProviderProfile()), question_due=False, facts=_facts()
    )

    assert ungrounded_words(answer, _facts()) == invented
    assert f"it states a fact it was not given ({', '.join(invented)})" in problems


@pytest.mark.parametrize(
    ("asked", "answer", "beyond"),
    [
        (
            "What does your company actually do?",
            "We are a company in the field of software development and that is all I can provide.",
            "field, software, development, provide",
        ),
        (
            "What is the salary for this role?",
            "The recruiters are giving you a salary range.",
            "giving, range",
        ),
    ],
)
def test_an_answer_that_says_more_than_the_facts_and_the_question_is_refused(asked, answer, beyond):
    problems = gate_problems(
        answer,
        limits=gate_limits(ProviderProfile()),
        question_due=False,
        facts=_facts(),
        asked=asked,
    )

    assert problems == [f"it says what it was not told ({beyond})"]


@pytest.mark.parametrize(
    "answer",
    [
        RESTATED,
        "The recruiting team can tell you whether the team is remote.",
        "The interview takes about 10 minutes, Grace.",
        "The recruiting team will contact you about the next steps soon.",
        "I don't know that, but the recruiting team will tell you.",
        "I am sure the recruiting team can answer that, Grace.",
    ],
)
def test_an_answer_that_only_restates_what_the_interview_knows_passes(answer):
    problems = gate_problems(
        answer,
        limits=gate_limits(ProviderProfile()),
        question_due=False,
        facts=_facts(),
        asked="Is the team remote?",
    )

    assert problems == []


async def _answer_to(profile, question):
    brief = dataclasses.replace(BRIEF, job_description=JOB, plan=PLAN)
    state = InterviewState(brief=brief, runner=PlanRunner(PLAN, lines=fixed_lines(), clock=Clock()))
    _stt, llm, _tts = agent_plugins(profile)
    async with llm, AgentSession(llm=llm, userdata=state) as session:
        await session.start(Interviewer(brief, profile=profile))
        await session.run(user_input=question)
        await state.closing_task
        return spoken(session), state


async def test_an_invented_next_week_is_replaced_by_the_referral_to_the_recruiting_team(
    fake_openai, settings
):
    profile = _embedded(fake_openai, settings)
    fake_openai.script(
        "completions", Reply(content=f" {INVENTED}"), Reply(content=" next steps are next week.")
    )

    said, state = await _answer_to(profile, "How soon will I hear about the next steps?")

    assert said[-2] == fixed_lines().answer_fallback
    assert "week" not in " ".join(said)
    assert state.gate_fallbacks == 1
    assert len(fake_openai.requests["completions"]) == 2


async def test_an_answer_that_restates_the_job_description_is_spoken(fake_openai, settings):
    profile = _embedded(fake_openai, settings)
    fake_openai.script("completions", Reply(content=f" {RESTATED}"))

    said, state = await _answer_to(profile, "What does the company actually do?")

    assert said[-2] == RESTATED
    assert state.gate_fallbacks == 0
    # The model was given the facts it may state.
    prompt = fake_openai.requests["completions"][0]["prompt"]
    assert JOB in prompt and "about 10 minutes" in prompt and "recruiting team reviews" in prompt


async def test_a_strong_server_is_given_the_facts_and_its_invented_answer_is_replaced(
    fake_openai,
):
    profile = scripted_profile(fake_openai.url)
    invented = "You will hear from Acme Corp on Friday."
    fake_openai.script("chat", Reply(content=invented), Reply(content=invented))

    said, state = await _answer_to(profile, "When will I hear back?")

    assert said[-2] == fixed_lines().answer_fallback
    task = fake_openai.requests["chat"][0]["messages"][1]["content"]
    assert JOB in task and "about 10 minutes" in task
    retry = fake_openai.requests["chat"][1]["messages"][-1]["content"]
    assert "it states a fact it was not given (Acme, Corp, Friday)" in retry
