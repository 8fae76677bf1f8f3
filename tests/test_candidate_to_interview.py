"""From a candidate's page to a new interview for them, in a real browser."""

import pytest

from resumes.models import Candidate, Resume


@pytest.fixture
def unparsed_candidate(transactional_db, recruiter, interview_profile):
    # Before the browser starts: Playwright's event loop forbids database calls after.
    Candidate.objects.create(name="Ada Lovelace")
    candidate = Candidate.objects.create()
    Resume.objects.create(
        candidate=candidate, original_name="grace-cv.pdf", sha256="c" * 64, status="parsing"
    )
    return candidate


def test_create_interview_from_the_candidate_page_picks_that_candidate(
    web_server, unparsed_candidate, page, tmp_path
):
    page.goto(f"{web_server}/accounts/login/")
    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(f"{web_server}/candidates/{unparsed_candidate.pk}/")

    page.get_by_role("link", name="Create interview").click()

    picker = page.get_by_label("Candidate")
    picker.wait_for()
    assert picker.evaluate("select => select.selectedOptions[0].textContent") == "grace-cv.pdf"
    labels = picker.evaluate("select => [...select.options].map(option => option.textContent)")
    # Unnamed candidates sort first (by file name), then the named ones.
    assert labels == ["Choose a candidate", "grace-cv.pdf", "Ada Lovelace"]
    page.fill("input[name=role_title]", "Backend engineer")
    page.get_by_role("button", name="Create interview").click()
    page.get_by_text("Interview created").wait_for()
    page.screenshot(path=str(tmp_path / "interview.png"), full_page=True)
