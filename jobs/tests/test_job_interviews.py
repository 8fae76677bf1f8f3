import pytest
from django.urls import reverse

from agents.models import Interview
from jobs.models import Job
from jobs.services import job_candidate_add
from jobs.tests.support import make_job, page_text
from resumes.models import Candidate


@pytest.fixture
def job(recruiter):
    return make_job(owner=recruiter)


@pytest.fixture
def candidates(job, interview_candidate):
    alan = Candidate.objects.create(name="Alan Turing", email="alan@example.com")
    ada = Candidate.objects.create(name="Ada Lovelace", email="ada@example.com")
    for candidate in (interview_candidate, alan, ada):
        job_candidate_add(job=job, candidate=candidate)
    return interview_candidate, alan, ada


def test_one_action_creates_interviews_for_the_ticked_candidates_and_shows_their_links_once(
    recruiter_client, job, candidates, interview_profile
):
    grace, alan, ada = candidates
    response = recruiter_client.post(
        reverse("jobs:interviews_create", args=[job.pk]), {"candidate": [grace.pk, alan.pk]}
    )
    assert response["Location"] == reverse("jobs:detail", args=[job.pk]) + "#links"

    interviews = Interview.objects.filter(job=job).order_by("candidate__name")
    assert [i.candidate for i in interviews] == [alan, grace]
    plan = job.plan_versions.get()
    for interview in interviews:
        assert interview.plan == plan.plan and interview.plan["version"] == 1
        assert interview.rubric["version"] == 1
        assert interview.role_title == "Backend engineer"
        assert interview.job_description == "Python services."
        assert interview.max_duration_minutes == plan.plan["time_limit_minutes"]

    page = page_text(recruiter_client.get(response["Location"]))
    assert "2 interviews created. Send each candidate their link." in page
    links = [line for line in page.split() if "/join/" in line and line.startswith('value="')]
    assert len(links) == 2
    assert "Copy all links" in page
    assert page.count("/join/") == 4  # each link in its row and in the "copy all" text
    # The secrets are only in the page once: a reload no longer has them.
    again = page_text(recruiter_client.get(reverse("jobs:detail", args=[job.pk])))
    assert "/join/" not in again
    assert "Ada Lovelace" in again and "Not interviewed" in again
    assert Interview.objects.filter(candidate=ada).count() == 0


def test_a_candidate_whose_interview_is_still_to_run_is_skipped(
    recruiter_client, job, candidates, interview_profile
):
    grace, alan, _ada = candidates
    url = reverse("jobs:interviews_create", args=[job.pk])
    recruiter_client.post(url, {"candidate": [grace.pk]})
    page = page_text(recruiter_client.post(url, {"candidate": [grace.pk, alan.pk]}, follow=True))
    assert "1 interview created." in page
    assert (
        "Not created for Grace Hopper: an interview for this job is already scheduled or running."
        in page
    )
    assert Interview.objects.filter(job=job, candidate=grace).count() == 1


def test_nothing_ticked_closed_job_or_no_active_profile_each_say_so(
    recruiter_client, job, candidates
):
    grace = candidates[0]
    url = reverse("jobs:interviews_create", args=[job.pk])
    page = page_text(recruiter_client.post(url, {}, follow=True))
    assert "Tick the candidates to interview first." in page

    page = page_text(recruiter_client.post(url, {"candidate": [grace.pk]}, follow=True))
    assert "No model provider profile is active." in page

    Job.objects.filter(pk=job.pk).update(status=Job.Status.CLOSED)
    page = page_text(recruiter_client.post(url, {"candidate": [grace.pk]}, follow=True))
    assert "This job is closed. Reopen it to interview its candidates." in page
    assert not Interview.objects.exists()


def test_a_job_without_a_plan_cannot_interview(recruiter_client, recruiter, interview_profile):
    job = Job.objects.create(title="Draft only", owner=recruiter)
    grace = Candidate.objects.create(name="Grace Hopper")
    job_candidate_add(job=job, candidate=grace)
    page = page_text(
        recruiter_client.post(
            reverse("jobs:interviews_create", args=[job.pk]), {"candidate": [grace.pk]}, follow=True
        )
    )
    assert "This job has no interview plan yet. Save a plan first." in page
    assert not Interview.objects.exists()


def test_a_candidate_of_another_job_cannot_be_slipped_in(
    recruiter_client, job, candidates, interview_profile
):
    outsider = Candidate.objects.create(name="Eve Outsider")
    page = page_text(
        recruiter_client.post(
            reverse("jobs:interviews_create", args=[job.pk]),
            {"candidate": [outsider.pk]},
            follow=True,
        )
    )
    assert "Tick the candidates to interview first." in page
    assert not Interview.objects.exists()
