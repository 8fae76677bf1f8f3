"""The AgentSession of one interview, built on the interview's profile."""

from urllib.parse import urlparse

from livekit.agents import AgentSession, APIConnectOptions, inference
from livekit.agents.voice.agent_session import SessionConnectOptions

from agents.worker.interviewer import InterviewState
from agents.worker.vocabulary import transcription_prompt
from providers.clients import agent_plugins

# Consecutive model failures (after the framework's own retries) before the interview fails.
MAX_FAILURES = 2
SERVICE_NAMES = {
    "llm_error": ("language model", "llm"),
    "stt_error": ("speech-to-text", "stt"),
    "tts_error": ("text-to-speech", "tts"),
}


def connect_options():
    """Retries per request (the framework's); our own failure budget is MAX_FAILURES."""
    return SessionConnectOptions(
        stt_conn_options=APIConnectOptions(max_retry=2, retry_interval=1.0, timeout=30.0),
        llm_conn_options=APIConnectOptions(max_retry=2, retry_interval=1.0, timeout=30.0),
        tts_conn_options=APIConnectOptions(max_retry=2, retry_interval=1.0, timeout=30.0),
        max_unrecoverable_errors=MAX_FAILURES + 1,
    )


def build_session(profile, *, vad, userdata, turn_detector=None):
    """An AgentSession on the profile's own models; nothing reaches a cloud service.

    Every component is a plugin object (a model string would go to LiveKit's
    cloud), transcription is prompted with the resume's and the job's vocabulary, the
    turn detector is the local v1-mini model and interruptions are
    detected by the VAD.
    """
    stt, llm, tts = agent_plugins(profile, stt_prompt=transcription_prompt(userdata.brief))
    # The VAD is loaded once per worker process and a process runs one interview at a time,
    # so setting this interview's silence on it does not reach another interview.
    vad.update_options(min_silence_duration=profile.vad_min_silence)
    if turn_detector is None:
        turn_detector = inference.TurnDetector(version="v1-mini")
    return AgentSession[InterviewState](
        stt=stt,
        llm=llm,
        tts=tts,
        vad=vad,
        userdata=userdata,
        turn_handling={
            "turn_detection": turn_detector,
            "endpointing": {
                # Dynamic: the delay follows this candidate's own mid-answer pauses.
                "mode": "dynamic" if profile.dynamic_endpointing else "fixed",
                "min_delay": profile.min_endpointing_delay,
                "max_delay": profile.max_endpointing_delay,
            },
            "interruption": {"enabled": profile.allow_interruptions, "mode": "vad"},
            # Off by default: a speculative request competes with the real one on a CPU.
            "preemptive_generation": {"enabled": profile.preemptive_generation},
        },
        conn_options=connect_options(),
    )


def describe_error(error, profile):
    """The plain-words reason stored on the interview; never includes a key."""
    label, service = SERVICE_NAMES.get(getattr(error, "type", ""), ("model", None))
    host = ""
    if service is not None and profile is not None:
        host = urlparse(profile.service_settings(service)[0]).netloc
    where = f" at {host}" if host else ""
    cause = getattr(error, "error", error)
    return f"The {label} service{where} stopped working: {cause}"
