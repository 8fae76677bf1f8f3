"""Model names each service answers to (lenient aliases) and the OpenAI list shape."""

from __future__ import annotations

import time

from .errors import APIError, model_not_found

CREATED = int(time.time())


class ModelNames:
    def __init__(self, canonical: str, aliases: list[str], owned_by: str = "localmodels") -> None:
        self.canonical = canonical
        self.owned_by = owned_by
        self._names = {self.normalise(n) for n in [canonical, *aliases]}

    @staticmethod
    def normalise(name: str) -> str:
        name = name.strip().lower()
        # "Org/Name" -> "name"; "file.gguf" -> "file"
        name = name.rsplit("/", 1)[-1]
        for suffix in (".gguf", ".onnx", ".bin"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        return name.replace("_", "-")

    def matches(self, name: str | None) -> bool:
        return bool(name) and self.normalise(name) in self._names

    def resolve(self, name: str | None) -> str:
        """Canonical name for ``name``; missing means the default; unknown raises 404."""
        if name is None or name == "":
            return self.canonical
        if not self.matches(name):
            raise model_not_found(name)
        return self.canonical

    def listing(self) -> dict:
        return model_listing([self.canonical], self.owned_by)


def model_listing(canonicals: list[str], owned_by: str = "localmodels") -> dict:
    return {
        "object": "list",
        "data": [
            {"id": name, "object": "model", "created": CREATED, "owned_by": owned_by}
            for name in canonicals
        ],
    }


STT_TINY = ModelNames(
    "whisper-tiny.en",
    [
        "tiny.en",
        "whisper-tiny-en",
        "faster-whisper-tiny.en",
        "Systran/faster-whisper-tiny.en",
        "openai/whisper-tiny.en",
    ],
)
STT_BASE = ModelNames(
    "whisper-base",
    ["base", "faster-whisper-base", "Systran/faster-whisper-base", "openai/whisper-base"],
)


class ModelChoice:
    """Several models behind one endpoint; the generic names OpenAI clients send (``whisper-1``)
    and a missing name mean the server's default one."""

    def __init__(self, models: list[ModelNames], generic: list[str]) -> None:
        self.models = models
        self._generic = {ModelNames.normalise(n) for n in generic}

    def find(self, name: str) -> ModelNames | None:
        return next((m for m in self.models if m.matches(name)), None)

    def resolve(self, name: str | None, *, default: str, available: list[str]) -> str:
        """Canonical name for ``name`` among ``available``; unknown or not installed raises 404."""
        if not name or ModelNames.normalise(name) in self._generic:
            return default
        model = self.find(name)
        if model is None:
            raise model_not_found(name)
        if model.canonical not in available:
            raise APIError(
                404,
                f"The model `{model.canonical}` is known but not installed on this server "
                f"(installed: {', '.join(available)}).",
                code="model_not_found",
                param="model",
            )
        return model.canonical


STT_MODELS = ModelChoice([STT_TINY, STT_BASE], ["whisper-1", "whisper"])
TTS_MODELS = ModelNames(
    "piper-en_US-joe-medium",
    ["piper", "piper-joe", "en_US-joe-medium", "joe", "tts-1", "tts-1-hd", "gpt-4o-mini-tts"],
)
LLM_MODELS = ModelNames(
    "smollm2-135m",
    [
        "smollm2",
        "smollm2-135m-instruct",
        "SmolLM2-135M-Instruct.Q4_1",
        "HuggingFaceTB/SmolLM2-135M-Instruct",
        "smollm2-135m-instruct-q4_1",
    ],
)

# The only voice, and the OpenAI voice names accepted as aliases for it (clients default to them).
VOICE = "joe"
VOICE_ALIASES = {
    "joe",
    "en_us-joe-medium",
    "en-us-joe-medium",
    "default",
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "nova",
    "onyx",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
}
