"""The plan's questions are synthesised once; later interviews play them without a TTS request."""

import asyncio
import dataclasses
import time

from livekit.agents import AgentSession
from livekit.agents.voice import io

from agents.worker.entrypoint import speech_cache
from agents.worker.interviewer import Interviewer, InterviewState
from agents.worker.latency import TurnLatency
from agents.worker.session import connect_options
from agents.worker.tests.test_worker_plan import INTRO, PLAN, SCHEMA
from agents.worker.tests.worker_support import BRIEF, until
from providers.clients import agent_plugins
from providers.tests.provider_helpers import scripted_profile

BRIEF_WITH_PLAN = dataclasses.replace(BRIEF, plan=PLAN)


class Speaker(io.AudioOutput):
    """A loudspeaker that plays every segment at once and keeps its frames."""

    def __init__(self):
        super().__init__(label="test-speaker", capabilities=io.AudioOutputCapabilities(pause=False))
        self.frames = 0
        self._playing = False

    async def capture_frame(self, frame):
        await super().capture_frame(frame)
        if not self._playing:
            self._playing = True
            self.on_playback_started(created_at=time.time())
        self.frames += 1

    def flush(self):
        super().flush()
        if self._playing:
            self._playing = False
            self.on_playback_finished(playback_position=0.5, interrupted=False)

    def clear_buffer(self):
        if self._playing:
            self._playing = False
            self.on_playback_finished(playback_position=0.0, interrupted=True)


def _spoken(session):
    return [
        item.text_content
        for item in session.history.items
        if item.type == "message" and item.role == "assistant"
    ]


async def _interview(profile, answers):
    """One interview with audio out: the session speaks through the profile's TTS."""
    _stt, llm, tts = agent_plugins(profile)
    speaker = Speaker()
    latency = TurnLatency(interview_id=None)
    turns = []
    async with (
        llm,
        tts,
        AgentSession(
            llm=llm,
            tts=tts,
            userdata=InterviewState(brief=BRIEF_WITH_PLAN),
            conn_options=connect_options(),
        ) as session,
    ):
        session.output.audio = speaker
        session.on(
            "conversation_item_added",
            lambda event: (turn := latency.add(event.item)) and turns.append(turn),
        )
        agent = Interviewer(
            BRIEF_WITH_PLAN, profile=profile, speech_cache=speech_cache(profile, session)
        )
        await session.start(agent)
        await until(lambda: len(_spoken(session)) == 1)
        for answer in answers:
            count = len(_spoken(session))
            session.generate_reply(user_input=answer)
            await until(lambda count=count: len(_spoken(session)) > count)
        await asyncio.wait_for(agent._prefetch, timeout=30)
        return _spoken(session), speaker, turns


async def test_a_cached_question_is_played_without_a_tts_request(fake_openai, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    profile = scripted_profile(fake_openai.url)
    profile.tts_response_format = "pcm"

    # The first interview on this plan synthesises its fixed lines once.
    await _interview(profile, [])
    first_inputs = [request["input"] for request in fake_openai.requests["speech"]]
    assert INTRO in first_inputs
    assert SCHEMA in first_inputs
    fake_openai.requests.clear()

    said, speaker, turns = await _interview(profile, ["I'd rather not answer."])

    assert said[0].endswith(INTRO)
    assert said[1].endswith(SCHEMA)
    inputs = [request["input"] for request in fake_openai.requests["speech"]]
    # Only the greeting (it has the candidate's name) went to the TTS.
    assert inputs
    assert all(text in said[0] and INTRO not in text for text in inputs)
    assert speaker.frames > 0
    # The reply spoken from the cache still has its stages measured (text input: no speech
    # end, so no wait), after the greeting's row.
    greeting, reply = turns
    assert reply["turn"] == greeting["turn"] + 1
    assert reply["llm_ttft"] is not None and reply["tts_ttfb"] is not None
