"""Audio of the lines the interviewer says as written, synthesised once and kept on disk.

Every candidate for a job hears the plan's questions in the same words, so their audio is
made once with the interview's TTS (keyed by model, voice, speed and text) and played from
disk afterwards: those turns make no TTS request and have no TTS wait.
"""

import asyncio
import hashlib
import json
import logging
import wave

from django.conf import settings
from livekit import rtc

logger = logging.getLogger(__name__)

FRAME_MS = 20


def spoken_key(text):
    """Lines compare by their words, whatever spacing the pipeline gave them."""
    return " ".join(text.split())


class SpeechCache:
    def __init__(self, *, tts, model, voice, speed, conn_options=None):
        self.tts = tts
        self.identity = {"model": model, "voice": voice, "speed": speed}
        self.conn_options = conn_options
        self.making = {}

    @property
    def directory(self):
        return settings.VAR_DIR / "speech-cache"

    def path(self, text):
        key = json.dumps({**self.identity, "text": spoken_key(text)}, sort_keys=True)
        return self.directory / f"{hashlib.sha256(key.encode()).hexdigest()}.wav"

    def has(self, text):
        return self.path(text).exists()

    async def frames(self, text):
        """The line's audio frames: from disk, or synthesised now (once) and stored."""
        path = self.path(text)
        if not path.exists():
            task = self.making.get(path)
            if task is None:
                task = self.making[path] = asyncio.create_task(self._make(text, path))
            await asyncio.shield(task)
        return _read(path)

    async def prefetch(self, lines):
        """Synthesise the lines not on disk yet, one at a time (the models share the CPU)."""
        for line in dict.fromkeys(lines):
            try:
                await self.frames(line)
            except Exception as exc:  # noqa: BLE001 (a line not cached is synthesised when said)
                logger.warning("could not cache the audio of a fixed line: %s", exc)
                return

    async def _make(self, text, path):
        try:
            kwargs = {"conn_options": self.conn_options} if self.conn_options else {}
            frames = []
            async with self.tts.synthesize(spoken_key(text), **kwargs) as stream:
                async for event in stream:
                    frames.append(event.frame)
            if not frames:
                raise RuntimeError("the TTS returned no audio")
            _write(path, rtc.combine_audio_frames(frames))
        finally:
            self.making.pop(path, None)


def _write(path, frame):
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(frame.num_channels)
        out.setsampwidth(2)
        out.setframerate(frame.sample_rate)
        out.writeframes(bytes(frame.data))
    # Another interview may read the file as soon as it has its name.
    partial.replace(path)


def _read(path):
    with wave.open(str(path), "rb") as source:
        rate, channels = source.getframerate(), source.getnchannels()
        data = source.readframes(source.getnframes())
    per_frame = rate * FRAME_MS // 1000
    step = per_frame * channels * 2
    frames = []
    for start in range(0, len(data), step):
        chunk = data[start : start + step]
        samples = len(chunk) // (2 * channels)
        frames.append(rtc.AudioFrame(chunk, rate, channels, samples))
    return frames
