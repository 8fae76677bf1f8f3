"""The worker keeps the room's recording when the session closes, and never loses the
interview over it: a recording that can't be stored leaves the interview completed, with
the reason on its page."""

import time
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from django.db import connections
from django.urls import reverse
from livekit.agents import CloseEvent, CloseReason

from agents.models import Interview, Recording
from agents.services import interview_mark_live
from agents.tests.recording_support import decode_stereo, energy, write_stereo_ogg
from agents.worker.entrypoint import InterviewRun, load_interview
from agents.worker.recording import FILE_NAME, RoomRecording


class ClosedSession:
    """What the worker reads of a closed AgentSession: its recorder's start time.

    (The real recorder's file is made in the e2e test; here the file is written beforehand.)
    """

    def __init__(self, started_at):
        self._recorder_io = SimpleNamespace(recording_started_at=started_at)


@pytest.fixture
def storage(settings, tmp_path):
    def use(backend):
        settings.STORAGES = {
            **settings.STORAGES,
            "recordings": {"BACKEND": backend, "OPTIONS": {"location": str(tmp_path / "kept")}},
        }

    return use


def _finished_run(interview, tmp_path, *, recorded=True):
    interview_mark_live(interview_id=interview.pk)
    brief, profile = load_interview(interview.pk)
    job = SimpleNamespace(shutdown=lambda reason: None, session_directory=tmp_path / "session")
    job.session_directory.mkdir()
    write_stereo_ogg(
        job.session_directory / FILE_NAME, seconds=3, left=[(0.5, 1.0)], right=[(1.5, 2.5)]
    )
    run = InterviewRun(job, brief, profile, recorded=recorded)
    run.session = ClosedSession(time.time() - 3)
    return run


async def _finish(run):
    await run._finish(CloseEvent(reason=CloseReason.USER_INITIATED))
    await database_sync_to_async(connections.close_all)()


def test_a_recorded_interview_asks_the_framework_for_audio_and_nothing_for_the_cloud():
    from livekit.agents.voice.agent_session import _resolve_recording_options

    options = _resolve_recording_options(RoomRecording(7, enabled=True).session_option)

    assert options["audio"] is True
    assert not (options["traces"] or options["logs"] or options["transcript"])
    assert RoomRecording(None, enabled=True).session_option is False


@pytest.mark.django_db(transaction=True)
async def test_the_recording_is_kept_when_the_session_closes(
    scheduled_interview, storage, tmp_path
):
    storage("django.core.files.storage.FileSystemStorage")
    interview, _secret = scheduled_interview
    run = await database_sync_to_async(_finished_run)(interview, tmp_path)

    await _finish(run)

    recording = await database_sync_to_async(Recording.objects.get)(interview=interview)
    assert recording.failure_reason == ""
    assert recording.channels == {"left": "candidate", "right": "interviewer"}
    assert recording.duration_seconds == pytest.approx(3.0, abs=0.05)
    kept = tmp_path / "kept" / recording.file.name
    assert kept.stat().st_size == recording.size_bytes
    left, right, rate = decode_stereo(str(kept))
    assert energy(left, rate, 0.6, 0.9) > 0.1 and energy(right, rate, 0.6, 0.9) < 0.01
    status = await database_sync_to_async(
        lambda: Interview.objects.values_list("status", flat=True).get(pk=interview.pk)
    )()
    assert status == Interview.Status.COMPLETED


@pytest.mark.django_db(transaction=True)
async def test_a_recording_the_storage_refuses_leaves_the_interview_completed_with_the_reason(
    scheduled_interview, storage, tmp_path, client, recruiter
):
    storage("agents.tests.broken_storage.FullDiskStorage")
    interview, _secret = scheduled_interview
    run = await database_sync_to_async(_finished_run)(interview, tmp_path)

    await _finish(run)

    def page():
        interview.refresh_from_db()
        client.force_login(recruiter)
        return interview, client.get(reverse("agents:interview_detail", args=[interview.pk]))

    interview, response = await database_sync_to_async(page)()
    assert interview.status == Interview.Status.COMPLETED
    assert "No recording: the audio could not be stored" in response.content.decode()
    assert "No space left on device" in response.content.decode()
    assert "<audio" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_an_interview_with_recording_turned_off_says_so_and_keeps_no_file(
    scheduled_interview, storage, tmp_path
):
    storage("django.core.files.storage.FileSystemStorage")
    interview, _secret = scheduled_interview
    run = await database_sync_to_async(_finished_run)(interview, tmp_path, recorded=False)
    assert run.recording.session_option is False

    await _finish(run)

    recording = await database_sync_to_async(Recording.objects.get)(interview=interview)
    assert not recording.file
    assert recording.failure_reason == "recording was turned off for this interview."
    assert not (tmp_path / "kept").exists()
