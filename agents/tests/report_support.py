"""An interview with a plan and rubric, and a model reply for it, shared by the report tests."""

from agents.models import Interview
from agents.services import profile_snapshot
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append
from providers.models import ProviderProfile

LEVELS = {str(n): f"Level {n} of Python." for n in range(1, 6)}
RUBRIC = {
    "version": 2,
    "competencies": [
        {"key": "python", "name": "Python", "scale": "1-5", "levels": LEVELS},
        {
            "key": "sql",
            "name": "SQL",
            "scale": "1-5",
            "levels": {str(n): f"Level {n} of SQL." for n in range(1, 6)},
        },
        {
            "key": "work_permit",
            "name": "Right to work",
            "scale": "yes_no",
            "levels": {"yes": "May work in the UK.", "no": "Needs a visa."},
        },
    ],
}
PYTHON_QUESTION = "Tell me about a Python service you built."
PERMIT_QUESTION = "Do you have the right to work in the UK?"
PLAN = {
    "version": 3,
    "time_limit_minutes": 20,
    "sections": [
        {
            "kind": "competency",
            "title": "Skills",
            "questions": [
                {"id": "python_q", "text": PYTHON_QUESTION, "competency": "python"},
                {"id": "permit_q", "text": PERMIT_QUESTION, "competency": "work_permit"},
            ],
        },
        {
            "kind": "close",
            "title": "Close",
            "questions": [
                {"id": "sql_q", "text": "How do you index a table?", "competency": "sql"}
            ],
        },
    ],
}
TURNS = [
    ("agent", f"Hello Grace, thanks for joining. {PYTHON_QUESTION}"),
    ("candidate", "Last year I rewrote the payments service in Python,"),
    ("candidate", "and it halved our latency."),
    ("agent", f"Thanks. {PERMIT_QUESTION}"),
    ("candidate", "Yes, I do."),
]
GOOD = {
    "summary": "Grace has built payment systems in Python and explained them clearly.",
    "strengths": ["Clear explanations", "Owns production incidents"],
    "concerns": ["Little frontend experience"],
    "competencies": {
        "python": {
            "quotes": [
                "I rewrote the payments service in Python, and it halved our latency",
                "I invented quantum sorting",
            ],
            "score": "4/5",
            "rationale": "She rewrote a production service. She also said more.",
        },
        "work_permit": {"quotes": ["Yes, I do."], "score": "yes", "rationale": "She said so."},
    },
    "recommendation": "Strong yes",
}


def scripted_profile(url, api_key="sk-secret-key-123"):
    return ProviderProfile(
        name="Scripted",
        llm_base_url=url,
        llm_model="fake-model",
        llm_api_key=api_key,
        stt_base_url=url,
        stt_model="stt",
        tts_base_url=url,
        tts_model="tts",
        tts_voice="v",
    )


def pending_interview(llm_url, *, turns=TURNS, plan=PLAN, rubric=RUBRIC, **fields):
    interview = make_interview(
        status=Interview.Status.COMPLETED,
        profile_snapshot=profile_snapshot(scripted_profile(llm_url)),
        report_status=Interview.ReportStatus.PENDING,
        plan=plan,
        rubric=rubric,
        **fields,
    )
    for speaker, text in turns:
        transcript_append(interview_id=interview.pk, speaker=speaker, text=text)
    return interview


def competency(report, key):
    [entry] = [entry for entry in report["competencies"] if entry["key"] == key]
    return entry
