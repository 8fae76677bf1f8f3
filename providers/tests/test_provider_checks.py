"""Connection checks against the real embedded model server and a fault-injecting one."""

import logging
import socket

import pytest
from django.core.management import CommandError, call_command

from providers import checks
from providers.models import ProviderProfile
from providers.services import profile_activate, profile_default_values
from providers.tests.provider_helpers import (
    ALL_KEYS,
    LLM_KEY,
    TTS_KEY,
    fake_profile_values,
    healthy_fake,
)
from tests.fake_openai import Reply
from tests.processes import free_port


def by_key(results):
    return {result.key: result for result in results}


def unsaved(fake, **overrides):
    return ProviderProfile(name="probe", **fake_profile_values(fake, **overrides))


# --- the real embedded model server -----------------------------------------------


def test_every_check_passes_against_the_embedded_model_server(localmodels_url):
    profile = ProviderProfile(name="Embedded", **profile_default_values(models_url=localmodels_url))
    heard = []
    results = checks.run_checks(profile, on_result=heard.append)

    assert [r.key for r in results] == [
        "llm.models", "llm.chat", "llm.json", "tts.models", "tts.speech", "stt.models",
        "stt.transcription",
    ]  # fmt: skip
    assert heard == results
    failures = [(r.key, r.message) for r in results if r.status != checks.PASS]
    assert failures == []
    assert all(r.latency_ms is not None and r.latency_ms >= 0 for r in results)
    found = by_key(results)
    assert "smollm2-135m" in found["llm.models"].message
    assert "Valid JSON object" in found["llm.json"].message
    assert "s of pcm audio" in found["tts.speech"].message
    assert "Heard" in found["stt.transcription"].message


def test_verify_providers_prints_every_check_of_the_active_profile(db, localmodels_url, capsys):
    profile = ProviderProfile.objects.create(
        name="Embedded", **profile_default_values(models_url=localmodels_url)
    )
    profile_activate(profile=profile)

    call_command("verify_providers")

    out = capsys.readouterr().out
    assert 'Checking "Embedded"' in out
    assert out.count("PASS") == 7
    assert "LLM chat reply" in out and "speech-to-text transcription" in out
    assert "All 7 checks passed." in out


def test_the_tts_check_decodes_compressed_formats_from_the_embedded_server(localmodels_url):
    profile = ProviderProfile(
        name="Embedded",
        **profile_default_values(models_url=localmodels_url),
        tts_response_format="mp3",
    )
    result, audio = checks.check_tts_speech(profile)
    assert result.status == checks.PASS, result.message
    assert audio.duration > 0.5
    assert "mp3 audio (audio/mpeg)" in result.message


# --- faults injected by the fake server -------------------------------------------


def test_a_healthy_fake_server_passes_every_check(fake_openai):
    healthy_fake(fake_openai)
    results = checks.run_checks(unsaved(fake_openai))
    assert [(r.key, r.status) for r in results if r.status != checks.PASS] == []
    assert fake_openai.requests["chat"][0]["_authorization"] == f"Bearer {LLM_KEY}"
    assert fake_openai.requests["speech"][0]["input"] == checks.SPOKEN_SENTENCE
    # STT receives the very audio the TTS check produced, as WAV.
    assert fake_openai.requests["transcriptions"][0]["file"][:4] == b"RIFF"


def test_a_wrong_key_is_reported_as_a_401_without_the_key(fake_openai):
    fake_openai.script(
        "chat", Reply.error(401, f"Incorrect API key provided: {LLM_KEY}", "invalid_api_key")
    )
    result = checks.check_llm_chat(unsaved(fake_openai))
    assert result.status == checks.FAIL
    assert "rejected the API key (401)" in result.message
    assert fake_openai.url in result.message
    assert LLM_KEY not in result.message


def test_a_missing_key_is_named_when_the_server_wants_one(fake_openai):
    fake_openai.script("models", Reply.error(401, "Missing bearer token"))
    result = checks.check_models(unsaved(fake_openai, llm_api_key=""), "llm")
    assert "No key is stored for this service" in result.message


def test_an_unknown_model_is_named(fake_openai):
    fake_openai.script(
        "chat", Reply.error(404, "The model `qwen-14b` does not exist.", "model_not_found")
    )
    result = checks.check_llm_chat(unsaved(fake_openai, llm_model="qwen-14b"))
    assert result.status == checks.FAIL
    assert 'does not know the model "qwen-14b" (404)' in result.message


def test_a_404_without_a_model_points_at_the_base_url(fake_openai):
    fake_openai.script(
        "models", Reply(status=404, body=b"404: Not Found", content_type="text/plain")
    )
    result = checks.check_models(unsaved(fake_openai), "tts")
    assert result.status == checks.FAIL
    assert f"Nothing found at {fake_openai.url}/models (404)" in result.message
    assert "ends in /v1" in result.message


def test_a_server_error_shows_the_servers_message_but_no_secrets(fake_openai):
    fake_openai.script(
        "chat",
        Reply.error(500, f"CUDA out of memory (request had Authorization: Bearer {LLM_KEY})"),
    )
    result = checks.check_llm_chat(unsaved(fake_openai))
    assert result.status == checks.FAIL
    assert "failed with error 500" in result.message
    assert "CUDA out of memory" in result.message
    assert LLM_KEY not in result.message


def test_a_server_echoing_an_unknown_token_still_has_it_hidden(fake_openai):
    fake_openai.script("speech", Reply.error(503, "upstream said: api_key=sk-other-secret-value"))
    result, audio = checks.check_tts_speech(unsaved(fake_openai))
    assert result.status == checks.FAIL and audio is None
    assert "503" in result.message
    assert "sk-other-secret-value" not in result.message


def test_a_timeout_is_reported_with_its_seconds(fake_openai):
    fake_openai.script("chat", Reply(content="too late", delay=3))
    result = checks.check_llm_chat(unsaved(fake_openai), timeout=1)
    assert result.status == checks.FAIL
    assert f"No answer from {fake_openai.url}/chat/completions within 1 seconds" in result.message
    assert result.latency_ms >= 900  # it waited for the timeout, not a quick failure


def test_a_timeout_says_what_to_check_and_how_to_wait_longer(fake_openai):
    fake_openai.script("speech", Reply(body=b"late", delay=3))
    result, _audio = checks.check_tts_speech(unsaved(fake_openai), timeout=1)
    assert "Check that this is the text-to-speech server's address" in result.message
    assert "running and not busy" in result.message
    assert "python manage.py verify_providers --timeout 300" in result.message


def test_a_refused_connection_names_the_url_tried():
    url = f"http://127.0.0.1:{free_port()}/v1"
    profile = ProviderProfile(name="closed", **profile_default_values(models_url="http://x"))
    profile.llm_base_url = url
    result = checks.check_llm_chat(profile)
    assert result.status == checks.FAIL
    assert f"Connection refused at {url}/chat/completions" in result.message
    assert "Check that the server is running" in result.message


def test_a_dns_failure_names_the_host(monkeypatch):
    # Resolution fails locally, so nothing leaves the machine.
    def no_such_host(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    profile = ProviderProfile(name="dns", **profile_default_values(models_url="http://gpu-box"))
    result = checks.check_models(profile, "stt")
    assert result.status == checks.FAIL
    assert 'Could not find the host "gpu-box" (DNS lookup failed)' in result.message
    assert "http://gpu-box/api/stt/v1/models" in result.message


def test_garbage_audio_is_reported_as_undecodable_and_stt_is_skipped(fake_openai):
    fake_openai.script(
        "speech", Reply(body=b"definitely not an mp3 " * 40, content_type="audio/mpeg")
    )
    results = by_key(checks.run_checks(unsaved(fake_openai, tts_response_format="mp3")))
    speech = results["tts.speech"]
    assert speech.status == checks.FAIL
    assert "cannot be decoded" in speech.message
    assert "audio format setting (mp3)" in speech.message
    assert results["stt.transcription"].status == checks.SKIP
    assert "produced no audio" in results["stt.transcription"].message
    assert fake_openai.requests["transcriptions"] == []


def test_an_error_page_instead_of_audio_is_reported(fake_openai):
    fake_openai.script("speech", Reply(body=b"<html>Bad gateway</html>", content_type="text/html"))
    result, _ = checks.check_tts_speech(unsaved(fake_openai))
    assert result.status == checks.FAIL
    assert "answered with text/html instead of audio" in result.message


def test_empty_audio_fails(fake_openai):
    fake_openai.script("speech", Reply(body=b"", content_type="audio/pcm"))
    result, _ = checks.check_tts_speech(unsaved(fake_openai))
    assert result.status == checks.FAIL
    assert "no audio bytes" in result.message


def test_a_transcript_that_does_not_match_the_spoken_words_fails(fake_openai):
    fake_openai.script("transcriptions", Reply(json={"text": "Thanks for watching!"}))
    _, audio = checks.check_tts_speech(unsaved(fake_openai))
    result = checks.check_stt_transcription(unsaved(fake_openai), audio)
    assert result.status == checks.FAIL
    assert '"Thanks for watching!"' in result.message
    assert "only 0 of the words" in result.message


def test_an_empty_transcript_fails(fake_openai):
    fake_openai.script("transcriptions", Reply(json={"text": ""}))
    _, audio = checks.check_tts_speech(unsaved(fake_openai))
    result = checks.check_stt_transcription(unsaved(fake_openai), audio)
    assert result.status == checks.FAIL
    assert "No words came back for 1.0 s of speech" in result.message


def test_json_mode_that_returns_prose_fails_with_the_reply(fake_openai):
    fake_openai.script("chat", Reply(content="Sure! Here is a greeting: hello"))
    result = checks.check_llm_json(unsaved(fake_openai))
    assert result.status == checks.FAIL
    assert "not valid JSON" in result.message
    assert "Sure! Here is a greeting" in result.message
    assert fake_openai.requests["chat"][0]["response_format"] == {"type": "json_object"}
    assert fake_openai.requests["chat"][0]["max_tokens"] == 60


def test_the_chat_check_keeps_replies_short(fake_openai):
    checks.check_llm_chat(unsaved(fake_openai))
    sent = fake_openai.requests["chat"][0]
    assert sent["messages"] == [{"role": "user", "content": "Say hello"}]
    assert sent["max_tokens"] <= 16


def test_a_model_missing_from_the_list_is_mentioned(fake_openai):
    result = checks.check_models(unsaved(fake_openai, stt_model="large-v3"), "stt")
    assert result.status == checks.PASS
    assert '"large-v3" is not among them' in result.message


def test_verify_providers_exits_non_zero_when_a_check_fails(db, fake_openai, capsys):
    ProviderProfile.objects.create(name="Broken", **fake_profile_values(fake_openai))
    fake_openai.script("chat", Reply.error(401, "bad key"))
    with pytest.raises(CommandError, match="checks failed"):
        call_command("verify_providers", "--profile", "Broken")
    out = capsys.readouterr().out
    assert "FAIL" in out and "rejected the API key (401)" in out
    assert LLM_KEY not in out


def test_verify_providers_names_an_unknown_profile(db):
    with pytest.raises(CommandError, match='No profile is named "Nope"'):
        call_command("verify_providers", "--profile", "Nope")


def test_no_key_reaches_any_log_line(fake_openai, caplog):
    caplog.set_level(logging.DEBUG)
    fake_openai.script("chat", Reply.error(401, f"Incorrect API key provided: {LLM_KEY}"))
    fake_openai.script("speech", Reply.error(500, f"Authorization: Bearer {TTS_KEY}"))
    checks.run_checks(unsaved(fake_openai, tavus_api_key=ALL_KEYS[3]))
    assert caplog.records, "the SDK logs its requests at debug level"
    for key in ALL_KEYS:
        assert key not in caplog.text


@pytest.mark.parametrize(
    "payload, expected",
    [
        ({"voices": ["af_bella", "am_adam"]}, ["af_bella", "am_adam"]),
        (
            {"voices": [{"id": "af_bella", "name": "Bella"}, {"name": "am_adam"}]},
            ["af_bella", "am_adam"],
        ),
        ([{"voice_id": "af_bella", "model_id": "kokoro"}], ["af_bella"]),
        ({"object": "list", "data": [{"id": "joe"}]}, ["joe"]),
        (["alloy", "alloy", "echo"], ["alloy", "echo"]),
    ],
)
def test_voice_lists_of_every_known_shape_are_understood(fake_openai, payload, expected):
    fake_openai.script("voices", Reply(json=payload))
    found = checks.discover(unsaved(fake_openai), "tts")
    assert found["voices"] == expected
    assert found["models"] == ["fake-model"]
    assert found["errors"] == []
