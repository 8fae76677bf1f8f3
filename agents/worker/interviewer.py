"""The AI interviewer: it follows the interview's plan; the model writes only the short parts."""

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from livekit.agents import Agent
from livekit.agents.types import FlushSentinel

from agents.plans import plan_adhoc
from agents.worker import hold
from agents.worker.audio import without_leading_silence
from agents.worker.plan_runner import FixedLines, PlanRunner
from agents.worker.speech_cache import spoken_key
from agents.worker.writer import Writer, prompt, report_llm_time, report_tts_time

logger = logging.getLogger(__name__)

# A long resume would crowd the interview itself out of a small model's context.
RESUME_SUMMARY_LIMIT = 4000


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
    # The plan the interview runs with (Interview.plan); {} means one made from the role.
    plan: dict = field(default_factory=dict)

    def plan_or_adhoc(self):
        if self.plan:
            return self.plan
        plan, _rubric = plan_adhoc(
            role_title=self.role_title,
            job_description=self.job_description,
            max_minutes=self.max_duration_minutes,
        )
        return plan


@dataclass
class InterviewState:
    """Per-session userdata: where the interview is in its plan, and why it is ending."""

    brief: InterviewBrief
    end_reason: str | None = None
    # Set when the interview must end as failed (models kept failing).
    failure: str | None = None
    # Called once the closing words have been spoken; the worker ends the session there.
    on_end: Callable[[str], Awaitable[None]] | None = None
    # Called with Interview.progress after every step of the plan.
    on_progress: Callable[[dict], None] | None = None
    # Called each time the speech gate replaced the model's words with a fixed line.
    on_gate_fallback: Callable[[], None] | None = None
    closing_task: asyncio.Task | None = field(default=None, repr=False)
    runner: PlanRunner | None = field(default=None, repr=False)
    gate_fallbacks: int = 0

    def __post_init__(self):
        if self.runner is None:
            self.runner = PlanRunner(self.brief.plan_or_adhoc(), lines=fixed_lines())


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


def fixed_lines():
    """The plan's fixed phrases from prompts/lines.txt ("name: text" per line)."""
    values = {}
    for line in prompt("lines.txt").splitlines():
        name, _, text = line.partition(":")
        values[name.strip()] = text.strip()
    return FixedLines(**{name: values[name] for name in FixedLines.__dataclass_fields__})


def _brief_text(name, brief):
    return prompt(name).format(
        candidate_name=brief.candidate_name or "there",
        role=brief.role_title,
        max_minutes=brief.max_duration_minutes,
    )


END_REASONS = {
    "done": "The interviewer asked every question of the plan.",
    "time_up": "Time limit reached.",
    "stopped": "The candidate asked to end the interview.",
}


def _unanswered_candidate_turns(chat_ctx):
    """The candidate's turns since the interviewer last spoke, oldest first.

    More than one means the candidate went on speaking: they asked for a moment, or the
    reply to their first words was cut short before any of it was heard (no interviewer
    message is committed then), because they were only pausing.
    """
    turns = []
    for item in reversed(chat_ctx.items):
        if getattr(item, "type", None) != "message":
            continue
        if item.role != "user":
            break
        turns.append(item)
    return turns[::-1]


# The plan runner's own progress; the plan, its lines and the clock never change.
_RUNNER_FIXED = ("plan", "lines", "clock", "questions")


async def _once(text):
    yield text


class Interviewer(Agent):
    """Runs the plan: fixed lines as written, the model only for follow-ups and answers.

    Every step is decided by the worker (`PlanRunner`) when the candidate's turn reaches
    the LLM node; the node then yields the model's gated words (if the step wants any) and
    the step's fixed lines, each as its own spoken segment so that `tts_node` can play a
    cached line's audio instead of asking the TTS.
    """

    def __init__(self, brief: InterviewBrief, *, profile=None, speech_cache=None):
        instructions = build_instructions(brief)
        super().__init__(instructions=instructions)
        self.brief = brief
        self.writer = Writer(brief=brief, instructions=instructions, profile=profile)
        self.speech_cache = speech_cache
        self.transcript = []
        self.answered = set()
        self._fixed = set()
        self._prefetch = None
        # The newest prompt-cache warm-up; held so the event loop doesn't drop the task.
        self._warming = None
        # Words of turns held for the candidate to think ({message id: text}), in order.
        self._held = {}
        self._hold_timer = None
        self._released = None
        # (first candidate turn answered, runner progress and transcript length before it)
        self._before_reply = None

    @property
    def state(self) -> InterviewState:
        return self.session.userdata

    @property
    def runner(self) -> PlanRunner:
        return self.state.runner

    def _progress_changed(self):
        if self.state.on_progress is not None:
            self.state.on_progress(self.runner.progress())

    async def on_enter(self):
        # The interviewer speaks first: the greeting, then the plan's first question.
        self._fixed = {spoken_key(line) for line in self.runner.fixed_lines()}
        greeting = _brief_text("greeting.txt", self.brief)
        step = self.runner.start()
        # One turn: the cached audio of the question follows the greeting's (tts_node).
        words = " ".join([greeting, *step.lines])
        self.session.say(words)
        self._said([words])
        self._progress_changed()
        if step.end:
            self._close()
            return
        self._warm_prompt_cache()
        if self.speech_cache is not None:
            self._prefetch = asyncio.create_task(
                self.speech_cache.prefetch(self.runner.fixed_lines())
            )

    def _warm_prompt_cache(self):
        self._warming = asyncio.create_task(self.writer.warm(self.runner))

    def _said(self, parts):
        self.transcript.append(("Interviewer", " ".join(parts)))

    def _hold(self, message):
        """Stay quiet while the candidate asks for time, replying after HOLD_SECONDS at most."""
        self._held[message.id] = message.text_content or ""
        self._hold_timer = asyncio.create_task(self._reply_after_hold(message.id))

    async def _reply_after_hold(self, message_id):
        await asyncio.sleep(hold.HOLD_SECONDS)
        self._hold_timer = None
        # A candidate speaking again ends a turn of their own, which the held words join.
        if message_id in self._held and self.session.user_state != "speaking":
            self._released = message_id
            self.session.generate_reply()

    async def llm_node(self, chat_ctx, tools, model_settings):
        turns = _unanswered_candidate_turns(chat_ctx)
        message = turns[-1] if turns else None
        if message is None or message.id in self.answered or self.state.end_reason:
            return
        if self._hold_timer is not None:
            self._hold_timer.cancel()
            self._hold_timer = None
        if hold.asks_for_time(message.text_content) and message.id != self._released:
            self._hold(message)
            return
        self._held = {}
        if self._before_reply is not None and self._before_reply[0] == turns[0].id:
            # The reply to the first of these turns was never heard: answer them all as
            # one turn, from where the plan was before it, so no question goes unasked.
            _first, progress, said = self._before_reply
            vars(self.runner).update(copy.deepcopy(progress))
            del self.transcript[said:]
        else:
            self._before_reply = (
                turns[0].id,
                copy.deepcopy(
                    {k: v for k, v in vars(self.runner).items() if k not in _RUNNER_FIXED}
                ),
                len(self.transcript),
            )
        self.answered.add(message.id)
        started = time.perf_counter()
        text = " ".join((turn.text_content or "").strip() for turn in turns).strip()
        self.transcript.append(("Candidate", text))
        question_before = self.runner.current
        step = self.runner.after_turn(text)
        parts = []
        if step.write:
            written = await self.writer.write(
                step.write,
                runner=self.runner,
                transcript=self.transcript,
                activity=self._get_activity_or_raise(),
            )
            if written is None:
                self._gate_fell_back()
                if step.write == "follow_up":
                    step = self.runner.move_on()
                else:
                    parts.append(fixed_lines().answer_fallback)
            else:
                parts.append(written)
        parts.extend(step.lines)
        if not step.write:
            # Fixed lines only: the reply's "LLM" time is the worker choosing them.
            report_llm_time(
                self._get_activity_or_raise(),
                label="interviewer.plan",
                duration=time.perf_counter() - started,
            )
        self._progress_changed()
        if parts:
            self._said(parts)
        for index, part in enumerate(parts):
            if index:
                yield FlushSentinel()
            yield part if index == 0 else " " + part
        if step.end:
            self._close()
        elif self.runner.current is not question_before:
            self._warm_prompt_cache()

    def _gate_fell_back(self):
        self.state.gate_fallbacks += 1
        if self.state.on_gate_fallback is not None:
            self.state.on_gate_fallback()

    def _ends_with_fixed_line(self, text):
        """(words before, fixed line) when `text` ends with a line of the plan, else None."""
        words = spoken_key(text)
        for line in sorted(self._fixed, key=len, reverse=True):
            if words == line or words.endswith(" " + line):
                return words[: len(words) - len(line)].strip(), line
        return None

    async def tts_node(self, text, model_settings):
        async for frame in without_leading_silence(self._speech(text, model_settings)):
            yield frame

    async def _speech(self, text, model_settings):
        whole = "".join([chunk async for chunk in text])
        split = self._ends_with_fixed_line(whole) if self.speech_cache is not None else None
        if split is None:
            async for frame in Agent.default.tts_node(self, _once(whole), model_settings):
                yield frame
            return
        before, line = split
        # A line not cached yet is synthesised while the words before it play.
        cached = asyncio.ensure_future(self._cached_frames(line))
        try:
            if before:
                async for frame in Agent.default.tts_node(self, _once(before), model_settings):
                    yield frame
            frames = await cached
        finally:
            cached.cancel()
        if frames is None:
            async for frame in Agent.default.tts_node(self, _once(line), model_settings):
                yield frame
            return
        for frame in frames:
            yield frame

    async def _cached_frames(self, line):
        """The line's audio from the speech cache, or None (then the TTS says it)."""
        started = time.perf_counter()
        try:
            frames = await self.speech_cache.frames(line)
        except Exception as exc:  # noqa: BLE001 (the TTS says it as any other line)
            logger.warning("no cached audio for a fixed line: %s", exc)
            return None
        report_tts_time(
            self._get_activity_or_raise(),
            label="interviewer.speech_cache",
            duration=time.perf_counter() - started,
            audio_duration=sum(frame.duration for frame in frames),
            characters=len(line),
        )
        return frames

    def time_is_up(self):
        """The time limit: say so, close, and end once the closing words are out."""
        if self.state.end_reason is not None:
            return
        self.runner.time_up()
        self._close()
        self._progress_changed()

    def _close(self):
        state = self.state
        if state.end_reason is not None:
            return
        state.end_reason = END_REASONS[self.runner.end_reason]
        logger.info("interview %s ending: %s", state.brief.interview_id, state.end_reason)
        words = _brief_text("closing.txt", self.brief)
        if self.runner.end_reason == "time_up":
            words = f"{prompt('time_up.txt')} {words}"
        self._said([words])
        goodbye = self.session.say(words, allow_interruptions=False)
        state.closing_task = asyncio.create_task(self._finish(state, goodbye))

    async def _finish(self, state, goodbye):
        await goodbye.wait_for_playout()
        if self._prefetch is not None:
            self._prefetch.cancel()
        if state.on_end is not None:
            await state.on_end(state.end_reason)
