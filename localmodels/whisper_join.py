"""Join the multilingual Whisper base model, shipped in two wheels, into one directory, once.

CTranslate2 loads a directory holding one ``model.bin``; the wheels carry it in two parts (see
``assets.whisper_base_files``). The joined directory is cached (``LOCALMODELS_CACHE_DIR``, default
``~/.cache/interview-platform/models``) under a name derived from the parts' paths, sizes and
modification times, so it is built on first use only. It is written into a temporary directory
beside it and renamed into place, so a crash or a concurrent start never leaves a half-written
model behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from .assets import whisper_base_files
from .quant import default_cache_dir

log = logging.getLogger("localmodels.stt")


class JoinError(RuntimeError):
    pass


def cached_name(parts: list[Path]) -> str:
    key = "|".join(f"{p.resolve()}|{p.stat().st_size}|{p.stat().st_mtime_ns}" for p in parts)
    return f"whisper-base-ct2.{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def _join_into(directory: Path, parts: list[Path], others: list[Path]) -> None:
    with open(directory / "model.bin", "wb") as out:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
        out.flush()
        os.fsync(out.fileno())
    expected = sum(p.stat().st_size for p in parts)
    if (directory / "model.bin").stat().st_size != expected:
        raise JoinError(f"Joined model.bin is not {expected} bytes; is the disk full?")
    for path in others:
        shutil.copyfile(path, directory / path.name)


def base_model_dir(cache_dir: Path | None = None) -> Path:
    """The joined Whisper base directory, made on first use."""
    parts, others = whisper_base_files()
    cache_dir = cache_dir or default_cache_dir()
    dest = cache_dir / cached_name(parts)
    if (dest / "model.bin").exists():
        return dest
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=cache_dir))
    try:
        _join_into(tmp, parts, others)
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache may be shared
        try:
            os.rename(tmp, dest)
        except OSError:
            # Another process finished first (rename onto a non-empty directory fails): use its.
            if not (dest / "model.bin").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("stt: joined whisper base in %.1fs -> %s", time.perf_counter() - started, dest)
    return dest
