"""Helpers shared by the transcript, consumer and report tests."""

import hashlib
import uuid
from datetime import timedelta

from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from agents.models import Interview
from resumes.models import Candidate


def make_interview(*, secret=None, status=Interview.Status.LIVE, **fields):
    candidate = Candidate.objects.create(name="Grace Hopper", email="grace@example.com")
    secret = secret or uuid.uuid4().hex
    return Interview.objects.create(
        candidate=candidate,
        role_title="Backend engineer",
        room_name=f"room-{uuid.uuid4().hex}",
        join_secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
        link_expires_at=timezone.now() + timedelta(days=1),
        status=status,
        **fields,
    )


def session_cookie(client, user):
    client.force_login(user)
    return client.cookies["sessionid"].value


def communicator(path, *, cookie=None, origin="http://localhost"):
    """A WebSocket client on the project's real ASGI stack (origin check, session auth)."""
    from dashboard.asgi import application

    headers = [(b"host", b"localhost")]
    if origin:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def receive_segments(socket, count, timeout=5):
    """The next `count` segment messages (other events skipped)."""
    segments = []
    while len(segments) < count:
        message = await socket.receive_json_from(timeout=timeout)
        if message["type"] == "segment":
            segments.append(message)
    return segments


def _append(interview_id, text, speaker="candidate"):
    from agents.transcripts import transcript_append

    return transcript_append(interview_id=interview_id, speaker=speaker, text=text)


async def append_segment(interview_id, text, speaker="candidate"):
    return await sync_to_async(_append)(interview_id, text, speaker)


async def close_worker_connections():
    """Close the database connection of the thread consumers run queries in.

    Otherwise it outlives the test and keeps the test database from being dropped.
    """
    from django.db import connections

    await sync_to_async(connections.close_all)()
