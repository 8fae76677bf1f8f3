"""The LLM endpoint, driven with the official openai SDK."""

from __future__ import annotations

import json

import httpx2 as httpx
import openai
import pytest

MODEL = "smollm2-135m"


@pytest.fixture(scope="module")
def client(localmodels_url):
    return openai.OpenAI(base_url=f"{localmodels_url}/api/llm/v1", api_key="unused", max_retries=0)


def test_it_answers_a_chat_question(client):
    reply = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        max_tokens=40,
    )
    assert reply.choices[0].message.role == "assistant"
    assert reply.choices[0].message.content.strip()
    assert reply.usage.completion_tokens > 0
    assert reply.model == MODEL


def test_it_streams_an_answer_in_several_chunks(client):
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Tell me a short story about a cat."}],
        max_tokens=40,
        stream=True,
    )
    pieces = [
        c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content
    ]
    assert len(pieces) > 5
    assert "".join(pieces).strip()


def test_json_mode_answer_parses_as_json(client):
    reply = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You answer with a JSON object."},
            {"role": "user", "content": "Give the name and age of a person called Bob who is 30."},
        ],
        response_format={"type": "json_object"},
        max_tokens=200,
        temperature=0,
    )
    parsed = json.loads(reply.choices[0].message.content)
    assert isinstance(parsed, dict)


def test_max_tokens_caps_the_answer(client):
    reply = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Write a long essay about the sea."}],
        max_tokens=5,
    )
    assert reply.usage.completion_tokens <= 5
    assert reply.choices[0].finish_reason == "length"


def test_a_stop_sequence_ends_the_answer(client):
    reply = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "user", "content": "Count from one to ten in words, separated by commas."}
        ],
        max_tokens=60,
        stop=[","],
        temperature=0,
    )
    assert "," not in reply.choices[0].message.content
    assert reply.choices[0].finish_reason == "stop"


def test_model_names_are_matched_leniently(client):
    for name in (
        "HuggingFaceTB/SmolLM2-135M-Instruct",
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "SMOLLM2-135M",
    ):
        reply = client.chat.completions.create(
            model=name, messages=[{"role": "user", "content": "Hi"}], max_tokens=3
        )
        assert reply.model == MODEL


def test_an_unknown_model_gets_an_openai_shaped_404(client):
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
    error = info.value.body
    assert error["code"] == "model_not_found"
    assert error["param"] == "model"
    assert "gpt-4o" in error["message"]


def test_models_lists_the_loaded_llm(client):
    ids = [m.id for m in client.models.list()]
    assert ids == [MODEL]


def test_other_llama_endpoints_are_proxied(localmodels_url):
    resp = httpx.post(
        f"{localmodels_url}/api/llm/v1/completions",
        json={"model": MODEL, "prompt": "The sky is", "max_tokens": 4},
    )
    assert resp.status_code == 200
    assert resp.json()["choices"][0]["text"]
