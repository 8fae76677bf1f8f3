"""The lists fit a phone: no horizontal scrolling at 390 px, status still in view."""

import pytest
from django.utils import timezone

from resumes.models import Resume

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def long_lists(transactional_db, recruiter, interview_profile):
    # Before the browser starts: Playwright's event loop forbids database calls after.
    from agents.services import interview_create
    from resumes.models import Candidate

    for n in range(3):
        candidate = Candidate.objects.create(
            name=f"Maximiliana Featherstonehaugh-Worthington {n}",
            email=f"maximiliana.featherstonehaugh{n}@a-very-long-domain-name.example.com",
        )
        Resume.objects.create(
            candidate=candidate,
            original_name=f"maximiliana-featherstonehaugh-curriculum-vitae-{n}.pdf",
            sha256=f"{n:064d}",
            status=Resume.Status.FAILED if n == 0 else Resume.Status.PARSED,
            failure_reason="The model server did not answer within 120 seconds. " * 3,
            skills_text="|python|django|postgresql|kubernetes|terraform|",
        )
        interview_create(
            candidate=candidate,
            role_title="Senior distributed systems engineer, payments platform",
            created_by=recruiter,
            link_valid_for=timezone.timedelta(days=7),
        )


def _sign_in(page, web_server):
    page.goto(f"{web_server}/accounts/login/")
    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")


@pytest.mark.parametrize("path", ["/candidates/", "/interviews/"])
def test_the_list_fits_a_phone_screen(web_server, long_lists, page, path, tmp_path):
    page.set_viewport_size(PHONE)
    _sign_in(page, web_server)
    page.goto(f"{web_server}{path}")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    table_overflow = page.evaluate(
        "(() => { const w = document.querySelector('.table-wrap');"
        " return w.scrollWidth - w.clientWidth; })()"
    )
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    assert overflow <= 0
    assert table_overflow <= 0
    status = page.locator("tbody tr td:not(.wide-only) .chip").first.bounding_box()
    assert status["x"] + status["width"] <= PHONE["width"]
