"""Rotating the encryption key covers the copies of the keys that interviews keep."""

import pytest
from django.core.management import CommandError, call_command

from agents.models import Interview
from agents.selectors import interview_profile as profile_of
from agents.services import interview_create
from providers.secrets import SecretUnreadable

pytestmark = pytest.mark.django_db


def _encrypt_profile_with(settings, profile, key):
    """Store the profile's keys encrypted with `key` alone."""
    settings.SECRETS_ENCRYPTION_KEYS = [key, *settings.SECRETS_ENCRYPTION_KEYS]
    profile.save()
    settings.SECRETS_ENCRYPTION_KEYS = [key]


def test_an_interview_made_before_a_rotation_still_runs_once_the_old_key_is_dropped(
    settings, interview_profile, interview_candidate, capsys
):
    _encrypt_profile_with(settings, interview_profile, "old-secret")
    interview, _secret = interview_create(candidate=interview_candidate, role_title="Engineer")
    kept = dict(interview.profile_snapshot["secrets"])

    settings.SECRETS_ENCRYPTION_KEYS = ["new-secret", "old-secret"]
    call_command("rotate_secrets")
    assert "Re-encrypted the keys kept by 1 interview(s)." in capsys.readouterr().out

    settings.SECRETS_ENCRYPTION_KEYS = ["new-secret"]
    interview.refresh_from_db()
    assert interview.profile_snapshot["secrets"]["llm_api_key"] != kept["llm_api_key"]
    assert profile_of(interview).llm_api_key == "sk-llm-secret"


def test_rotation_names_interviews_whose_keys_no_configured_key_reads(
    settings, interview_profile, interview_candidate
):
    _encrypt_profile_with(settings, interview_profile, "lost-secret")
    interview, _secret = interview_create(candidate=interview_candidate, role_title="Engineer")
    stored = dict(Interview.objects.get(pk=interview.pk).profile_snapshot)
    settings.SECRETS_ENCRYPTION_KEYS = ["new-secret"]

    with pytest.raises(CommandError, match=f"interview {interview.pk}: llm_api_key"):
        call_command("rotate_secrets")

    assert Interview.objects.get(pk=interview.pk).profile_snapshot == stored
    with pytest.raises(SecretUnreadable):
        profile_of(interview)
