import pytest

from agents.models import Interview
from agents.reports import RECOMMENDATIONS, report_write, system_prompt
from agents.services import profile_snapshot
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append
from providers.models import ProviderProfile
from providers.services import profile_default_values

TURNS = [
    ("agent", "Hi, I'm Alex. Tell me about your last job."),
    ("candidate", "I was a backend engineer at a bank for three years, mostly writing Python."),
    ("agent", "What was the hardest problem you solved there?"),
    ("candidate", "I moved the payments service to PostgreSQL without any downtime."),
    ("agent", "How do you work with your team?"),
    ("candidate", "I review code every day and I like pairing with junior engineers."),
]


@pytest.mark.django_db
def test_the_embedded_model_writes_a_report_of_the_expected_form(localmodels_url, settings):
    # A long timeout keeps a CPU-only run on a busy machine in bounds.
    settings.REPORT_LLM_TIMEOUT_SECONDS = 300
    profile = ProviderProfile(name="Embedded", **profile_default_values(models_url=localmodels_url))
    interview = make_interview(
        status=Interview.Status.COMPLETED,
        profile_snapshot=profile_snapshot(profile),
        report_status=Interview.ReportStatus.PENDING,
    )
    for speaker, text in TURNS:
        transcript_append(interview_id=interview.pk, speaker=speaker, text=text)

    outcome = report_write(interview_id=interview.pk)

    interview.refresh_from_db()
    assert outcome is None, interview.report_error
    # Structured output holds even a 135M-parameter model to the report's form.
    assert interview.report_status == Interview.ReportStatus.READY, interview.report_error
    report = interview.report
    assert report["summary"].strip()
    assert report["recommendation"] in RECOMMENDATIONS
    assert all(isinstance(item, str) for item in report["strengths"] + report["concerns"])
    # The model writes about this interview, not back the instructions it was given.
    instructions = system_prompt().lower()
    written = report["strengths"] + report["concerns"] + [t["topic"] for t in report["topics"]]
    assert not [item for item in written if item.lower().strip(" .") in instructions], report
    said = " ".join(text.lower() for _speaker, text in TURNS)
    for topic in report["topics"]:
        assert 1 <= topic["score"] <= 5
        for quote in topic["evidence"]:
            assert quote.lower().strip(".") in said
