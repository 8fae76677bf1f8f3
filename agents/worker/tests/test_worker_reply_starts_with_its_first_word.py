"""The interviewer's audio goes out from its first word: the TTS's leading silence is dropped."""

import numpy as np
from livekit import rtc

from agents.worker.audio import without_leading_silence

RATE = 24000


def _frames(samples, frame_ms=20):
    size = RATE * frame_ms // 1000
    for start in range(0, len(samples), size):
        chunk = samples[start : start + size]
        yield rtc.AudioFrame(chunk.astype(np.int16).tobytes(), RATE, 1, len(chunk))


async def _played(samples):
    async def source():
        for frame in _frames(samples):
            yield frame

    out = [frame async for frame in without_leading_silence(source())]
    return np.concatenate([np.frombuffer(frame.data, dtype=np.int16) for frame in out])


def _tone(seconds):
    t = np.arange(int(seconds * RATE)) / RATE
    return (8000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)


def _silence(seconds):
    return np.zeros(int(seconds * RATE), dtype=np.int16)


async def test_the_silence_before_the_first_word_is_not_sent():
    words = np.concatenate([_tone(0.3), _silence(0.2), _tone(0.3)])

    played = await _played(np.concatenate([_silence(0.083), words]))

    # At most 5 ms of lead-in is left of the 83 ms, and everything from the first word on
    # is sent as it was, the pause between the words too.
    assert len(words) <= len(played) <= len(words) + 0.005 * RATE
    assert np.array_equal(played[-len(words) :], words)


async def test_audio_with_no_word_in_its_first_half_second_is_sent_untouched():
    quiet_start = np.concatenate([_silence(0.7), _tone(0.2)])

    assert np.array_equal(await _played(quiet_start), quiet_start)
