"""The TTS endpoint, driven with the official openai SDK (and raw HTTP for the SSE form)."""

from __future__ import annotations

import base64
import json

import httpx2 as httpx
import openai
import pytest

from .helpers import decode, duration_of

TEXT = (
    "Thank you for joining us today, and welcome to the interview. Tell me about your last project."
)
CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
    "opus": "audio/opus",
    "flac": "audio/flac",
    "aac": "audio/aac",
}


@pytest.fixture(scope="module")
def client(localmodels_url):
    return openai.OpenAI(base_url=f"{localmodels_url}/api/tts/v1", api_key="unused", max_retries=0)


def speak(client, **kw) -> tuple[bytes, str]:
    params = {"model": "piper", "voice": "joe", "input": TEXT, **kw}
    with client.audio.speech.with_streaming_response.create(**params) as resp:
        return resp.read(), resp.headers["content-type"]


@pytest.mark.parametrize("fmt", ["mp3", "wav", "pcm", "opus", "flac", "aac"])
def test_speech_in_each_format_decodes_to_audio_of_plausible_duration(client, fmt):
    data, content_type = speak(client, response_format=fmt)
    assert content_type == CONTENT_TYPES[fmt]
    seconds = duration_of(data, fmt)
    # ~17 words spoken at a normal pace: roughly 4-8 seconds
    assert 3.0 < seconds < 10.0, seconds
    if fmt != "pcm":
        samples, rate = decode(data)
        assert rate == (48000 if fmt == "opus" else 24000)  # opus always decodes at 48 kHz
        assert abs(samples.astype(float)).max() > 1000  # not silence


def test_pcm_is_24khz_16bit_mono_without_header(client):
    data, _ = speak(client, response_format="pcm", input="Hello there.")
    assert not data.startswith(b"RIFF")
    assert len(data) % 2 == 0
    assert 0.4 < len(data) / 2 / 24000 < 3.0


def test_higher_speed_gives_shorter_speech(client):
    # Piper draws each phoneme's length at random and keeps the pauses around sentences,
    # so 2x speed is not half the audio; 4x the speed (0.5 to 2.0) leaves a wide margin.
    slow = duration_of(speak(client, response_format="pcm", speed=0.5)[0], "pcm")
    fast = duration_of(speak(client, response_format="pcm", speed=2.0)[0], "pcm")
    assert fast < slow * 0.6


def test_sse_form_sends_base64_audio_deltas_then_done(localmodels_url):
    with httpx.stream(
        "POST",
        f"{localmodels_url}/api/tts/v1/audio/speech",
        json={
            "model": "piper",
            "voice": "joe",
            "input": TEXT,
            "response_format": "pcm",
            "stream_format": "sse",
        },
        timeout=60,
    ) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in resp.iter_lines() if line.startswith("data: ")]
    deltas = [e for e in events if e["type"] == "speech.audio.delta"]
    assert len(deltas) >= 2  # streamed piece by piece, not in one go
    assert events[-1]["type"] == "speech.audio.done"
    audio = b"".join(base64.b64decode(e["audio"]) for e in deltas)
    assert 3.0 < len(audio) / 2 / 24000 < 10.0


def test_voices_are_listed(localmodels_url):
    body = httpx.get(f"{localmodels_url}/api/tts/v1/audio/voices").json()
    assert "joe" in body["voices"]


@pytest.mark.parametrize(
    "params, bad_param",
    [
        ({"input": ""}, "input"),
        ({"input": "   "}, "input"),
        ({"response_format": "ogg"}, "response_format"),
        ({"speed": 5.0}, "speed"),
        ({"speed": 0.1}, "speed"),
        ({"voice": "nobody"}, "voice"),
    ],
)
def test_bad_parameters_get_an_openai_shaped_400(client, params, bad_param):
    with pytest.raises(openai.BadRequestError) as info:
        speak(client, **params)
    assert info.value.status_code == 400
    assert info.value.body["param"] == bad_param
    assert info.value.body["type"] == "invalid_request_error"
    assert info.value.body["message"]


def test_an_unknown_model_gets_404(client):
    with pytest.raises(openai.NotFoundError) as info:
        speak(client, model="eleven-multilingual-v2")
    assert info.value.body["code"] == "model_not_found"


def test_models_lists_the_voice_model(client):
    assert [m.id for m in client.models.list()] == ["piper-en_US-joe-medium"]
