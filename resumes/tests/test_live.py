import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from dashboard.asgi import application
from resumes.tests import files
from resumes.tests.conftest import make_profile, run_attempt, upload
from tests.fake_openai import Reply

pytestmark = pytest.mark.django_db(transaction=True)


async def test_status_changes_reach_an_open_list_page(recruiter, fake_openai):
    communicator = WebsocketCommunicator(
        application, "/ws/live/resumes/", headers=[(b"origin", b"http://localhost")]
    )
    communicator.scope["user"] = recruiter
    connected, _ = await communicator.connect()
    assert connected

    await sync_to_async(make_profile)(fake_openai.url)
    fake_openai.script("chat", Reply(content=json.dumps({"basics": {"name": "Jane Doe"}})))
    resume = await sync_to_async(upload)(files.pdf())
    await sync_to_async(run_attempt)(resume)

    events = []
    while True:
        message = await communicator.receive_json_from(timeout=5)
        events.append(message["payload"])
        if message["payload"]["status"] == "parsed":
            break
    await communicator.disconnect()
    assert [event["status"] for event in events] == ["uploaded", "parsing", "parsed"]
    assert all(event["id"] == resume.pk for event in events)
    assert events[-1]["name"] == "Jane Doe"
    assert events[-1]["chip"] == "chip-ok"
    assert events[-1]["status_label"] == "Parsed"
