"""Drafting with the real embedded model server: the structure is checked, not the content."""

import pytest
from django.urls import reverse

from jobs.drafting import job_draft
from jobs.forms import editor_plan, editor_rows
from jobs.tests.support import page_text
from providers.models import ProviderProfile
from providers.services import profile_activate, profile_default_values

DESCRIPTION = (
    "Backend engineer. You will build and run Python services on PostgreSQL, "
    "review code, and be on call one week a month."
)


@pytest.fixture
def embedded_profile(db, localmodels_url, settings):
    # A 135M-parameter model on a shared CPU: patient timeout.
    settings.JOB_DRAFT_LLM_TIMEOUT_SECONDS = 300
    profile = ProviderProfile.objects.create(
        name="Embedded models", **profile_default_values(models_url=localmodels_url)
    )
    return profile_activate(profile=profile)


def test_the_embedded_model_drafts_a_plan_the_editor_can_show_and_save(
    embedded_profile, recruiter_client
):
    plan, rubric = job_draft(title="Backend engineer", description=DESCRIPTION)

    assert 1 <= len(rubric["competencies"]) <= 4
    for competency in rubric["competencies"]:
        assert competency["name"].strip() and competency["key"]
        assert set(competency["levels"]) == {"1", "2", "3", "4", "5"}
    questions = [q for section in plan["sections"] for q in section["questions"]]
    # The opening and the candidate's questions are added to the model's one to six.
    assert 3 <= len(questions) <= 8
    assert all(q["text"].strip() for q in questions)
    keys = {c["key"] for c in rubric["competencies"]}
    assert all(q["competency"] in keys | {""} for q in questions)
    # Every number the model chose is one the editor accepts.
    editor_plan(editor_rows(plan, rubric))

    page = page_text(
        recruiter_client.post(
            reverse("jobs:create"),
            {"title": "Backend engineer", "description": DESCRIPTION, "action": "draft"},
        )
    )
    assert "The team's model drafted this plan and rubric." in page, page[-3000:]
    assert DESCRIPTION in page
