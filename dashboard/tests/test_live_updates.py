import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from dashboard.asgi import application
from dashboard.live import broadcast

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user=None, *, path="/ws/live/resumes/", origin=b"http://localhost"):
    communicator = WebsocketCommunicator(application, path, headers=[(b"origin", origin)])
    if user is not None:
        communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_a_broadcast_reaches_a_subscribed_page_through_redis(recruiter):
    communicator, connected, _ = await connect(recruiter)
    assert connected
    await sync_to_async(broadcast)("resumes", "resume.status", {"id": 7, "status": "parsed"})
    message = await communicator.receive_json_from(timeout=5)
    assert message == {"event": "resume.status", "payload": {"id": 7, "status": "parsed"}}
    await communicator.disconnect()


async def test_anonymous_visitors_are_refused(db):
    communicator, connected, code = await connect()
    assert not connected
    assert code == 4403


async def test_a_recruiter_cannot_subscribe_to_admin_topics(recruiter):
    communicator, connected, code = await connect(recruiter, path="/ws/live/providers/")
    assert not connected


async def test_a_page_from_another_origin_is_refused(recruiter):
    communicator, connected, _ = await connect(recruiter, origin=b"http://evil.example.com")
    assert not connected
