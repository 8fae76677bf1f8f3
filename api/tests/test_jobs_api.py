"""Jobs through the API: list, read with the latest plan, create with a plan."""

from jobs.models import Job
from jobs.tests.support import make_job, two_question_plan


def test_jobs_are_listed_and_read_with_their_latest_plan(api, recruiter):
    job = make_job(owner=recruiter, title="Platform engineer")
    rows = api.get("/api/v1/jobs/").json()["results"]
    assert [(row["id"], row["title"], row["owner"]) for row in rows] == [
        (job.pk, "Platform engineer", "rita")
    ]
    body = api.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["status"] == "open"
    assert body["plan"]["version"] == 1
    assert body["rubric"]["competencies"]


def test_a_job_is_created_with_its_plan(api, recruiter):
    plan, rubric = two_question_plan()
    response = api.post(
        "/api/v1/jobs/",
        {"title": " Data engineer ", "description": "Pipelines.", "plan": plan, "rubric": rubric},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    job = Job.objects.get(pk=body["id"])
    assert job.title == "Data engineer"
    assert job.owner == recruiter
    assert [q["id"] for s in body["plan"]["sections"] for q in s["questions"]] == [
        "intro",
        "hard_bug",
    ]


def test_a_plan_that_cant_be_used_is_refused_and_nothing_is_stored(api):
    plan, rubric = two_question_plan()
    plan["sections"][0]["questions"][0]["competency"] = "no_such_competency"
    response = api.post("/api/v1/jobs/", {"title": "Data engineer", "plan": plan, "rubric": rubric})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["plan"]
    assert not Job.objects.exists()
