"""The interviewer's audio starts with its first word, not with the silence before it.

TTS servers put silence before the speech (piper about 40-80 ms); every millisecond of it is
added to the candidate's wait, and the frame that carries it already counts as "speaking"
for the latency figure, which then reads shorter than what the candidate hears.
"""

import numpy as np
from livekit import rtc

# Peak amplitude (int16) from which a sample is speech: about -40 dBFS, below any word.
VOICED_PEAK = 300
# Kept before the first word, so its onset is not clipped.
LEAD_IN_SECONDS = 0.005
# A reply whose first this-many seconds hold no word is passed on untouched.
MAX_TRIM_SECONDS = 0.5


async def without_leading_silence(frames):
    """`frames` (an async iterator of rtc.AudioFrame) from just before the first word on."""
    held = []
    held_seconds = 0.0
    async for frame in frames:
        if held is None:
            yield frame
            continue
        samples = np.frombuffer(frame.data, dtype=np.int16)
        voiced = np.flatnonzero(np.abs(samples) >= VOICED_PEAK)
        if voiced.size:
            channels = frame.num_channels
            lead_in = int(LEAD_IN_SECONDS * frame.sample_rate) * channels
            start = max(0, int(voiced[0]) - lead_in) // channels * channels
            held = None
            yield rtc.AudioFrame(
                samples[start:].tobytes(),
                frame.sample_rate,
                channels,
                (samples.size - start) // channels,
            )
            continue
        held.append(frame)
        held_seconds += frame.duration
        if held_seconds > MAX_TRIM_SECONDS:
            for kept in held:
                yield kept
            held = None
    for kept in held or ():
        yield kept
