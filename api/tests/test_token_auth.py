"""Bearer tokens: who gets in, who doesn't, and what they may do."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tests.conftest import bearer

JOBS = "/api/v1/jobs/"


def test_a_request_without_a_token_is_refused_with_401(anonymous_api, db):
    response = anonymous_api.get(JOBS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert "credentials were not provided" in error["message"]
    assert error["fields"] == {}


def test_a_session_cookie_is_not_a_token(recruiter_client):
    # The API is for programs: a signed-in browser alone gets no data from it.
    assert recruiter_client.get(JOBS).status_code == 401


def test_a_mistyped_token_is_refused_with_401(anonymous_api, recruiter_token):
    _token, secret = recruiter_token
    response = anonymous_api.get(JOBS, **bearer(secret[:-1] + ("A" if secret[-1] != "A" else "B")))
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "authentication_failed"
    assert "not valid" in error["message"]


def test_a_token_works_until_it_is_revoked_on_the_tokens_page(
    anonymous_api, recruiter_client, recruiter_token
):
    token, secret = recruiter_token
    assert anonymous_api.get(JOBS, **bearer(secret)).status_code == 200

    response = recruiter_client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302

    response = anonymous_api.get(JOBS, **bearer(secret))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_deactivated_users_token_stops_working(anonymous_api, recruiter, recruiter_token):
    recruiter.is_active = False
    recruiter.save()
    assert anonymous_api.get(JOBS, **bearer(recruiter_token[1])).status_code == 401


def test_a_token_records_when_it_was_last_used(api, recruiter_token):
    token, _secret = recruiter_token
    assert token.last_used_at is None
    before = timezone.now()
    assert api.get(JOBS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at >= before


def test_a_recruiter_token_on_an_admin_route_is_403(api):
    response = api.get("/api/v1/tokens/")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert error["message"] == "Only admins can see every user's API tokens."


def test_an_admin_token_lists_every_users_tokens_without_their_secrets(
    admin_token, recruiter_token
):
    client = APIClient()
    client.credentials(**bearer(admin_token[1]))
    response = client.get("/api/v1/tokens/")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["results"]}
    assert set(rows) == {"ATS sync", "Admin scripts"}
    assert rows["ATS sync"]["user"] == "rita"
    assert rows["ATS sync"]["prefix"] == recruiter_token[1][:11]
    assert recruiter_token[1] not in response.content.decode()
    assert recruiter_token[0].secret_hash not in response.content.decode()


@pytest.mark.parametrize("header", ["Bearer", "Bearer two parts", "Token abc"])
def test_a_malformed_authorization_header_is_a_401(anonymous_api, db, header):
    response = anonymous_api.get(JOBS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_only_the_tokens_hash_is_stored(recruiter_token):
    token, secret = recruiter_token
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in str(stored)
    assert len(token.secret_hash) == 64
