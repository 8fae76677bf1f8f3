"""The AI interviewer: its instructions, its per-session state and its one tool."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from livekit.agents import Agent, RunContext, function_tool

logger = logging.getLogger(__name__)

PROMPTS = Path(__file__).resolve().parent / "prompts"
# A long resume would crowd the interview itself out of a small model's context.
RESUME_SUMMARY_LIMIT = 4000


@cache
def prompt(name):
    return (PROMPTS / name).read_text().strip()


@dataclass(frozen=True)
class InterviewBrief:
    """What the interviewer knows before the interview, loaded from the database."""

    interview_id: int | None
    candidate_name: str
    role_title: str
    job_description: str
    resume: dict
    max_duration_minutes: int
    persona: str
    extra_instructions: str = ""


@dataclass
class InterviewState:
    """Per-session userdata: how and why the interview is ending."""

    brief: InterviewBrief
    end_reason: str | None = None
    # Set when the interview must end as failed (models kept failing).
    failure: str | None = None
    # Called once the closing words have been spoken; the worker ends the session there.
    on_end: Callable[[str], Awaitable[None]] | None = None
    closing_task: asyncio.Task | None = field(default=None, repr=False)


def _join(*parts):
    return ", ".join(str(part) for part in parts if part)


def resume_summary(parsed):
    """A compact, readable summary of a JSON Resume-shaped dict for the prompt."""
    if not parsed:
        return "No resume is available: ask the candidate to walk you through their experience."
    lines = []
    basics = parsed.get("basics") or {}
    location = basics.get("location")
    if isinstance(location, dict):
        location = _join(location.get("city"), location.get("countryCode"))
    if headline := _join(basics.get("label"), location):
        lines.append(f"Headline: {headline}")
    if basics.get("summary"):
        lines.append(f"Summary: {basics['summary']}")
    for job in parsed.get("work") or []:
        line = "Work: " + _join(job.get("position"), job.get("name"))
        if job.get("startDate"):
            line += f" ({job['startDate']} to {job.get('endDate') or 'present'})"
        lines.append(line)
        if job.get("summary"):
            lines.append(f"  {job['summary']}")
        lines.extend(f"  - {highlight}" for highlight in job.get("highlights") or [])
    for school in parsed.get("education") or []:
        lines.append(
            "Education: "
            + _join(school.get("studyType"), school.get("area"), school.get("institution"))
        )
    for project in parsed.get("projects") or []:
        lines.append("Project: " + _join(project.get("name"), project.get("description")))
    skills = [skill.get("name") for skill in parsed.get("skills") or [] if skill.get("name")]
    if skills:
        lines.append("Skills: " + ", ".join(skills))
    languages = [lang.get("language") for lang in parsed.get("languages") or []]
    if any(languages):
        lines.append("Languages: " + ", ".join(filter(None, languages)))
    for certificate in parsed.get("certificates") or []:
        lines.append("Certificate: " + _join(certificate.get("name"), certificate.get("issuer")))
    return "\n".join(lines)[:RESUME_SUMMARY_LIMIT]


def _extra_instructions(brief):
    template = brief.extra_instructions.strip()
    if not template:
        return ""
    try:
        text = template.format(
            role=brief.role_title,
            job_description=brief.job_description,
            candidate_name=brief.candidate_name,
        )
    except (KeyError, IndexError, ValueError):
        # A typo in an admin's placeholder must not stop the interview: use it as written.
        text = template
    return f"\nAdditional instructions:\n{text}\n"


def build_instructions(brief):
    return prompt("interviewer.md").format(
        persona=brief.persona.strip(),
        candidate_name=brief.candidate_name or "the candidate",
        role=brief.role_title,
        max_minutes=brief.max_duration_minutes,
        job_description=brief.job_description.strip() or "Not provided.",
        resume=resume_summary(brief.resume),
        extra=_extra_instructions(brief),
    )


def _brief_text(name, brief):
    return prompt(name).format(
        candidate_name=brief.candidate_name or "there",
        role=brief.role_title,
        max_minutes=brief.max_duration_minutes,
    )


class Interviewer(Agent):
    def __init__(self, brief: InterviewBrief):
        super().__init__(instructions=build_instructions(brief))
        self.brief = brief

    async def on_enter(self):
        # The interviewer speaks first.
        self.session.generate_reply(instructions=_brief_text("greeting.txt", self.brief))

    def time_is_up(self):
        """Ask the interviewer to wrap up; it ends the interview through its tool."""
        return self.session.generate_reply(
            instructions=prompt("time_up.txt"), tool_choice="required"
        )

    @function_tool
    async def end_interview(self, context: RunContext[InterviewState], reason: str) -> None:
        """End the interview politely. Call this when you have asked enough questions,
        when the candidate wants to stop, or when you are told the time is up.

        Args:
            reason: One short sentence saying why the interview ends.
        """
        state = context.userdata
        if state.end_reason is not None:
            return None
        state.end_reason = reason.strip() or "The interviewer ended the interview."
        logger.info("interview %s ending: %s", state.brief.interview_id, state.end_reason)
        goodbye = context.session.say(
            _brief_text("closing.txt", state.brief), allow_interruptions=False
        )
        state.closing_task = asyncio.create_task(self._finish(state, goodbye))
        # No reply from the model after this: the closing words above are the last turn.
        return None

    async def _finish(self, state, goodbye):
        await goodbye.wait_for_playout()
        if state.on_end is not None:
            await state.on_end(state.end_reason)
