"""The policies in Chromium: the pages' own scripts run, the join page alone gets the microphone."""

import pytest


@pytest.fixture
def browser_page(microphone_browser):
    """A page with the fake microphone that collects Content-Security-Policy violations."""
    page = microphone_browser.new_page()
    page.violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.violations.append(message.text)
        ),
    )
    return page


ALLOWS_MICROPHONE = "document.featurePolicy.allowsFeature('microphone')"


def test_the_join_page_runs_its_scripts_and_checks_the_microphone(
    web_server, scheduled_interview, browser_page
):
    _interview, secret = scheduled_interview
    page = browser_page

    page.goto(f"{web_server}/join/{secret}/")

    # The vendored LiveKit client and the page scripts ran under the policy.
    assert page.evaluate("typeof LivekitClient") == "object"
    assert page.evaluate(ALLOWS_MICROPHONE) is True
    page.click("#mic-check")
    page.get_by_text("Microphone on.").wait_for(timeout=15_000)
    page.check("#consent")
    with page.expect_response(lambda response: response.url.endswith("/token/")) as token:
        page.click("#join")
    # Without a LiveKit server the token request answers 503 and the page says so.
    assert token.value.status in (200, 503)
    if token.value.status == 503:
        page.get_by_text("The interview room can't be reached right now").wait_for()
    assert page.violations == []


def test_other_pages_cannot_use_the_microphone(web_server, recruiter, browser_page):
    page = browser_page

    page.goto(f"{web_server}/accounts/login/")

    assert page.evaluate(ALLOWS_MICROPHONE) is False
    error = page.evaluate(
        "navigator.mediaDevices.getUserMedia({audio: true}).then(() => 'granted', e => e.name)"
    )
    assert error == "NotAllowedError"
    assert page.violations == []

    # An injected inline script does not run, and the browser reports why.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as refused:
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.append(s); }"
        )
    assert "inline script" in refused.value.text
    assert page.evaluate("window.injected === undefined")
