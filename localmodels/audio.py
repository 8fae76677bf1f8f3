"""Audio decoding (any container PyAV reads -> 16 kHz mono float32) and streaming encoding
(int16 mono at the synthesiser's rate -> 24 kHz pcm/wav/mp3/opus/flac/aac byte chunks)."""

from __future__ import annotations

import io
import struct

import av
import numpy as np

OUTPUT_RATE = 24000  # what OpenAI (and livekit-plugins-openai) expect for `pcm`

# response_format -> (container format, codec, content type)
FORMATS: dict[str, tuple[str | None, str | None, str]] = {
    "pcm": (None, None, "audio/pcm"),
    "wav": (None, None, "audio/wav"),
    "mp3": ("mp3", "libmp3lame", "audio/mpeg"),
    "opus": ("ogg", "libopus", "audio/opus"),
    "flac": ("flac", "flac", "audio/flac"),
    "aac": ("adts", "aac", "audio/aac"),
}


_MUX_OPTIONS = {"opus": {"flush_packets": "1", "page_duration": "100000"}}


class AudioDecodeError(ValueError):
    pass


def decode_to_mono16k(data: bytes) -> np.ndarray:
    """Decode a whole audio file (wav, mp3, ogg/opus, webm, flac, m4a...) to 16 kHz mono float32."""
    if not data:
        raise AudioDecodeError("The audio file is empty.")
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise AudioDecodeError("The file contains no audio stream.")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
            chunks: list[np.ndarray] = []
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AudioDecodeError:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise AudioDecodeError(f"The audio file could not be decoded: {exc}") from exc
    if not chunks:
        raise AudioDecodeError("The audio file contains no samples.")
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def wav_header(
    sample_rate: int, channels: int = 1, bits: int = 16, data_size: int | None = None
) -> bytes:
    """A RIFF/WAVE header; with ``data_size=None`` the sizes are set to the maximum (streaming)."""
    streaming = data_size is None
    size = 0xFFFFFFFF - 36 if streaming else data_size
    riff_size = 0xFFFFFFFF if streaming else 36 + size
    block_align = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack(
            "<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * block_align, block_align, bits
        )
        + b"data"
        + struct.pack("<I", size)
    )


class _Sink:
    """Write-only file object that collects what the muxer writes."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:  # pragma: no cover - called by some muxers
        pass

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


class StreamEncoder:
    """Feed int16 mono chunks at ``input_rate``; get ``fmt`` bytes back as they are ready."""

    def __init__(self, fmt: str, input_rate: int, output_rate: int = OUTPUT_RATE) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unsupported format {fmt!r}")
        self.fmt = fmt
        self.input_rate = input_rate
        self.output_rate = output_rate
        self.content_type = FORMATS[fmt][2]
        self._pts = 0
        self._header_sent = False
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=output_rate)
        self._container = None
        self._stream = None
        self._sink = None
        container_fmt, codec, _ = FORMATS[fmt]
        if container_fmt:
            self._sink = _Sink()
            self._container = av.open(
                self._sink,
                mode="w",
                format=container_fmt,
                container_options=_MUX_OPTIONS.get(fmt, {"flush_packets": "1"}),
            )
            self._stream = self._container.add_stream(codec, rate=output_rate)
            self._stream.layout = "mono"
            if fmt in ("mp3", "aac"):
                self._stream.bit_rate = 64000
            elif fmt == "opus":
                self._stream.bit_rate = 32000

    def _resample(self, samples: np.ndarray | None) -> list[av.AudioFrame]:
        if samples is None:
            return list(self._resampler.resample(None))
        samples = np.ascontiguousarray(samples, dtype=np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = self.input_rate
        frame.pts = self._pts
        self._pts += samples.shape[1]
        return list(self._resampler.resample(frame))

    def _emit(self, frames: list[av.AudioFrame], final: bool) -> bytes:
        out = bytearray()
        if self.fmt in ("pcm", "wav"):
            if self.fmt == "wav" and not self._header_sent:
                out += wav_header(self.output_rate)
                self._header_sent = True
            for f in frames:
                out += f.to_ndarray().reshape(-1).astype("<i2").tobytes()
            return bytes(out)
        for f in frames:
            f.pts = None
            for packet in self._stream.encode(f):
                self._container.mux(packet)
        if final:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
        return self._sink.take()

    def feed(self, samples: np.ndarray) -> bytes:
        if samples.size == 0:
            return self._emit([], final=False) if self.fmt == "wav" else b""
        return self._emit(self._resample(samples), final=False)

    def finish(self) -> bytes:
        return self._emit(self._resample(None), final=True)
