"""Connection tests run on the real Celery worker and stream into the admin's page."""

import json
import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from dashboard.asgi import application
from providers.models import ProviderProfile
from providers.services import profile_run_checks
from providers.tasks import profile_check_connections
from providers.tests.provider_helpers import ALL_KEYS, LLM_KEY, healthy_fake, make_fake_profile
from tests.fake_openai import Reply

pytestmark = pytest.mark.django_db(transaction=True)

CHECK_KEYS = [
    "llm.models", "llm.chat", "llm.json", "tts.models", "tts.speech", "stt.models",
    "stt.transcription",
]  # fmt: skip


def wait_for_done(profile, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        profile.refresh_from_db()
        if profile.last_check.get("state") == "done":
            return profile.last_check
        time.sleep(0.2)
    raise AssertionError(f"the check never finished: {profile.last_check}")


def test_the_test_button_runs_the_checks_on_the_worker_and_the_list_shows_them(
    celery_worker, admin_client, fake_openai
):
    profile = make_fake_profile(fake_openai)
    healthy_fake(fake_openai)

    response = admin_client.post(
        reverse("providers:test", args=[profile.pk]), HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 202
    assert response.json()["state"] == "queued"
    check = wait_for_done(profile)
    assert [r["key"] for r in check["results"]] == CHECK_KEYS
    assert {r["status"] for r in check["results"]} == {"pass"}
    assert check["outcome"] == "passed"
    assert profile.last_checked_at is not None
    page = admin_client.get(reverse("providers:list")).content.decode()
    assert "every check passed" in page
    assert "Heard &quot;Hello, this is a quick test of the interview voice.&quot;" in page
    assert page.count(" ms</span>") == 7
    for key in ALL_KEYS:
        assert key not in page


def test_the_task_returns_ids_and_an_outcome_only(celery_worker, fake_openai):
    profile = make_fake_profile(fake_openai)
    fake_openai.script("chat", Reply.error(401, f"Incorrect API key provided: {LLM_KEY}"))

    outcome = profile_check_connections.delay(profile.pk, "run-1").get(timeout=90)

    assert outcome == {"profile_id": profile.pk, "run": "run-1", "outcome": "failed"}
    profile.refresh_from_db()
    chat = next(r for r in profile.last_check["results"] if r["key"] == "llm.chat")
    assert chat["status"] == "fail" and "rejected the API key (401)" in chat["message"]
    stored = json.dumps(profile.last_check)
    for key in ALL_KEYS:
        assert key not in stored


async def connect(user):
    communicator = WebsocketCommunicator(
        application, "/ws/live/providers/", headers=[(b"origin", b"http://localhost")]
    )
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_results_stream_to_an_admins_page_while_they_run(admin_user, fake_openai):
    profile = await sync_to_async(make_fake_profile)(fake_openai)
    healthy_fake(fake_openai)
    communicator, connected, _ = await connect(admin_user)
    assert connected

    outcome = await sync_to_async(profile_run_checks)(profile_id=profile.pk, run="r1")

    messages = [await communicator.receive_json_from(timeout=5) for _ in range(9)]
    await communicator.disconnect()
    assert outcome == "passed"
    assert [m["event"] for m in messages] == ["check.started"] + ["check.result"] * 7 + [
        "check.finished"
    ]
    assert all(m["payload"]["profile"] == profile.pk for m in messages)
    results = [m["payload"]["result"] for m in messages[1:8]]
    assert [r["key"] for r in results] == CHECK_KEYS
    assert all(isinstance(r["latency_ms"], int) and r["message"] for r in results)
    assert messages[-1]["payload"]["outcome"] == "passed"
    for key in ALL_KEYS:
        assert key not in json.dumps(messages)


async def test_recruiters_are_refused_the_providers_topic(recruiter):
    _, connected, code = await connect(recruiter)
    assert not connected
    assert code == 4403


def test_a_profile_deleted_before_its_test_runs_is_skipped(fake_openai):
    profile = make_fake_profile(fake_openai)
    pk = profile.pk
    profile.delete()
    assert profile_run_checks(profile_id=pk) == "missing"
    assert not ProviderProfile.objects.filter(pk=pk).exists()
