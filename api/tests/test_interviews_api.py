"""Interviews through the API: create one, read its link and status, cancel it, read its
transcript and report."""

from urllib.parse import urlsplit

from django.utils import timezone

from agents.models import Interview, TranscriptSegment
from jobs.tests.support import make_job


def create(api, **data):
    return api.post("/api/v1/interviews/", data)


def test_an_interview_made_for_a_candidate_gives_its_candidate_link(
    api, interview_profile, interview_candidate, recruiter, client, settings
):
    response = create(
        api,
        candidate=interview_candidate.pk,
        role_title="Backend engineer",
        job_description="Python services.",
        max_duration_minutes=15,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    interview = Interview.objects.get(pk=body["id"])
    assert interview.created_by == recruiter
    assert body["status"] == "scheduled"
    assert body["candidate_name"] == "Grace Hopper"
    assert body["max_duration_minutes"] == 15
    assert body["link_problem"] is None
    assert body["join_url"].startswith(settings.PUBLIC_BASE_URL + "/")

    link = api.get(f"/api/v1/interviews/{interview.pk}/link/").json()
    assert link["url"] == body["join_url"]
    assert link["problem"] is None
    # The link is the candidate's: it opens the join page.
    page = client.get(urlsplit(link["url"]).path)
    assert page.status_code == 200
    assert "Backend engineer" in page.content.decode()


def test_an_interview_for_a_job_runs_on_the_jobs_plan(api, interview_profile, interview_candidate):
    job = make_job(title="Platform engineer")
    response = create(api, candidate=interview_candidate.pk, job=job.pk)
    assert response.status_code == 201, response.content
    interview = Interview.objects.get(pk=response.json()["id"])
    assert interview.job == job
    assert interview.role_title == "Platform engineer"
    assert job.candidates.filter(pk=interview_candidate.pk).exists()

    again = create(api, candidate=interview_candidate.pk, job=job.pk)
    assert again.status_code == 409
    assert "already has an interview for this job" in again.json()["error"]["message"]


def test_an_interview_needs_a_role_or_a_job(api, interview_profile, interview_candidate):
    response = create(api, candidate=interview_candidate.pk)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "role_title": ["Give a role title, or a job to interview for."]
    }


def test_without_an_active_profile_nothing_is_created(api, interview_candidate):
    response = create(api, candidate=interview_candidate.pk, role_title="Backend engineer")
    assert response.status_code == 409
    assert "No model provider profile is active" in response.json()["error"]["message"]
    assert not Interview.objects.exists()


def test_cancelling_an_interview_stops_its_link(api, scheduled_interview):
    interview, _secret = scheduled_interview
    response = api.post(f"/api/v1/interviews/{interview.pk}/cancel/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["interview"]["status"] == "cancelled"
    assert body["room_left_open"] is False
    assert "cancelled" in api.get(f"/api/v1/interviews/{interview.pk}/").json()["link_problem"]

    again = api.post(f"/api/v1/interviews/{interview.pk}/cancel/")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "This interview is already cancelled."


def test_interviews_are_listed_with_their_status(api, scheduled_interview):
    interview, _secret = scheduled_interview
    rows = api.get("/api/v1/interviews/?status=scheduled").json()["results"]
    assert [row["id"] for row in rows] == [interview.pk]
    assert api.get("/api/v1/interviews/?status=live").json()["results"] == []


def test_the_transcript_and_report_are_read(api, scheduled_interview):
    interview, _secret = scheduled_interview
    now = timezone.now()
    TranscriptSegment.objects.create(
        interview=interview, seq=1, speaker="agent", text="Tell me about COBOL.", started_at=now
    )
    TranscriptSegment.objects.create(
        interview=interview, seq=2, speaker="candidate", text="I wrote the compiler."
    )
    Interview.objects.filter(pk=interview.pk).update(
        status=Interview.Status.COMPLETED,
        report_status=Interview.ReportStatus.READY,
        report={"summary": "Knows compilers well.", "recommendation": "yes"},
    )
    transcript = api.get(f"/api/v1/interviews/{interview.pk}/transcript/").json()
    assert [(s["seq"], s["speaker"], s["text"]) for s in transcript["segments"]] == [
        (1, "agent", "Tell me about COBOL."),
        (2, "candidate", "I wrote the compiler."),
    ]
    report = api.get(f"/api/v1/interviews/{interview.pk}/report/").json()
    assert report["report_status"] == "ready"
    assert report["report"]["summary"] == "Knows compilers well."
