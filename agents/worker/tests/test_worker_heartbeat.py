"""The agent's heartbeat while an interview is live, through a database that may not answer."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError, connections

from agents import services
from agents.models import Interview
from agents.selectors import interview_llm_base_url
from agents.worker.heartbeat import heartbeat
from providers import llm_slots


@pytest.fixture
def live_interview(transactional_db, scheduled_interview, settings):
    settings.AGENT_HEARTBEAT_SECONDS = 0.05
    interview, _secret = scheduled_interview
    services.interview_mark_live(interview_id=interview.pk)
    return interview


async def beats_of(interview, *, count):
    """The distinct heartbeat times stored while the loop ran for `count` beats' worth."""
    seen = set()
    task = asyncio.create_task(heartbeat(interview.pk))
    try:
        for _ in range(200):
            value = await database_sync_to_async(
                lambda: Interview.objects.get(pk=interview.pk).agent_heartbeat_at
            )()
            if value is not None:
                seen.add(value)
            if len(seen) >= count:
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await database_sync_to_async(connections.close_all)()
    return seen


async def test_it_beats_again_and_again_while_the_interview_is_live(live_interview):
    assert len(await beats_of(live_interview, count=3)) == 3


async def test_a_database_error_is_logged_and_the_next_beat_goes_through(
    live_interview, monkeypatch, caplog
):
    real = services.interview_heartbeat
    failures = {"left": 2}

    def flaky(**kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(services, "interview_heartbeat", flaky)

    assert len(await beats_of(live_interview, count=2)) == 2
    assert failures["left"] == 0
    assert "heartbeat not stored (server closed the connection unexpectedly)" in caplog.text


async def test_the_interview_counts_as_live_on_its_model_server_until_the_beat_stops(
    live_interview,
):
    base_url = await database_sync_to_async(interview_llm_base_url)(live_interview.pk)
    assert base_url
    task = asyncio.create_task(heartbeat(live_interview.pk))
    try:
        for _ in range(200):
            if await asyncio.to_thread(llm_slots.live_count, base_url=base_url):
                break
            await asyncio.sleep(0.02)
        assert await asyncio.to_thread(llm_slots.live_count, base_url=base_url) == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await database_sync_to_async(connections.close_all)()
    # Batch work need not wait for the mark to expire.
    assert await asyncio.to_thread(llm_slots.live_count, base_url=base_url) == 0
