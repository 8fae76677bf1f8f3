import pytest
from rest_framework.test import APIClient

from api.services import token_create
from resumes.tests.conftest import media_root  # noqa: F401 - uploads go to a temporary folder


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def recruiter_token(recruiter):
    """(ApiToken, secret) of the recruiter."""
    return token_create(user=recruiter, name="ATS sync")


@pytest.fixture
def admin_token(admin_user):
    return token_create(user=admin_user, name="Admin scripts")


@pytest.fixture
def api(recruiter_token):
    """An API client sending the recruiter's token."""
    client = APIClient()
    client.credentials(**bearer(recruiter_token[1]))
    return client


@pytest.fixture
def anonymous_api():
    return APIClient()
