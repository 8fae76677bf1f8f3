"""Recordings on an S3-compatible store: a real Versity S3 Gateway process (Apache-2.0,
objects as files in a directory), reached through django-storages as production would."""

import subprocess
import time
import warnings
from pathlib import Path

import boto3
import pytest
from django.urls import reverse

from agents.models import Interview, Recording
from agents.recordings import recording_delete, recordings_expire
from agents.tests.recording_support import decode_stereo, energy, stored_recording
from agents.tests.transcript_support import make_interview
from dashboard.settings import BASE_DIR
from tests.processes import free_port, running

ACCESS_KEY = "recordings-test"
SECRET_KEY = "recordings-test-secret-0123456789"
BUCKET = "interview-recordings"

pytestmark = pytest.mark.django_db


def _binary():
    path = Path(
        subprocess.run(
            ["bash", str(BASE_DIR / "scripts/versitygw.sh"), "path"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    if not path.exists():
        raise RuntimeError(f"no S3 gateway at {path}: run `bash scripts/versitygw.sh install`")
    return path


def _wait_for(endpoint, process, timeout=20):
    client = _client(endpoint)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.list_buckets()
            return
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )


@pytest.fixture
def s3(settings, tmp_path):
    root = tmp_path / "s3-root"
    root.mkdir()
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    args = [
        str(_binary()),
        "--access", ACCESS_KEY, "--secret", SECRET_KEY, "--port", f"127.0.0.1:{port}",
        "posix", str(root),
    ]  # fmt: skip
    with running(
        args,
        env={"PATH": "/usr/bin:/bin"},
        log_path=tmp_path / "versitygw.log",
        ready=lambda process: _wait_for(endpoint, process),
    ):
        client = _client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "recordings": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "endpoint_url": endpoint,
                    "region_name": "us-east-1",
                    "access_key": ACCESS_KEY,
                    "secret_key": SECRET_KEY,
                    "location": "recordings",
                    "default_acl": None,
                    "file_overwrite": False,
                    "addressing_style": "path",
                },
            },
        }
        yield client


def _body(response):
    """The streamed body (see test_recording_download._body for the warning it silences)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "StreamingHttpResponse must consume asynchronous")
        return b"".join(response)


def _keys(client):
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_recording_is_stored_in_the_bucket_and_played_by_range(s3, tmp_path, recruiter_client):
    interview = make_interview(status=Interview.Status.COMPLETED)

    recording = stored_recording(interview, tmp_path, left=[(0.5, 1.5)], right=[(2, 3)])

    key = f"recordings/{recording.file.name}"
    assert _keys(s3) == [key]
    stored = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert len(stored) == recording.size_bytes
    (tmp_path / "back.ogg").write_bytes(stored)
    left, right, rate = decode_stereo(str(tmp_path / "back.ogg"))
    assert energy(left, rate, 0.6, 1.4) > 0.1 and energy(right, rate, 0.6, 1.4) < 0.01

    response = recruiter_client.get(
        reverse("agents:recording_download", args=[interview.pk]), HTTP_RANGE="bytes=200-4295"
    )
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 200-4295/{len(stored)}"
    assert _body(response) == stored[200:4296]


def test_deleting_and_expiring_remove_the_objects(s3, tmp_path, settings):
    kept = stored_recording(make_interview(status=Interview.Status.COMPLETED), tmp_path)
    old = stored_recording(make_interview(status=Interview.Status.COMPLETED), tmp_path)
    admin_deleted = stored_recording(make_interview(status=Interview.Status.COMPLETED), tmp_path)
    Recording.objects.filter(pk=old.pk).update(created_at=kept.created_at.replace(year=2020))

    recording_delete(recording=admin_deleted, deletion=Recording.Deletion.ADMIN)
    assert recordings_expire() == 1

    assert _keys(s3) == [f"recordings/{kept.file.name}"]
