import openai
import pytest

from tests.fake_openai import Reply


def client(fake):
    return openai.OpenAI(base_url=fake.url, api_key="k", max_retries=0)


def test_it_answers_chat_from_its_script_then_its_default(fake_openai):
    fake_openai.script("chat", Reply(content='{"a": 1}'))
    first = client(fake_openai).chat.completions.create(model="m", messages=[])
    second = client(fake_openai).chat.completions.create(model="m", messages=[])
    assert first.choices[0].message.content == '{"a": 1}'
    assert second.choices[0].message.content == "Hello from the scripted model."
    assert fake_openai.requests["chat"][0]["_authorization"] == "Bearer k"


def test_it_streams_chat_when_asked(fake_openai):
    fake_openai.script("chat", Reply(content="one two three"))
    stream = client(fake_openai).chat.completions.create(model="m", messages=[], stream=True)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == "one two three"


def test_it_returns_scripted_errors(fake_openai):
    fake_openai.script("models", Reply.error(401, "bad key"))
    with pytest.raises(openai.AuthenticationError):
        client(fake_openai).models.list()
