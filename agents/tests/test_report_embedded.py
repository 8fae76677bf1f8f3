import json

import pytest

from agents.models import Interview
from agents.plans import plan_adhoc
from agents.reports import RECOMMENDATIONS, quotes_verify, report_write, system_prompt
from agents.services import profile_snapshot
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append
from providers.models import ProviderProfile
from providers.services import profile_default_values

PLAN, RUBRIC = plan_adhoc(role_title="Backend engineer")
QUESTIONS = {q["id"]: q["text"] for section in PLAN["sections"] for q in section["questions"]}
# The interviewer speaks the plan's questions as written; "challenge" is never asked.
TURNS = [
    ("agent", f"Hi, I'm Alex. {QUESTIONS['background']}"),
    ("candidate", "I was a backend engineer at a bank for three years, mostly writing Python."),
    ("agent", QUESTIONS["experience"]),
    ("candidate", "I moved the payments service to PostgreSQL without any downtime."),
    ("agent", "How do you work with your team?"),
    ("candidate", "I review code every day and I like pairing with junior engineers."),
]


@pytest.mark.django_db
def test_the_embedded_model_writes_a_grounded_report_or_says_it_could_not(
    localmodels_url, settings
):
    # A long timeout keeps a CPU-only run on a busy machine in bounds.
    settings.REPORT_LLM_TIMEOUT_SECONDS = 300
    profile = ProviderProfile(name="Embedded", **profile_default_values(models_url=localmodels_url))
    interview = make_interview(
        status=Interview.Status.COMPLETED,
        profile_snapshot=profile_snapshot(profile),
        report_status=Interview.ReportStatus.PENDING,
        plan=PLAN,
        rubric=RUBRIC,
    )
    for speaker, text in TURNS:
        transcript_append(interview_id=interview.pk, speaker=speaker, text=text)

    outcome = report_write(interview_id=interview.pk)

    interview.refresh_from_db()
    assert outcome is None, interview.report_error
    # Structured output holds even a 135M-parameter model to the report's form.
    assert interview.report_status == Interview.ReportStatus.READY, interview.report_error
    report = interview.report
    print(json.dumps(report, indent=1))
    assert [c["key"] for c in report["competencies"]] == ["relevant_experience", "communication"]
    segments = list(interview.segments.order_by("seq"))
    for entry in report["competencies"]:
        assert entry["status"] in ("scored", "not_answered"), entry
        # Every quote kept is the candidate's own words; a score has at least one.
        assert quotes_verify(entry["quotes"], segments)[0] == entry["quotes"]
        if entry["status"] == "scored":
            assert entry["quotes"]
            assert 1 <= entry["score"] <= 5
        else:
            assert entry["score"] is None
    assert report["provenance"]["model"]
    if report["grounded"]:
        assert report["recommendation"] in RECOMMENDATIONS
        assert report["summary"].strip()
        # The model writes about this interview, not back the instructions it was given.
        instructions = system_prompt().lower()
        written = report["strengths"] + report["concerns"]
        assert not [item for item in written if item.lower().strip(" .") in instructions], report
    else:
        # Never a recommendation on evidence that isn't there.
        assert report["recommendation"] is None
        assert report["grounding_problem"]
