"""Stores what happens in the room: each committed turn, per-turn latency, live state."""

import asyncio
import logging
import time
from datetime import UTC, datetime

from channels.db import database_sync_to_async
from django.db import DatabaseError

from agents import transcripts
from agents.models import TranscriptSegment
from agents.worker.latency import TurnLatency

logger = logging.getLogger(__name__)

# How long turns are kept and retried while the database doesn't answer.
WRITE_RETRY_FOR = 300.0
WRITE_RETRY_FIRST_DELAY = 0.25
WRITE_RETRY_MAX_DELAY = 5.0


class InterviewRecorder:
    """Stores each committed turn, per-turn latency, and pushes live state to open pages."""

    def __init__(self, interview_id):
        self.interview_id = interview_id
        self.latency = TurnLatency(interview_id=interview_id)
        # Turns are written one at a time so their seq follows the conversation.
        self.write_lock = asyncio.Lock()
        self.pending = set()

    def attach(self, session):
        session.on("conversation_item_added", self._on_item)
        session.on("user_input_transcribed", self._on_transcribed)
        session.on("agent_state_changed", self._on_state)

    def _spawn(self, coro):
        task = asyncio.create_task(coro)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def drain(self):
        if self.pending:
            await asyncio.gather(*self.pending, return_exceptions=True)

    def _on_item(self, event):
        item = event.item
        completed = self.latency.add(item)
        if completed:
            self._spawn(self._record_turn(completed))
        if getattr(item, "type", None) != "message" or item.role not in ("user", "assistant"):
            return
        text = (item.text_content or "").strip()
        if not text:
            return
        speaker = (
            TranscriptSegment.Speaker.CANDIDATE
            if item.role == "user"
            else TranscriptSegment.Speaker.AGENT
        )
        started_at, ended_at = _spoken_between(item)
        self._spawn(
            self.append(
                speaker,
                text,
                interrupted=bool(item.interrupted),
                started_at=started_at,
                ended_at=ended_at,
            )
        )

    async def append(self, speaker, text, *, interrupted=False, started_at=None, ended_at=None):
        """Store one turn; while the database is away, retry, holding later turns back in order.

        Turns wait behind the lock in the order they were said, so a database that
        comes back within WRITE_RETRY_FOR gets every turn, in order; `drain` waits for them.
        """
        async with self.write_lock:
            await self._write_retrying(
                "a turn",
                transcripts.transcript_append,
                interview_id=self.interview_id,
                speaker=speaker,
                text=text,
                interrupted=interrupted,
                started_at=started_at,
                ended_at=ended_at,
            )

    async def _write_retrying(self, what, write, **values):
        """Run one database write, retried with backoff for WRITE_RETRY_FOR while the
        database doesn't answer; other errors and a database that stays away are logged."""
        delay = WRITE_RETRY_FIRST_DELAY
        deadline = time.monotonic() + WRITE_RETRY_FOR
        while True:
            try:
                await database_sync_to_async(write)(**values)
                return
            except DatabaseError as exc:
                if time.monotonic() + delay > deadline:
                    logger.error(
                        "gave up storing %s of interview %s after %.0f s: %s",
                        what,
                        self.interview_id,
                        WRITE_RETRY_FOR,
                        exc,
                    )
                    return
                logger.warning(
                    "could not store %s of interview %s (%s); retrying in %.1f s",
                    what,
                    self.interview_id,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, WRITE_RETRY_MAX_DELAY)
            except Exception:
                logger.exception("could not store %s of interview %s", what, self.interview_id)
                return

    def _on_transcribed(self, event):
        if not event.is_final and event.transcript.strip():
            self._spawn(
                database_sync_to_async(transcripts.transcript_broadcast_interim)(
                    interview_id=self.interview_id,
                    speaker=TranscriptSegment.Speaker.CANDIDATE,
                    text=event.transcript,
                )
            )

    def _on_state(self, event):
        self._spawn(
            database_sync_to_async(transcripts.agent_state_broadcast)(
                interview_id=self.interview_id, state=event.new_state
            )
        )

    async def _record_turn(self, values):
        await self._write_retrying(
            "the latency of a turn", transcripts.turn_metrics_record, **values
        )


def _spoken_between(item):
    """When the words of a turn were spoken, as datetimes (None when the framework didn't say).

    A turn is stored when it is committed, which for the interviewer is after it has
    finished speaking; the time it started speaking is what orders it among the others.
    """
    metrics = getattr(item, "metrics", None) or {}
    started = metrics.get("started_speaking_at")
    stopped = metrics.get("stopped_speaking_at")
    if started is None:
        started = getattr(item, "created_at", None)
    return _datetime(started), _datetime(stopped)


def _datetime(timestamp):
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None
