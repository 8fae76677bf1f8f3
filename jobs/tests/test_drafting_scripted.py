import json

import pytest
from django.urls import reverse

from jobs.models import Job
from jobs.tests.support import page_text
from providers import llm_slots
from providers.models import ProviderProfile
from providers.services import profile_activate
from tests.fake_openai import Reply

DESCRIPTION = "We need a data engineer who builds Airflow pipelines and models data in dbt."

GOOD = {
    "competencies": [
        {
            "name": "Data pipelines",
            "description": "Builds reliable batch pipelines.",
            "levels": {str(n): f"Pipelines level {n}" for n in range(1, 6)},
        },
        {
            "name": "Data modelling",
            "description": "Designs clear models in dbt.",
            "levels": {str(n): f"Modelling level {n}" for n in range(1, 6)},
        },
    ],
    "questions": [
        {
            "text": "Tell me about an Airflow pipeline you built.",
            "competency": "Data pipelines",
            "required": True,
            "follow_ups": 2,
            "minutes": 5,
        },
        {
            "text": "How do you test a dbt model?",
            "competency": "data modelling",
            "required": False,
            "follow_ups": 1,
            "minutes": 4,
        },
        {
            "text": "Tell me about an Airflow pipeline you built!",
            "competency": "Data pipelines",
            "required": True,
            "follow_ups": 1,
            "minutes": 5,
        },
    ],
    "time_limit_minutes": 25,
}


@pytest.fixture
def llm_profile(db, fake_openai):
    profile = ProviderProfile.objects.create(
        name="Scripted",
        llm_base_url=fake_openai.url,
        llm_model="fake-model",
        llm_api_key="sk-draft-secret-123",
        stt_base_url=fake_openai.url,
        stt_model="stt",
        tts_base_url=fake_openai.url,
        tts_model="tts",
        tts_voice="v",
    )
    return profile_activate(profile=profile)


def _draft(client, **fields):
    return client.post(
        reverse("jobs:create"),
        {"title": "Data engineer", "description": DESCRIPTION, "action": "draft", **fields},
    )


def test_a_draft_fills_the_editor_and_is_only_saved_by_the_recruiter(
    recruiter_client, llm_profile, fake_openai
):
    fake_openai.script("chat", Reply(content=f"```json\n{json.dumps(GOOD)}\n```"))

    page = page_text(_draft(recruiter_client))

    assert "The team's model drafted this plan and rubric." in page
    assert 'value="Data pipelines"' in page and "Modelling level 5" in page
    assert "Tell me about an Airflow pipeline you built." in page
    assert 'value="25"' in page
    assert DESCRIPTION in page and 'value="Data engineer"' in page
    assert not Job.objects.exists()

    [request] = fake_openai.requests["chat"]
    assert request["response_format"]["type"] == "json_schema"
    schema = request["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"competencies", "questions", "time_limit_minutes"}
    assert DESCRIPTION in request["messages"][1]["content"]
    assert "sk-draft-secret-123" not in page

    # The recruiter saves the (unchanged) draft: its questions sit under their competencies.
    from jobs.drafting import Draft, draft_plan
    from jobs.tests.support import editor_post

    plan, rubric = draft_plan(Draft.model_validate(GOOD))
    response = recruiter_client.post(
        reverse("jobs:create"),
        editor_post(plan, rubric, title="Data engineer", description=DESCRIPTION, action="save"),
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    saved = job.plan_versions.get().plan
    assert [section["title"] for section in saved["sections"]] == [
        "Opening",
        "Data pipelines",
        "Data modelling",
        "Your questions",
        "Close",
    ]
    assert saved["sections"][2]["questions"][0]["competency"] == "data_modelling"
    # The model's repeat of a question is asked once.
    assert [q["text"] for q in saved["sections"][1]["questions"]] == [
        "Tell me about an Airflow pipeline you built."
    ]


def test_a_broken_draft_says_so_plainly_and_keeps_the_description(
    recruiter_client, llm_profile, fake_openai
):
    fake_openai.script(
        "chat",
        Reply(content="Sure! Here are some ideas for your interview."),
        Reply(content=json.dumps({"competencies": [], "questions": "none"})),
    )
    page = page_text(_draft(recruiter_client, **{"s-0-kind": "opening", "s-0-title": "Mine"}))

    assert (
        "The team's model returned a draft that can't be used (it did not have the plan's "
        "form: competencies, questions). Your description is kept: try again, start from a "
        "template, or write the plan yourself." in page
    )
    assert DESCRIPTION in page and 'value="Data engineer"' in page
    assert 'value="Mine"' in page  # the plan typed before asking is kept too
    assert "The plan can't be saved yet." not in page  # no save was asked for
    assert len(fake_openai.requests["chat"]) == 2  # one retry after an unusable reply
    assert not Job.objects.exists()


def test_a_server_without_json_schema_is_asked_again_in_json_mode(
    recruiter_client, llm_profile, fake_openai
):
    fake_openai.script(
        "chat",
        Reply.error(400, "response_format type json_schema is not supported"),
        Reply(content=json.dumps(GOOD)),
    )
    page = page_text(_draft(recruiter_client))
    assert "Tell me about an Airflow pipeline you built." in page
    first, second = fake_openai.requests["chat"]
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"] == {"type": "json_object"}


def test_a_refused_key_is_explained_without_showing_it(recruiter_client, llm_profile, fake_openai):
    fake_openai.script("chat", Reply.error(401, "bad key sk-draft-secret-123"))
    page = page_text(_draft(recruiter_client))
    assert "The team's model could not draft a plan: The model server refused the API key" in page
    assert "sk-draft-secret-123" not in page
    assert DESCRIPTION in page


def test_drafting_needs_a_description(recruiter_client, llm_profile, fake_openai):
    page = page_text(_draft(recruiter_client, description="  "))
    assert "Write the job description first: the draft is made from it." in page
    assert not fake_openai.requests["chat"]


def test_drafting_waits_while_an_interview_is_live_on_the_same_model_server(
    recruiter_client, llm_profile, fake_openai
):
    fake_openai.script("chat", Reply(content=json.dumps(GOOD)))
    llm_slots.live_mark(base_url=fake_openai.url, interview_id=4242, seconds=60)
    try:
        page = page_text(_draft(recruiter_client))
    finally:
        llm_slots.live_clear(base_url=fake_openai.url, interview_id=4242)

    assert (
        "An interview is running on the team's model server, and drafting now would slow the "
        "interviewer down. Your description is kept: try again once the interview has ended, "
        "or start from a template." in page
    )
    assert DESCRIPTION in page and 'value="Data engineer"' in page
    assert "chat" not in fake_openai.requests or not fake_openai.requests["chat"]

    # Once it has ended, the same request drafts.
    assert "The team's model drafted this plan and rubric." in page_text(_draft(recruiter_client))
