"""The site's request limits hold for the API too, answered in the API's error shape."""

from rest_framework.test import APIClient

from api.tests.conftest import bearer


def test_a_token_that_makes_too_many_requests_gets_a_429(api, settings):
    settings.API_RATE_PER_TOKEN = "2/m"
    assert api.get("/api/v1/jobs/").status_code == 200
    assert api.get("/api/v1/jobs/").status_code == 200
    response = api.get("/api/v1/jobs/")
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"].startswith("This token made too many requests in a short while.")
    assert "then try again." in error["message"]


def test_other_tokens_keep_their_own_count(api, admin_token, settings):
    settings.API_RATE_PER_TOKEN = "1/m"
    api.get("/api/v1/jobs/")
    assert api.get("/api/v1/jobs/").status_code == 429
    other = APIClient()
    other.credentials(**bearer(admin_token[1]))
    assert other.get("/api/v1/jobs/").status_code == 200


def test_wrong_tokens_lock_the_address_out_like_wrong_passwords(
    anonymous_api, recruiter_token, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert anonymous_api.get("/api/v1/jobs/", **bearer("vi_guess")).status_code == 401
    # Now even the right token waits, as the login page does after wrong passwords.
    response = anonymous_api.get("/api/v1/jobs/", **bearer(recruiter_token[1]))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert "too many requests with a wrong token from your connection" in error["message"]
