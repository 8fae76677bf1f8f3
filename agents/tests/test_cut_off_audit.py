"""The cut-off audit: the interviewer's turns that started while the candidate still spoke."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from agents.models import TranscriptSegment
from agents.tests.transcript_support import make_interview
from agents.transcripts import transcript_append

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def said(interview, speaker, text, start, end):
    transcript_append(
        interview_id=interview.pk,
        speaker=speaker,
        text=text,
        started_at=START + timedelta(seconds=start),
        ended_at=START + timedelta(seconds=end),
    )


@pytest.fixture
def interview(db):
    interview = make_interview(report={"summary": "Solid."}, report_status="ready")
    said(interview, "agent", "Tell me about a system you built.", 0, 4)
    said(interview, "candidate", "I built the billing service in Go.", 5, 9)
    # A clean reply: 1.2 s after the candidate stopped.
    said(interview, "agent", "What did you measure?", 10.2, 13)
    said(interview, "candidate", "Latency and, um, the error rate of", 14, 20)
    # Scripted overlap: the interviewer starts at 18 s while the candidate speaks until 20 s.
    said(interview, "agent", "Thanks, next question.", 18, 21)
    return interview


def test_the_cut_off_audit_flags_a_scripted_overlap(recruiter_client, interview):
    page = recruiter_client.get(reverse("agents:interview_detail", args=[interview.pk]))
    html = page.content.decode()

    assert 'data-cut-offs="1"' in html
    cut_off = TranscriptSegment.objects.get(interview=interview, text="Thanks, next question.")
    assert f'data-cut-off-seq="{cut_off.seq}"' in html
    assert "Latency and, um, the error rate of" in html
    assert "the candidate spoke on for 2.0 s" in html
    # The report warns its reader that an answer may be unfinished.
    assert "Cut off 1 time" in html


def test_the_cut_off_audit_flags_a_reply_that_took_a_pause_inside_the_answer(recruiter_client, db):
    interview = make_interview()
    said(interview, "candidate", "I think the main thing was", 0, 3)
    said(interview, "agent", "Great, and then?", 4.0, 6)
    said(interview, "candidate", "the retries.", 4.5, 5.5)

    html = recruiter_client.get(
        reverse("agents:interview_detail", args=[interview.pk])
    ).content.decode()
    assert 'data-cut-offs="1"' in html


def test_an_interview_without_overlap_has_a_clean_audit(recruiter_client, db):
    interview = make_interview()
    said(interview, "agent", "Hello.", 0, 2)
    said(interview, "candidate", "Hi.", 3, 4)
    said(interview, "agent", "First question.", 5.5, 8)

    html = recruiter_client.get(
        reverse("agents:interview_detail", args=[interview.pk])
    ).content.decode()
    assert 'data-cut-offs="0"' in html
    assert "never took the floor while the candidate was speaking" in html
