"""The interviewer in text mode against the embedded LLM (SmolLM2-135M): the plan's structure,
and a follow-up that passed the speech gate or was replaced by the plan's next question."""

from livekit.agents import AgentSession

from agents.worker.gate import gate_limits, gate_problems
from agents.worker.interviewer import InterviewBrief, Interviewer, InterviewState
from agents.worker.writer import profile_is_embedded
from providers.clients import agent_plugins
from providers.models import ProviderProfile
from providers.services import profile_default_values


async def test_the_interviewer_follows_the_plan_on_the_embedded_llm(localmodels_url, settings):
    settings.LOCALMODELS_URL = localmodels_url
    profile = ProviderProfile(name="embedded", **profile_default_values(models_url=localmodels_url))
    profile.llm_temperature = 0.0
    assert profile_is_embedded(profile)
    brief = InterviewBrief(
        interview_id=None,
        candidate_name="Ada",
        role_title="Data analyst",
        job_description="Reports and dashboards from sales data.",
        resume={"work": [{"position": "Analyst", "name": "Babbage Ltd", "summary": "SQL."}]},
        max_duration_minutes=10,
        persona=profile.persona,
    )
    state = InterviewState(brief=brief)
    first, second = state.runner.questions[0][1].text, state.runner.questions[1][1].text

    _stt, llm, _tts = agent_plugins(profile)
    async with llm, AgentSession(llm=llm, userdata=state) as session:
        greeting = await session.start(Interviewer(brief, profile=profile), capture_run=True)
        answer = await session.run(user_input="I built sales dashboards in SQL at Babbage Ltd.")

    greeting.expect.skip_next_event_if(type="agent_handoff")
    greeting_text = greeting.expect.next_event().is_message(role="assistant").event().item
    assert greeting_text.text_content.endswith(first)
    reply = answer.expect.next_event().is_message(role="assistant").event().item.text_content
    recent = [greeting_text.text_content]
    problems = gate_problems(reply, limits=gate_limits(profile), recent=recent)
    assert reply.endswith(second) or problems == [], reply
