"""LOCALMODELS_LLM_QUANT / LOCALMODELS_LLM_GGUF: the shipped Q4_1 GGUF re-quantised once into a
cache, atomically, and served from there."""

from __future__ import annotations

import json
import os
from pathlib import Path

import gguf
import httpx2 as httpx
import numpy as np
import pytest
from gguf import quants

from localmodels import quant
from localmodels.assets import smollm2_gguf
from localmodels.pytest_plugin import run_server
from localmodels.tests.test_llm_json import CONNECTION_CHECK

Q = gguf.GGMLQuantizationType


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def q8_0(cache) -> Path:
    return quant.ensure(smollm2_gguf(), "q8_0", cache)


def fields(reader) -> dict:
    return {
        f.name: f.contents()
        for f in reader.fields.values()
        if not f.name.startswith("GGUF.") and f.name != "general.file_type"
    }


def test_the_shipped_format_is_served_as_it_is(tmp_path):
    assert quant.ensure(smollm2_gguf(), "q4_1", tmp_path) == smollm2_gguf()
    assert list(tmp_path.iterdir()) == []


def test_q8_0_conversion_requantises_the_q4_1_weights_and_keeps_the_rest(q8_0):
    source, converted = gguf.GGUFReader(smollm2_gguf()), gguf.GGUFReader(q8_0)
    assert converted.get_field("general.file_type").contents() == gguf.LlamaFileType.MOSTLY_Q8_0
    assert fields(converted) == fields(source)
    assert [t.name for t in converted.tensors] == [t.name for t in source.tensors]
    for old, new in zip(source.tensors, converted.tensors, strict=True):
        assert list(new.shape) == list(old.shape), old.name
        expected = Q.Q8_0 if old.tensor_type == Q.Q4_1 else old.tensor_type
        assert new.tensor_type == expected, old.name
        before = quants.dequantize(np.asarray(old.data), old.tensor_type)
        after = quants.dequantize(np.asarray(new.data), new.tensor_type)
        # Q8_0: 8-bit steps of each 32-value block's largest magnitude
        scale = np.abs(before).max() or 1.0
        assert np.abs(after - before).max() <= scale / 127, old.name


def test_q4_0_conversion_gives_q4_0_weights(tmp_path):
    path = quant.ensure(smollm2_gguf(), "q4_0", tmp_path)
    reader = gguf.GGUFReader(path)
    types = {t.tensor_type for t in reader.tensors}
    assert Q.Q4_1 not in types and Q.Q4_0 in types
    assert reader.get_field("general.file_type").contents() == gguf.LlamaFileType.MOSTLY_Q4_0


def test_the_conversion_is_done_once_and_leaves_no_temporary_file(cache, q8_0):
    stamp = q8_0.stat().st_mtime_ns
    assert quant.ensure(smollm2_gguf(), "q8_0", cache) == q8_0
    assert q8_0.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in cache.iterdir()) == [q8_0.name]


def test_a_failed_conversion_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken(source, dest, quant_name):
        Path(dest).write_bytes(b"GGUF half-written")
        raise OSError("disk full")

    monkeypatch.setattr(quant, "convert", broken)
    with pytest.raises(OSError, match="disk full"):
        quant.ensure(smollm2_gguf(), "q8_0", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_is_refused():
    with pytest.raises(quant.QuantError, match="q4_1, q8_0, q4_0"):
        quant.ensure(smollm2_gguf(), "q2_k", Path("/nonexistent"))


def test_the_cache_dir_defaults_under_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("LOCALMODELS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert quant.default_cache_dir() == tmp_path / "interview-platform" / "models"
    monkeypatch.setenv("LOCALMODELS_CACHE_DIR", "/srv/models")
    assert quant.default_cache_dir() == Path("/srv/models")


def test_the_server_runs_a_given_gguf_in_the_given_format(q8_0, tmp_path):
    env = {
        "LOCALMODELS_API_KEY": "",
        "LOCALMODELS_LLM_GGUF": str(q8_0),
        "LOCALMODELS_LLM_QUANT": "q8_0",
        "LOCALMODELS_CACHE_DIR": str(tmp_path),
        "LOCALMODELS_LLM_PARALLEL": "1",
    }
    with run_server(env=env, extra_args=["--services", "llm"]) as url:
        llm = httpx.get(f"{url}/health").json()["models"]["llm"]
        assert (llm["quant"], llm["file"]) == ("q8_0", q8_0.name)
        reply = httpx.post(
            f"{url}/api/llm/v1/chat/completions",
            json={"model": "smollm2-135m", **CONNECTION_CHECK},
            timeout=60,
        ).json()
    assert json.loads(reply["choices"][0]["message"]["content"]) == {"greeting": "hello"}
    assert os.listdir(tmp_path) == []  # already q8_0: nothing converted
