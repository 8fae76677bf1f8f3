"""Per-turn latency from the agent framework's metrics events (livekit-agents 1.8.9).

The worker feeds every `metrics_collected` event to a `TurnLatency` and stores
each turn it completes:

    turns = TurnLatency(interview_id=interview.pk)

    @session.on("metrics_collected")
    def on_metrics(event):
        completed = turns.add(event.metrics)
        if completed:
            asyncio.create_task(sync_to_async(turn_metrics_record)(**completed))

A turn is one agent reply, identified by the framework's `speech_id`: the
candidate's end of utterance (EOUMetrics: end_of_utterance_delay,
transcription_delay), the LLM's first token (LLMMetrics.ttft) and the first
audio byte (TTSMetrics.ttfb). It is complete once the LLM and TTS numbers are
in; a reply nobody spoke to (the greeting) has no end-of-utterance numbers and
no total. Only the first LLM and TTS metrics of a reply count: later ones are
tool-call follow-ups and later sentences, not what the candidate waited for.
"""

from collections import OrderedDict

# Replies that never complete (interrupted before any audio) are forgotten
# after this many newer ones, so a long interview doesn't grow the table.
MAX_OPEN_REPLIES = 16


class TurnLatency:
    def __init__(self, *, interview_id):
        self.interview_id = interview_id
        self.turns = 0
        self.open = OrderedDict()
        self.done = OrderedDict()

    def add(self, metric):
        """Take one metrics event; return turn_metrics_record's kwargs when it completes a turn."""
        kind = getattr(metric, "type", None)
        speech_id = getattr(metric, "speech_id", None)
        if speech_id is None or speech_id in self.done:
            return None
        reply = self.open.setdefault(speech_id, {})
        if kind == "eou_metrics":
            reply.setdefault("end_of_utterance_delay", metric.end_of_utterance_delay)
            reply.setdefault("transcription_delay", metric.transcription_delay)
        elif kind == "llm_metrics" and metric.ttft >= 0:
            reply.setdefault("llm_ttft", metric.ttft)
        elif kind == "tts_metrics" and metric.ttfb >= 0:
            reply.setdefault("tts_ttfb", metric.ttfb)
        self._forget_oldest(self.open)
        if "llm_ttft" not in reply or "tts_ttfb" not in reply:
            return None
        del self.open[speech_id]
        self.done[speech_id] = True
        self._forget_oldest(self.done)
        self.turns += 1
        total = None
        if "end_of_utterance_delay" in reply:
            total = reply["end_of_utterance_delay"] + reply["llm_ttft"] + reply["tts_ttfb"]
        return {
            "interview_id": self.interview_id,
            "turn": self.turns,
            "end_of_utterance_delay": reply.get("end_of_utterance_delay"),
            "transcription_delay": reply.get("transcription_delay"),
            "llm_ttft": reply["llm_ttft"],
            "tts_ttfb": reply["tts_ttfb"],
            "total_latency": total,
        }

    @staticmethod
    def _forget_oldest(table):
        while len(table) > MAX_OPEN_REPLIES:
            table.popitem(last=False)
