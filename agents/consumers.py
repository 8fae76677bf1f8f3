"""Live interview updates over WebSockets: the recruiter's transcript and the candidate's captions.

A page connects with `?after=N` (or sends `{"after": N}`) and gets every stored
segment after seq N, then live events. Segments reach the page strictly in seq
order and exactly once: live ones already sent are dropped, and a live one that
skips ahead (its broadcast overtook another's, or one was lost while Redis was
down) makes the consumer read the missing ones from the database first.
"""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from agents.models import Interview
from agents.selectors import ENDED_STATUSES, interview_for_join_secret, interview_link_problem
from agents.transcripts import interview_group, segments_after

FORBIDDEN = 4403
NOT_FOUND = 4404
LINK_UNUSABLE = 4410


class _InterviewEventsConsumer(AsyncJsonWebsocketConsumer):
    # Whether this page may see the interview's status and page updates, besides captions.
    recruiter_view = False

    async def connect(self):
        interview_id, code = await self.authorize()
        if interview_id is None:
            await self.close(code=code)
            return
        self.interview_id = interview_id
        self.group = interview_group(interview_id)
        # None until the backlog went out; live segments before that are dropped,
        # as they were committed before the backlog was read and so are in it.
        self.last_seq = None
        # Join before reading the backlog, so a segment committed in between is
        # either in the backlog or arrives live (and is de-duplicated by seq).
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        after = _int_or_none(parse_qs(self.scope.get("query_string", b"").decode()).get("after"))
        if after is not None:
            await self.send_backlog(after)

    async def authorize(self):
        """(interview id, None) when this connection may follow the interview, else (None, code)."""
        raise NotImplementedError

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        after = content.get("after") if isinstance(content, dict) else None
        if self.last_seq is None and isinstance(after, int) and after >= 0:
            await self.send_backlog(after)

    async def send_backlog(self, after):
        self.last_seq = after
        await self.send_stored_after(after)

    async def send_stored_after(self, after):
        for message in await database_sync_to_async(segments_after)(self.interview_id, after):
            await self.send_json(message)
            self.last_seq = message["seq"]

    async def transcript_segment(self, event):
        seq = event["seq"]
        if self.last_seq is None or seq <= self.last_seq:
            return
        if seq > self.last_seq + 1:
            # Committed seqs have no holes, so the missing ones are in the database.
            await self.send_stored_after(self.last_seq)
            return
        await self.send_json({**event, "type": "segment"})
        self.last_seq = seq

    async def transcript_interim(self, event):
        await self.send_json(
            {"type": "interim", "speaker": event["speaker"], "text": event["text"]}
        )

    async def agent_state(self, event):
        await self.send_json({"type": "agent_state", "state": event["state"]})

    async def interview_status(self, event):
        if self.recruiter_view:
            await self.send_json(
                {"type": "status", "status": event["status"], "reason": event["reason"]}
            )
        elif event["status"] in ENDED_STATUSES:
            # The candidate learns that it ended, not why: reasons name the team's servers.
            await self.send_json({"type": "ended", "status": event["status"]})

    async def interview_changed(self, event):
        if self.recruiter_view:
            await self.send_json({"type": "changed", "part": event["part"]})


class InterviewTranscriptConsumer(_InterviewEventsConsumer):
    """The recruiter's live view of one interview."""

    recruiter_view = True

    async def authorize(self):
        user = self.scope.get("user")
        if not (user and user.is_authenticated and user.is_recruiter):
            return None, FORBIDDEN
        pk = self.scope["url_route"]["kwargs"]["pk"]
        exists = await database_sync_to_async(Interview.objects.filter(pk=pk).exists)()
        return (pk, None) if exists else (None, NOT_FOUND)


class CandidateCaptionsConsumer(_InterviewEventsConsumer):
    """Captions for the candidate in the room: what was said and what the interviewer is doing."""

    async def authorize(self):
        secret = self.scope["url_route"]["kwargs"]["secret"]
        return await database_sync_to_async(_captions_interview_id)(secret)


def _captions_interview_id(secret):
    interview = interview_for_join_secret(secret)
    if interview is None:
        return None, FORBIDDEN
    if interview_link_problem(interview):
        return None, LINK_UNUSABLE
    return interview.pk, None


def _int_or_none(values):
    try:
        value = int(values[0])
    except (TypeError, ValueError, IndexError):
        return None
    return value if value >= 0 else None
