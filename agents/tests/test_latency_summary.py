import pytest

from agents.metrics import interview_latency_summary
from agents.tests.transcript_support import make_interview
from agents.transcripts import turn_metrics_record


def test_the_summary_gives_median_and_p90_of_each_interview_in_one_query(
    db, django_assert_num_queries
):
    measured, greeting_only, silent = make_interview(), make_interview(), make_interview()
    for turn, total in enumerate([1.0, 2.0, 3.0, 4.0, 10.0], start=1):
        turn_metrics_record(interview_id=measured.pk, turn=turn, total_latency=total)
    turn_metrics_record(interview_id=greeting_only.pk, turn=1, llm_ttft=0.2, tts_ttfb=0.1)

    with django_assert_num_queries(1):
        summary = interview_latency_summary([measured.pk, greeting_only.pk, silent.pk])

    assert summary == {measured.pk: {"turns": 5, "median": 3.0, "p90": pytest.approx(7.6)}}
