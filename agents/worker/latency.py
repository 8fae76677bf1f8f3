"""How long the candidate waited for each reply, from the conversation's own messages.

livekit-agents 1.8.9 puts per-turn timings on each committed `ChatMessage.metrics`
(the `metrics_collected` events are deprecated). The worker hands every message the
session adds to a `TurnLatency` and stores each reply it completes:

    turns = TurnLatency(interview_id=interview.pk)
    session.on("conversation_item_added", lambda e: record(turns.add(e.item)))

The figure is the candidate's wait: from the end of their speech (the user message's
`stopped_speaking_at`) to the interviewer's first audio frame going out on the room's
track (the assistant message's `started_speaking_at`; its `e2e_latency`). The stages that
fill it, in the order they happen:

    end of turn      end of speech -> the turn detector decides the turn is over
    turn hook        Agent.on_user_turn_completed (the plan's step, the answer gate)
    LLM first token  the LLM node starts -> its first token
    first sentence   first token -> the first sentence (clause) reaches the TTS
    TTS first byte   that sentence -> its first audio
    playback         first frame forwarded -> the output reports playback started
    other            what the stages above leave unexplained (queueing, scheduling;
                     negative when stages overlap, e.g. with preemptive generation)

`other` is the measured wait minus the others, so the parts always add up to the wait.
A stage the framework didn't report this turn (a cached line has no LLM sentence) is
None and its time lands in `other`. The greeting has no candidate speech before it, so
no wait.
"""

from datetime import UTC, datetime

from agents.transcripts import LATENCY_PARTS


def wait_breakdown(user_metrics, reply_metrics):
    """{part: seconds} of one reply, with "total_latency" and the remainder "other_delay"."""
    user_metrics = user_metrics or {}
    reply_metrics = reply_metrics or {}
    ttft = reply_metrics.get("llm_node_ttft")
    ttfs = reply_metrics.get("llm_node_ttfs")
    parts = {
        "end_of_utterance_delay": user_metrics.get("end_of_turn_delay"),
        "on_user_turn_completed_delay": user_metrics.get("on_user_turn_completed_delay"),
        "llm_ttft": ttft,
        "first_sentence_delay": max(0.0, ttfs - ttft) if None not in (ttft, ttfs) else None,
        "tts_ttfb": reply_metrics.get("tts_node_ttfb"),
        "playback_latency": reply_metrics.get("playback_latency"),
    }
    total = reply_metrics.get("e2e_latency")
    started = reply_metrics.get("started_speaking_at")
    stopped = user_metrics.get("stopped_speaking_at")
    if total is None and None not in (started, stopped):
        total = started - stopped
    parts["total_latency"] = total
    parts["other_delay"] = (
        None
        if total is None
        else total - sum(value for key in LATENCY_PARTS if (value := parts[key]) is not None)
    )
    return parts


class TurnLatency:
    def __init__(self, *, interview_id):
        self.interview_id = interview_id
        self.turns = 0
        self.candidate = None

    def add(self, item):
        """Take one conversation item; return turn_metrics_record's kwargs for a reply."""
        if getattr(item, "type", None) != "message":
            return None
        metrics = dict(getattr(item, "metrics", None) or {})
        if item.role == "user":
            self.candidate = metrics
            return None
        if item.role != "assistant":
            return None
        candidate, self.candidate = self.candidate, None
        self.turns += 1
        values = wait_breakdown(candidate, metrics)
        started = metrics.get("started_speaking_at")
        stopped = metrics.get("stopped_speaking_at")
        return {
            "interview_id": self.interview_id,
            "turn": self.turns,
            "transcription_delay": (candidate or {}).get("transcription_delay"),
            "reply_seconds": stopped - started if None not in (started, stopped) else None,
            "replied_at": datetime.fromtimestamp(started, tz=UTC) if started else None,
            **values,
        }
