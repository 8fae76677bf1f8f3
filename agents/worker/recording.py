"""The interview's audio: the framework's recorder writes it, this keeps it before the job ends.

livekit-agents' RecorderIO (session.start(record=...)) writes one stereo Opus/OGG file into
the job's temporary session directory: the candidate's audio on the left channel where it
arrived, the interviewer's on the right where it played. That directory is removed when the
job ends, so the file is stored through Django once the session has closed.
"""

import asyncio
import logging
from datetime import UTC, datetime

from channels.db import database_sync_to_async

from agents import recordings

logger = logging.getLogger(__name__)

# Audio only: traces, logs and the transcript would go to LiveKit Cloud's observability.
RECORD_AUDIO = {"audio": True, "traces": False, "logs": False, "transcript": False}
# Where AgentSession.start has the recorder write (livekit/agents/voice/agent_session.py).
FILE_NAME = "audio.ogg"
# Storing waits this long at most; the interview's final status waits on it.
STORE_TIMEOUT = 120.0


class RoomRecording:
    """Whether this interview is recorded, and keeping the file when it is."""

    def __init__(self, interview_id, *, enabled):
        self.interview_id = interview_id
        self.enabled = bool(enabled and interview_id is not None)

    @property
    def session_option(self):
        """The `record=` of session.start: False keeps the framework from recording at all."""
        return dict(RECORD_AUDIO) if self.enabled else False

    async def keep(self, *, session, job):
        """Store the closed session's file; any failure is noted as the reason, never raised."""
        if self.interview_id is None:
            return
        if not self.enabled:
            await self._fail(recordings.REASON_TURNED_OFF)
            return
        path = job.session_directory / FILE_NAME
        started = recorder_started_at(session)
        if started is None:
            await self._fail("the recorder did not start (the room had no audio to record).")
            return
        if not path.exists() or path.stat().st_size == 0:
            await self._fail("the recorder wrote no audio file.")
            return
        try:
            await asyncio.wait_for(
                database_sync_to_async(recordings.recording_store)(
                    interview_id=self.interview_id,
                    path=path,
                    started_at=datetime.fromtimestamp(started, tz=UTC),
                ),
                STORE_TIMEOUT,
            )
        except TimeoutError:
            await self._fail(f"storing the audio took longer than {STORE_TIMEOUT:.0f} seconds.")
        except Exception as exc:
            logger.exception("could not store the recording of interview %s", self.interview_id)
            await self._fail(f"the audio could not be stored ({type(exc).__name__}: {exc}).")

    async def lost(self):
        """The job is stopping before the session closed: the file is not complete."""
        if self.enabled:
            await self._fail("the interviewer stopped before the audio could be saved.")

    async def _fail(self, reason):
        try:
            await database_sync_to_async(recordings.recording_fail)(
                interview_id=self.interview_id, reason=reason
            )
        except Exception:
            logger.exception("could not note why interview %s has no recording", self.interview_id)


def recorder_started_at(session):
    """Wall time (s) of the recording's first sample, or None when the recorder never started.

    The framework keeps its recorder on a private attribute; its start time is what puts the
    transcript's timestamps on the file's timeline.
    """
    recorder = getattr(session, "_recorder_io", None)
    return getattr(recorder, "recording_started_at", None) if recorder is not None else None
