import logging

import pytest
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.db import transaction

from agents import transcripts
from agents.models import TranscriptSegment, TurnMetrics
from agents.tests.transcript_support import make_interview
from agents.transcripts import (
    agent_state_broadcast,
    transcript_append,
    transcript_broadcast_interim,
    turn_metrics_record,
)
from tests.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def interview():
    return make_interview()


@pytest.fixture
def redis_down(monkeypatch):
    """The channel layer points at a port where nothing listens."""
    dead = RedisPubSubChannelLayer(hosts=[f"redis://127.0.0.1:{free_port()}/0"])
    monkeypatch.setattr(transcripts, "get_channel_layer", lambda: dead)


def test_segments_are_numbered_from_one_per_interview(interview):
    other = make_interview()
    first = transcript_append(interview_id=interview.pk, speaker="agent", text="Hi, I'm Alex.")
    transcript_append(interview_id=other.pk, speaker="agent", text="Hello.")
    second = transcript_append(
        interview_id=interview.pk, speaker="candidate", text="Hi Alex", interrupted=True
    )
    assert (first.seq, second.seq) == (1, 2)
    stored = TranscriptSegment.objects.get(interview=interview, seq=2)
    assert stored.text == "Hi Alex"
    assert stored.interrupted is True


def test_an_unknown_speaker_is_refused(interview):
    with pytest.raises(ValueError, match="speaker"):
        transcript_append(interview_id=interview.pk, speaker="narrator", text="...")
    assert not TranscriptSegment.objects.exists()


def test_a_segment_is_kept_when_redis_is_down(interview, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="agents.transcripts"):
        segment = transcript_append(
            interview_id=interview.pk, speaker="candidate", text="Still here"
        )
        transcript_broadcast_interim(interview_id=interview.pk, speaker="candidate", text="Sti")
        agent_state_broadcast(interview_id=interview.pk, state="thinking")
    assert TranscriptSegment.objects.get(pk=segment.pk).text == "Still here"
    assert "not delivered" in caplog.text


def test_the_broadcast_waits_for_the_commit(interview):
    layer = get_channel_layer()
    sent = []
    original = layer.group_send

    async def record(group, message):
        sent.append(message)
        await original(group, message)

    layer.group_send = record
    try:
        with transaction.atomic():
            transcript_append(interview_id=interview.pk, speaker="agent", text="Welcome")
            assert sent == []
        assert [m["text"] for m in sent] == ["Welcome"]

        with pytest.raises(RuntimeError), transaction.atomic():
            transcript_append(interview_id=interview.pk, speaker="agent", text="Rolled back")
            raise RuntimeError
        assert len(sent) == 1
    finally:
        del layer.group_send


def test_interim_captions_are_never_stored(interview):
    transcript_broadcast_interim(interview_id=interview.pk, speaker="candidate", text="I have wor")
    assert not TranscriptSegment.objects.exists()


def test_the_stored_parts_of_a_wait_add_up_to_the_measured_wait(interview):
    turn_metrics_record(
        interview_id=interview.pk,
        turn=1,
        total_latency=2.0,
        end_of_utterance_delay=0.5,
        transcription_delay=0.25,
        llm_ttft=0.5,
        tts_ttfb=0.25,
    )
    metrics = TurnMetrics.objects.get(interview=interview, turn=1)
    assert metrics.total_latency == 2.0
    assert metrics.other_delay == pytest.approx(0.75)
    assert metrics.transcription_delay == 0.25
