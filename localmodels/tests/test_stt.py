"""The STT endpoint, driven with the official openai SDK."""

from __future__ import annotations

import httpx2 as httpx
import openai
import pytest

from .helpers import SENTENCE, espeak_wav, silence_wav, transcode, words_found

MODEL = "whisper-tiny.en"


@pytest.fixture(scope="module")
def client(localmodels_url):
    return openai.OpenAI(base_url=f"{localmodels_url}/api/stt/v1", api_key="unused", max_retries=0)


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory):
    return espeak_wav(tmp_path_factory.mktemp("stt") / "speech.wav")


def test_it_transcribes_espeak_speech(client, speech_wav):
    result = client.audio.transcriptions.create(
        model=MODEL, file=speech_wav.open("rb"), language="en"
    )
    assert len(words_found(result.text)) >= 3, result.text


def test_it_transcribes_speech_it_synthesised(localmodels_url, client):
    tts = openai.OpenAI(base_url=f"{localmodels_url}/api/tts/v1", api_key="unused", max_retries=0)
    with tts.audio.speech.with_streaming_response.create(
        model="piper", voice="joe", input=SENTENCE, response_format="mp3"
    ) as resp:
        mp3 = resp.read()
    result = client.audio.transcriptions.create(model=MODEL, file=("speech.mp3", mp3, "audio/mpeg"))
    assert len(words_found(result.text)) >= 3, result.text


@pytest.mark.parametrize(
    "name, container, codec, rate",
    [
        ("speech.ogg", "ogg", "libopus", 48000),
        ("speech.webm", "webm", "libopus", 48000),
        ("speech.flac", "flac", "flac", 22050),
        ("speech.mp3", "mp3", "libmp3lame", 22050),
    ],
)
def test_it_accepts_common_audio_containers(client, speech_wav, name, container, codec, rate):
    data = transcode(speech_wav, container, codec, rate)
    result = client.audio.transcriptions.create(model=MODEL, file=(name, data))
    assert len(words_found(result.text)) >= 3, result.text


def test_silence_does_not_produce_invented_words(client):
    result = client.audio.transcriptions.create(model=MODEL, file=("silence.wav", silence_wav(3.0)))
    assert result.text.strip() == ""


def test_text_response_format_is_plain_text(client, speech_wav):
    text = client.audio.transcriptions.create(
        model=MODEL, file=speech_wav.open("rb"), response_format="text"
    )
    assert isinstance(text, str)
    assert len(words_found(text)) >= 3


def test_verbose_json_has_duration_and_segments(client, speech_wav):
    result = client.audio.transcriptions.create(
        model=MODEL, file=speech_wav.open("rb"), response_format="verbose_json"
    )
    assert 3.0 < result.duration < 10.0
    assert result.segments and result.segments[0].end > result.segments[0].start
    assert len(words_found(result.text)) >= 3


def test_undecodable_audio_gets_an_openai_shaped_400(client):
    with pytest.raises(openai.BadRequestError) as info:
        client.audio.transcriptions.create(
            model=MODEL, file=("speech.wav", b"this is not audio" * 200)
        )
    assert info.value.body["param"] == "file"
    assert info.value.body["type"] == "invalid_request_error"


def test_an_empty_file_gets_400(client):
    with pytest.raises(openai.BadRequestError):
        client.audio.transcriptions.create(model=MODEL, file=("speech.wav", b""))


def test_an_unknown_model_gets_404(client, speech_wav):
    with pytest.raises(openai.NotFoundError) as info:
        client.audio.transcriptions.create(model="large-v3", file=speech_wav.open("rb"))
    assert info.value.body["code"] == "model_not_found"


def test_a_bad_response_format_gets_400(localmodels_url, speech_wav):
    resp = httpx.post(
        f"{localmodels_url}/api/stt/v1/audio/transcriptions",
        files={"file": ("speech.wav", speech_wav.read_bytes())},
        data={"model": MODEL, "response_format": "xml"},
    )
    assert resp.status_code == 400
    assert resp.json()["error"]["param"] == "response_format"


def test_an_upload_over_the_limit_gets_413(localmodels_url):
    too_big = b"\0" * (26 * 1024 * 1024)  # default limit is 25 MB
    resp = httpx.post(
        f"{localmodels_url}/api/stt/v1/audio/transcriptions",
        files={"file": ("big.wav", too_big)},
        data={"model": MODEL},
        timeout=60,
    )
    assert resp.status_code == 413
    assert set(resp.json()["error"]) == {"message", "type", "code", "param"}
