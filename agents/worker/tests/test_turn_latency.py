from livekit.agents.metrics import EOUMetrics, LLMMetrics, TTSMetrics, VADMetrics

from agents.worker.latency import TurnLatency


def eou(speech_id, delay=0.5, transcription=0.2):
    return EOUMetrics(
        timestamp=0,
        end_of_utterance_delay=delay,
        transcription_delay=transcription,
        on_user_turn_completed_delay=0,
        speech_id=speech_id,
    )


def llm(speech_id, ttft=0.3):
    return LLMMetrics(
        label="llm",
        request_id="r",
        timestamp=0,
        duration=1,
        ttft=ttft,
        cancelled=False,
        completion_tokens=5,
        prompt_tokens=5,
        prompt_cached_tokens=0,
        total_tokens=10,
        tokens_per_second=5,
        speech_id=speech_id,
    )


def tts(speech_id, ttfb=0.2):
    return TTSMetrics(
        label="tts",
        request_id="r",
        timestamp=0,
        ttfb=ttfb,
        duration=1,
        audio_duration=1,
        cancelled=False,
        characters_count=10,
        streamed=False,
        speech_id=speech_id,
    )


def test_a_turn_is_complete_once_llm_and_tts_have_reported():
    turns = TurnLatency(interview_id=7)
    assert turns.add(eou("s1")) is None
    assert turns.add(llm("s1")) is None
    completed = turns.add(tts("s1"))
    assert completed == {
        "interview_id": 7,
        "turn": 1,
        "end_of_utterance_delay": 0.5,
        "transcription_delay": 0.2,
        "llm_ttft": 0.3,
        "tts_ttfb": 0.2,
        "total_latency": 0.5 + 0.3 + 0.2,
    }


def test_only_the_first_sentence_of_a_reply_counts():
    turns = TurnLatency(interview_id=7)
    turns.add(eou("s1"))
    turns.add(llm("s1", ttft=0.4))
    assert turns.add(tts("s1", ttfb=0.1))["tts_ttfb"] == 0.1
    assert turns.add(tts("s1", ttfb=0.9)) is None


def test_the_greeting_has_no_total_because_nobody_waited_for_it():
    turns = TurnLatency(interview_id=7)
    turns.add(tts("greet"))
    completed = turns.add(llm("greet"))
    assert completed["end_of_utterance_delay"] is None
    assert completed["total_latency"] is None


def test_interleaved_replies_are_kept_apart_and_numbered_in_completion_order():
    turns = TurnLatency(interview_id=7)
    for metric in (
        eou("a", delay=1.0),
        eou("b", delay=2.0),
        llm("b"),
        llm("a"),
        VADMetrics(
            label="vad", timestamp=0, idle_time=0, inference_duration_total=0, inference_count=1
        ),
    ):
        assert turns.add(metric) is None
    first = turns.add(tts("b"))
    second = turns.add(tts("a"))
    assert (first["turn"], first["end_of_utterance_delay"]) == (1, 2.0)
    assert (second["turn"], second["end_of_utterance_delay"]) == (2, 1.0)


def test_a_reply_without_a_first_token_waits_for_one():
    turns = TurnLatency(interview_id=7)
    turns.add(llm("s1", ttft=-1))
    assert turns.add(tts("s1")) is None
