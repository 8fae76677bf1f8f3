"""Swagger UI in Chromium under the site's Content-Security-Policy: a recruiter pastes a
token, tries the job list, and sees the answer."""


def test_swagger_ui_calls_the_api_with_a_pasted_token(web_server, recruiter_token, page):
    # (The token is made before the browser starts: Django refuses queries inside its loop.)
    _token, secret = recruiter_token
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message),
    )

    page.goto(f"{web_server}/api/docs/")
    page.locator("#operations-jobs-jobs_list").wait_for(timeout=20_000)
    page.click("button.authorize")
    page.locator(".modal-ux input").fill(secret)
    page.click(".modal-ux .auth-btn-wrapper button.authorize")
    page.click(".modal-ux .auth-btn-wrapper button.btn-done")

    page.click("#operations-jobs-jobs_list .opblock-summary")
    page.click("#operations-jobs-jobs_list button.try-out__btn")
    page.click("#operations-jobs-jobs_list button.execute")
    status = page.locator(
        "#operations-jobs-jobs_list .live-responses-table tr.response .response-col_status"
    )
    status.first.wait_for(timeout=20_000)
    assert status.first.inner_text().strip() == "200"
    body = page.locator("#operations-jobs-jobs_list .live-responses-table .microlight").first
    assert '"count": 0' in body.inner_text()
    assert [m.text for m in violations] == []
