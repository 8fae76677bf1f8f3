"""The optional Tavus video avatar, with room audio put back when it fails."""

import asyncio
import logging
import os

from django.conf import settings
from livekit import rtc
from livekit.agents import NOT_GIVEN, APIConnectOptions

logger = logging.getLogger(__name__)

AVATAR_JOIN_TIMEOUT = 20


async def start_avatar(*, avatar, session, room, join_timeout=AVATAR_JOIN_TIMEOUT):
    """Start the video avatar; if it fails or never joins, put room audio back.

    Returns None when the avatar works, else the reason it doesn't. Either way
    the candidate hears the interviewer.
    """
    room_audio = _audio_tail(session.output)
    try:
        await avatar.start(
            session,
            room,
            livekit_url=settings.LIVEKIT_URL,
            livekit_api_key=settings.LIVEKIT_API_KEY,
            livekit_api_secret=settings.LIVEKIT_API_SECRET,
        )
        await asyncio.wait_for(_avatar_joined(room, avatar.avatar_identity), join_timeout)
        return None
    except TimeoutError:
        reason = f"The Tavus avatar did not join within {join_timeout} s; audio only."
    except Exception as exc:
        reason = f"The Tavus avatar could not start ({exc}); audio only."
    if room_audio is not None:
        session.output.replace_audio_tail(room_audio)
    logger.warning(reason)
    return reason


async def _avatar_joined(room, identity):
    """Until the avatar participant is in the room with its video published."""
    while True:
        participant = room.remote_participants.get(identity)
        if participant is not None and any(
            publication.kind == rtc.TrackKind.KIND_VIDEO
            for publication in participant.track_publications.values()
        ):
            return
        await asyncio.sleep(0.2)


def _audio_tail(output):
    """The sink at the bottom of the session's audio output chain (the room's audio track)."""
    sink = output.audio
    while sink is not None and sink.next_in_chain is not None:
        sink = sink.next_in_chain
    return sink


def tavus_avatar(profile, *, api_url=None):
    from livekit.plugins import tavus

    return tavus.AvatarSession(
        face_id=profile.tavus_face_id,
        pal_id=profile.tavus_pal_id,
        api_key=profile.tavus_api_key,
        api_url=api_url or os.environ.get("TAVUS_API_URL") or NOT_GIVEN,
        # A failing avatar service must not hold the interview up for long: audio goes on.
        conn_options=APIConnectOptions(max_retry=1, retry_interval=1.0, timeout=10.0),
    )
