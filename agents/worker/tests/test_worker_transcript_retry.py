"""Turns said while the database is away are kept, retried and stored in order."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError, connections

from agents import transcripts
from agents.models import TranscriptSegment
from agents.worker import recorder as recorder_module
from agents.worker.recorder import InterviewRecorder


@pytest.fixture
def fast_retries(monkeypatch):
    monkeypatch.setattr(recorder_module, "WRITE_RETRY_FIRST_DELAY", 0.05)
    monkeypatch.setattr(recorder_module, "WRITE_RETRY_MAX_DELAY", 0.2)


async def test_turns_written_while_the_database_is_down_arrive_in_order(
    transactional_db, scheduled_interview, fast_retries, monkeypatch
):
    interview, _secret = scheduled_interview
    real_append = transcripts.transcript_append
    outage = {"failures_left": 4}

    def flaky_append(**kwargs):
        if outage["failures_left"]:
            outage["failures_left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real_append(**kwargs)

    monkeypatch.setattr(transcripts, "transcript_append", flaky_append)
    recorder = InterviewRecorder(interview.pk)

    recorder._spawn(recorder.append("agent", "Hello Grace."))
    recorder._spawn(recorder.append("candidate", "Hello."))
    recorder._spawn(recorder.append("agent", "Tell me about COBOL."))
    await asyncio.wait_for(recorder.drain(), 30)

    stored = await database_sync_to_async(
        lambda: list(
            TranscriptSegment.objects.filter(interview=interview)
            .order_by("seq")
            .values_list("seq", "speaker", "text")
        )
    )()
    await database_sync_to_async(connections.close_all)()
    assert outage["failures_left"] == 0
    assert stored == [
        (1, "agent", "Hello Grace."),
        (2, "candidate", "Hello."),
        (3, "agent", "Tell me about COBOL."),
    ]


async def test_a_database_that_never_returns_gives_up_after_the_retry_window(
    transactional_db, scheduled_interview, fast_retries, monkeypatch, caplog
):
    interview, _secret = scheduled_interview
    monkeypatch.setattr(recorder_module, "WRITE_RETRY_FOR", 0.5)

    def down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(transcripts, "transcript_append", down)
    recorder = InterviewRecorder(interview.pk)

    recorder._spawn(recorder.append("candidate", "Hello."))
    await asyncio.wait_for(recorder.drain(), 10)

    assert "gave up storing a turn" in caplog.text
    assert "Hello." not in caplog.text


async def test_a_turns_latency_measured_while_the_database_is_down_is_stored_once_it_returns(
    transactional_db, scheduled_interview, fast_retries, monkeypatch
):
    interview, _secret = scheduled_interview
    real_record = transcripts.turn_metrics_record
    outage = {"failures_left": 3}

    def flaky_record(**kwargs):
        if outage["failures_left"]:
            outage["failures_left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real_record(**kwargs)

    monkeypatch.setattr(transcripts, "turn_metrics_record", flaky_record)
    recorder = InterviewRecorder(interview.pk)

    recorder._spawn(
        recorder._record_turn(
            {
                "interview_id": interview.pk,
                "turn": 1,
                "end_of_utterance_delay": 0.5,
                "transcription_delay": 0.2,
                "llm_ttft": 0.3,
                "tts_ttfb": 0.1,
                "total_latency": 0.9,
            }
        )
    )
    await asyncio.wait_for(recorder.drain(), 30)

    stored = await database_sync_to_async(
        lambda: list(interview.turn_metrics.values_list("turn", "total_latency"))
    )()
    await database_sync_to_async(connections.close_all)()
    assert outage["failures_left"] == 0
    assert stored == [(1, pytest.approx(0.9))]
