import pytest
from django.urls import reverse

from jobs.models import Job
from jobs.tests.support import editor_post, make_job, page_text, two_question_plan


def test_the_jobs_pages_ask_a_signed_out_visitor_to_sign_in(client, recruiter):
    job = make_job(owner=recruiter)
    for response in (
        client.get(reverse("jobs:list")),
        client.get(reverse("jobs:compare_csv", args=[job.pk])),
        client.post(reverse("jobs:close", args=[job.pk])),
    ):
        assert response.status_code == 302 and "/login" in response["Location"]
    job.refresh_from_db()
    assert job.status == Job.Status.OPEN


def test_the_nav_has_jobs_and_the_list_filters_open_and_closed(recruiter_client, recruiter):
    make_job(owner=recruiter, title="Backend engineer")
    closed = make_job(owner=recruiter, title="Night support", template="customer_support")
    closed.status = Job.Status.CLOSED
    closed.save()

    page = page_text(recruiter_client.get(reverse("jobs:list")))
    assert '<a href="/jobs/" class="active" aria-current="page">Jobs</a>' in page
    assert "Backend engineer" in page and "Night support" in page

    open_only = page_text(recruiter_client.get(reverse("jobs:list"), {"status": "open"}))
    assert "Backend engineer" in open_only and "Night support" not in open_only
    closed_only = page_text(recruiter_client.get(reverse("jobs:list"), {"status": "closed"}))
    assert "Night support" in closed_only and "Backend engineer" not in closed_only


def test_the_list_is_paged_newest_first(recruiter_client, recruiter, monkeypatch):
    monkeypatch.setattr("jobs.selectors.PAGE_SIZE", 2)
    for n in range(3):
        Job.objects.create(title=f"Job {n}", owner=recruiter)
    first = page_text(recruiter_client.get(reverse("jobs:list")))
    assert "Job 2" in first and "Job 1" in first and "Job 0" not in first
    assert "Older" in first
    second = page_text(recruiter_client.get(reverse("jobs:list"), {"page": 2}))
    assert "Job 0" in second and "Job 2" not in second


@pytest.mark.parametrize(
    "template, title, competency",
    [
        ("backend_engineer", "Backend engineer", "System design"),
        ("customer_support", "Customer support", "Weekend shifts"),
        ("account_executive", "Account executive", "Discovery"),
    ],
)
def test_a_built_in_template_fills_the_form_and_saves_without_a_model(
    recruiter_client, template, title, competency
):
    page = page_text(recruiter_client.get(reverse("jobs:create"), {"template": template}))
    assert f'value="{title}"' in page
    assert competency in page

    from jobs.builtin import template_plan

    _title, plan, rubric = template_plan(template)
    data = editor_post(plan, rubric, title=title, description="", action="save")
    response = recruiter_client.post(reverse("jobs:create"), data)

    job = Job.objects.get(title=title)
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.plan_versions.get().plan["version"] == 1
    assert {c["name"] for c in job.rubric_versions.get().rubric["competencies"]} >= {competency}


def test_a_job_from_scratch_with_an_empty_plan_says_what_is_missing_and_keeps_the_text(
    recruiter_client,
):
    response = recruiter_client.post(
        reverse("jobs:create"),
        {
            "title": "Data engineer",
            "description": "Pipelines in Airflow, typed by hand.",
            "action": "save",
            "time_limit": "20",
            "s-0-kind": "opening",
            "s-0-title": "Opening",
        },
    )
    page = page_text(response)
    assert response.status_code == 200
    assert "The plan has no questions: add at least one." in page
    assert "The rubric has no competencies: add at least one to score against." in page
    assert 'value="Data engineer"' in page
    assert "Pipelines in Airflow, typed by hand." in page
    assert not Job.objects.exists()


def test_a_job_without_a_title_keeps_the_plan_typed(recruiter_client):
    plan, rubric = two_question_plan()
    response = recruiter_client.post(
        reverse("jobs:create"), editor_post(plan, rubric, title="", action="save")
    )
    page = page_text(response)
    assert "This field is required." in page
    assert "What was the hardest bug you fixed in Python?" in page
    assert not Job.objects.exists()


def test_editing_closing_and_reopening_a_job(recruiter_client, recruiter):
    job = make_job(owner=recruiter)
    recruiter_client.post(
        reverse("jobs:edit", args=[job.pk]),
        {"title": "Senior backend engineer", "description": "Go"},
    )
    job.refresh_from_db()
    assert (job.title, job.description) == ("Senior backend engineer", "Go")

    page = page_text(recruiter_client.post(reverse("jobs:close", args=[job.pk]), follow=True))
    assert "Job closed." in page and "Reopen job" in page
    job.refresh_from_db()
    assert job.status == Job.Status.CLOSED
    recruiter_client.post(reverse("jobs:reopen", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Job.Status.OPEN


def test_closing_needs_a_post(recruiter_client, recruiter):
    job = make_job(owner=recruiter)
    assert recruiter_client.get(reverse("jobs:close", args=[job.pk])).status_code == 405


def test_a_candidate_is_added_from_the_job_page_found_by_name(recruiter_client, recruiter):
    from resumes.models import Candidate

    job = make_job(owner=recruiter)
    grace = Candidate.objects.create(name="Grace Hopper", email="grace@example.com")
    Candidate.objects.create(name="Alan Turing", email="alan@example.com")

    found = page_text(recruiter_client.get(reverse("jobs:detail", args=[job.pk]), {"q": "grace"}))
    assert f'<option value="{grace.pk}">Grace Hopper</option>' in found
    assert "Alan Turing" not in found

    page = page_text(
        recruiter_client.post(
            reverse("jobs:candidate_add", args=[job.pk]), {"candidate": grace.pk}, follow=True
        )
    )
    assert "Grace Hopper added to this job." in page
    assert list(job.candidates.all()) == [grace]


def test_a_candidate_in_several_jobs_is_added_from_their_page(recruiter_client, recruiter):
    from resumes.models import Candidate

    backend = make_job(owner=recruiter)
    support = make_job(owner=recruiter, title="Support", template="customer_support")
    grace = Candidate.objects.create(name="Grace Hopper")
    detail = reverse("resumes:detail", args=[grace.pk])

    page = page_text(recruiter_client.get(detail))
    assert "Not in any job yet." in page
    assert f'<option value="{backend.pk}">Backend engineer</option>' in page

    url = reverse("jobs:candidate_add_to_job", args=[grace.pk])
    response = recruiter_client.post(url, {"job": backend.pk})
    assert response["Location"] == detail
    recruiter_client.post(url, {"job": support.pk})
    page = page_text(recruiter_client.get(detail))
    assert set(grace.jobs.all()) == {backend, support}
    assert f'href="/jobs/{backend.pk}/">Backend engineer</a>' in page
    assert "Choose a job" not in page  # no open job left to add to

    again = page_text(recruiter_client.post(url, {"job": backend.pk}, follow=True))
    assert "Already in the job “Backend engineer”." in again
    for bad in ("", "abc"):
        page = page_text(recruiter_client.post(url, {"job": bad}, follow=True))
        assert "Choose a job to add the candidate to." in page
