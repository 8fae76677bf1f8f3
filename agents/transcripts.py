"""The live transcript: stored turns, captions and agent state, pushed to open pages.

Every function is synchronous; the agent worker calls them through
`asgiref.sync.sync_to_async`. Stored data is written first and broadcast after
the transaction commits, and a broadcast failure is only logged: the database
is the record, the channel layer only saves a page from reloading. Pages that
reconnect ask for "everything after seq N" (see agents/consumers.py).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Max

from agents.models import Interview, TranscriptSegment, TurnMetrics

logger = logging.getLogger(__name__)

AGENT_STATES = ("initializing", "idle", "listening", "thinking", "speaking")


def interview_group(interview_id):
    return f"interview.{interview_id}"


def segment_message(segment):
    """What a page receives for one stored segment (also used for the backlog)."""
    return {
        "type": "segment",
        "seq": segment.seq,
        "speaker": segment.speaker,
        "text": segment.text,
        "interrupted": segment.interrupted,
        "started_at": _iso(segment.started_at),
        "ended_at": _iso(segment.ended_at or segment.created_at),
    }


def _iso(value):
    return value.isoformat() if value else None


def _group_send(interview_id, event):
    try:
        async_to_sync(get_channel_layer().group_send)(interview_group(interview_id), event)
    except Exception:
        logger.warning(
            "Live %s for interview %s not delivered", event["type"], interview_id, exc_info=True
        )


def _send_after_commit(interview_id, event):
    transaction.on_commit(lambda: _group_send(interview_id, event))


def transcript_append(
    *, interview_id, speaker, text, interrupted=False, started_at=None, ended_at=None
):
    """Store one committed turn as the interview's next segment, then broadcast it."""
    if speaker not in TranscriptSegment.Speaker.values:
        raise ValueError(f"Unknown speaker {speaker!r}.")
    with transaction.atomic():
        # The interview row lock serialises writers of one interview, so
        # max(seq) + 1 is never handed out twice and seqs have no holes.
        Interview.objects.select_for_update().only("pk").get(pk=interview_id)
        last = TranscriptSegment.objects.filter(interview_id=interview_id).aggregate(
            last=Max("seq")
        )["last"]
        segment = TranscriptSegment.objects.create(
            interview_id=interview_id,
            seq=(last or 0) + 1,
            speaker=speaker,
            text=text,
            interrupted=interrupted,
            started_at=started_at,
            ended_at=ended_at,
        )
        _send_after_commit(
            interview_id, {"type": "transcript.segment", **_without_type(segment_message(segment))}
        )
    return segment


def _without_type(message):
    return {key: value for key, value in message.items() if key != "type"}


def transcript_broadcast_interim(*, interview_id, speaker, text):
    """Live caption of speech not yet final; never stored."""
    _group_send(interview_id, {"type": "transcript.interim", "speaker": speaker, "text": text})


def agent_state_broadcast(*, interview_id, state):
    _group_send(interview_id, {"type": "agent.state", "state": state})


def interview_status_broadcast(*, interview_id, status, reason=""):
    _send_after_commit(
        interview_id, {"type": "interview.status", "status": status, "reason": reason}
    )


# Server-rendered parts of the recruiter's interview page that the page fetches again
# when told they changed (status changes arrive as interview.status).
PAGE_PARTS = ("latency", "report", "progress")


def interview_part_changed(*, interview_id, part):
    if part not in PAGE_PARTS:
        raise ValueError(f"Unknown page part {part!r}.")
    _send_after_commit(interview_id, {"type": "interview.changed", "part": part})


LATENCY_PARTS = (
    "end_of_utterance_delay",
    "on_user_turn_completed_delay",
    "llm_ttft",
    "first_sentence_delay",
    "tts_ttfb",
    "playback_latency",
)


def turn_metrics_record(
    *,
    interview_id,
    turn,
    total_latency=None,
    other_delay=None,
    transcription_delay=None,
    reply_seconds=None,
    replied_at=None,
    **parts,
):
    """Store (or complete) how long the candidate waited for one reply, in seconds.

    `total_latency` is the measured wait; the parts (LATENCY_PARTS) are the stages in it
    and `other_delay` what they leave unexplained, worked out here when not given so the
    stored parts always add up to the stored wait.
    """
    unknown = set(parts) - set(LATENCY_PARTS)
    if unknown:
        raise TypeError(f"Unknown latency parts: {sorted(unknown)}")
    parts = {name: parts.get(name) for name in LATENCY_PARTS}
    if total_latency is not None and other_delay is None:
        other_delay = total_latency - sum(v for v in parts.values() if v is not None)
    metrics, _ = TurnMetrics.objects.update_or_create(
        interview_id=interview_id,
        turn=turn,
        defaults={
            **parts,
            "transcription_delay": transcription_delay,
            "reply_seconds": reply_seconds,
            "replied_at": replied_at,
            "other_delay": other_delay,
            "total_latency": total_latency,
        },
    )
    interview_part_changed(interview_id=interview_id, part="latency")
    return metrics


def segments_after(interview_id, after):
    """Stored segments after seq `after`, as page messages, in order."""
    segments = TranscriptSegment.objects.filter(interview_id=interview_id, seq__gt=after)
    return [segment_message(segment) for segment in segments.order_by("seq")]
