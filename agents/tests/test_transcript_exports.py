import json
import re

import pytest
from django.urls import reverse

from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append, turn_metrics_record


@pytest.fixture
def interview(db):
    interview = make_interview(report={"summary": "Solid."}, report_status="ready")
    transcript_append(interview_id=interview.pk, speaker="agent", text="Why this role?")
    transcript_append(
        interview_id=interview.pk, speaker="candidate", text="I love databases.", interrupted=True
    )
    turn_metrics_record(
        interview_id=interview.pk,
        turn=1,
        total_latency=0.9,
        end_of_utterance_delay=0.4,
        llm_ttft=0.3,
        tts_ttfb=0.1,
    )
    return interview


def test_the_transcript_downloads_as_text(recruiter_client, interview):
    response = recruiter_client.get(reverse("agents:transcript_text", args=[interview.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Interviewer: Why this role?" in text
    assert "Candidate: I love databases. [interrupted]" in text
    assert text.index("Why this role?") < text.index("I love databases.")


def test_the_transcript_downloads_as_json(recruiter_client, interview):
    response = recruiter_client.get(reverse("agents:transcript_json", args=[interview.pk]))
    segments = json.loads(response.content)
    assert [(s["seq"], s["speaker"], s["interrupted"]) for s in segments] == [
        (1, "agent", False),
        (2, "candidate", True),
    ]


def test_the_whole_interview_downloads_as_json(recruiter_client, interview):
    response = recruiter_client.get(reverse("agents:interview_json", args=[interview.pk]))
    data = json.loads(response.content)
    assert len(data["transcript"]) == 2
    assert data["turn_metrics"][0]["total_latency"] == pytest.approx(0.9)
    assert data["turn_metrics"][0]["other_delay"] == pytest.approx(0.1)
    assert data["report"]["summary"] == "Solid."
    assert "profile_snapshot" not in data


def test_exports_are_for_signed_in_recruiters_only(client, interview):
    for name in ("transcript_text", "transcript_json", "interview_json"):
        response = client.get(reverse(f"agents:{name}", args=[interview.pk]))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_interview_page_shows_the_transcript_and_latency(recruiter_client, interview):
    response = recruiter_client.get(reverse("agents:interview_detail", args=[interview.pk]))
    page = response.content.decode()
    assert 'data-last-seq="2"' in page
    assert "I love databases." in page
    assert "interrupted" in page
    assert "Median <strong>0.90 s</strong>" in page
    assert re.search(r'data-turn="1"><td>1</td><td data-wait>0\.90</td><td>0\.40</td>', page)
    assert "<polyline" in page
