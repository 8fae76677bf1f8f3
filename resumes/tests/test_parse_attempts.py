"""Parsing through a scripted OpenAI-compatible server, run in this process."""

import json
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from providers.models import ProviderProfile
from resumes import services
from resumes.models import ParseAttempt, Resume
from resumes.tests import files
from resumes.tests.conftest import make_profile, run_attempt, upload
from tests.fake_openai import Reply

pytestmark = pytest.mark.django_db


def _lease():
    return django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


REPLY = {
    "basics": {
        "name": "Jane Doe",
        "label": "Senior Backend Engineer",
        "email": "jane.doe@example.com",
        "phone": "+1 415 555 0134",
        "location": {"city": "Boston", "countryCode": "US"},
        "profiles": [{"network": "GitHub", "url": "https://github.com/janedoe"}],
    },
    "work": [{"name": "Acme Corp", "position": "Staff Engineer", "startDate": "2019"}],
    "education": [{"institution": "MIT", "area": "Computer Science", "studyType": "BSc"}],
    "skills": [{"name": "Python"}, {"name": "Django"}, {"name": "PostgreSQL"}],
    "languages": [{"language": "English", "fluency": "Native"}],
    "projects": [],
    "certificates": [],
    "summary": "Backend engineer with payments experience.",
    "total_years_experience": 9,
}


def test_a_reply_is_stored_exactly_and_fills_the_candidate(fake_openai, fake_profile):
    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    resume = upload(files.pdf())
    attempt, _ = run_attempt(resume)

    assert resume.status == Resume.Status.PARSED
    assert resume.parsed["basics"]["name"] == "Jane Doe"
    assert resume.parsed["work"][0] == {
        "name": "Acme Corp",
        "position": "Staff Engineer",
        "location": "",
        "startDate": "2019",
        "endDate": "",
        "summary": "",
        "highlights": [],
    }
    assert resume.parsed["total_years_experience"] == 9.0
    # Kubernetes and Go are in the file but not in the reply: grounding adds them.
    assert resume.skills_text == "|python|django|postgresql|kubernetes|go|"
    candidate = resume.candidate
    assert (candidate.name, candidate.email, candidate.phone, candidate.location) == (
        "Jane Doe",
        "jane.doe@example.com",
        "+1 415 555 0134",
        "Boston, US",
    )
    assert attempt.outcome == ParseAttempt.Outcome.SUCCEEDED
    assert attempt.profile_name == "Scripted"
    assert attempt.llm_calls == 1
    assert attempt.total_ms >= attempt.llm_ms >= 0


def test_the_request_asks_for_json_with_a_low_temperature_and_a_token_cap(
    fake_openai, fake_profile
):
    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    run_attempt(upload(files.text_file()))
    (request,) = fake_openai.requests["chat"]
    assert request["model"] == "fake-model"
    assert request["response_format"]["type"] == "json_schema"
    schema = request["response_format"]["json_schema"]["schema"]
    assert {"basics", "work", "education", "skills"} <= set(schema["properties"])
    assert 0 <= request["temperature"] <= 0.2
    assert request["max_tokens"] > 0
    system, user = request["messages"]
    assert system["role"] == "system"
    assert "JSON" in system["content"]
    for key in ("basics", "work", "education", "skills", "total_years_experience"):
        assert f'"{key}"' in system["content"]
    assert "jane.doe@example.com" in user["content"]
    assert request["_authorization"] == "Bearer sk-test-secret-123"


def test_a_server_without_structured_output_is_asked_in_json_mode(fake_openai, fake_profile):
    fake_openai.script(
        "chat",
        Reply.error(400, "Unsupported response_format: json_schema"),
        Reply(content=json.dumps(REPLY)),
    )
    resume = upload(files.text_file())
    run_attempt(resume)
    assert resume.status == Resume.Status.PARSED
    first, second = fake_openai.requests["chat"]
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"] == {"type": "json_object"}


def test_a_fenced_reply_is_unwrapped(fake_openai, fake_profile):
    fake_openai.script("chat", Reply(content="```json\n" + json.dumps(REPLY) + "\n```"))
    resume = upload(files.pdf())
    run_attempt(resume)
    assert resume.status == Resume.Status.PARSED
    assert resume.parsed["basics"]["email"] == "jane.doe@example.com"


def test_a_truncated_reply_is_repaired_and_noted(fake_openai, fake_profile):
    text = json.dumps(REPLY)
    fake_openai.script("chat", Reply(content=text[: text.index('"education"') + 30]))
    resume = upload(files.pdf())
    attempt, _ = run_attempt(resume)
    assert resume.status == Resume.Status.PARSED
    assert resume.parsed["work"][0]["name"] == "Acme Corp"
    assert any("repaired" in event["message"] for event in attempt.events)


def test_a_whitespace_reply_is_asked_again(fake_openai, fake_profile):
    fake_openai.script("chat", Reply(content="\n   \n"), Reply(content=json.dumps(REPLY)))
    resume = upload(files.pdf())
    attempt, _ = run_attempt(resume)
    assert resume.status == Resume.Status.PARSED
    assert len(fake_openai.requests["chat"]) == 2
    assert attempt.llm_calls == 2


def test_whitespace_replies_forever_end_in_failed_without_storing_anything(
    fake_openai, fake_profile
):
    fake_openai.defaults["chat"] = Reply(content=" " * 50)
    resume = upload(files.pdf())
    attempt, _ = run_attempt(resume)
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason == (
        "The model did not reply with a usable resume after 3 tries (the reply was empty). "
        "Re-parse to try again, or use a larger model."
    )
    assert resume.parsed == {}
    assert len(fake_openai.requests["chat"]) == 3


def test_a_429_is_retried_after_the_time_the_server_asks(fake_openai, fake_profile, fast_retries):
    fake_openai.script(
        "chat",
        Reply(status=429, json={"error": {"message": "slow down"}}, headers={"Retry-After": "1"}),
        Reply(content=json.dumps(REPLY)),
    )
    resume = upload(files.pdf())
    started = time.monotonic()
    attempt, waits = run_attempt(resume)
    assert time.monotonic() - started >= 1.0
    assert resume.status == Resume.Status.PARSED
    assert waits[0] >= 1.0
    assert attempt.transient_failures == 1
    assert attempt.events[0]["retry_after"] == 1.0
    assert "HTTP 429" in attempt.events[0]["message"]


def test_a_server_error_forever_fails_after_the_retry_budget(
    fake_openai, fake_profile, fast_retries
):
    fake_openai.defaults["chat"] = Reply.error(500, "model crashed")
    resume = upload(files.pdf())
    attempt, waits = run_attempt(resume)
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason == (
        "The model server had an error (HTTP 500): model crashed "
        "Gave up after 4 tries; re-parse to try again."
    )
    assert len(fake_openai.requests["chat"]) == 4
    assert len(waits) == 3
    assert attempt.outcome == ParseAttempt.Outcome.FAILED


def test_a_refused_key_fails_at_once_without_showing_the_key(fake_openai, fake_profile):
    fake_openai.script(
        "chat", Reply.error(401, "Incorrect API key provided: sk-test-secret-123", "invalid_key")
    )
    resume = upload(files.pdf())
    attempt, waits = run_attempt(resume)
    assert resume.status == Resume.Status.FAILED
    assert "refused the API key (HTTP 401)" in resume.failure_reason
    assert "sk-test-secret-123" not in resume.failure_reason + json.dumps(attempt.events)
    assert waits == []
    assert len(fake_openai.requests["chat"]) == 1


def test_an_unknown_model_fails_at_once_naming_it(fake_openai, fake_profile):
    fake_openai.script("chat", Reply.error(404, "model not found"))
    resume = upload(files.pdf())
    run_attempt(resume)
    assert resume.status == Resume.Status.FAILED
    assert "no model \u201cfake-model\u201d" in resume.failure_reason
    assert len(fake_openai.requests["chat"]) == 1


def test_an_unreachable_server_is_retried_then_fails_in_words(db, fast_retries):
    from tests.processes import free_port

    make_profile(f"http://127.0.0.1:{free_port()}/v1")
    resume = upload(files.pdf())
    attempt, waits = run_attempt(resume)
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason.startswith("Could not reach the model server at http://127.0.0.1")
    assert len(waits) == 3


def test_a_resume_longer_than_the_context_budget_is_parsed_in_parts(
    fake_openai, fake_profile, settings
):
    settings.RESUME_LLM_CONTEXT_TOKENS = 2000
    settings.RESUME_LLM_MAX_TOKENS = 500
    sections = [f"Job {n}\nCompany{n} Inc, engineer\n" + "Did things. " * 100 for n in range(6)]
    text = "Jane Doe\njane.doe@example.com\n\n" + "\n\n".join(sections)
    first = {"basics": {"name": "Jane Doe"}, "skills": ["Python"]}
    later = {"work": [{"name": "Company5 Inc"}], "skills": ["python", "Go"]}
    fake_openai.script("chat", Reply(content=json.dumps(first)))
    fake_openai.defaults["chat"] = Reply(content=json.dumps(later))
    resume = upload(files.text_file(text), "long.txt")
    attempt, _ = run_attempt(resume)

    requests = fake_openai.requests["chat"]
    assert len(requests) == attempt.chunks > 1
    sent = "".join(request["messages"][1]["content"] for request in requests)
    for section in sections:
        assert section.split("\n")[1] in sent
    assert resume.status == Resume.Status.PARSED
    assert resume.parsed["basics"]["name"] == "Jane Doe"
    assert resume.parsed["basics"]["email"] == "jane.doe@example.com"
    assert [skill["name"] for skill in resume.parsed["skills"]] == ["Python", "Go"]
    assert any("parsed in" in event["message"] for event in attempt.events)


def test_a_resume_too_long_for_any_split_fails_and_says_so(fake_openai, fake_profile, settings):
    settings.RESUME_LLM_CONTEXT_TOKENS = 1500
    settings.RESUME_LLM_MAX_TOKENS = 500
    settings.RESUME_LLM_MAX_CHUNKS = 2
    resume = upload(files.text_file("Experience. " * 3000), "huge.txt")
    run_attempt(resume)
    assert resume.status == Resume.Status.FAILED
    assert "more than the 2 allowed" in resume.failure_reason
    assert "larger context window" in resume.failure_reason
    assert fake_openai.requests["chat"] == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (files.image_only_pdf(), "This PDF contains only images; there's no text to read."),
        (files.encrypted_pdf(), "This PDF is protected with a password"),
        (files.corrupt_pdf(), "This PDF is damaged"),
        (files.blank_pdf(), "This document is empty"),
    ],
)
def test_an_unreadable_file_ends_failed_with_its_reason(fake_openai, fake_profile, content, reason):
    resume = upload(content)
    attempt, _ = run_attempt(resume)
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason.startswith(reason)
    assert attempt.outcome == ParseAttempt.Outcome.FAILED
    assert fake_openai.requests["chat"] == []
    assert resume.file.read()  # the original is kept


def test_without_an_active_profile_the_attempt_fails_in_words(db):
    resume = upload(files.pdf())
    run_attempt(resume)
    assert resume.status == Resume.Status.FAILED
    assert "No model provider profile is active" in resume.failure_reason


def test_a_redelivered_task_for_a_parsed_resume_does_nothing(fake_openai, fake_profile):
    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    resume = upload(files.pdf())
    attempt, _ = run_attempt(resume)
    parsed_at = resume.parsed_at
    assert services.attempt_run(attempt_id=attempt.pk) is None
    resume.refresh_from_db()
    attempt.refresh_from_db()
    assert resume.parsed_at == parsed_at
    assert attempt.deliveries == 1
    assert len(fake_openai.requests["chat"]) == 1


def test_reparsing_with_another_profile_keeps_the_history(fake_openai, fake_profile, recruiter):
    fake_openai.script("chat", Reply.error(401, "bad key"))
    resume = upload(files.pdf())
    run_attempt(resume)
    assert resume.status == Resume.Status.FAILED

    make_profile(fake_openai.url, name="Fixed key", model="better-model")
    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    services.resume_reparse(resume=resume, user=recruiter)
    run_attempt(resume)

    assert resume.status == Resume.Status.PARSED
    assert resume.failure_reason == ""
    history = list(resume.attempts.order_by("id").values_list("profile_name", "model", "outcome"))
    assert history == [
        ("Scripted", "fake-model", "failed"),
        ("Fixed key", "better-model", "succeeded"),
    ]
    assert fake_openai.requests["chat"][-1]["model"] == "better-model"
    assert ProviderProfile.objects.get(is_active=True).name == "Fixed key"


def test_reparsing_keeps_what_the_recruiter_edited(fake_openai, fake_profile, recruiter):
    fake_openai.defaults["chat"] = Reply(content=json.dumps(REPLY))
    resume = upload(files.pdf())
    run_attempt(resume)
    candidate = resume.candidate
    services.candidate_update(
        candidate=candidate, resume=None, fields={"name": "Jane Q. Doe", "phone": ""}, parsed=None
    )
    services.resume_reparse(resume=resume, user=recruiter)
    run_attempt(resume)
    candidate.refresh_from_db()
    assert candidate.name == "Jane Q. Doe"
    assert candidate.phone == "+1 415 555 0134"


def test_a_resume_cannot_be_reparsed_while_it_is_being_parsed(fake_profile, recruiter):
    resume = upload(files.pdf())
    with pytest.raises(services.ReparseRefused, match="already being parsed"):
        services.resume_reparse(resume=resume, user=recruiter)
    assert resume.attempts.count() == 1


def test_an_attempt_whose_task_was_lost_does_not_block_reparsing(
    fake_openai, fake_profile, recruiter, settings
):
    resume = upload(files.pdf())
    lost = resume.attempts.get()
    ParseAttempt.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(seconds=_lease() + 5)
    )
    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    services.resume_reparse(resume=resume, user=recruiter)
    run_attempt(resume)
    lost.refresh_from_db()
    assert lost.outcome == ParseAttempt.Outcome.FAILED
    assert lost.error == "Abandoned: its task was lost before it finished."
    assert resume.status == Resume.Status.PARSED


def test_a_queue_outage_at_upload_fails_the_resume_in_words(
    fake_profile, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from resumes.tasks import resume_parse

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(resume_parse, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        resume = upload(files.pdf())
    resume.refresh_from_db()
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason.startswith("The task queue could not be reached")


def _raise(exc):
    def raising(*args, **kwargs):
        raise exc

    return raising


SOFT_LIMIT_REASON = (
    "Parsing this resume was stopped after 15 minutes, the longest a parse may take. Re-parse "
    "to try again; if it is stopped again, the model server may be too slow for a file this "
    "long: upload a shorter one or tell an admin."
)


def test_an_attempt_stopped_at_the_soft_time_limit_fails_in_words(fake_profile, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    monkeypatch.setattr(services, "parse_text", _raise(SoftTimeLimitExceeded()))
    resume = upload(files.pdf())
    attempt, waits = run_attempt(resume)
    assert waits == []
    assert attempt.outcome == ParseAttempt.Outcome.FAILED
    assert attempt.error == SOFT_LIMIT_REASON
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason == SOFT_LIMIT_REASON


def test_the_soft_time_limit_in_a_pdf_reader_is_not_taken_for_a_damaged_file(
    fake_profile, monkeypatch
):
    import pypdf
    from celery.exceptions import SoftTimeLimitExceeded

    monkeypatch.setattr(pypdf, "PdfReader", _raise(SoftTimeLimitExceeded()))
    resume = upload(files.pdf())
    run_attempt(resume)
    assert resume.failure_reason == SOFT_LIMIT_REASON


def test_an_attempt_killed_at_the_hard_time_limit_fails_in_words(fake_profile):
    from celery.exceptions import TimeLimitExceeded

    from resumes.tasks import resume_parse

    resume = upload(files.pdf())
    attempt = resume.attempts.get()
    ParseAttempt.objects.filter(pk=attempt.pk).update(
        outcome=ParseAttempt.Outcome.RUNNING, claimed_at=timezone.now(), deliveries=1
    )
    # What the worker's main process calls once it has killed the pool process.
    resume_parse.on_failure(TimeLimitExceeded(960), "task-id", (attempt.pk,), {}, None)
    attempt.refresh_from_db()
    resume.refresh_from_db()
    assert attempt.outcome == ParseAttempt.Outcome.FAILED
    assert attempt.error.startswith("Parsing this resume was stopped after 16 minutes,")
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason == attempt.error


def test_a_late_hard_time_limit_report_leaves_a_finished_attempt_alone(fake_openai, fake_profile):
    from celery.exceptions import TimeLimitExceeded

    from resumes.tasks import resume_parse

    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    resume = upload(files.pdf())
    attempt, _ = run_attempt(resume)
    resume_parse.on_failure(TimeLimitExceeded(960), "task-id", (attempt.pk,), {}, None)
    attempt.refresh_from_db()
    resume.refresh_from_db()
    assert attempt.outcome == ParseAttempt.Outcome.SUCCEEDED
    assert resume.status == Resume.Status.PARSED


def _died_holding_it(attempt, *, deliveries, transient_failures=0):
    """As if `deliveries` workers took the attempt and the last died longer than a lease ago."""
    ParseAttempt.objects.filter(pk=attempt.pk).update(
        outcome=ParseAttempt.Outcome.RUNNING,
        claimed_at=timezone.now() - timedelta(seconds=_lease() + 5),
        deliveries=deliveries,
        transient_failures=transient_failures,
    )


def test_a_task_whose_deliveries_died_three_times_fails_instead_of_running_again(
    fake_openai, fake_profile
):
    resume = upload(files.pdf())
    attempt = resume.attempts.get()
    _died_holding_it(attempt, deliveries=3)
    assert services.attempt_run(attempt_id=attempt.pk) is None
    attempt.refresh_from_db()
    resume.refresh_from_db()
    assert attempt.outcome == ParseAttempt.Outcome.FAILED
    assert attempt.deliveries == 3
    assert attempt.error.startswith(
        "Parsing this file stopped the worker three times; it was not parsed."
    )
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason == attempt.error
    assert fake_openai.requests["chat"] == []


def test_a_task_whose_deliveries_died_twice_runs_a_third_time(fake_openai, fake_profile):
    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    resume = upload(files.pdf())
    attempt = resume.attempts.get()
    _died_holding_it(attempt, deliveries=2)
    attempt, _ = run_attempt(resume)
    assert attempt.outcome == ParseAttempt.Outcome.SUCCEEDED
    assert attempt.deliveries == 3


def test_deliveries_that_handed_the_attempt_to_a_retry_are_not_counted_as_died(
    fake_openai, fake_profile
):
    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    resume = upload(files.pdf())
    attempt = resume.attempts.get()
    # Five deliveries: three ended in a retry after a model error, two died.
    _died_holding_it(attempt, deliveries=5, transient_failures=3)
    attempt, _ = run_attempt(resume)
    assert attempt.outcome == ParseAttempt.Outcome.SUCCEEDED
    assert attempt.deliveries == 6
