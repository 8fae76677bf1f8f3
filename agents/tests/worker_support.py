"""Helpers shared by the agent worker tests that run a session on the scripted server."""

import asyncio
import time

from agents.interviewer import InterviewBrief
from dashboard.models import ProviderProfile
from dashboard.services import profile_default_values

BRIEF = InterviewBrief(
    interview_id=None,
    candidate_name="Grace",
    role_title="Backend engineer",
    job_description="",
    resume={},
    max_duration_minutes=10,
    persona="You are Alex.",
)


def scripted_profile(base_url, *, name="Scripted"):
    """An unsaved profile with every service on one OpenAI-compatible server."""
    profile = ProviderProfile(name=name, **profile_default_values(models_url="http://x"))
    return use_one_server(profile, base_url)


def use_one_server(profile, base_url):
    """Point the profile's speech-to-text, language model and speech at one server."""
    for service in ("llm", "stt", "tts"):
        setattr(profile, f"{service}_base_url", base_url)
    return profile


async def until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
