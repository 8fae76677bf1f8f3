"""The Tavus avatar failing: the candidate still hears the interviewer, and it is recorded.

Tavus is faked locally (a small HTTP server in place of its API); the interviewer's
speech comes from the scripted OpenAI-compatible server.
"""

import types

import numpy as np
import pytest
from aiohttp import web
from livekit import rtc
from livekit.agents import Agent, AgentSession
from livekit.agents.job import _JobContextVar
from livekit.agents.utils import http_context

from agents.models import Interview
from agents.services import interview_record_avatar_failure
from agents.worker.avatar import _audio_tail, start_avatar, tavus_avatar
from agents.worker.tests.test_worker_voice_pipeline import CapturedAudio, rms
from providers.clients import agent_plugins
from providers.tests.provider_helpers import scripted_profile
from tests.fake_openai import Reply
from tests.processes import free_port


class FakeTavus:
    """Tavus's conversation API: a failure, or a conversation whose avatar never joins."""

    def __init__(self, status):
        self.status = status
        self.requests = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v2"

    async def _conversations(self, request):
        self.requests.append({"headers": dict(request.headers), "json": await request.json()})
        if self.status != 200:
            return web.json_response({"message": "avatar service unavailable"}, status=self.status)
        return web.json_response({"conversation_id": "c-fake", "status": "active"})

    async def __aenter__(self):
        app = web.Application()
        app.router.add_post("/v2/conversations", self._conversations)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc):
        await self.runner.cleanup()


class UnconnectedRoom(rtc.Room):
    """The interview's room before the connection: it has its name, nobody else is in it."""

    @property
    def name(self):
        return "interview-room"


def _tone_pcm(seconds=0.6, rate=24000):
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16).tobytes()


@pytest.fixture
def avatar_profile(fake_openai):
    profile = scripted_profile(fake_openai.url, name="avatar")
    profile.avatar_enabled = True
    profile.tavus_face_id = "face-123"
    profile.tavus_pal_id = "pal-456"
    profile.tavus_api_key = "tavus-secret"
    fake_openai.defaults["speech"] = Reply(body=_tone_pcm(), content_type="audio/pcm")
    return profile


async def _fallback_run(profile, tavus_status, join_timeout=1.0):
    speaker = CapturedAudio()
    async with http_context.open(), FakeTavus(tavus_status) as tavus:
        _stt, _llm, tts = agent_plugins(profile)
        session = AgentSession(tts=tts)
        session.output.audio = speaker
        await session.start(Agent(instructions="Say what you are told."))
        # Outside a worker there is no job; Tavus only needs the agent's identity from it.
        job = types.SimpleNamespace(
            local_participant_identity="agent-interviewer",
            add_shutdown_callback=lambda callback: None,
        )
        token = _JobContextVar.set(job)
        try:
            reason = await start_avatar(
                avatar=tavus_avatar(profile, api_url=tavus.url),
                session=session,
                room=UnconnectedRoom(),
                join_timeout=join_timeout,
            )
        finally:
            _JobContextVar.reset(token)
        tail = _audio_tail(session.output)
        await session.say("Can you hear me?").wait_for_playout()
        await session.aclose()
    return reason, tail, speaker, tavus


async def test_an_avatar_that_never_joins_falls_back_to_room_audio(avatar_profile):
    reason, tail, speaker, tavus = await _fallback_run(avatar_profile, 200)

    assert reason == "The Tavus avatar did not join within 1.0 s; audio only."
    request = tavus.requests[0]
    assert request["json"]["properties"]["livekit_room_token"]
    assert request["json"]["face_id"] == "face-123"
    assert request["json"]["pal_id"] == "pal-456"
    assert request["headers"]["x-api-key"] == "tavus-secret"
    assert tail is speaker
    heard = [frame for segment in speaker.segments for frame in segment]
    assert rms(heard) > 1000


async def test_an_avatar_that_fails_to_start_falls_back_to_room_audio(avatar_profile):
    reason, tail, speaker, tavus = await _fallback_run(avatar_profile, 500)

    assert len(tavus.requests) == 2, "one request and one retry"
    assert reason.startswith("The Tavus avatar could not start")
    assert "avatar service unavailable" in reason
    assert "tavus-secret" not in reason
    assert tail is speaker
    heard = [frame for segment in speaker.segments for frame in segment]
    assert rms(heard) > 1000


def test_the_avatar_failure_is_recorded_on_the_interview(scheduled_interview):
    interview, _secret = scheduled_interview

    interview_record_avatar_failure(
        interview_id=interview.pk, reason="The Tavus avatar did not join within 20 s; audio only."
    )

    interview.refresh_from_db()
    assert interview.avatar_error.startswith("The Tavus avatar did not join")
    assert interview.status == Interview.Status.SCHEDULED
