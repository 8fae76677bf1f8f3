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

from collections import OrderedDict, defaultdict

from agents.models import TurnMetrics

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


def percentile(values, fraction):
    """Linear-interpolated percentile of a non-empty list (fraction 0..1)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_stats(turns, keys, *, digits=3):
    """{key: {"n", "p50", "p90", "max"}} over the turns (dicts) that have a value for each key."""
    stats = {}
    for key in keys:
        values = [turn[key] for turn in turns if turn.get(key) is not None]
        if values:
            stats[key] = {
                "n": len(values),
                "p50": round(percentile(values, 0.5), digits),
                "p90": round(percentile(values, 0.9), digits),
                "max": round(max(values), digits),
            }
    return stats


def latency_summary(values):
    if not values:
        return None
    return {"turns": len(values), "median": percentile(values, 0.5), "p90": percentile(values, 0.9)}


def interview_latency_summary(interview_ids):
    """{interview id: {"turns", "median", "p90"}} of total response latency, in one query.

    Interviews without a measured turn are absent. For the interview list:
    `summaries = interview_latency_summary([i.pk for i in page])`.
    """
    totals = defaultdict(list)
    rows = TurnMetrics.objects.filter(
        interview_id__in=list(interview_ids), total_latency__isnull=False
    ).values_list("interview_id", "total_latency")
    for interview_id, total in rows:
        totals[interview_id].append(total)
    return {interview_id: latency_summary(values) for interview_id, values in totals.items()}


CHART_SERIES = (
    ("total_latency", "Total response"),
    ("end_of_utterance_delay", "End of utterance"),
    ("llm_ttft", "LLM first token"),
    ("tts_ttfb", "TTS first byte"),
)
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 200, 30


def latency_chart(turns):
    """Polyline points of each latency series over the turns, for an inline SVG."""
    turns = list(turns)
    values = [getattr(t, name) for t in turns for name, _ in CHART_SERIES]
    top = max([v for v in values if v is not None] or [1.0])
    span_x = max(len(turns) - 1, 1)

    def point(index, value):
        x = CHART_PAD + index * (CHART_WIDTH - 2 * CHART_PAD) / span_x
        y = CHART_HEIGHT - CHART_PAD - value / top * (CHART_HEIGHT - 2 * CHART_PAD)
        return f"{x:.1f},{y:.1f}"

    series = []
    for name, label in CHART_SERIES:
        points = [
            point(i, getattr(t, name)) for i, t in enumerate(turns) if getattr(t, name) is not None
        ]
        series.append({"name": name, "label": label, "points": " ".join(points)})
    return {
        "series": series,
        "top": top,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "pad": CHART_PAD,
        "turns": len(turns),
    }
