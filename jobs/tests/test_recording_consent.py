"""The candidate is told before joining whether the interview is recorded; the profile and
the job can turn recording off, and the interview keeps the decision it was created with."""

import pytest

from agents.services import interview_create
from jobs.tests.support import make_job

pytestmark = pytest.mark.django_db


def _create(candidate, **extra):
    return interview_create(candidate=candidate, role_title="Backend engineer", **extra)


def test_interviews_are_recorded_by_default_and_the_join_page_says_so(
    client, interview_profile, interview_candidate, settings
):
    settings.RECORDING_RETENTION_DAYS = 45
    interview, secret = _create(interview_candidate)

    page = client.get(f"/join/{secret}/").content.decode()

    assert interview.recording_enabled
    assert "The interview is recorded:" in page
    assert "deleted after 45 days" in page
    assert "agree to the interview being recorded, transcribed and reviewed" in page
    # The room shows that it records.
    assert 'class="room-recording"' in page


def test_a_profile_that_does_not_record_makes_interviews_that_say_so(
    client, interview_profile, interview_candidate
):
    interview_profile.record_interviews = False
    interview_profile.save()
    interview, secret = _create(interview_candidate)

    page = client.get(f"/join/{secret}/").content.decode()

    assert not interview.recording_enabled
    assert "The interview is not recorded" in page
    assert 'class="room-recording"' not in page


def test_a_job_that_does_not_record_overrides_a_recording_profile(
    interview_profile, interview_candidate
):
    job = make_job()
    job.record_interviews = False
    job.save()

    interview, _secret = _create(interview_candidate, job=job)

    assert not interview.recording_enabled


def test_the_interview_keeps_its_decision_when_the_profile_changes_later(
    client, interview_profile, interview_candidate
):
    interview, secret = _create(interview_candidate)
    interview_profile.record_interviews = False
    interview_profile.save()

    interview.refresh_from_db()
    assert interview.recording_enabled
    assert "The interview is recorded:" in client.get(f"/join/{secret}/").content.decode()


def test_the_job_form_turns_recording_off(client, recruiter):
    job = make_job(owner=recruiter)
    client.force_login(recruiter)
    edit = client.get(f"/jobs/{job.pk}/edit/").content.decode()
    assert 'name="record_interviews"' in edit and "checked" in edit

    # An unticked box is left out of the form's data.
    response = client.post(f"/jobs/{job.pk}/edit/", {"title": job.title, "description": ""})

    assert response.status_code == 302
    job.refresh_from_db()
    assert not job.record_interviews
