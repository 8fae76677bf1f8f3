"""The connection test names the known quirks of the servers teams run, and the fix."""

from providers import checks
from providers.models import ProviderProfile
from providers.tests.provider_helpers import fake_profile_values
from tests.fake_openai import Reply


def unsaved(fake, **overrides):
    return ProviderProfile(name="probe", **fake_profile_values(fake, **overrides))


def _cut_off_reply(content):
    return Reply(
        json={
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": "fake-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "length",
                }
            ],
        }
    )


def test_json_mode_that_loops_on_whitespace_is_named_with_its_fix(fake_openai):
    fake_openai.script("chat", _cut_off_reply("{" + "\n " * 40))

    result = checks.check_llm_json(unsaved(fake_openai))

    assert result.status == checks.FAIL
    assert "ran to the token limit on whitespace" in result.message
    assert "json_schema" in result.message


def test_json_cut_off_mid_text_is_not_called_a_whitespace_loop(fake_openai):
    fake_openai.script("chat", _cut_off_reply('{"greeting": "hello, and welcome to'))

    result = checks.check_llm_json(unsaved(fake_openai))

    assert "cut off at the token limit" in result.message
    assert "whitespace" not in result.message


def test_raw_pcm_sent_for_another_format_says_to_choose_pcm(fake_openai):
    fake_openai.script("speech", Reply(body=b"\x10\x00\xf0\xff" * 6000, content_type="audio/wav"))

    result, audio = checks.check_tts_speech(unsaved(fake_openai, tts_response_format="wav"))

    assert result.status == checks.FAIL
    assert audio is None
    assert "raw PCM stream" in result.message
    assert "Set the audio format to PCM" in result.message


def test_a_server_without_the_http_transcription_endpoint_is_called_realtime_only(fake_openai):
    _, audio = checks.check_tts_speech(unsaved(fake_openai))
    fake_openai.script(
        "transcriptions", Reply(status=404, body=b"404: Not Found", content_type="text/plain")
    )

    result = checks.check_stt_transcription(unsaved(fake_openai), audio)

    assert result.status == checks.FAIL
    assert "realtime-only" in result.message
    assert "/audio/transcriptions" in result.message


def test_words_heard_on_silence_are_reported_beside_a_passing_transcription(fake_openai):
    _, audio = checks.check_tts_speech(unsaved(fake_openai))
    fake_openai.script(
        "transcriptions",
        Reply(json={"text": "Hello, this is a quick test of the interview voice."}),
        Reply(json={"text": "Thank you."}),
    )

    result = checks.check_stt_transcription(unsaved(fake_openai), audio)

    assert result.status == checks.PASS
    assert 'on a second of silence it heard "Thank you."' in result.message
    assert "VAD filter" in result.message


def test_a_server_that_hears_nothing_in_silence_gets_no_warning(fake_openai):
    _, audio = checks.check_tts_speech(unsaved(fake_openai))
    fake_openai.script(
        "transcriptions",
        Reply(json={"text": "Hello, this is a quick test of the interview voice."}),
        Reply(json={"text": ""}),
    )

    result = checks.check_stt_transcription(unsaved(fake_openai), audio)

    assert result.status == checks.PASS
    assert "silence" not in result.message


def test_an_ollama_address_is_recognised_by_its_port_or_host():
    assert checks.looks_like_ollama("http://127.0.0.1:11434/v1")
    assert checks.looks_like_ollama("http://ollama:8080/v1")
    assert not checks.looks_like_ollama("http://127.0.0.1:8000/v1")


def test_a_server_that_is_not_ollama_gets_no_context_note(fake_openai):
    result = checks.check_llm_chat(unsaved(fake_openai))

    assert result.status == checks.PASS
    assert "num_ctx" not in result.message
