"""Saving a profile: stale test results are cleared, a new test starts, the active one warns.

The browser test walks what a new admin tripped over: an unreachable URL saved
on the active profile kept showing the old green "every check passed".
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from providers.models import ProviderProfile
from providers.services import profile_activate, profile_run_checks
from providers.tests.provider_helpers import LLM_KEY, healthy_fake, make_fake_profile
from providers.tests.test_provider_pages import form_data
from tests.processes import celery_worker_args, child_env, running, wait_for_worker

# Nothing listens on the discard port, so every request to it is refused at once.
UNREACHABLE = "http://127.0.0.1:9/v1"
ACTIVE_WARNING = (
    "New interviews use this profile. Saving changes them from now on; "
    "interviews already created keep their settings."
)


@pytest.fixture
def queued_tasks(monkeypatch):
    """The connection tests the request queued (profile ids), without running them."""
    from providers.tasks import profile_check_connections

    queued = []
    monkeypatch.setattr(
        profile_check_connections, "delay", lambda profile_id, run: queued.append(profile_id)
    )
    return queued


@pytest.fixture
def tested_profile(db, fake_openai):
    """The active profile, tested green against the fake server."""
    profile = make_fake_profile(fake_openai, name="GPU box")
    healthy_fake(fake_openai)
    assert profile_run_checks(profile_id=profile.pk) == "passed"
    profile_activate(profile=profile)
    profile.refresh_from_db()
    return profile


def save(client, profile, *, then="save", **changes):
    with_then = {**form_data(profile, **changes), "then": then}
    return client.post(reverse("providers:edit", args=[profile.pk]), with_then)


@pytest.mark.parametrize(
    "change",
    [
        {"llm_base_url": UNREACHABLE},
        {"stt_model": "whisper-large"},
        {"tts_voice": "am_adam"},
        {"tts_api_key": "sk-a-new-tts-key-123"},
        {"clear_llm_api_key": "on"},
    ],
)
def test_changing_what_the_test_exercises_clears_the_results_and_tests_again(
    admin_client, tested_profile, queued_tasks, django_capture_on_commit_callbacks, change
):
    with django_capture_on_commit_callbacks(execute=True):
        response = save(admin_client, tested_profile, **change)

    assert response.status_code == 302
    tested_profile.refresh_from_db()
    assert tested_profile.last_check["state"] == "queued"
    assert tested_profile.last_check["results"] == []
    assert tested_profile.last_check["changed_at"]
    assert tested_profile.last_checked_at is None
    assert tested_profile.is_active
    assert queued_tasks == [tested_profile.pk]
    page = admin_client.get(reverse("providers:list")).content.decode()
    assert "Not tested since it was changed." in page
    assert "Test queued: waiting for a worker" in page
    assert "every check passed" not in page
    assert 'chip chip-ok">Working' not in page
    assert "old test results were cleared and it is being tested again" in page


def test_other_edits_keep_the_results_and_start_no_test(
    admin_client, tested_profile, queued_tasks, django_capture_on_commit_callbacks
):
    before = tested_profile.last_check
    with django_capture_on_commit_callbacks(execute=True):
        save(admin_client, tested_profile, persona="You are Sam.", description="Night shift.")

    tested_profile.refresh_from_db()
    assert tested_profile.persona == "You are Sam."
    assert tested_profile.last_check == before
    assert tested_profile.llm_api_key == LLM_KEY
    assert queued_tasks == []
    page = admin_client.get(reverse("providers:list")).content.decode()
    assert "every check passed" in page
    assert "Not tested since it was changed" not in page


def test_save_and_test_tests_an_unchanged_profile(
    admin_client, tested_profile, queued_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = save(admin_client, tested_profile, then="test")

    assert response.status_code == 302
    tested_profile.refresh_from_db()
    assert tested_profile.last_check["state"] == "queued"
    assert "changed_at" not in tested_profile.last_check
    assert queued_tasks == [tested_profile.pk]
    page = admin_client.get(reverse("providers:list")).content.decode()
    assert "was saved and is being tested" in page
    assert "Not tested since it was changed" not in page


def test_create_and_test_queues_a_test_of_the_new_profile(
    admin_client, queued_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("providers:create"), {**form_data(), "then": "test"})
        admin_client.post(reverse("providers:create"), {**form_data(name="Spare"), "then": "save"})

    tested = ProviderProfile.objects.get(name="GPU box")
    assert queued_tasks == [tested.pk]
    assert ProviderProfile.objects.get(name="Spare").last_check == {}


def test_the_form_warns_that_the_active_profile_changes_new_interviews(
    admin_client, tested_profile, fake_openai
):
    spare = make_fake_profile(fake_openai, name="Spare")
    active_form = admin_client.get(reverse("providers:edit", args=[tested_profile.pk]))
    spare_form = admin_client.get(reverse("providers:edit", args=[spare.pk]))
    copy_form = admin_client.get(reverse("providers:duplicate", args=[tested_profile.pk]))

    assert ACTIVE_WARNING in active_form.content.decode()
    assert ACTIVE_WARNING not in spare_form.content.decode()
    assert ACTIVE_WARNING not in copy_form.content.decode()
    html = active_form.content.decode()
    assert 'name="then" value="test">Save and test</button>' in html
    assert 'name="then" value="save">Save changes</button>' in html


def test_a_profile_changed_without_a_test_says_so(admin_client, tested_profile):
    tested_profile.last_check = {"state": "changed", "changed_at": "now", "results": []}
    tested_profile.last_checked_at = None
    tested_profile.save()
    page = admin_client.get(reverse("providers:list")).content.decode()
    assert "Not tested since it was changed." in page
    assert "Press Test connection" in page
    assert page.count('chip chip-muted">Not tested') == 3


# --- in a browser ---------------------------------------------------------------


def screenshots(page, path, name):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(path / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def green_active_profile(transactional_db, fake_openai):
    # Before the browser starts: Playwright's event loop forbids database calls after.
    profile = make_fake_profile(fake_openai, name="GPU box")
    healthy_fake(fake_openai)
    assert profile_run_checks(profile_id=profile.pk) == "passed"
    return profile_activate(profile=profile)


def test_saving_an_unreachable_url_clears_the_green_results_and_tests_again(
    web_server, admin_user, green_active_profile, page, tmp_path
):
    from dashboard.celery import app

    app.control.purge()
    page.goto(f"{web_server}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{web_server}/providers/")
    card = page.locator(f'[data-profile="{green_active_profile.pk}"]')
    expect(card.locator("[data-role=state]")).to_contain_text("every check passed")

    card.get_by_role("link", name="Edit").click()
    expect(page.get_by_text(ACTIVE_WARNING)).to_be_visible()
    screenshots(page, tmp_path, "edit-active")
    page.get_by_label("LLM base URL").fill(UNREACHABLE)
    page.get_by_role("button", name="Save changes").click()

    # No worker yet: the test waits in the queue, and nothing old is shown as working.
    card = page.locator(f'[data-profile="{green_active_profile.pk}"]')
    state = card.locator("[data-role=state]")
    expect(state).to_contain_text("Not tested since it was changed.")
    expect(state).to_contain_text("Test queued")
    expect(card.get_by_text("Working")).to_have_count(0)
    expect(card.locator(".check")).to_have_count(0)
    expect(card.locator('[data-service="llm"] .url')).to_have_text(UNREACHABLE)
    screenshots(page, tmp_path, "changed")

    # A worker picks the queued test up; results stream in without a reload.
    page.evaluate("window.notReloaded = true")
    with running(
        celery_worker_args(),
        env=child_env(),
        log_path=tmp_path / "celery.log",
        ready=lambda _process: wait_for_worker(app),
    ):
        expect(state).to_contain_text("some checks failed", timeout=90_000)
    llm = card.locator('[data-service="llm"]')
    expect(llm.locator("[data-role=service-status]")).to_have_text("Problem")
    expect(llm.locator(".check-fail").first).to_contain_text("Connection refused")
    tts = card.locator('[data-service="tts"]')
    expect(tts.locator("[data-role=service-status]")).to_have_text("Working")
    assert page.evaluate("window.notReloaded") is True
    screenshots(page, tmp_path, "retested")
