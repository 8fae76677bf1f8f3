"""The interviewer in text mode against the embedded LLM (SmolLM2-135M: structure only)."""

from livekit.agents import AgentSession

from agents.worker.interviewer import InterviewBrief, Interviewer, InterviewState
from providers.clients import agent_plugins
from providers.models import ProviderProfile
from providers.services import profile_default_values


async def test_the_interviewer_greets_and_answers_on_the_embedded_llm(localmodels_url):
    profile = ProviderProfile(name="embedded", **profile_default_values(models_url=localmodels_url))
    profile.llm_max_tokens = 48
    profile.llm_temperature = 0.0
    brief = InterviewBrief(
        interview_id=None,
        candidate_name="Ada",
        role_title="Data analyst",
        job_description="Reports and dashboards from sales data.",
        resume={"work": [{"position": "Analyst", "name": "Babbage Ltd", "summary": "SQL."}]},
        max_duration_minutes=10,
        persona=profile.persona,
    )
    _stt, llm, _tts = agent_plugins(profile)

    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        greeting = await session.start(Interviewer(brief), capture_run=True)
        answer = await session.run(user_input="Hello, I worked with SQL at Babbage Ltd.")

    greeting.expect.skip_next_event_if(type="agent_handoff")
    greeting_message = greeting.expect.next_event().is_message(role="assistant").event().item
    assert greeting_message.text_content.strip()
    reply = answer.expect.next_event().is_message(role="assistant").event().item
    assert reply.text_content.strip()
