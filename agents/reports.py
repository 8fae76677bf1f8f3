"""The interview report: a structured assessment the interview's LLM writes from the transcript.

`report_request` marks the report as being written and enqueues the task;
`report_write` (run by the task) asks the LLM of the interview's profile
snapshot through `providers.clients.openai_client`, in JSON mode, and stores
the reply only once it validates. Quotes the model gives as evidence are
checked against the transcript; ones that are not in it are kept apart and
shown as unverified. Errors are sorted as in resume parsing: transient ones
(connection, timeout, 429, 5xx) are retried with backoff, permanent ones fail
at once with their reason and the page offers a retry.
"""

import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import openai
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, Field, ValidationError, field_validator

from agents.models import Interview, TranscriptSegment
from agents.selectors import interview_profile
from agents.transcripts import interview_part_changed
from providers.clients import openai_client
from providers.llm_json import (
    InvalidReply,
    PermanentLLMError,
    TransientLLMError,
    backoff_seconds,
    classify,
    create_json_completion,
    json_object_from_reply,
    list_field,
    object_field,
    text_field,
)

PROMPT_PATH = Path(__file__).parent / "prompts" / "report.txt"

RECOMMENDATIONS = {
    "strong_yes": "Strong yes",
    "yes": "Yes",
    "no": "No",
    "strong_no": "Strong no",
}
# Words models use for the same four answers.
_RECOMMENDATION_ALIASES = {
    "strong_hire": "strong_yes",
    "strongly_recommend": "strong_yes",
    "hire": "yes",
    "advance": "yes",
    "recommend": "yes",
    "no_hire": "no",
    "hold": "no",
    "reject": "no",
    "strong_no_hire": "strong_no",
    "strongly_reject": "strong_no",
}
SPEAKER_LABELS = {"candidate": "Candidate", "agent": "Interviewer"}


def setting(name):
    defaults = {
        "REPORT_LLM_TIMEOUT_SECONDS": 120,
        "REPORT_LLM_MAX_TOKENS": 1500,
        "REPORT_LLM_TEMPERATURE": 0.2,
        # The transcript sent to the model is cut to its last this-many characters.
        "REPORT_TRANSCRIPT_MAX_CHARS": 24000,
        "REPORT_INVALID_REPLY_RETRIES": 2,
        "REPORT_LLM_MAX_RETRIES": 5,
        "REPORT_RETRY_BASE_SECONDS": 2.0,
        "REPORT_RETRY_MAX_SECONDS": 300.0,
    }
    return getattr(settings, name, defaults[name])


class TopicScore(BaseModel):
    topic: str = Field(min_length=1, max_length=200)
    score: int = Field(ge=1, le=5)
    evidence: list[str] = Field(default_factory=list)
    unverified_evidence: list[str] = Field(default_factory=list)

    @field_validator("score", mode="before")
    @classmethod
    def _whole_score(cls, value):
        # Models write 4, "4", 4.0 or "4/5" for the same score.
        if isinstance(value, str):
            value = value.split("/")[0].strip()
        try:
            return round(float(value))
        except (TypeError, ValueError):
            return value


class Report(BaseModel):
    summary: str = Field(min_length=1, max_length=5000)
    strengths: list[str] = Field(default_factory=list)
    concerns: list[str] = Field(default_factory=list)
    topics: list[TopicScore] = Field(default_factory=list)
    recommendation: Literal["strong_yes", "yes", "no", "strong_no"]

    @field_validator("strengths", "concerns", mode="before")
    @classmethod
    def _list_of_text(cls, value):
        if isinstance(value, str):
            value = [value]
        return [str(item).strip() for item in value or [] if str(item).strip()]

    @field_validator("recommendation", mode="before")
    @classmethod
    def _known_recommendation(cls, value):
        key = re.sub(r"[^a-z]+", "_", str(value).lower()).strip("_")
        return _RECOMMENDATION_ALIASES.get(key, key)


@dataclass
class RetryIn:
    seconds: float


def report_request(*, interview_id):
    """Mark the report as being written and enqueue its task once the caller commits."""
    Interview.objects.filter(pk=interview_id).update(
        report_status=Interview.ReportStatus.PENDING, report_error=""
    )
    interview_part_changed(interview_id=interview_id, part="report")
    from agents.tasks import interview_report_write

    transaction.on_commit(lambda: interview_report_write.delay(interview_id))


def report_write(*, interview_id, retries_done=0):
    """Write a pending interview's report; a RetryIn when a transient fault is worth retrying."""
    interview = Interview.objects.select_related("candidate").get(pk=interview_id)
    if interview.report_status != Interview.ReportStatus.PENDING:
        return None
    segments = list(TranscriptSegment.objects.filter(interview_id=interview_id).order_by("seq"))
    if not segments:
        _report_fail(interview_id, "There is no transcript to write a report from.")
        return None
    profile = interview_profile(interview)
    try:
        report = report_generate(profile=profile, interview=interview, segments=segments)
    except TransientLLMError as exc:
        if retries_done >= setting("REPORT_LLM_MAX_RETRIES"):
            _report_fail(
                interview_id, f"{exc} Gave up after {retries_done + 1} tries; retry to try again."
            )
            return None
        delay = backoff_seconds(
            retries_done + 1,
            exc.retry_after,
            base=setting("REPORT_RETRY_BASE_SECONDS"),
            ceiling=setting("REPORT_RETRY_MAX_SECONDS"),
        )
        Interview.objects.filter(pk=interview_id).update(
            report_error=f"{exc} Trying again in {delay:.0f} s."
        )
        interview_part_changed(interview_id=interview_id, part="report")
        return RetryIn(delay)
    except PermanentLLMError as exc:
        _report_fail(interview_id, str(exc))
        return None
    Interview.objects.filter(pk=interview_id, report_status=Interview.ReportStatus.PENDING).update(
        report=report,
        report_status=Interview.ReportStatus.READY,
        report_error="",
    )
    interview_part_changed(interview_id=interview_id, part="report")
    return None


def _report_fail(interview_id, reason):
    Interview.objects.filter(pk=interview_id).update(
        report_status=Interview.ReportStatus.FAILED, report_error=reason
    )
    interview_part_changed(interview_id=interview_id, part="report")


def report_generate(*, profile, interview, segments):
    """The validated report as a dict; raises Transient/PermanentLLMError."""
    transcript = transcript_for_prompt(segments)
    content = (
        f"Role: {interview.role_title}\n"
        f"Job description: {interview.job_description or '(none given)'}\n\n"
        f"Transcript:\n{transcript}"
    )
    client = openai_client(
        profile, "llm", timeout=setting("REPORT_LLM_TIMEOUT_SECONDS"), max_retries=0
    )
    attempts = 1 + setting("REPORT_INVALID_REPLY_RETRIES")
    started = time.perf_counter()
    problem = None
    for _ in range(attempts):
        reply = _complete(client, profile=profile, content=content)
        try:
            report = decode_report(reply)
        except InvalidReply as exc:
            problem = str(exc)
            continue
        report = check_evidence(report, segments)
        return {
            **report.model_dump(),
            "model": profile.llm_model,
            "generated_at": timezone.now().isoformat(),
            "seconds": round(time.perf_counter() - started, 2),
        }
    raise PermanentLLMError(
        f"The model did not reply with a usable report after {attempts} tries ({problem}). "
        "Retry, or use a larger model in the provider profile."
    )


@cache
def system_prompt():
    return PROMPT_PATH.read_text(encoding="utf-8")


def transcript_for_prompt(segments):
    lines = [
        f"{SPEAKER_LABELS.get(s.speaker, s.speaker)}: {s.text}"
        + (" [interrupted]" if s.interrupted else "")
        for s in segments
    ]
    text = "\n".join(lines)
    limit = setting("REPORT_TRANSCRIPT_MAX_CHARS")
    if len(text) > limit:
        text = "[the start of the interview is left out]\n" + text[-limit:]
    return text


# The shape the server is asked to produce; Report validates what comes back.
REPORT_SCHEMA = object_field(
    {
        "summary": {"type": "string", "minLength": 1, "maxLength": 1200},
        "strengths": list_field(text_field(200), 5),
        "concerns": list_field(text_field(200), 5),
        "topics": list_field(
            object_field(
                {
                    "topic": {"type": "string", "minLength": 1, "maxLength": 80},
                    "score": {"type": "integer", "minimum": 1, "maximum": 5},
                    "evidence": list_field(text_field(240), 3),
                }
            ),
            6,
        ),
        "recommendation": {"type": "string", "enum": ["strong_yes", "yes", "no", "strong_no"]},
    }
)


def _complete(client, *, profile, content):
    try:
        response = create_json_completion(
            client,
            schema_name="interview_report",
            schema=REPORT_SCHEMA,
            model=profile.llm_model,
            messages=[
                {"role": "system", "content": system_prompt()},
                {"role": "user", "content": content},
            ],
            temperature=setting("REPORT_LLM_TEMPERATURE"),
            max_tokens=setting("REPORT_LLM_MAX_TOKENS"),
        )
    except openai.APIError as exc:
        raise classify(
            exc,
            profile=profile,
            timeout=setting("REPORT_LLM_TIMEOUT_SECONDS"),
            timeout_setting="REPORT_LLM_TIMEOUT_SECONDS",
        ) from None
    if not response.choices:
        return ""
    return response.choices[0].message.content or ""


def decode_report(content):
    """A Report from the model's reply; fences and text around the object are ignored."""
    data, _repaired = json_object_from_reply(content)
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]}))
        raise InvalidReply(f"the reply did not match the report's form ({fields})") from None


def _normalise(text):
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def check_evidence(report, segments):
    """Keep as evidence only quotes that occur in the transcript; set the others apart."""
    said = [f" {_normalise(segment.text)} " for segment in segments]

    def occurs(quote):
        words = _normalise(quote)
        return bool(words) and any(f" {words} " in text for text in said)

    for topic in report.topics:
        quotes = [quote.strip().strip("\"'\u201c\u201d") for quote in topic.evidence]
        found = [q for q in quotes if occurs(q)]
        topic.unverified_evidence += [q for q in quotes if q and q not in found]
        topic.evidence = found
    return report


def report_update(*, interview, changes, user):
    """Store the recruiter's edit of a ready report, noting who edited it and when."""
    interview.report = {
        **interview.report,
        **changes,
        "edited_by": user.get_username(),
        "edited_at": timezone.now().isoformat(),
    }
    interview.save(update_fields=["report"])
    interview_part_changed(interview_id=interview.pk, part="report")
    return interview


def report_retry(*, interview):
    """Ask again for a report that failed (or never started); refused while one is being written."""
    if interview.report_status == Interview.ReportStatus.PENDING:
        raise ValueError("The report is already being written.")
    if not interview.segments.exists():
        raise ValueError("There is no transcript to write a report from yet.")
    report_request(interview_id=interview.pk)
