"""Transcript and interview exports, built from stored data only."""

from agents.models import Recording
from agents.recordings import segment_offsets
from agents.reports import SPEAKER_LABELS, report_competencies
from agents.transcripts import segment_message


def transcript_data(interview):
    """The segments, each with where it starts in the recording (seconds; None without one)."""
    segments = list(interview.segments.order_by("seq"))
    offsets = segment_offsets(segments, Recording.objects.filter(interview=interview).first())
    return [
        {
            **{key: value for key, value in segment_message(s).items() if key != "type"},
            "recording_offset": offsets.get(s.seq),
        }
        for s in segments
    ]


def transcript_text(interview):
    lines = [f"{interview.role_title} with {interview.candidate}", ""]
    for segment in interview.segments.order_by("seq"):
        at = (segment.started_at or segment.created_at).strftime("%H:%M:%S")
        mark = " [interrupted]" if segment.interrupted else ""
        lines.append(f"[{at}] {SPEAKER_LABELS[segment.speaker]}: {segment.text}{mark}")
    return "\n".join(lines) + "\n"


def interview_data(interview):
    def iso(value):
        return value.isoformat() if value else None

    return {
        "id": interview.pk,
        "role_title": interview.role_title,
        "candidate": {"name": interview.candidate.name, "email": interview.candidate.email},
        "status": interview.status,
        "status_reason": interview.status_reason,
        "started_at": iso(interview.started_at),
        "ended_at": iso(interview.ended_at),
        "profile_name": interview.profile_name,
        "transcript": transcript_data(interview),
        "turn_metrics": [
            {
                "turn": t.turn,
                "end_of_utterance_delay": t.end_of_utterance_delay,
                "transcription_delay": t.transcription_delay,
                "llm_ttft": t.llm_ttft,
                "tts_ttfb": t.tts_ttfb,
                "on_user_turn_completed_delay": t.on_user_turn_completed_delay,
                "first_sentence_delay": t.first_sentence_delay,
                "playback_latency": t.playback_latency,
                "other_delay": t.other_delay,
                "reply_seconds": t.reply_seconds,
                "total_latency": t.total_latency,
            }
            for t in interview.turn_metrics.order_by("turn")
        ],
        "report_status": interview.report_status,
        "report_error": interview.report_error,
        # The competencies carry the rubric's words for each score, as on the report page.
        "report": {**interview.report, "competencies": report_competencies(interview)}
        if interview.report.get("competencies")
        else interview.report,
    }
