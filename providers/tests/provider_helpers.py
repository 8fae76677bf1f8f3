"""Profiles pointing at the scriptable fake server, shared by the provider tests."""

from providers.checks import SPOKEN_SENTENCE
from providers.models import ProviderProfile
from providers.services import profile_default_values
from tests.fake_openai import Reply

LLM_KEY = "sk-llm-0123456789abcdef"
STT_KEY = "sk-stt-0123456789abcdef"
TTS_KEY = "sk-tts-0123456789abcdef"
TAVUS_KEY = "tvs-0123456789abcdef"
ALL_KEYS = (LLM_KEY, STT_KEY, TTS_KEY, TAVUS_KEY)


def fake_profile_values(fake, **overrides):
    values = {
        "llm_base_url": fake.url,
        "llm_model": "fake-model",
        "llm_api_key": LLM_KEY,
        "stt_base_url": fake.url,
        "stt_model": "fake-model",
        "stt_api_key": STT_KEY,
        "tts_base_url": fake.url,
        "tts_model": "fake-model",
        "tts_voice": "fake-voice",
        "tts_api_key": TTS_KEY,
        "tts_response_format": "pcm",
    }
    values.update(overrides)
    return values


def healthy_fake(fake):
    """Make the fake answer every check correctly: JSON for JSON mode, the spoken words back."""
    fake.defaults["transcriptions"] = Reply(json={"text": SPOKEN_SENTENCE})
    fake.script(
        "chat", Reply(content="Hello! Nice to meet you."), Reply(content='{"greeting": "hello"}')
    )
    return fake


def make_fake_profile(fake, name="Fake server", **overrides):
    return ProviderProfile.objects.create(name=name, **fake_profile_values(fake, **overrides))


def scripted_profile(base_url, *, name="Scripted"):
    """An unsaved profile with every service on one OpenAI-compatible server."""
    profile = ProviderProfile(name=name, **profile_default_values(models_url="http://x"))
    return use_one_server(profile, base_url)


def use_one_server(profile, base_url):
    """Point the profile's speech-to-text, language model and speech at one server."""
    for service in ("llm", "stt", "tts"):
        setattr(profile, f"{service}_base_url", base_url)
    return profile
