"""The worker stores each committed turn of the conversation as the interview's transcript."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from django.db import connections
from livekit.agents import AgentSession

from agents.models import TranscriptSegment
from agents.worker.entrypoint import load_interview
from agents.worker.interviewer import Interviewer, InterviewState
from agents.worker.recorder import InterviewRecorder
from providers.clients import agent_plugins
from tests.fake_openai import Reply


@pytest.fixture
def stored_interview(transactional_db, scheduled_interview, fake_openai):
    interview, _secret = scheduled_interview
    brief, profile = load_interview(interview.pk)
    profile.llm_base_url = fake_openai.url
    return interview, brief, profile


async def test_each_committed_turn_is_stored_in_order(stored_interview, fake_openai):
    interview, brief, profile = stored_interview
    fake_openai.script("chat", Reply(content="Thanks. What did the A-0 compiler do?"))
    recorder = InterviewRecorder(interview.pk)
    _stt, llm, _tts = agent_plugins(profile)

    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        recorder.attach(session)
        await session.start(Interviewer(brief), capture_run=True)
        await session.run(user_input="I worked at Remington Rand.")
        await recorder.drain()

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        segments = await database_sync_to_async(
            lambda: list(
                TranscriptSegment.objects.filter(interview=interview).values_list(
                    "seq", "speaker", "text"
                )
            )
        )()
        if len(segments) >= 3:
            break
        await asyncio.sleep(0.1)
    # The worker's database connection lives in the thread sync code runs in; close it.
    await database_sync_to_async(connections.close_all)()
    assert [(seq, speaker) for seq, speaker, _text in segments] == [
        (1, "agent"),
        (2, "candidate"),
        (3, "agent"),
    ]
    assert segments[0][2].startswith("Hello Grace Hopper, thank you for joining.")
    assert segments[1][2] == "I worked at Remington Rand."
    assert segments[2][2] == "Thanks. What did the A-0 compiler do?"


async def test_each_turn_keeps_when_it_was_said_not_when_it_was_stored(
    stored_interview, fake_openai
):
    interview, brief, profile = stored_interview
    fake_openai.script("chat", Reply(content="Glad you are here. What do you work on now?"))
    recorder = InterviewRecorder(interview.pk)
    _stt, llm, _tts = agent_plugins(profile)

    before = time.time()
    async with llm, AgentSession(llm=llm, userdata=InterviewState(brief=brief)) as session:
        recorder.attach(session)
        await session.start(Interviewer(brief), capture_run=True)
        await asyncio.sleep(1.1)
        await session.run(user_input="Happy to be here.")
        await recorder.drain()

    rows = await database_sync_to_async(
        lambda: list(
            TranscriptSegment.objects.filter(interview=interview)
            .order_by("seq")
            .values_list("speaker", "started_at", "created_at")
        )
    )()
    await database_sync_to_async(connections.close_all)()
    assert [speaker for speaker, _, _ in rows] == ["agent", "candidate", "agent"]
    started = [at for _, at, _ in rows]
    assert all(at is not None and at.timestamp() >= before for at in started)
    # The greeting and the answer a second later no longer share one timestamp.
    assert started[1].timestamp() - started[0].timestamp() >= 1.0
    assert started == sorted(started)
