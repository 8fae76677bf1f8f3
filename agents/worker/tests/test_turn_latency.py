"""The candidate's wait per reply, read off the conversation's messages (scripted timings)."""

import pytest
from livekit.agents.llm import ChatMessage

from agents.transcripts import LATENCY_PARTS as PARTS
from agents.worker.latency import TurnLatency

SPEECH_ENDS = 1_000.0


def candidate(stopped_at=SPEECH_ENDS, **metrics):
    return ChatMessage(
        role="user",
        content=["I built the billing service."],
        metrics={"started_speaking_at": stopped_at - 4.0, "stopped_speaking_at": stopped_at}
        | metrics,
    )


def interviewer(started_at, stopped_at=None, **metrics):
    stopped_at = stopped_at if stopped_at is not None else started_at + 6.0
    return ChatMessage(
        role="assistant",
        content=["What did you measure?"],
        metrics={"started_speaking_at": started_at, "stopped_speaking_at": stopped_at} | metrics,
    )


def test_the_latency_breakdown_adds_up_to_the_measured_wait():
    turns = TurnLatency(interview_id=7)
    # Scripted stages: 0.6 s to decide the turn is over, 0.05 s in the turn hook, the
    # first token 0.4 s after the LLM starts, the first sentence 0.3 s later, its first
    # audio 0.2 s after that, 0.01 s to playback; the first frame went out at +1.8 s.
    assert (
        turns.add(
            candidate(
                end_of_turn_delay=0.6, on_user_turn_completed_delay=0.05, transcription_delay=0.3
            )
        )
        is None
    )
    reply = turns.add(
        interviewer(
            SPEECH_ENDS + 1.8,
            llm_node_ttft=0.4,
            llm_node_ttfs=0.7,
            tts_node_ttfb=0.2,
            playback_latency=0.01,
            e2e_latency=1.8,
        )
    )

    assert reply["turn"] == 1
    assert reply["total_latency"] == pytest.approx(1.8)
    assert reply["first_sentence_delay"] == pytest.approx(0.3)
    assert reply["other_delay"] == pytest.approx(1.8 - (0.6 + 0.05 + 0.4 + 0.3 + 0.2 + 0.01))
    assert sum(reply[p] for p in PARTS) + reply["other_delay"] == pytest.approx(
        reply["total_latency"]
    )
    assert reply["transcription_delay"] == 0.3
    assert reply["reply_seconds"] == pytest.approx(6.0)
    assert reply["replied_at"].timestamp() == pytest.approx(SPEECH_ENDS + 1.8)


def test_the_wait_is_measured_from_the_timestamps_when_the_framework_gave_no_e2e():
    turns = TurnLatency(interview_id=7)
    turns.add(candidate(end_of_turn_delay=0.5))
    # A cached fixed line: no LLM sentence and no TTS request, only the first frame.
    reply = turns.add(interviewer(SPEECH_ENDS + 1.1))
    assert reply["total_latency"] == pytest.approx(1.1)
    assert reply["llm_ttft"] is None
    assert reply["other_delay"] == pytest.approx(0.6)


def test_the_greeting_has_no_wait_because_nobody_spoke_before_it():
    turns = TurnLatency(interview_id=7)
    greeting = turns.add(interviewer(50.0, llm_node_ttft=0.3, tts_node_ttfb=0.2))
    assert greeting["turn"] == 1
    assert greeting["total_latency"] is None
    assert greeting["other_delay"] is None
    assert greeting["reply_seconds"] == pytest.approx(6.0)


def test_a_reply_waits_on_the_candidates_last_words_and_each_answer_counts_once():
    turns = TurnLatency(interview_id=7)
    turns.add(candidate(stopped_at=10.0))
    turns.add(candidate(stopped_at=20.0))
    assert turns.add(interviewer(21.5))["total_latency"] == pytest.approx(1.5)
    # A second reply with no new words from the candidate waited for nobody.
    assert turns.add(interviewer(40.0))["total_latency"] is None
