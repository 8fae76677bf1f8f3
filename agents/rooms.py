"""LiveKit rooms, candidate tokens and agent dispatch, through livekit-api.

The browser never gets more than a token for one room and one identity; the
API key and secret stay on the server.
"""

import json
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from django.conf import settings
from livekit import api

TOKEN_TTL = timedelta(minutes=10)
# The room closes itself this long after the last participant left.
ROOM_EMPTY_TIMEOUT = 10 * 60
API_TIMEOUT = aiohttp.ClientTimeout(total=10)
# Closing a room is best effort on a recruiter's click: don't keep them waiting long.
ROOM_DELETE_TIMEOUT = aiohttp.ClientTimeout(total=5)


class LiveKitUnavailable(Exception):
    """The LiveKit server could not be reached or refused a request."""


@dataclass(frozen=True)
class RoomSetup:
    room_name: str
    dispatch_id: str
    dispatched_now: bool


def candidate_identity(interview):
    return f"candidate-{interview.pk}"


def candidate_token(*, interview, ttl=TOKEN_TTL):
    """A short-lived token to join the interview's room only: publish audio, subscribe, no admin."""
    grants = api.VideoGrants(
        room_join=True,
        room=interview.room_name,
        can_publish=True,
        can_publish_sources=["microphone"],
        can_subscribe=True,
        can_publish_data=False,
    )
    return (
        api.AccessToken(settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET)
        .with_identity(candidate_identity(interview))
        .with_name(interview.candidate.name or "Candidate")
        .with_grants(grants)
        .with_ttl(ttl)
        .to_jwt()
    )


def _api(timeout=API_TIMEOUT):
    return api.LiveKitAPI(
        settings.LIVEKIT_URL,
        settings.LIVEKIT_API_KEY,
        settings.LIVEKIT_API_SECRET,
        timeout=timeout,
    )


def room_metadata(interview):
    return json.dumps({"interview_id": interview.pk})


async def room_prepare(*, interview) -> RoomSetup:
    """Create the room (idempotent on the server) and dispatch the interviewer once.

    Existing dispatches are listed first, so reloading the candidate page or
    joining again after a dropped connection never starts a second interviewer.
    """
    agent_name = settings.LIVEKIT_AGENT_NAME
    lkapi = _api()
    try:
        await lkapi.room.create_room(
            api.CreateRoomRequest(
                name=interview.room_name,
                metadata=room_metadata(interview),
                empty_timeout=ROOM_EMPTY_TIMEOUT,
                max_participants=4,
            )
        )
        for dispatch in await lkapi.agent_dispatch.list_dispatch(interview.room_name):
            if dispatch.agent_name == agent_name:
                return RoomSetup(interview.room_name, dispatch.id, dispatched_now=False)
        dispatch = await lkapi.agent_dispatch.create_dispatch(
            api.CreateAgentDispatchRequest(
                agent_name=agent_name,
                room=interview.room_name,
                metadata=json.dumps({"interview_id": interview.pk}),
            )
        )
        return RoomSetup(interview.room_name, dispatch.id, dispatched_now=True)
    except (aiohttp.ClientError, TimeoutError, api.TwirpError) as exc:
        raise LiveKitUnavailable(str(exc)) from exc
    finally:
        await lkapi.aclose()


async def room_delete(*, room_name):
    """Close the room, disconnecting everyone in it (the interviewer's job ends with it).

    A room that is already gone is not an error; a server that can't be
    reached raises LiveKitUnavailable.
    """
    lkapi = _api(timeout=ROOM_DELETE_TIMEOUT)
    try:
        await lkapi.room.delete_room(api.DeleteRoomRequest(room=room_name))
    except api.TwirpError as exc:
        if exc.code != api.TwirpErrorCode.NOT_FOUND:
            raise LiveKitUnavailable(str(exc)) from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise LiveKitUnavailable(str(exc)) from exc
    finally:
        await lkapi.aclose()
