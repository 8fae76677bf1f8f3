"""Latency figures for pages and exports: percentiles, summaries and the per-turn chart."""

from collections import defaultdict

from agents.models import TurnMetrics


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


# The stages of a candidate's wait, in the order they happen; they add up to the wait
# (TurnMetrics.total_latency), "Other" being what the measured stages leave unexplained.
WAIT_PARTS = (
    ("end_of_utterance_delay", "End of turn"),
    ("on_user_turn_completed_delay", "Turn hook"),
    ("llm_ttft", "LLM first token"),
    ("first_sentence_delay", "First sentence"),
    ("tts_ttfb", "TTS first byte"),
    ("playback_latency", "Playback"),
    ("other_delay", "Other"),
)
CHART_SERIES = (
    ("total_latency", "Candidate's wait"),
    ("end_of_utterance_delay", "End of turn"),
    ("llm_ttft", "LLM first token"),
    ("tts_ttfb", "TTS first byte"),
)


def wait_rows(turns):
    """Each turn's wait with its parts, as (turn, total, [(label, seconds or None)], reply s)."""
    return [
        {
            "turn": t.turn,
            "total": t.total_latency,
            "transcription": t.transcription_delay,
            "parts": [getattr(t, name) for name, _label in WAIT_PARTS],
            "reply_seconds": t.reply_seconds,
        }
        for t in turns
    ]


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 200, 30


def latency_chart(turns):
    """Each latency series over the answered turns (the ones a candidate waited for), for an
    inline SVG; None before the first answer. The greeting has no wait, so it is left out."""
    answered = [t for t in turns if t.total_latency is not None]
    if not answered:
        return None
    values = [getattr(t, name) for t in answered for name, _ in CHART_SERIES]
    top = max([v for v in values if v is not None] or [1.0])
    span_x = max(len(answered) - 1, 1)

    def point(index, value):
        # A single answer sits in the middle rather than on the axis.
        share = index / span_x if len(answered) > 1 else 0.5
        x = CHART_PAD + share * (CHART_WIDTH - 2 * CHART_PAD)
        y = CHART_HEIGHT - CHART_PAD - value / top * (CHART_HEIGHT - 2 * CHART_PAD)
        return round(x, 1), round(y, 1)

    series = []
    for name, label in CHART_SERIES:
        points = [
            point(i, getattr(t, name))
            for i, t in enumerate(answered)
            if getattr(t, name) is not None
        ]
        if points:
            series.append(
                {
                    "name": name,
                    "label": label,
                    "points": " ".join(f"{x},{y}" for x, y in points),
                    "markers": points,
                }
            )
    return {
        "series": series,
        "top": top,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "pad": CHART_PAD,
        "answers": len(answered),
    }


# The candidate carrying on this soon after the interviewer started means the interviewer
# took a pause inside the answer for its end.
CUT_OFF_RESUME_SECONDS = 1.0


def cut_off_audit(segments):
    """The interviewer's turns that started while the candidate was still speaking.

    From the stored speaking times of the transcript (segments in order): a turn cut the
    candidate off when it started inside a candidate turn (they talked over each other)
    or the candidate went on speaking within CUT_OFF_RESUME_SECONDS of it (it took a
    pause inside the answer for the end). [{"segment", "candidate", "overlap"}], where
    overlap is how long (s) the candidate spoke on after the interviewer started.
    """
    candidate = [s for s in segments if s.speaker == "candidate" and s.started_at]
    found = []
    for turn in segments:
        if turn.speaker != "agent" or turn.started_at is None:
            continue
        for words in candidate:
            started = (words.started_at - turn.started_at).total_seconds()
            ended = (words.ended_at - turn.started_at).total_seconds() if words.ended_at else None
            talked_over = started < 0 and (ended is None or ended > 0)
            resumed = 0 <= started <= CUT_OFF_RESUME_SECONDS
            if talked_over or resumed:
                found.append(
                    {
                        "segment": turn,
                        "candidate": words,
                        "overlap": round(ended, 2) if ended is not None else None,
                    }
                )
                break
    return found
