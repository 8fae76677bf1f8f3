"""Server-wide behaviour: health, bearer key, 503 while loading, request ids."""

from __future__ import annotations

import httpx2 as httpx
import openai
import pytest
from aiohttp.test_utils import TestClient, TestServer

from localmodels.app import create_app
from localmodels.config import Settings
from localmodels.pytest_plugin import run_server


def test_health_reports_every_model_loaded(localmodels_url):
    resp = httpx.get(f"{localmodels_url}/health")
    assert resp.status_code == 200
    body = resp.json()
    assert body["ready"] is True
    assert {k: v["loaded"] for k, v in body["models"].items()} == {
        "stt": True,
        "tts": True,
        "llm": True,
    }


@pytest.mark.parametrize(
    "service, models",
    [
        ("stt", ["whisper-tiny.en", "whisper-base"]),
        ("tts", ["piper-en_US-joe-medium"]),
        ("llm", ["smollm2-135m"]),
    ],
)
def test_each_service_lists_its_models_in_openai_shape(localmodels_url, service, models):
    body = httpx.get(f"{localmodels_url}/api/{service}/v1/models").json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == models
    assert body["data"][0]["object"] == "model"


def test_responses_carry_a_request_id(localmodels_url):
    resp = httpx.get(f"{localmodels_url}/api/tts/v1/models")
    assert resp.headers["x-request-id"]


def test_unknown_paths_get_an_openai_shaped_404(localmodels_url):
    resp = httpx.get(f"{localmodels_url}/api/tts/v1/nothing-here")
    assert resp.status_code == 404
    assert set(resp.json()["error"]) == {"message", "type", "code", "param"}


@pytest.fixture(scope="module")
def keyed_url():
    # A second server with a key; TTS only, so it starts in a second or two.
    with run_server(env={"LOCALMODELS_API_KEY": "s3cret"}, extra_args=["--services", "tts"]) as url:
        yield url


def test_a_missing_key_gets_401(keyed_url):
    resp = httpx.get(f"{keyed_url}/api/tts/v1/models")
    assert resp.status_code == 401
    error = resp.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]


def test_a_wrong_key_gets_401_through_the_sdk(keyed_url):
    client = openai.OpenAI(base_url=f"{keyed_url}/api/tts/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        client.audio.speech.create(model="piper", voice="joe", input="Hello.")
    assert info.value.body["code"] == "invalid_api_key"


def test_the_right_key_is_accepted(keyed_url):
    client = openai.OpenAI(base_url=f"{keyed_url}/api/tts/v1", api_key="s3cret", max_retries=0)
    audio = client.audio.speech.create(
        model="piper", voice="joe", input="Hello.", response_format="wav"
    )
    assert audio.content.startswith(b"RIFF")
    assert httpx.get(f"{keyed_url}/health").status_code == 200  # health needs no key


@pytest.mark.asyncio
async def test_requests_get_503_while_models_are_still_loading():
    app = create_app(Settings(services=("tts", "stt")))
    app.on_startup.clear()  # never start loading: the models stay "pending"
    async with TestClient(TestServer(app)) as client:
        resp = await client.post(
            "/api/tts/v1/audio/speech", json={"model": "piper", "input": "Hello."}
        )
        assert resp.status == 503
        assert (await resp.json())["error"]["code"] == "model_loading"
        health = await client.get("/health")
        assert health.status == 503
        assert (await health.json())["ready"] is False
