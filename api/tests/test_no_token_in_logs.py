"""No API token reaches a log line: not on success, on errors, nor once it is revoked."""

import logging
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.tests.conftest import bearer
from api.views import CandidateList


@pytest.fixture
def every_log_line(caplog):
    """Records of every logger at every level, Django's own too (they don't propagate)."""
    caplog.set_level(logging.DEBUG)
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    level = django_logger.level
    django_logger.setLevel(logging.DEBUG)
    yield caplog
    django_logger.removeHandler(caplog.handler)
    django_logger.setLevel(level)


def test_no_token_appears_in_any_log_line(
    every_log_line, recruiter_client, interview_profile, interview_candidate, monkeypatch, settings
):
    page = recruiter_client.post(reverse("api:tokens"), {"name": "ATS sync"})
    secret = re.search(
        r'id="new-token" type="text" readonly value="([^"]+)"', page.content.decode()
    )[1]
    api = APIClient()
    api.credentials(**bearer(secret))

    assert api.get("/api/v1/jobs/").status_code == 200
    created = api.post(
        "/api/v1/interviews/", {"candidate": interview_candidate.pk, "role_title": "Engineer"}
    )
    assert created.status_code == 201
    assert api.get(f"/api/v1/interviews/{created.json()['id']}/link/").status_code == 200
    assert api.get("/api/v1/candidates/999999/").status_code == 404
    assert api.post("/api/v1/interviews/", {"candidate": "x"}).status_code == 400
    assert api.delete("/api/v1/jobs/").status_code == 405
    monkeypatch.setattr(CandidateList, "get_queryset", lambda _view: 1 / 0)
    assert api.get("/api/v1/candidates/").status_code == 500
    settings.API_RATE_PER_TOKEN = "1/m"
    api.get("/api/v1/jobs/")
    assert api.get("/api/v1/jobs/").status_code == 429
    settings.API_RATE_PER_TOKEN = "60/m"

    token_pk = recruiter_client.get(reverse("api:tokens")).context["tokens"][0].pk
    recruiter_client.post(reverse("api:token_revoke", args=[token_pk]))
    settings.LOGIN_FAILURE_LIMIT = 2
    assert api.get("/api/v1/jobs/").status_code == 401
    api.get("/api/v1/jobs/")
    assert api.get("/api/v1/jobs/").status_code == 429

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = [formatter.format(record) for record in every_log_line.records]
    # The requests were logged (so the check below looks at real lines) ...
    assert any("Unauthorized: /api/v1/jobs/" in line for line in lines)
    assert any("API error on GET /api/v1/candidates/" in line for line in lines)
    # ... and none holds the token, nor the part of it that is secret.
    assert not [line for line in lines if secret in line or secret[11:] in line]
