"""The candidate leaving: the interview ends at once, not after the interviewer's reply."""

import asyncio
import time
from types import SimpleNamespace

from livekit import rtc
from livekit.agents import AgentSession
from livekit.agents.voice import io

from agents.worker.entrypoint import InterviewRun
from agents.worker.interviewer import Interviewer
from agents.worker.session import connect_options
from agents.worker.tests.worker_support import BRIEF, until
from providers.clients import agent_plugins
from providers.tests.provider_helpers import scripted_profile
from tests.fake_openai import Reply

SAMPLE_RATE = 24000
LONG_REPLY_SECONDS = 60


class RealTimeSpeaker(io.AudioOutput):
    """A loudspeaker that takes as long to play a segment as its audio lasts."""

    def __init__(self):
        super().__init__(
            label="test-speaker",
            capabilities=io.AudioOutputCapabilities(pause=False),
            sample_rate=SAMPLE_RATE,
        )
        self.played = 0.0
        self._queued = 0.0
        self._flushed = False
        self._playing = None

    async def capture_frame(self, frame):
        await super().capture_frame(frame)
        if self._playing is None:
            self._flushed = False
            self._playing = asyncio.create_task(self._play())
            self.on_playback_started(created_at=time.time())
        self._queued += frame.duration

    async def _play(self):
        while self._queued > 0 or not self._flushed:
            await asyncio.sleep(0.05)
            step = min(0.05, self._queued)
            self._queued -= step
            self.played += step
        self._playing = None
        self.on_playback_finished(playback_position=self.played, interrupted=False)

    def flush(self):
        super().flush()
        self._flushed = True

    def clear_buffer(self):
        if self._playing is not None:
            self._playing.cancel()
            self._playing = None
            self._queued = 0.0
            self.on_playback_finished(playback_position=self.played, interrupted=True)


def _candidate(run, reason):
    return SimpleNamespace(identity=run.identity, disconnect_reason=reason)


async def test_a_candidate_who_leaves_mid_reply_ends_the_interview_without_hearing_it_out(
    fake_openai,
):
    profile = scripted_profile(fake_openai.url)
    profile.tts_response_format = "pcm"
    fake_openai.script(
        "speech",
        Reply(body=b"\x00\x00" * SAMPLE_RATE * LONG_REPLY_SECONDS, content_type="audio/pcm"),
    )
    shutdowns = []
    ctx = SimpleNamespace(shutdown=shutdowns.append)
    run = InterviewRun(ctx, BRIEF, profile)
    speaker = RealTimeSpeaker()

    _stt, llm, tts = agent_plugins(profile)
    async with (
        llm,
        tts,
        AgentSession(
            llm=llm, tts=tts, userdata=run.state, conn_options=connect_options()
        ) as session,
    ):
        run.session = session
        session.on("close", run._on_close)
        session.output.audio = speaker
        await session.start(Interviewer(BRIEF))
        await until(lambda: speaker.played > 1.0)

        run._on_participant_left(_candidate(run, rtc.DisconnectReason.CLIENT_INITIATED))
        await until(lambda: shutdowns, timeout=LONG_REPLY_SECONDS / 2)

    assert shutdowns == ["The candidate left the interview."]
    assert speaker.played < LONG_REPLY_SECONDS / 2
    greeting = [item for item in session.history.items if item.type == "message"]
    assert greeting and greeting[0].interrupted
