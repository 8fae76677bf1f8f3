"""What the candidate hears and the interview records when the models fail."""

import asyncio
import logging

from livekit.agents import CloseReason

from agents.models import Interview, TranscriptSegment
from agents.worker.interviewer import prompt
from agents.worker.session import MAX_FAILURES, describe_error

logger = logging.getLogger(__name__)


class FailureGuard:
    """Turns model failures into something the candidate hears, and a recorded reason.

    The framework has already retried a request when it reports an error as
    unrecoverable; each such failure gets a spoken apology (shown as a caption
    when speech itself is what fails), and MAX_FAILURES in a row end the
    interview as failed.
    """

    def __init__(self, session, *, state, profile, recorder, end):
        self.session = session
        self.state = state
        self.profile = profile
        self.recorder = recorder
        self.end = end
        self.failures = 0
        self.last_reason = ""
        session.on("error", self._on_error)
        session.on("conversation_item_added", self._on_item)

    def _on_error(self, event):
        error = event.error
        if getattr(error, "recoverable", True):
            return
        self.failures += 1
        self.last_reason = describe_error(error, self.profile)
        logger.warning("interview failure %s: %s", self.failures, self.last_reason)
        text = prompt("apology.txt") if self.failures < MAX_FAILURES else prompt("failed.txt")
        if getattr(error, "type", "") == "tts_error":
            # Speech is what fails: at least the captions tell the candidate.
            if self.recorder is not None:
                self.recorder._spawn(self.recorder.append(TranscriptSegment.Speaker.AGENT, text))
        else:
            self.session.say(text, allow_interruptions=False)
        if self.failures >= MAX_FAILURES:
            self.state.failure = self.last_reason
            asyncio.create_task(self.end())

    def _on_item(self, event):
        item = event.item
        if getattr(item, "role", None) == "assistant" and item.text_content not in (
            prompt("apology.txt"),
            prompt("failed.txt"),
        ):
            self.failures = 0


def interview_outcome(state, close_event, profile):
    """(status, reason) an interview ends with, from how its session closed."""
    if state.failure:
        return Interview.Status.FAILED, state.failure
    if close_event.reason == CloseReason.ERROR:
        return Interview.Status.FAILED, describe_error(close_event.error, profile)
    return Interview.Status.COMPLETED, state.end_reason or "The interview ended."
