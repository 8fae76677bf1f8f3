from datetime import timedelta

import jwt
import pytest
from django.test import override_settings
from django.utils import timezone

from agents import rooms
from agents.models import Interview
from agents.selectors import (
    interview_for_join_secret,
    interview_link_problem,
    interview_profile,
)
from agents.services import (
    InterviewUnavailable,
    interview_cancel,
    interview_join,
    interview_link_regenerate,
    interview_mark_completed,
    interview_mark_live,
)

pytestmark = pytest.mark.django_db

SECRET = "test-livekit-secret-that-is-long-enough"


@override_settings(LIVEKIT_API_KEY="testkey", LIVEKIT_API_SECRET=SECRET)
def test_the_candidate_token_joins_only_its_room_as_its_identity(scheduled_interview):
    interview, _secret = scheduled_interview
    token = rooms.candidate_token(interview=interview)

    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_aud": False})

    assert claims["iss"] == "testkey"
    assert claims["sub"] == f"candidate-{interview.pk}"
    video = claims["video"]
    assert video["room"] == interview.room_name
    assert video["roomJoin"] is True
    assert video["canPublish"] is True
    assert video["canSubscribe"] is True
    assert video["canPublishSources"] == ["microphone"]
    for admin_grant in ("roomAdmin", "roomCreate", "roomList", "roomRecord", "recorder"):
        assert not video.get(admin_grant)
    assert not video.get("ingressAdmin")
    assert not video.get("agent")


@override_settings(LIVEKIT_API_KEY="testkey", LIVEKIT_API_SECRET=SECRET)
def test_the_candidate_token_expires_within_ten_minutes(scheduled_interview):
    interview, _secret = scheduled_interview
    token = rooms.candidate_token(interview=interview)

    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_aud": False})

    lifetime = claims["exp"] - claims["nbf"]
    assert 0 < lifetime <= 10 * 60


@override_settings(LIVEKIT_API_KEY="testkey", LIVEKIT_API_SECRET=SECRET)
def test_an_expired_candidate_token_is_rejected(scheduled_interview):
    interview, _secret = scheduled_interview
    token = rooms.candidate_token(interview=interview, ttl=timedelta(seconds=-30))

    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_aud": False})


def test_the_link_secret_finds_its_interview(scheduled_interview):
    interview, secret = scheduled_interview

    assert interview_for_join_secret(secret) == interview
    assert interview_for_join_secret(secret + "x") is None
    assert interview_for_join_secret("") is None


def test_a_fresh_link_can_be_used(scheduled_interview):
    interview, _secret = scheduled_interview
    assert interview_link_problem(interview) is None


def test_an_expired_link_says_so(scheduled_interview):
    interview, _secret = scheduled_interview
    interview.link_expires_at = timezone.now() - timedelta(minutes=1)

    assert "expired" in interview_link_problem(interview)


def test_a_live_interview_can_be_rejoined_after_its_link_expired(scheduled_interview):
    interview, _secret = scheduled_interview
    interview_mark_live(interview_id=interview.pk)
    interview.refresh_from_db()
    interview.link_expires_at = timezone.now() - timedelta(minutes=1)

    assert interview_link_problem(interview) is None


def test_a_completed_interview_link_cannot_be_used_again(scheduled_interview):
    interview, secret = scheduled_interview
    interview_mark_live(interview_id=interview.pk)
    interview_mark_completed(interview_id=interview.pk, reason="Finished.")

    interview = interview_for_join_secret(secret)
    assert "already taken place" in interview_link_problem(interview)
    with pytest.raises(InterviewUnavailable):
        interview_join(interview=interview)


def test_a_cancelled_interview_link_says_it_was_cancelled(scheduled_interview):
    interview, _secret = scheduled_interview
    interview_cancel(interview=interview)

    assert interview.status == Interview.Status.CANCELLED
    assert "cancelled" in interview_link_problem(interview)


def test_regenerating_the_link_retires_the_old_one(scheduled_interview):
    interview, old_secret = scheduled_interview

    new_secret = interview_link_regenerate(interview=interview)

    assert interview_for_join_secret(old_secret) is None
    assert interview_for_join_secret(new_secret) == interview


def test_the_profile_snapshot_keeps_keys_encrypted_and_rebuilds_the_profile(
    scheduled_interview, interview_profile
):
    interview, _secret = scheduled_interview
    interview_profile.llm_model = "edited-later"
    interview_profile.save()

    assert "sk-llm-secret" not in str(interview.profile_snapshot)
    profile = interview_profile_from_db(interview)
    assert profile.llm_api_key == "sk-llm-secret"
    assert profile.llm_model == "smollm2-135m"
    assert profile.pk is None


def interview_profile_from_db(interview):
    return interview_profile(Interview.objects.get(pk=interview.pk))


def test_a_new_interview_uses_the_candidates_latest_parsed_resume(scheduled_interview):
    interview, _secret = scheduled_interview
    assert interview.resume.parsed["work"][0]["name"] == "Remington Rand"


def test_a_live_interview_keeps_its_link(recruiter_client, scheduled_interview):
    interview, secret = scheduled_interview
    interview_mark_live(interview_id=interview.pk)

    # The page offers no "new link" button for a live interview; a direct POST is refused.
    response = recruiter_client.post(f"/interviews/{interview.pk}/new-link/", follow=True)

    page = response.content.decode()
    assert "This interview is in progress, so its link can&#x27;t be replaced" in page
    assert "New link created" not in page
    assert interview_for_join_secret(secret) == interview
    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.LIVE
