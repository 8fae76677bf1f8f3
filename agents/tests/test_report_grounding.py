"""A report is grounded in the candidate's words, or it says it isn't and recommends nothing."""

import json

import pytest

from agents.models import Interview, TranscriptSegment
from agents.reports import quotes_verify, report_write, text_repeats
from agents.tests.report_support import GOOD, competency, pending_interview
from tests.fake_openai import Reply


def segments(*turns):
    return [TranscriptSegment(speaker=speaker, text=text) for speaker, text in turns]


def test_a_quote_is_found_whatever_its_case_punctuation_and_spacing():
    said = segments(("candidate", "Honestly -- I moved the  payments service to PostgreSQL!"))
    assert quotes_verify(["i moved the payments service, to postgresql"], said) == (
        ["i moved the payments service, to postgresql"],
        [],
    )


def test_the_interviewers_words_and_invented_words_are_not_the_candidates():
    said = segments(
        ("agent", "Tell me about the hardest bug you fixed."),
        ("candidate", "A race in our cache."),
    )
    verified, dropped = quotes_verify(
        ["the hardest bug you fixed", "I fixed a race in our cache", "A race in our cache"], said
    )
    assert verified == ["A race in our cache"]
    assert dropped == ["the hardest bug you fixed", "I fixed a race in our cache"]


def test_a_word_or_two_is_no_quote_unless_it_is_the_whole_answer():
    said = segments(("candidate", "Yes."), ("agent", "Why?"), ("candidate", "I like Python a lot."))
    verified, dropped = quotes_verify(["Python", "Yes", "like Python"], said)
    assert verified == ["Yes"]
    assert dropped == ["Python", "like Python"]


def test_at_most_three_quotes_are_kept():
    said = segments(("candidate", "one two three four five six seven eight nine ten"))
    quotes = ["one two three", "four five six", "seven eight nine", "eight nine ten"]
    assert quotes_verify(quotes, said) == (quotes[:3], quotes[3:])


@pytest.mark.parametrize(
    "summary",
    [
        "I'm here to help you with your projects. " * 3,
        "Grace is great. She knows Python. Grace is great.",
        "The candidate said the candidate said the candidate said the candidate said the "
        "candidate said the candidate said the candidate said it.",
    ],
)
def test_a_summary_that_says_the_same_thing_again_repeats_itself(summary):
    assert text_repeats(summary)


@pytest.mark.parametrize(
    "summary",
    [
        "Grace has built payment systems in Python and explained them clearly.",
        "Grace rewrote a payments service in Python and halved its latency. She can work in "
        "the UK. She did not talk about databases, and her answers were short but clear.",
        "",
    ],
)
def test_a_plain_summary_does_not_repeat_itself(summary):
    assert not text_repeats(summary)


@pytest.fixture
def interview(db, fake_openai):
    return pending_interview(fake_openai.url)


def test_a_score_whose_quotes_are_all_invented_becomes_not_answered(interview, fake_openai):
    invented = {"quotes": ["I wrote Django itself"], "score": 5, "rationale": "Wrote Django."}
    fake_openai.script(
        "chat",
        Reply(
            content=json.dumps(
                {**GOOD, "competencies": {**GOOD["competencies"], "python": invented}}
            )
        ),
    )
    report_write(interview_id=interview.pk)

    interview.refresh_from_db()
    python = competency(interview.report, "python")
    assert python["status"] == "not_answered"
    assert python["score"] is None
    assert python["dropped_quotes"] == ["I wrote Django itself"]
    assert "none of the quotes" in python["rationale"]
    # The other competency still stands on its quote, so the report is grounded.
    assert competency(interview.report, "work_permit")["score"] == "yes"
    assert interview.report["grounded"] is True


def test_a_reply_with_no_verified_evidence_is_stored_as_not_grounded_without_a_recommendation(
    interview, fake_openai
):
    ungrounded = {
        **GOOD,
        "recommendation": "no",
        "competencies": {
            "python": {"quotes": ["I'm here to help you"], "score": 1, "rationale": "Weak."},
            "work_permit": {"quotes": [], "score": "no", "rationale": "Did not say."},
        },
    }
    fake_openai.script("chat", Reply(content=json.dumps(ungrounded)))
    report_write(interview_id=interview.pk)

    interview.refresh_from_db()
    assert interview.report_status == Interview.ReportStatus.READY
    report = interview.report
    assert report["grounded"] is False
    assert report["recommendation"] is None
    assert report["grounding_problem"] == (
        "No score is backed by a quote from the candidate's own words."
    )
    assert [c["status"] for c in report["competencies"]] == [
        "not_answered",
        "not_asked",
        "not_answered",
    ]
    assert all(c["score"] is None for c in report["competencies"])


def test_a_summary_that_repeats_itself_is_not_grounded(interview, fake_openai):
    looping = "I'm here to help you with your projects. " * 30
    fake_openai.script("chat", Reply(content=json.dumps({**GOOD, "summary": looping})))
    report_write(interview_id=interview.pk)

    interview.refresh_from_db()
    assert interview.report["grounded"] is False
    assert interview.report["grounding_problem"] == "Its summary repeats itself."
    assert interview.report["recommendation"] is None
