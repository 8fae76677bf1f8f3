"""Parsing with the real embedded model server: the structure is checked, not the content."""

import pytest

from providers.models import ProviderProfile
from providers.services import profile_activate, profile_default_values
from resumes.models import ParseAttempt, Resume
from resumes.schema import ParsedResume
from resumes.tests import files
from resumes.tests.conftest import run_attempt, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded_profile(localmodels_url, settings):
    # A 135M-parameter model on a shared CPU: short replies, patient timeout.
    settings.RESUME_LLM_MAX_TOKENS = 256
    settings.RESUME_LLM_TIMEOUT_SECONDS = 300
    profile = ProviderProfile.objects.create(
        name="Embedded models", **profile_default_values(models_url=localmodels_url)
    )
    return profile_activate(profile=profile)


def test_the_embedded_llm_parses_a_resume_into_the_schema(embedded_profile):
    resume = upload(files.docx_file(files.RESUME_LINES[:3] + files.RESUME_LINES[11:]))
    attempt, _ = run_attempt(resume)

    assert resume.status == Resume.Status.PARSED, resume.failure_reason
    assert attempt.outcome == ParseAttempt.Outcome.SUCCEEDED
    assert attempt.model == "smollm2-135m"
    assert set(resume.parsed) == set(ParsedResume.model_fields)
    assert set(resume.parsed["basics"]) >= {"name", "email", "phone", "location", "profiles"}
    for section in ("work", "education", "skills", "languages", "projects", "certificates"):
        assert isinstance(resume.parsed[section], list)
    # Whatever the small model says, contacts in the text are cross-checked by plain parsing.
    assert resume.parsed["basics"]["email"] == "jane.doe@example.com"
    assert resume.candidate.email == "jane.doe@example.com"
