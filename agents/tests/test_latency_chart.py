"""The latency chart on the interview page draws what its legend lists, over answered turns."""

import re

import pytest
from django.urls import reverse

from agents.transcripts import turn_metrics_record

pytestmark = pytest.mark.django_db


def _chart(recruiter_client, interview):
    page = recruiter_client.get(reverse("agents:interview_detail", args=[interview.pk])).text
    latency = page[page.index('id="latency"') :]
    return latency[: latency.index("</section>")]


def test_one_answered_turn_after_the_greeting_is_answer_1_with_every_series_drawn(
    recruiter_client, scheduled_interview
):
    interview, _secret = scheduled_interview
    turn_metrics_record(interview_id=interview.pk, turn=1, llm_ttft=0.4, tts_ttfb=0.2)
    turn_metrics_record(
        interview_id=interview.pk,
        turn=2,
        end_of_utterance_delay=0.8,
        llm_ttft=0.5,
        tts_ttfb=0.2,
        total_latency=1.5,
    )

    chart = _chart(recruiter_client, interview)

    assert "answer 1<" in chart and "turn 2" not in chart
    drawn = re.findall(r'<g class="series series-(\w+)">.*?<circle', chart, re.S)
    legend = re.findall(r'<span class="swatch series-(\w+)">', chart)
    assert drawn == legend == ["total_latency", "end_of_utterance_delay", "llm_ttft", "tts_ttfb"]


def test_a_series_without_values_is_neither_drawn_nor_in_the_legend(
    recruiter_client, scheduled_interview
):
    interview, _secret = scheduled_interview
    turn_metrics_record(interview_id=interview.pk, turn=1, total_latency=1.2)

    chart = _chart(recruiter_client, interview)

    assert re.findall(r'<span class="swatch series-(\w+)">', chart) == ["total_latency"]


def test_the_greeting_alone_draws_no_chart_but_lists_its_numbers(
    recruiter_client, scheduled_interview
):
    interview, _secret = scheduled_interview
    turn_metrics_record(interview_id=interview.pk, turn=1, llm_ttft=0.4, tts_ttfb=0.2)

    chart = _chart(recruiter_client, interview)

    assert "<svg" not in chart
    assert "Per turn (seconds)" in chart
