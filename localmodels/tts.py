"""Text to speech: piper (onnxruntime) with the en_US joe medium voice, streamed chunk by chunk."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import logging
import queue
import re
import threading
import time

import numpy as np
from aiohttp import web

from .assets import piper_voice_files
from .audio import FORMATS, StreamEncoder
from .errors import bad_request, not_ready
from .registry import TTS_MODELS, VOICE, VOICE_ALIASES

log = logging.getLogger("localmodels.tts")

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n+")
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+")
SENTENCE_PAUSE = 0.20  # seconds of silence after a sentence
CLAUSE_PAUSE = 0.10  # after a clause split off the first sentence
GAIN = 1.5  # fixed gain instead of per-sentence peak normalisation (keeps loudness steady)


def split_text(text: str, first_clause_words: int = 3) -> list[tuple[str, float]]:
    """Split into (chunk, pause-after) pieces: sentences, with the first sentence cut at its first
    clause boundary so that the first audio is ready sooner."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    pieces: list[tuple[str, float]] = []
    for i, sentence in enumerate(sentences):
        if i == 0:
            parts = _CLAUSE_END.split(sentence, maxsplit=1)
            if (
                len(parts) == 2
                and len(parts[0].split()) >= first_clause_words
                and len(parts[1].split()) >= 2
            ):
                pieces.append((parts[0], CLAUSE_PAUSE))
                sentence = parts[1]
        pieces.append((sentence, SENTENCE_PAUSE))
    if pieces:
        pieces[-1] = (pieces[-1][0], 0.0)
    return pieces


class _Job:
    """One request's synthesis: its pieces are done one at a time, in order."""

    def __init__(
        self, pieces, cfg, encoder: StreamEncoder, emit, finish, cancelled: threading.Event
    ) -> None:
        self.pieces = pieces
        self.cfg = cfg
        self.encoder = encoder
        self.emit = emit
        self.finish = finish
        self.cancelled = cancelled
        self.index = 0


class TextToSpeech:
    """Piper voice plus a small pool of synthesis threads.

    Work is scheduled per piece with the piece's index as priority, so the first piece of a new
    request goes ahead of later pieces of requests already playing (they have audio buffered):
    time to first byte stays low under concurrency."""

    def __init__(self, threads: int = 2, workers: int = 2) -> None:
        self.threads = threads
        self.workers = workers
        self.voice = None
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._counter = itertools.count()
        self._threads: list[threading.Thread] = []

    @property
    def ready(self) -> bool:
        return self.voice is not None

    @property
    def sample_rate(self) -> int:
        return self.voice.config.sample_rate

    def load(self) -> None:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        onnx_path, config_path = piper_voice_files()
        started = time.perf_counter()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        with open(config_path, encoding="utf-8") as fh:
            config = PiperConfig.from_dict(json.load(fh))
        session = onnxruntime.InferenceSession(
            str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        voice = PiperVoice(config=config, session=session)
        list(voice.synthesize("Ready."))  # warm up espeak and the onnx graph
        for i in range(self.workers):
            thread = threading.Thread(target=self._worker, name=f"tts-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.voice = voice
        log.info(
            "tts: loaded piper voice %s (%d Hz) in %.2fs",
            onnx_path.name,
            config.sample_rate,
            time.perf_counter() - started,
        )

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put((float("inf"), next(self._counter), None))

    def start(
        self, text: str, speed: float, fmt: str, emit, finish, cancelled: threading.Event
    ) -> None:
        """Queue a synthesis; ``emit(bytes)`` gets each encoded chunk (from a worker thread) and
        ``finish(exc_or_None)`` is called once at the end."""
        from piper import SynthesisConfig

        cfg = SynthesisConfig(
            length_scale=self.voice.config.length_scale / speed, normalize_audio=False, volume=GAIN
        )
        job = _Job(
            split_text(text), cfg, StreamEncoder(fmt, self.sample_rate), emit, finish, cancelled
        )
        self._queue.put((0, next(self._counter), job))

    def _worker(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            try:
                if self._step(job):
                    self._queue.put((job.index, next(self._counter), job))
            except BaseException as exc:  # report and drop the job
                job.finish(exc)

    def _step(self, job: _Job) -> bool:
        """Synthesise the job's next piece; True if more remain."""
        if job.cancelled.is_set():
            job.finish(None)
            return False
        if job.index == 0:
            header = job.encoder.feed(np.zeros(0, dtype=np.int16))
            if header:
                job.emit(header)
        piece, pause = job.pieces[job.index]
        for chunk in self.voice.synthesize(piece, job.cfg):
            samples = chunk.audio_int16_array
            if pause:
                samples = np.concatenate(
                    [samples, np.zeros(int(pause * self.sample_rate), np.int16)]
                )
            data = job.encoder.feed(samples)
            if data:
                job.emit(data)
        job.index += 1
        if job.index < len(job.pieces):
            return True
        tail = job.encoder.finish()
        if tail:
            job.emit(tail)
        job.finish(None)
        return False


def _parse(body) -> dict:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    text = body.get("input")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("`input` must be a non-empty string.", param="input")
    fmt = body.get("response_format") or "mp3"
    if fmt not in FORMATS:
        raise bad_request(
            f"Invalid response_format {fmt!r}; expected one of {', '.join(FORMATS)}.",
            param="response_format",
        )
    speed = body.get("speed", 1.0)
    if speed is None:
        speed = 1.0
    if (
        isinstance(speed, bool)
        or not isinstance(speed, (int, float))
        or not 0.25 <= float(speed) <= 4.0
    ):
        raise bad_request("`speed` must be a number between 0.25 and 4.0.", param="speed")
    voice = body.get("voice") or VOICE
    if isinstance(voice, dict):
        voice = voice.get("id") or VOICE
    if not isinstance(voice, str) or voice.strip().lower() not in VOICE_ALIASES:
        raise bad_request(f"Unknown voice {voice!r}; available: {VOICE}.", param="voice")
    stream_format = body.get("stream_format") or "audio"
    if stream_format not in ("audio", "sse"):
        raise bad_request("`stream_format` must be 'audio' or 'sse'.", param="stream_format")
    return {
        "text": text,
        "fmt": fmt,
        "speed": float(speed),
        "sse": stream_format == "sse",
        "model": body.get("model"),
    }


def routes(tts: TextToSpeech, settings) -> list[web.RouteDef]:
    async def speech(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise bad_request("The request body must be valid JSON.") from None
        opts = _parse(body)
        TTS_MODELS.resolve(opts["model"])
        if len(opts["text"]) > settings.max_tts_chars:
            raise bad_request(
                f"`input` is longer than {settings.max_tts_chars} characters.", param="input"
            )
        if not tts.ready:
            raise not_ready("tts")

        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue = asyncio.Queue()
        cancelled = threading.Event()
        done = object()

        def emit(data: bytes) -> None:
            loop.call_soon_threadsafe(chunks.put_nowait, data)

        def finish(exc: BaseException | None) -> None:
            if exc is not None:
                loop.call_soon_threadsafe(chunks.put_nowait, exc)
            loop.call_soon_threadsafe(chunks.put_nowait, done)

        if not split_text(opts["text"]):
            raise bad_request("`input` contains nothing to speak.", param="input")
        tts.start(opts["text"], opts["speed"], opts["fmt"], emit, finish, cancelled)
        content_type = "text/event-stream" if opts["sse"] else FORMATS[opts["fmt"]][2]
        response = web.StreamResponse(
            headers={"Content-Type": content_type, "Cache-Control": "no-cache"}
        )
        try:
            first = await chunks.get()
            if isinstance(first, BaseException):
                raise first
            await response.prepare(request)
            item = first
            while item is not done:
                if isinstance(item, BaseException):
                    log.error("tts: synthesis failed mid-stream: %r", item)
                    break
                if opts["sse"]:
                    event = {"type": "speech.audio.delta", "audio": base64.b64encode(item).decode()}
                    await response.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                else:
                    await response.write(item)
                item = await chunks.get()
            if opts["sse"]:
                words = len(opts["text"].split())
                event = {
                    "type": "speech.audio.done",
                    "usage": {"input_tokens": words, "output_tokens": 0, "total_tokens": words},
                }
                await response.write(b"data: " + json.dumps(event).encode() + b"\n\n")
            await response.write_eof()
            return response
        finally:
            cancelled.set()  # stops the job at its next piece if the client went away

    async def voices(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "object": "list",
                "voices": [VOICE],
                "data": [
                    {
                        "id": VOICE,
                        "name": VOICE,
                        "object": "voice",
                        "language": "en_US",
                        "model": TTS_MODELS.canonical,
                    }
                ],
            }
        )

    async def models(request: web.Request) -> web.Response:
        return web.json_response(TTS_MODELS.listing())

    return [
        web.post("/api/tts/v1/audio/speech", speech),
        web.get("/api/tts/v1/audio/voices", voices),
        web.get("/api/tts/v1/models", models),
    ]
