"""Shared helpers for the localmodels tests: speech fixtures made with espeak-ng and decoding."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

SENTENCE = "The interview starts at nine tomorrow morning. Please bring your laptop and a notebook."
KEY_WORDS = ("interview", "tomorrow", "laptop", "notebook")


def espeak_wav(path: Path, text: str = SENTENCE, voice: str = "en-us") -> Path:
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.fail("espeak-ng is required for the speech tests (apt-get install espeak-ng)")
    subprocess.run([exe, "-v", voice, "-w", str(path), text], check=True, capture_output=True)
    return path


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode any audio bytes with PyAV to mono int16 samples at their own rate."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate or stream.rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        parts = []
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            parts.append(out.to_ndarray().reshape(-1))
    return (np.concatenate(parts) if parts else np.zeros(0, np.int16)), rate


def duration_of(data: bytes, fmt: str) -> float:
    if fmt == "pcm":
        return len(data) / 2 / 24000
    samples, rate = decode(data)
    return len(samples) / rate


def transcode(wav: Path, container_fmt: str, codec: str, rate: int) -> bytes:
    """Re-encode a WAV file into another container/codec with PyAV (for upload tests)."""
    out = io.BytesIO()
    samples, src_rate = decode(wav.read_bytes())
    with av.open(out, mode="w", format=container_fmt) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = src_rate
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout="mono", rate=rate
        )
        for f in [*resampler.resample(frame), *resampler.resample(None)]:
            f.pts = None
            for packet in stream.encode(f):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def words_found(text: str, words=KEY_WORDS) -> list[str]:
    lowered = text.lower()
    return [w for w in words if w in lowered]


def silence_wav(seconds: float = 3.0, rate: int = 16000) -> bytes:
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))
    return buf.getvalue()
