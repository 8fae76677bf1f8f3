"""The candidate page in a real browser: uploads with progress, then chips that update live."""

import json

import pytest

from resumes.tests import files
from resumes.tests.conftest import make_profile
from tests.fake_openai import Reply


@pytest.fixture
def scripted_profile(transactional_db, fake_openai):
    # Before the browser starts: Playwright's event loop forbids database calls after.
    return make_profile(fake_openai.url)


def test_a_recruiter_uploads_two_files_and_watches_the_resume_get_parsed(
    web_server, celery_worker, fake_openai, recruiter, scripted_profile, page, tmp_path
):
    # Slow enough for the page to be open and subscribed before the parse ends.
    fake_openai.script("chat", Reply(content=json.dumps({"basics": {"name": "Jane Doe"}}), delay=2))
    page.goto(f"{web_server}/accounts/login/")
    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(f"{web_server}/candidates/")
    page.set_input_files(
        "#upload-input",
        [
            {"name": "jane.docx", "mimeType": "application/pdf", "buffer": files.pdf()},
            {"name": "photo.pdf", "mimeType": "application/pdf", "buffer": files.png_file()},
        ],
    )
    rows = page.locator("#upload-list .upload-row")
    jane = rows.filter(has_text="jane.docx")
    photo = rows.filter(has_text="photo.pdf")
    jane.get_by_role("link", name="Open candidate").wait_for(timeout=15_000)
    photo.get_by_text("This file is a PNG image, which is not supported.").wait_for()
    # The table gains the new row without a reload, named by its file until it is parsed.
    table_row = page.locator("#candidate-rows table tbody tr")
    table_row.get_by_role("link", name="jane.docx").wait_for(timeout=15_000)
    assert page.get_by_text("No candidates yet").count() == 0
    # The chips of the upload row and the table turn to Parsed over the websocket.
    jane.locator(".chip", has_text="Parsed").wait_for(timeout=30_000)
    table_row.get_by_role("link", name="Jane Doe").wait_for(timeout=15_000)
    assert table_row.count() == 1
    assert "Parsed" in table_row.inner_text()
    page.screenshot(path=str(tmp_path / "uploads.png"), full_page=True)

    page.reload()
    assert table_row.count() == 1
    assert "Jane Doe" in table_row.inner_text()
    assert "Parsed" in table_row.inner_text()

    # "payment" is only in the resume's text: not in the name, skills or file name.
    page.fill("#q", "payment")
    page.get_by_role("button", name="Filter").click()
    table_row.get_by_role("link", name="Jane Doe").wait_for()
    page.fill("#q", "cobol")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("No resumes match").wait_for()
    page.get_by_role("link", name="Show all candidates").click()
    table_row.get_by_role("link", name="Jane Doe").click()
    page.get_by_role("heading", name="Jane Doe").wait_for()
    page.screenshot(path=str(tmp_path / "candidate.png"), full_page=True)
