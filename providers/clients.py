"""The one seam for outbound model calls.

Every OpenAI-compatible client in the product is built here from a provider
profile, so timeouts, retries and key handling live in one place: the `openai`
SDK clients for the web app and Celery tasks, and the livekit-plugins-openai
objects for the agent worker.
"""

import httpx2 as httpx  # openai 3.x ships its HTTP client as httpx2
import openai

# Self-hosted servers often run without authentication, but the SDK insists on a key.
NO_KEY = "no-key"

# Connect fast-fails a wrong host; reads may be slow on CPU-only servers.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)


def _client_kwargs(profile, service, timeout, max_retries):
    base_url, _model, api_key = profile.service_settings(service)
    return {
        "base_url": base_url,
        "api_key": api_key or NO_KEY,
        "timeout": DEFAULT_TIMEOUT if timeout is None else timeout,
        "max_retries": max_retries,
    }


def openai_client(profile, service, *, timeout=None, max_retries=0):
    """A synchronous `openai.OpenAI` client for one service of a profile.

    Retries are off by default: callers (Celery tasks) own their retry policy.
    """
    return openai.OpenAI(**_client_kwargs(profile, service, timeout, max_retries))


def async_openai_client(profile, service, *, timeout=None, max_retries=0):
    return openai.AsyncOpenAI(**_client_kwargs(profile, service, timeout, max_retries))


def agent_plugins(profile, *, stt_prompt=None):
    """The STT, LLM and TTS objects for an AgentSession, from a profile snapshot.

    STT is the non-streaming HTTP transcription endpoint (self-hosted servers
    have no realtime websocket); the session wraps it with a VAD. `stt_prompt` goes
    with every transcription request (the words the speaker is likely to say).
    """
    from livekit.plugins import openai as lk_openai

    stt = lk_openai.STT(
        base_url=profile.stt_base_url,
        api_key=profile.stt_api_key or NO_KEY,
        model=profile.stt_model,
        language=profile.stt_language,
        use_realtime=False,
        **({"prompt": stt_prompt} if stt_prompt else {}),
    )
    llm = lk_openai.LLM(
        base_url=profile.llm_base_url,
        api_key=profile.llm_api_key or NO_KEY,
        model=profile.llm_model,
        temperature=profile.llm_temperature,
        max_completion_tokens=profile.llm_max_tokens,
        timeout=DEFAULT_TIMEOUT,
    )
    tts = lk_openai.TTS(
        base_url=profile.tts_base_url,
        api_key=profile.tts_api_key or NO_KEY,
        model=profile.tts_model,
        voice=profile.tts_voice,
        speed=profile.tts_speed,
        response_format=profile.tts_response_format,
    )
    return stt, llm, tts
