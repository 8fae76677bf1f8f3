import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from providers.models import ProviderProfile
from providers.services import profile_activate
from resumes import services
from resumes.models import ParseAttempt


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path, monkeypatch):
    """Uploads go to a temporary folder, for this process and any worker it starts."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    return root


@pytest.fixture
def fast_retries(settings):
    settings.RESUME_RETRY_BASE_SECONDS = 0.01
    settings.RESUME_RETRY_MAX_SECONDS = 5
    settings.RESUME_LLM_MAX_RETRIES = 3
    settings.RESUME_LLM_TIMEOUT_SECONDS = 10


def make_profile(base_url, *, name="Scripted", model="fake-model", api_key=""):
    profile = ProviderProfile.objects.create(
        name=name,
        llm_base_url=base_url,
        llm_model=model,
        llm_api_key=api_key,
        stt_base_url=base_url,
        stt_model="stt",
        tts_base_url=base_url,
        tts_model="tts",
        tts_voice="voice",
    )
    return profile_activate(profile=profile)


@pytest.fixture
def fake_profile(db, fake_openai):
    return make_profile(fake_openai.url, api_key="sk-test-secret-123")


def upload(content, name="resume.pdf", *, user=None):
    return services.resume_upload(uploaded_file=SimpleUploadedFile(name, content), user=user).resume


def run_attempt(resume, *, max_rounds=20):
    """Run the resume's open attempt in this process, sleeping through retries like Celery."""
    attempt = ParseAttempt.objects.filter(resume=resume).order_by("-id").first()
    waits = []
    for _ in range(max_rounds):
        outcome = services.attempt_run(attempt_id=attempt.pk)
        if outcome is None:
            break
        waits.append(outcome.seconds)
        time.sleep(outcome.seconds)
    attempt.refresh_from_db()
    resume.refresh_from_db()
    resume.candidate.refresh_from_db()
    return attempt, waits
