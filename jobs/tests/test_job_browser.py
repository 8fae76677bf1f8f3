"""The jobs pages in a real browser, on a desktop and on a 390 px phone.

Screenshots go to test-artifacts/jobs/ to be looked at.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from agents.models import Interview
from jobs.services import job_candidate_add, job_interviews_create
from jobs.tests.support import make_job
from resumes.models import Candidate

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "jobs"


@pytest.fixture
def hiring(transactional_db, recruiter, interview_profile):
    # Before the browser starts: Playwright's event loop forbids database calls after.
    job = make_job(owner=recruiter, title="Backend engineer, payments platform")
    people = [
        Candidate.objects.create(name="Grace Hopper", email="grace@example.com"),
        Candidate.objects.create(name="Maximiliana Featherstonehaugh-Worthington"),
        Candidate.objects.create(name="Alan Turing", email="alan@example.com"),
    ]
    for candidate in people[:2]:
        job_candidate_add(job=job, candidate=candidate)
    created, _ = job_interviews_create(job=job, candidates=people[:2])
    keys = [c["key"] for c in job.rubric_versions.get().rubric["competencies"]]
    Interview.objects.filter(pk=created[0].interview.pk).update(
        status=Interview.Status.COMPLETED,
        report={
            "recommendation": "yes",
            "competencies": [
                {"key": key, "name": key, "status": "scored", "score": 3 + n % 3}
                for n, key in enumerate(keys)
            ],
        },
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    return job, people


def _sign_in(page, web_server):
    page.goto(f"{web_server}/accounts/login/")
    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")


def _overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_recruiter_creates_a_job_from_a_template_and_interviews_a_candidate(
    web_server, hiring, page
):
    job, people = hiring
    page.set_viewport_size(DESKTOP)
    _sign_in(page, web_server)
    page.goto(f"{web_server}{reverse('jobs:list')}")
    page.screenshot(path=str(SHOTS / "desktop-list.png"), full_page=True)

    page.get_by_role("link", name="New job").first.click()
    page.get_by_role("link", name="Customer support").click()
    # The yes/no must-have shows its two answers, not the five levels of a 1–5 scale.
    weekend = page.locator("details.competency", has_text="Weekend shifts")
    weekend.locator("summary").click()
    assert weekend.get_by_label("Yes: meets it").is_visible()
    assert not weekend.get_by_label("5 (strongest)").is_visible()
    page.screenshot(path=str(SHOTS / "desktop-new-job.png"), full_page=True)
    page.get_by_role("button", name="Save job").click()
    page.get_by_text("Job created with its interview plan.").wait_for()
    assert "Plan version 1, rubric version 1" in page.inner_text("#plan")

    # Two questions added to a section at once: the second row comes from the page's script.
    section = page.locator("fieldset.plan-section").nth(1)
    add = section.get_by_role("button", name="Add a question")
    add.click()
    section.locator("#s-1-q-1-text").fill("How do you calm a customer who is shouting?")
    add.click()
    section.locator("#s-1-q-2-text").fill("When did you last say no to a customer?")
    section.locator("#s-1-q-2-minutes").fill("2")
    page.get_by_role("button", name="Save plan and rubric").click()
    page.get_by_text("Saved as plan version 2 and rubric version 1.").wait_for()
    assert "How do you calm" in page.locator("#s-1-q-1-text").input_value()
    assert page.locator("#s-1-q-2-minutes").input_value() == "2"

    page.select_option("#id_candidate", label="Alan Turing")
    page.get_by_role("button", name="Add to job").click()
    page.get_by_text("Alan Turing added to this job.").wait_for()
    page.get_by_label("Interview Alan Turing").check()
    page.get_by_role("button", name="Create interviews for the ticked candidates").click()
    page.get_by_text("1 interview created.").wait_for()
    link = page.get_by_label("Link for Alan Turing").input_value()
    assert "/join/" in link
    assert page.get_by_role("button", name="Copy all links").is_visible()
    page.screenshot(path=str(SHOTS / "desktop-links.png"), full_page=True)

    page.goto(f"{web_server}{reverse('jobs:detail', args=[job.pk])}")
    page.screenshot(path=str(SHOTS / "desktop-job.png"), full_page=True)
    page.goto(f"{web_server}{reverse('jobs:compare', args=[job.pk])}")
    page.get_by_role("link", name="System design").click()
    assert "sort=c%3Asystem_design" in page.url or "sort=c:system_design" in page.url
    page.screenshot(path=str(SHOTS / "desktop-compare.png"), full_page=True)


@pytest.mark.parametrize("name", ["list", "new-job", "job", "compare"])
def test_the_jobs_pages_fit_a_phone(web_server, hiring, page, name):
    job, _people = hiring
    path = {
        "list": reverse("jobs:list"),
        "new-job": reverse("jobs:create") + "?template=backend_engineer",
        "job": reverse("jobs:detail", args=[job.pk]),
        "compare": reverse("jobs:compare", args=[job.pk]),
    }[name]
    page.set_viewport_size(PHONE)
    _sign_in(page, web_server)
    page.goto(f"{web_server}{path}")
    page.screenshot(path=str(SHOTS / f"phone-{name}.png"), full_page=True)
    assert _overflow(page) <= 0
