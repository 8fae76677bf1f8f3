"""JSON mode on the embedded server: ``response_format {"type": "json_object"}`` becomes a bounded,
whitespace-free grammar; ``json_schema`` is left to llama.cpp."""

from __future__ import annotations

import json

import openai
import pytest

from localmodels.json_grammar import json_object_grammar
from localmodels.llm import LanguageModel, cap_tokens

MODEL = "smollm2-135m"

# The request dashboard/connection_checks.py:check_llm_json sends (copied, not imported).
CONNECTION_CHECK = {
    "messages": [
        {"role": "system", "content": "You answer with one JSON object and nothing else."},
        {
            "role": "user",
            "content": 'Reply with a JSON object: the key "greeting", the value "hello".',
        },
    ],
    "response_format": {"type": "json_object"},
    "max_tokens": 60,
    "temperature": 0,
}


@pytest.fixture(scope="module")
def client(localmodels_url):
    return openai.OpenAI(base_url=f"{localmodels_url}/api/llm/v1", api_key="unused", max_retries=0)


def test_the_connection_check_gets_a_json_object_20_times_out_of_20(client):
    failures = []
    for attempt in range(20):
        reply = client.chat.completions.create(model=MODEL, **CONNECTION_CHECK)
        choice = reply.choices[0]
        try:
            parsed = json.loads(choice.message.content)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or choice.finish_reason != "stop":
            failures.append((attempt, choice.finish_reason, choice.message.content))
    assert failures == []


def test_json_mode_answers_without_runs_of_whitespace_even_when_asked_for_indentation(client):
    for temperature in (0, 0.8):
        reply = client.chat.completions.create(
            model=MODEL,
            messages=[
                {
                    "role": "system",
                    "content": "You answer with a JSON object, pretty-printed with newlines and "
                    "an indentation of four spaces.",
                },
                {"role": "user", "content": "Describe a cat: its name, age and three toys."},
            ],
            response_format={"type": "json_object"},
            temperature=temperature,
        )
        text = reply.choices[0].message.content
        assert isinstance(json.loads(text), dict)
        assert "\n" not in text and "\t" not in text and "  " not in text, text
        assert reply.choices[0].finish_reason == "stop"


def test_json_schema_requests_still_follow_their_schema(client):
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
        "additionalProperties": False,
    }
    reply = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "user", "content": "Give the name and age of a person called Bob who is 30."}
        ],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "person", "schema": schema, "strict": True},
        },
        max_tokens=100,
        temperature=0,
    )
    parsed = json.loads(reply.choices[0].message.content)
    assert set(parsed) == {"name", "age"}
    assert isinstance(parsed["name"], str) and isinstance(parsed["age"], int)


def test_json_mode_request_is_rewritten_to_the_grammar_with_a_lower_cap():
    llm = LanguageModel(max_tokens=2048, json_max_tokens=512)
    payload = llm.prepare({"response_format": {"type": "json_object"}, "max_tokens": 100000})
    assert "response_format" not in payload
    assert payload["grammar"] == json_object_grammar()
    assert payload["max_tokens"] == 512
    schema_request = {
        "response_format": {"type": "json_schema", "json_schema": {"schema": {"type": "object"}}}
    }
    prepared = llm.prepare(json.loads(json.dumps(schema_request)))
    assert prepared["response_format"] == schema_request["response_format"]
    assert "grammar" not in prepared and prepared["max_tokens"] == 2048


@pytest.mark.parametrize(
    "payload, expected",
    [
        ({}, {"max_tokens": 300}),
        ({"max_tokens": 40}, {"max_tokens": 40}),
        ({"max_tokens": 5000}, {"max_tokens": 300}),
        ({"max_completion_tokens": 5000}, {"max_completion_tokens": 300}),
        ({"n_predict": -1}, {"n_predict": 300}),
        ({"max_tokens": 50, "n_predict": 9000}, {"max_tokens": 50, "n_predict": 50}),
    ],
)
def test_every_token_limit_field_is_capped(payload, expected):
    cap_tokens(payload, 300)
    assert payload == expected


def test_the_grammar_is_bounded_and_has_no_free_whitespace():
    grammar = json_object_grammar(depth=3, members=8, string_units=32)
    rules = dict(line.split(" ::= ", 1) for line in grammar.strip().splitlines())
    assert rules["root"] == "obj3"
    assert "obj4" not in rules and "arr3" not in rules  # the depth bound
    assert rules["sp"] == '" "?'  # the only whitespace between tokens: one optional space
    assert "{0,7}" in rules["obj3"] and "{0,32}" in rules["str"]
    assert not any(ws in grammar for ws in ("\\n", "\\t", "[ \\t", "ws"))
