"""Helpers for the recording tests: real stereo Opus/OGG files, and channel energy."""

import av
import numpy as np
import pytest
from django.utils import timezone

from agents.recordings import recording_store

RATE = 48000


def write_stereo_ogg(path, *, seconds, left=(), right=(), rate=RATE):
    """An Opus/OGG file of `seconds`, a 440 Hz tone on each channel over the (start, end)
    spans given for it and silence elsewhere, encoded as the worker's recorder does."""
    samples = int(seconds * rate)
    t = np.arange(samples) / rate
    block = np.zeros((2, samples), dtype=np.float32)
    for channel, spans in enumerate((left, right)):
        for start, end in spans:
            lo, hi = int(start * rate), int(end * rate)
            block[channel, lo:hi] = 0.3 * np.sin(2 * np.pi * 440 * t[lo:hi])
    with av.open(str(path), mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=rate, layout="stereo")
        for lo in range(0, samples, rate // 10):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(block[:, lo : lo + rate // 10]), format="fltp", layout="stereo"
            )
            frame.sample_rate = rate
            frame.pts = lo
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def decode_stereo(path_or_file):
    """(left, right, rate): the file's two channels as float arrays."""
    with av.open(path_or_file) as container:
        stream = container.streams.audio[0]
        chunks = [frame.to_ndarray() for frame in container.decode(stream)]
        rate = stream.rate
    data = np.concatenate(chunks, axis=1)
    return data[0], data[1], rate


def energy(channel, rate, start, end):
    """RMS of a channel over [start, end) seconds."""
    part = channel[int(start * rate) : int(end * rate)]
    return float(np.sqrt(np.mean(np.square(part)))) if len(part) else 0.0


def onsets(channel, rate, *, window=0.02, threshold=0.01, min_gap=0.5):
    """Seconds where a channel becomes loud after at least `min_gap` s of quiet."""
    size = int(window * rate)
    frames = len(channel) // size
    loud = [
        float(np.sqrt(np.mean(np.square(channel[i * size : (i + 1) * size])))) > threshold
        for i in range(frames)
    ]
    found, quiet_since = [], -min_gap
    for i, is_loud in enumerate(loud):
        now = i * window
        if is_loud:
            if quiet_since is not None and now - quiet_since >= min_gap:
                found.append(now)
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
    return found


@pytest.fixture
def recording_storage(settings, tmp_path):
    """Recordings kept as files in a directory of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "recordings")},
        },
    }
    return tmp_path / "recordings"


def stored_recording(interview, tmp_path, *, seconds=4, left=((0.5, 1.5),), right=((2, 3),)):
    """The interview's recording, stored the way the worker stores one."""
    path = write_stereo_ogg(tmp_path / "audio.ogg", seconds=seconds, left=left, right=right)
    started_at = interview.started_at or timezone.now()
    return recording_store(interview_id=interview.pk, path=path, started_at=started_at)
