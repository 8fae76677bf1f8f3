"""Cancelling an interview: one under way loses its LiveKit room, whatever LiveKit answers."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from livekit.protocol.room import DeleteRoomRequest, DeleteRoomResponse

from agents.models import Interview
from agents.services import interview_cancel, interview_mark_live, interview_mark_waiting
from tests.livekit_netns import BASE_DIR, livekit_namespace

pytestmark = pytest.mark.django_db


class FakeRoomService:
    """Answers LiveKit's RoomService.DeleteRoom over Twirp and remembers the rooms deleted."""

    def __init__(self):
        self.deleted = []
        self.paths = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"] or 0))
                service.paths.append(self.path)
                if self.path == "/twirp/livekit.RoomService/DeleteRoom":
                    service.deleted.append(DeleteRoomRequest.FromString(body).room)
                    payload = DeleteRoomResponse().SerializeToString()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/protobuf")
                else:
                    payload = json.dumps({"code": "bad_route", "msg": self.path}).encode()
                    self.send_response(404)
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"ws://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def livekit_rooms():
    service = FakeRoomService()
    with override_settings(LIVEKIT_URL=service.url):
        yield service
    service.close()


@pytest.fixture
def unreachable_livekit():
    # Nothing listens on port 9 (discard) here: connections are refused at once.
    with override_settings(LIVEKIT_URL="ws://127.0.0.1:9"):
        yield


@pytest.fixture
def live_interview(scheduled_interview):
    interview, _secret = scheduled_interview
    interview_mark_live(interview_id=interview.pk)
    interview.refresh_from_db()
    return interview


def test_cancelling_a_live_interview_closes_its_room(live_interview, livekit_rooms):
    cancellation = interview_cancel(interview=live_interview)

    assert livekit_rooms.deleted == [live_interview.room_name]
    assert not cancellation.room_left_open
    assert Interview.objects.get(pk=live_interview.pk).status == Interview.Status.CANCELLED


def test_cancelling_while_the_candidate_waits_closes_the_room_too(
    scheduled_interview, livekit_rooms
):
    interview, _secret = scheduled_interview
    interview_mark_waiting(interview_id=interview.pk)
    interview.refresh_from_db()

    interview_cancel(interview=interview)

    assert livekit_rooms.deleted == [interview.room_name]


def test_cancelling_an_interview_nobody_joined_does_not_call_livekit(
    scheduled_interview, livekit_rooms
):
    interview, _secret = scheduled_interview

    interview_cancel(interview=interview)

    assert livekit_rooms.paths == []
    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.CANCELLED


def test_a_live_interview_is_cancelled_even_when_livekit_is_unreachable(
    recruiter_client, live_interview, unreachable_livekit
):
    response = recruiter_client.post(f"/interviews/{live_interview.pk}/cancel/", follow=True)

    interview = Interview.objects.get(pk=live_interview.pk)
    assert interview.status == Interview.Status.CANCELLED
    assert interview.ended_at is not None
    page = response.content.decode()
    assert "Interview cancelled. The candidate&#x27;s link no longer works." in page
    assert "The interview room could not be closed because LiveKit isn&#x27;t answering" in page


def test_the_recruiter_sees_a_plain_cancellation_when_the_room_closed(
    recruiter_client, live_interview, livekit_rooms
):
    response = recruiter_client.post(f"/interviews/{live_interview.pk}/cancel/", follow=True)

    page = response.content.decode()
    assert "Interview cancelled." in page
    assert "could not be closed" not in page
    assert livekit_rooms.deleted == [live_interview.room_name]


# The real server: room_delete against LiveKit itself (in its own network namespace).
DELETE_SCRIPT = """
import asyncio, json, os, types
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
django.setup()
from django.conf import settings
from livekit import api
from agents.rooms import room_delete, room_prepare

async def main():
    interview = types.SimpleNamespace(pk=7, room_name="interview-to-cancel")
    await room_prepare(interview=interview)
    lkapi = api.LiveKitAPI(settings.LIVEKIT_URL, settings.LIVEKIT_API_KEY,
                           settings.LIVEKIT_API_SECRET)
    try:
        names = lambda listed: [room.name for room in listed.rooms]
        before = names(await lkapi.room.list_rooms(api.ListRoomsRequest()))
        await room_delete(room_name="interview-to-cancel")
        after = names(await lkapi.room.list_rooms(api.ListRoomsRequest()))
        await room_delete(room_name="interview-never-created")
    finally:
        await lkapi.aclose()
    print(json.dumps({"before": before, "after": after}))

asyncio.run(main())
"""


@pytest.mark.django_db(False)
def test_room_delete_closes_the_room_on_a_real_livekit_server(tmp_path):
    with livekit_namespace(tmp_path) as lk:
        result = subprocess.run(
            lk.command([sys.executable, "-c", DELETE_SCRIPT]),
            cwd=BASE_DIR, env=lk.env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert "interview-to-cancel" in answer["before"]
    assert "interview-to-cancel" not in answer["after"]
