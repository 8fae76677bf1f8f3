"""The candidate's join page and token endpoint (no account, link secret only)."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from agents.models import Interview
from agents.services import interview_cancel, interview_mark_completed, interview_mark_live
from tests.processes import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate_client():
    return Client(enforce_csrf_checks=True)


def _csrf(client, url):
    client.get(url)
    return client.cookies["csrftoken"].value


def test_the_join_page_shows_consent_mic_check_and_join(candidate_client, scheduled_interview):
    _interview, secret = scheduled_interview

    response = candidate_client.get(f"/join/{secret}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Interview for Backend engineer" in page
    assert "transcribed" in page
    assert 'id="mic-check"' in page
    assert 'id="join"' in page
    assert "vendor/livekit-client.umd.js" in page
    assert f"/ws/join/{secret}/" in page


def test_a_candidate_back_in_a_live_interview_is_told_to_join_again(
    candidate_client, scheduled_interview
):
    interview, secret = scheduled_interview
    assert "in progress" not in candidate_client.get(f"/join/{secret}/").content.decode()
    interview_mark_live(interview_id=interview.pk)

    response = candidate_client.get(f"/join/{secret}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your interview is in progress. Join again to carry on" in page
    assert 'id="join"' in page


def test_a_wrong_link_is_not_found(candidate_client, scheduled_interview):
    response = candidate_client.get("/join/not-the-secret/")
    assert response.status_code == 404


def test_an_expired_link_explains_itself_and_marks_the_interview_expired(
    candidate_client, scheduled_interview
):
    interview, secret = scheduled_interview
    Interview.objects.filter(pk=interview.pk).update(
        link_expires_at=timezone.now() - timedelta(hours=1)
    )

    response = candidate_client.get(f"/join/{secret}/")

    assert response.status_code == 410
    assert "link has expired" in response.content.decode()
    assert 'id="join"' not in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == Interview.Status.EXPIRED


def test_a_used_link_says_the_interview_already_took_place(candidate_client, scheduled_interview):
    interview, secret = scheduled_interview
    interview_mark_live(interview_id=interview.pk)
    interview_mark_completed(interview_id=interview.pk, reason="Done.")

    response = candidate_client.get(f"/join/{secret}/")

    assert response.status_code == 410
    assert "already taken place" in response.content.decode()


def test_the_token_needs_the_csrf_token(candidate_client, scheduled_interview):
    _interview, secret = scheduled_interview
    response = candidate_client.post(f"/join/{secret}/token/")
    assert response.status_code == 403


def test_a_cancelled_interview_gets_no_token(candidate_client, scheduled_interview):
    interview, secret = scheduled_interview
    csrf = _csrf(candidate_client, f"/join/{secret}/")
    interview_cancel(interview=interview)

    response = candidate_client.post(f"/join/{secret}/token/", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 410
    assert "cancelled" in response.json()["error"]
    assert "token" not in response.json()


def test_an_unreachable_livekit_server_gets_a_plain_message(candidate_client, scheduled_interview):
    interview, secret = scheduled_interview
    csrf = _csrf(candidate_client, f"/join/{secret}/")

    with override_settings(LIVEKIT_URL=f"http://127.0.0.1:{free_port()}"):
        response = candidate_client.post(f"/join/{secret}/token/", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 503
    assert "can't be reached right now" in response.json()["error"]
    interview.refresh_from_db()
    assert interview.status == Interview.Status.SCHEDULED
