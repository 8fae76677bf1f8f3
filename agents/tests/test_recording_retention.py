"""Recordings older than RECORDING_RETENTION_DAYS are deleted by the beat task: younger ones
stay, and so do every transcript and report."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from agents.models import Interview, Recording
from agents.recordings import recordings_expire
from agents.tests.recording_support import stored_recording
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append
from tests.processes import celery_worker_args, child_env, running, wait_for_worker


def _recorded(tmp_path, *, age_days):
    interview = make_interview(status=Interview.Status.COMPLETED)
    transcript_append(interview_id=interview.pk, speaker="candidate", text="I love Python")
    directory = tmp_path / f"made-{interview.pk}"
    directory.mkdir()
    recording = stored_recording(interview, directory)
    Recording.objects.filter(pk=recording.pk).update(
        created_at=timezone.now() - timedelta(days=age_days)
    )
    return Recording.objects.get(pk=recording.pk)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.MEDIA_ROOT / "recordings")},
        },
    }
    return settings.MEDIA_ROOT


def test_the_task_runs_hourly_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-recordings"]
    assert entry["task"] == "agents.tasks.recordings_expire"
    assert entry["schedule"] <= 24 * 3600


def test_old_recordings_go_and_young_ones_stay(db, media_root, tmp_path, settings):
    settings.RECORDING_RETENTION_DAYS = 30
    old = _recorded(tmp_path, age_days=31)
    young = _recorded(tmp_path, age_days=29)
    old_file = media_root / "recordings" / old.file.name

    assert recordings_expire() == 1

    old.refresh_from_db()
    young.refresh_from_db()
    assert not old.file and old.deletion == Recording.Deletion.RETENTION and old.deleted_at
    assert not old_file.exists()
    assert young.playable and (media_root / "recordings" / young.file.name).exists()
    assert old.interview.segments.get().text == "I love Python"


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_deletes_them_in_a_real_celery_worker(media_root, tmp_path, settings):
    from agents.tasks import recordings_expire as task
    from dashboard.celery import app

    old = _recorded(tmp_path, age_days=settings.RECORDING_RETENTION_DAYS + 1)
    old_file = media_root / "recordings" / old.file.name
    assert old_file.exists()
    app.control.purge()
    env = child_env(MEDIA_ROOT=str(media_root))
    with running(
        celery_worker_args(),
        env=env,
        log_path=tmp_path / "celery.log",
        ready=lambda _process: wait_for_worker(app),
    ):
        task.delay()
        deadline = time.monotonic() + 60
        while Recording.objects.get(pk=old.pk).deleted_at is None:
            assert time.monotonic() < deadline, (tmp_path / "celery.log").read_text()[-2000:]
            time.sleep(0.2)

    old.refresh_from_db()
    assert old.deletion == Recording.Deletion.RETENTION and not old.file
    assert not old_file.exists()
    assert old.interview.segments.count() == 1
