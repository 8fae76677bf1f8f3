"""The full voice pipeline without a room: spoken question in, audible spoken reply out.

Against the embedded models (whisper tiny.en, SmolLM2-135M, piper), with the
session built exactly as the worker builds it (silero VAD, v1-mini turn detector).
"""

import asyncio
import subprocess
import time
import wave

import numpy as np
import pytest
from livekit import rtc
from livekit.agents.voice import io
from livekit.plugins import silero

from agents.worker.interviewer import InterviewBrief, Interviewer, InterviewState
from agents.worker.session import build_session
from providers.models import ProviderProfile
from providers.services import profile_default_values

FRAME_MS = 20
QUESTION = "Could you tell me what this job is about?"


class SpeechInput(io.AudioInput):
    """A microphone that stays silent until told to speak, then plays a WAV, then silence."""

    def __init__(self, wav_path):
        super().__init__(label="test-microphone")
        with wave.open(str(wav_path)) as wav:
            self.sample_rate = wav.getframerate()
            self.samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        self.per_frame = self.sample_rate * FRAME_MS // 1000
        self.speak = asyncio.Event()
        self.position = 0
        self.next_at = time.monotonic()

    async def __anext__(self):
        # Paced like a real microphone: one 20 ms frame every 20 ms.
        self.next_at += FRAME_MS / 1000
        await asyncio.sleep(max(0.0, self.next_at - time.monotonic()))
        chunk = np.zeros(self.per_frame, dtype=np.int16)
        if self.speak.is_set() and self.position < len(self.samples):
            part = self.samples[self.position : self.position + self.per_frame]
            chunk[: len(part)] = part
            self.position += self.per_frame
        return rtc.AudioFrame(chunk.tobytes(), self.sample_rate, 1, self.per_frame)


class CapturedAudio(io.AudioOutput):
    """A loudspeaker that keeps every frame, grouped by spoken segment."""

    def __init__(self):
        super().__init__(label="test-speaker", capabilities=io.AudioOutputCapabilities(pause=False))
        self.segments = []
        self._current = None

    async def capture_frame(self, frame):
        await super().capture_frame(frame)
        if self._current is None:
            self._current = []
            self.segments.append(self._current)
            self.on_playback_started(created_at=time.time())
        self._current.append(frame)

    def flush(self):
        super().flush()
        if self._current is not None:
            duration = sum(f.samples_per_channel / f.sample_rate for f in self._current)
            self._current = None
            self.on_playback_finished(playback_position=duration, interrupted=False)

    def clear_buffer(self):
        if self._current is not None:
            self._current = None
            self.on_playback_finished(playback_position=0.0, interrupted=True)


def rms(frames):
    samples = np.concatenate([np.frombuffer(f.data, dtype=np.int16) for f in frames])
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


@pytest.fixture
def question_wav(tmp_path):
    path = tmp_path / "question.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), QUESTION], check=True)
    return path


async def _wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def test_a_spoken_question_gets_an_audible_spoken_reply(localmodels_url, question_wav):
    profile = ProviderProfile(name="embedded", **profile_default_values(models_url=localmodels_url))
    profile.llm_max_tokens = 40
    brief = InterviewBrief(
        interview_id=None,
        candidate_name="Sam",
        role_title="Support engineer",
        job_description="Answer customer questions about our web product.",
        resume={},
        max_duration_minutes=10,
        persona=profile.persona,
    )
    microphone = SpeechInput(question_wav)
    speaker = CapturedAudio()
    items = []

    session = build_session(profile, vad=silero.VAD.load(), userdata=InterviewState(brief=brief))
    session.on(
        "conversation_item_added",
        lambda event: event.item.type == "message" and items.append(event.item),
    )
    session.input.audio = microphone
    session.output.audio = speaker
    try:
        await session.start(Interviewer(brief))
        # The interviewer greets first; the candidate speaks once the greeting is out.
        assert await _wait_for(lambda: any(i.role == "assistant" for i in items), 120), (
            "no greeting"
        )
        greeting_segments = len(speaker.segments)
        microphone.speak.set()

        def replied():
            roles = [i.role for i in items]
            return "user" in roles and roles[-1] == "assistant" and roles.count("assistant") >= 2

        assert await _wait_for(replied, 150), f"no reply; conversation: {items}"
        await asyncio.sleep(0.5)
    finally:
        await session.aclose()

    heard = next(i.text_content for i in items if i.role == "user").lower()
    assert "job" in heard, heard
    reply_audio = [f for segment in speaker.segments[greeting_segments:] for f in segment]
    seconds = sum(f.samples_per_channel / f.sample_rate for f in reply_audio)
    assert seconds > 0.5
    assert rms(reply_audio) > 300, "the reply is audible, not silence"
