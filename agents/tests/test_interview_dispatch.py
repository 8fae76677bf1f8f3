"""Room creation and agent dispatch as the real LiveKit server (dev build) receives them.

The server and the code that calls it run inside a network namespace made for
this test (tests/livekit_netns.py); the test asserts on what the server reports.
"""

import json

import pytest
from django.conf import settings

from tests.livekit_netns import livekit_namespace


@pytest.fixture
def livekit(tmp_path):
    with livekit_namespace(tmp_path) as lk:
        yield lk


def test_joining_creates_the_room_and_dispatches_the_interviewer_once(livekit):
    answer = livekit.run_python("prepare-room", "--interview-id", "42", "--room", "interview-abc")

    assert answer["rooms"] == [
        {"name": "interview-abc", "metadata": json.dumps({"interview_id": 42})}
    ]
    # (The server also lists its own unnamed default dispatch, which no worker of ours takes.)
    named = [d for d in answer["dispatches"] if d["agent_name"]]
    assert len(named) == 1
    dispatch = named[0]
    assert dispatch["agent_name"] == settings.LIVEKIT_AGENT_NAME == "interviewer"
    assert json.loads(dispatch["metadata"]) == {"interview_id": 42}
    assert dispatch["room"] == "interview-abc"
    # A reload finds the existing dispatch instead of starting a second interviewer.
    assert answer["first"]["dispatched_now"] is True
    assert answer["second"]["dispatched_now"] is False
    assert answer["first"]["dispatch_id"] == answer["second"]["dispatch_id"] == dispatch["id"]
