"""The reconciler: interviews whose interviewer died, and reports whose task was lost."""

import json
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from agents import reconciler
from agents.models import Interview
from agents.services import interview_heartbeat, interview_mark_live, interview_mark_waiting
from agents.tests.report_support import GOOD, pending_interview
from agents.tests.test_interview_cancel import FakeRoomService
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append
from dashboard.celery import app
from tests.fake_openai import Reply
from tests.processes import celery_worker_args, child_env, running, wait_for_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def livekit_rooms():
    service = FakeRoomService()
    with override_settings(LIVEKIT_URL=service.url):
        yield service
    service.close()


def ago(seconds):
    return timezone.now() - timedelta(seconds=seconds)


def stale():
    return ago(settings.AGENT_HEARTBEAT_STALE_SECONDS + 5)


@pytest.fixture
def live_interview(scheduled_interview):
    interview, _secret = scheduled_interview
    interview_mark_live(interview_id=interview.pk)
    interview_heartbeat(interview_id=interview.pk)
    transcript_append(interview_id=interview.pk, speaker="agent", text="Hello Grace.")
    return Interview.objects.get(pk=interview.pk)


def test_a_live_interview_whose_heartbeat_went_quiet_fails_and_loses_its_room(
    live_interview, livekit_rooms, django_capture_on_commit_callbacks
):
    Interview.objects.filter(pk=live_interview.pk).update(agent_heartbeat_at=stale())

    with django_capture_on_commit_callbacks():
        outcome = reconciler.interviews_reconcile()

    interview = Interview.objects.get(pk=live_interview.pk)
    assert interview.status == Interview.Status.FAILED
    assert interview.status_reason == "The interviewer stopped unexpectedly."
    assert interview.ended_at is not None
    # It had a transcript, so its report is being written.
    assert interview.report_status == Interview.ReportStatus.PENDING
    assert livekit_rooms.deleted == [interview.room_name]
    assert outcome.failed == [interview.pk]


def test_an_interview_with_a_fresh_heartbeat_is_left_alone(live_interview, livekit_rooms):
    Interview.objects.filter(pk=live_interview.pk).update(started_at=stale())

    outcome = reconciler.interviews_reconcile()

    assert Interview.objects.get(pk=live_interview.pk).status == Interview.Status.LIVE
    assert livekit_rooms.paths == []
    assert outcome.failed == []


def test_before_its_first_heartbeat_an_interview_counts_from_its_start(
    scheduled_interview, livekit_rooms
):
    interview, _secret = scheduled_interview
    interview_mark_live(interview_id=interview.pk)

    reconciler.interviews_reconcile()
    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.LIVE

    Interview.objects.filter(pk=interview.pk).update(started_at=stale())
    reconciler.interviews_reconcile()
    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.FAILED


def test_it_fails_the_interview_even_when_livekit_is_unreachable(live_interview):
    Interview.objects.filter(pk=live_interview.pk).update(agent_heartbeat_at=stale())

    with override_settings(LIVEKIT_URL="ws://127.0.0.1:9"):
        outcome = reconciler.interviews_reconcile()

    assert Interview.objects.get(pk=live_interview.pk).status == Interview.Status.FAILED
    assert outcome.rooms_left_open == [live_interview.pk]


def test_the_candidate_link_says_the_interview_failed(scheduled_interview, client, livekit_rooms):
    interview, secret = scheduled_interview
    interview_mark_live(interview_id=interview.pk)
    Interview.objects.filter(pk=interview.pk).update(agent_heartbeat_at=stale())

    reconciler.interviews_reconcile()

    page = client.get(f"/join/{secret}/").content.decode()
    assert "This interview ended because of a technical problem." in page


def test_a_candidate_who_never_connected_gets_the_interview_back_as_scheduled(
    scheduled_interview, recruiter_client
):
    interview, _secret = scheduled_interview
    interview_mark_waiting(interview_id=interview.pk)
    long_ago = ago(
        settings.AGENT_CANDIDATE_JOIN_TIMEOUT_SECONDS + settings.AGENT_HEARTBEAT_STALE_SECONDS + 5
    )
    Interview.objects.filter(pk=interview.pk).update(joined_at=long_ago)

    reconciler.interviews_reconcile()

    interview.refresh_from_db()
    assert interview.status == Interview.Status.SCHEDULED
    assert interview.joined_at is None
    page = recruiter_client.get(reverse("agents:interview_detail", args=[interview.pk]))
    assert "never connected; their link still works" in page.content.decode()
    # Joining again counts from now.
    interview_mark_waiting(interview_id=interview.pk)
    reconciler.interviews_reconcile()
    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.WAITING


def test_a_candidate_waiting_for_the_interviewer_is_left_alone(scheduled_interview):
    interview, _secret = scheduled_interview
    interview_mark_waiting(interview_id=interview.pk)

    reconciler.interviews_reconcile()

    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.WAITING


def pending_report(requested_seconds_ago, fake_openai):
    interview = pending_interview(fake_openai.url)
    Interview.objects.filter(pk=interview.pk).update(report_requested_at=ago(requested_seconds_ago))
    return interview


def test_a_report_pending_too_long_fails_with_its_reason(db, fake_openai):
    interview = pending_report(settings.REPORT_PENDING_TIMEOUT_SECONDS + 5, fake_openai)

    outcome = reconciler.interviews_reconcile()

    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.FAILED
    assert interview.report_error.startswith("Writing the report stopped without finishing")
    assert outcome.reports_failed == [interview.pk]


def test_a_report_being_written_is_left_alone(db, fake_openai):
    interview = pending_report(settings.REPORT_PENDING_TIMEOUT_SECONDS - 60, fake_openai)

    reconciler.interviews_reconcile()

    assert Interview.objects.get(pk=interview.pk).report_status == Interview.ReportStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_lost_report_is_written_again_from_the_page(fake_openai, celery_worker, recruiter_client):
    interview = pending_report(settings.REPORT_PENDING_TIMEOUT_SECONDS + 5, fake_openai)
    reconciler.interviews_reconcile()
    page = recruiter_client.get(reverse("agents:interview_detail", args=[interview.pk]))
    assert "Writing the report stopped without finishing" in page.content.decode()
    assert "Retry the report" in page.content.decode()
    fake_openai.defaults["chat"] = Reply(content=json.dumps(GOOD))

    recruiter_client.post(reverse("agents:report_retry", args=[interview.pk]))
    # The retry is a new request: the reconciler leaves it to the worker.
    reconciler.interviews_reconcile()
    wait_for_report(interview.pk)

    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.READY, interview.report_error
    assert interview.report["summary"] == GOOD["summary"]


def wait_for_report(interview_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Interview.objects.get(pk=interview_id).report_status
        if status != Interview.ReportStatus.PENDING:
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not write the report")


def test_beat_runs_the_reconcilers_by_task_names_the_worker_knows():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.django_db(transaction=True)
def test_a_real_beat_and_worker_fail_a_silent_interview(tmp_path):
    interview = make_interview(
        status=Interview.Status.LIVE, started_at=stale(), agent_heartbeat_at=stale()
    )
    # No LiveKit listens on port 9: the room can't be closed, the interview fails anyway.
    env = child_env(
        RECONCILE_INTERVAL_SECONDS=1,
        LIVEKIT_URL="ws://127.0.0.1:9",
        VAR_DIR=tmp_path,
    )
    beat = [sys.executable, "-m", "celery", "-A", "dashboard", "beat", "--loglevel=INFO"]
    app.control.purge()
    with (
        running(celery_worker_args(), env=env, log_path=tmp_path / "worker.log"),
        running(beat, env=env, log_path=tmp_path / "beat.log"),
    ):
        wait_for_worker(app)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            interview.refresh_from_db()
            if interview.status != Interview.Status.LIVE:
                break
            time.sleep(0.2)

    assert interview.status == Interview.Status.FAILED, (tmp_path / "worker.log").read_text()
    assert interview.status_reason == "The interviewer stopped unexpectedly."
    # Beat keeps its schedule under VAR_DIR.
    assert list(tmp_path.glob("celerybeat-schedule*"))
