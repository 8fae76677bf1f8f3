"""Helpers shared by the agent worker tests that run a session on the scripted server."""

import asyncio
import time

from agents.worker.interviewer import InterviewBrief

BRIEF = InterviewBrief(
    interview_id=None,
    candidate_name="Grace",
    role_title="Backend engineer",
    job_description="",
    resume={},
    max_duration_minutes=10,
    persona="You are Alex.",
)


async def until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
