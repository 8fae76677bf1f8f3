"""The recording is for recruiters only, and answers the player's byte ranges."""

import warnings

import pytest
from django.test import Client
from django.urls import reverse

from agents.models import Interview, recordings_storage
from agents.tests.recording_support import recording_storage, stored_recording  # noqa: F401
from agents.tests.transcript_support import make_interview

pytestmark = pytest.mark.django_db

JOIN_SECRET = "candidate-link-secret-0123456789abcdef"


@pytest.fixture
def recording(recording_storage, tmp_path):  # noqa: F811
    interview = make_interview(secret=JOIN_SECRET, status=Interview.Status.COMPLETED)
    return stored_recording(interview, tmp_path)


def _url(recording):
    return reverse("agents:recording_download", args=[recording.interview_id])


def _body(response):
    """The streamed body. The file streams asynchronously (as served under ASGI); the test
    client is synchronous, which Django warns about before it reads the stream in one go."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "StreamingHttpResponse must consume asynchronous")
        return b"".join(response)


def _file_bytes(recording):
    with recordings_storage().open(recording.file.name, "rb") as handle:
        return handle.read()


def test_anonymous_visitors_are_refused_the_recording(client, recording):
    response = client.get(_url(recording), HTTP_RANGE="bytes=0-99")

    assert response.status_code == 403
    assert response.get("Content-Type", "").startswith("text/html")


def test_a_candidate_with_the_join_link_is_refused_the_recording(recording):
    candidate = Client()
    assert candidate.get(f"/join/{JOIN_SECRET}/").status_code in (200, 410)

    response = candidate.get(_url(recording))

    assert response.status_code in (403, 404)
    assert b"OggS" not in response.content


def test_a_recruiter_gets_the_bytes_a_range_asks_for(recruiter_client, recording):
    whole = _file_bytes(recording)

    response = recruiter_client.get(_url(recording), HTTP_RANGE="bytes=100-1099")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-1099/{len(whole)}"
    assert response["Content-Length"] == "1000"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "audio/ogg"
    assert _body(response) == whole[100:1100]


def test_an_open_ended_and_a_suffix_range_reach_the_end_of_the_file(recruiter_client, recording):
    whole = _file_bytes(recording)

    tail = recruiter_client.get(_url(recording), HTTP_RANGE=f"bytes={len(whole) - 10}-")
    suffix = recruiter_client.get(_url(recording), HTTP_RANGE="bytes=-25")

    assert tail.status_code == suffix.status_code == 206
    assert _body(tail) == whole[-10:]
    assert _body(suffix) == whole[-25:]


def test_without_a_range_the_whole_file_comes_and_says_ranges_work(recruiter_client, recording):
    response = recruiter_client.get(_url(recording))

    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, no-store"
    body = _body(response)
    assert body == _file_bytes(recording)
    assert body.startswith(b"OggS")


@pytest.mark.parametrize(
    "header", ["bytes=999999999-", "bytes=50-10", "bytes=0-1,5-9", "items=0-1"]
)
def test_a_range_outside_the_file_or_unreadable_is_refused_with_416(
    recruiter_client, recording, header
):
    response = recruiter_client.get(_url(recording), HTTP_RANGE=header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{recording.size_bytes}"
    assert response["Cache-Control"] == "private, no-store"


def test_a_deleted_recording_is_gone(recruiter_client, recording):
    from agents.recordings import recording_delete

    recording_delete(recording=recording, deletion="admin")

    assert recruiter_client.get(_url(recording)).status_code == 404
