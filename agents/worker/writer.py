"""The short parts the model writes (a follow-up, an answer), in the prompt form it handles.

A strong server gets the long instructions as a chat; the embedded SmolLM2-135M gets a
short transcript to continue ("Interviewer: … / Candidate: …", cued with "Interviewer:"
and stopped at the newline), the form it stays on topic with. Every reply goes through the
speech gate; a failing one is written again once with a tighter instruction, and when that
fails too the caller speaks the plan's next fixed line instead (`write` returns None).
"""

import logging
import time
import uuid
from functools import cache
from pathlib import Path

from django.conf import settings
from livekit.agents import llm as lk_llm
from livekit.agents.metrics import LLMMetrics, TTSMetrics

from agents.worker.gate import gate_limits, gate_problems
from providers.clients import async_openai_client
from providers.models import ProviderProfile

logger = logging.getLogger(__name__)

PROMPTS = Path(__file__).resolve().parent / "prompts"
# Turns of the conversation the model sees: enough for context, short for a small model.
CONVERSATION_TURNS = 6
# The transcript form's reply is one line; this caps a model that never writes a newline.
TRANSCRIPT_MAX_TOKENS = 60
# A retry in the transcript form starts the reply for the model, which then only finishes it;
# the first opening not heard yet in this interview, so the retry is no repeat itself.
TIGHTER_CUES = {
    "follow_up": (
        " Thank you for sharing that. Could you tell me",
        " That is helpful to know. Could you tell me",
        " I see. What",
        " Interesting. How",
    ),
    "answer": (" The",),
}
CANDIDATE_LINE_LIMIT = 400
# The transcript form is shown the job description's start only: a small model loses
# the conversation behind a long one.
TRANSCRIPT_JOB_LIMIT = 600


@cache
def prompt(name):
    return (PROMPTS / name).read_text().strip()


def profile_is_embedded(profile):
    """The profile's LLM is on the embedded model server (settings.LOCALMODELS_URL)."""
    if profile is None:
        return False
    return profile.llm_base_url.startswith(settings.LOCALMODELS_URL.rstrip("/") + "/")


def _one_line(text, limit=CANDIDATE_LINE_LIMIT):
    """The candidate's words on one line: they cannot start a line of their own in a prompt."""
    return " ".join(text.split())[:limit]


def conversation_text(transcript, turns=CONVERSATION_TURNS):
    return "\n".join(f"{speaker}: {_one_line(text)}" for speaker, text in transcript[-turns:])


class Writer:
    def __init__(self, *, brief, instructions, profile=None):
        self.brief = brief
        self.instructions = instructions
        self.profile = profile
        self.embedded = profile_is_embedded(profile)
        # Without a profile (the chat tests on the session's LLM) a new profile's limits hold.
        self.limits = gate_limits(profile or ProviderProfile())
        self._client = None

    async def write(self, kind, *, runner, transcript, activity):
        """A gated reply of `kind` ("follow_up" or "answer"), or None: speak a fixed line."""
        recent = [text for speaker, text in transcript if speaker == "Interviewer"]
        question_due = kind == "follow_up"
        # An answer may only say what the interview knows; a follow-up builds on the
        # candidate's words, which the gate does not take as facts.
        facts = self.answer_facts(runner) if kind == "answer" else None
        asked = next((text for speaker, text in reversed(transcript) if speaker == "Candidate"), "")
        problems = []
        for attempt in range(2):
            tighter = attempt == 1
            text = await self._generate(
                kind,
                runner=runner,
                transcript=transcript,
                activity=activity,
                tighter=tighter,
                problems=problems,
            )
            text = " ".join(text.split())
            problems = gate_problems(
                text,
                limits=self.limits,
                recent=recent,
                question_due=question_due,
                facts=facts,
                asked=asked,
            )
            if not problems:
                return text
            logger.info(
                "interview %s: the speech gate refused a %s (%s)",
                self.brief.interview_id,
                kind,
                "; ".join(problems),
            )
        return None

    async def _generate(self, kind, *, runner, transcript, activity, tighter, problems):
        if self.embedded:
            return await self._complete(kind, runner, transcript, activity, tighter)
        return await self._chat(kind, runner, transcript, activity, tighter, problems)

    def answer_facts(self, runner, *, job_limit=None):
        """What the interviewer may tell a candidate who asks about the role or the process."""
        job = " ".join(self.brief.job_description.split())[:job_limit]
        return prompt("answer_facts.txt").format(
            role=self.brief.role_title,
            job_description=job or "not given",
            max_minutes=runner.plan.time_limit_minutes,
            candidate_name=self.brief.candidate_name or "the candidate",
        )

    def _task(self, kind, runner, transcript):
        question = runner.current
        conversation = conversation_text(transcript)
        if kind == "answer":
            return prompt("task_answer.md").format(
                facts=self.answer_facts(runner), conversation=conversation
            )
        used = runner.follow_ups_used.get(question.id, 0)
        return prompt("task_follow_up.md").format(
            section=runner.section.title,
            number=runner.index + 1,
            count=len(runner.questions),
            question=question.text,
            follow_ups_left=max(0, question.follow_ups - used),
            conversation=conversation,
        )

    async def _chat(self, kind, runner, transcript, activity, tighter, problems):
        chat_ctx = lk_llm.ChatContext.empty()
        chat_ctx.add_message(role="system", content=self.instructions)
        chat_ctx.add_message(role="user", content=self._task(kind, runner, transcript))
        if tighter:
            chat_ctx.add_message(
                role="user", content=prompt("tighter.txt").format(problems=", ".join(problems))
            )
        parts = []
        conn_options = activity.session.conn_options.llm_conn_options
        async with activity.llm.chat(chat_ctx=chat_ctx, conn_options=conn_options) as stream:
            async for chunk in stream:
                if chunk.delta and chunk.delta.content:
                    parts.append(chunk.delta.content)
        return "".join(parts)

    def _transcript_prompt(self, kind, runner, transcript, cue):
        lines = list(transcript)
        if kind == "answer":
            # The plan may have moved past its last question already: the answer comes first.
            facts = self.answer_facts(runner, job_limit=TRANSCRIPT_JOB_LIMIT)
            return prompt("transcript_answer.txt").format(
                role=self.brief.role_title,
                facts=" ".join(facts.split()),
                conversation=conversation_text(lines, 2),
                cue=cue,
            )
        # The current question's exchange only: a small model copies whatever it is shown.
        for index in range(len(lines) - 1, -1, -1):
            if lines[index][0] == "Interviewer" and runner.current.text in lines[index][1]:
                lines = lines[index + 1 :]
                break
        return prompt("transcript_follow_up.txt").format(
            role=self.brief.role_title,
            question=_one_line(runner.current.text),
            conversation=conversation_text(lines, 4),
            cue=cue,
        )

    async def _complete(self, kind, runner, transcript, activity, tighter):
        cue = _fresh_cue(TIGHTER_CUES[kind], transcript) if tighter else ""
        started = time.perf_counter()
        completion = await self._completions_client().completions.create(
            model=self.profile.llm_model,
            prompt=self._transcript_prompt(kind, runner, transcript, cue),
            max_tokens=min(TRANSCRIPT_MAX_TOKENS, self.profile.llm_max_tokens),
            temperature=self.profile.llm_temperature,
            stop=["\n"],
        )
        duration = time.perf_counter() - started
        _report_llm_time(activity, completion, duration)
        return (cue + (completion.choices[0].text or "")).strip()

    async def warm(self, runner):
        """Have the embedded server read the prompt the next follow-up starts with, now.

        llama.cpp reads a prompt sent with max_tokens 0 into a slot's cache and generates
        nothing; the follow-up then only reads the candidate's new words when the reply is
        due. It runs while nobody waits: at the greeting, and while a new question is
        spoken. Strong servers read a prompt in milliseconds, so they are left alone. A
        failure costs only the saving, so it is just logged.
        """
        if not self.embedded or runner.current is None:
            return
        try:
            await self._completions_client().completions.create(
                model=self.profile.llm_model,
                prompt=self._transcript_prompt("follow_up", runner, [], ""),
                max_tokens=0,
            )
        except Exception as exc:  # noqa: BLE001 (the reply reads the prompt itself then)
            logger.info(
                "interview %s: warming the prompt cache failed: %s", self.brief.interview_id, exc
            )

    def _completions_client(self):
        if self._client is None:
            self._client = async_openai_client(self.profile, "llm", max_retries=1)
        return self._client


def _fresh_cue(cues, transcript):
    said = " ".join(text for speaker, text in transcript if speaker == "Interviewer")
    for cue in cues:
        if cue.split(".")[0].strip() not in said:
            return cue
    return cues[-1]


def _report_llm_time(activity, completion, duration):
    usage = completion.usage
    report_llm_time(
        activity,
        label="interviewer.transcript_completion",
        duration=duration,
        request_id=completion.id,
        completion_tokens=usage.completion_tokens if usage else 0,
        prompt_tokens=usage.prompt_tokens if usage else 0,
    )


def report_llm_time(
    activity, *, label, duration, request_id=None, completion_tokens=0, prompt_tokens=0
):
    """The per-turn latency table reads the LLM's metrics events; text that did not come
    through the framework's own LLM call reports its time here (the framework stamps it
    with the reply's speech id)."""
    activity.llm.emit(
        "metrics_collected",
        LLMMetrics(
            label=label,
            request_id=request_id or uuid.uuid4().hex,
            timestamp=time.time(),
            duration=duration,
            # Not streamed: the first token arrives with the whole reply.
            ttft=duration,
            cancelled=False,
            completion_tokens=completion_tokens,
            prompt_tokens=prompt_tokens,
            prompt_cached_tokens=0,
            total_tokens=completion_tokens + prompt_tokens,
            tokens_per_second=completion_tokens / duration if duration > 0 else 0.0,
        ),
    )


def report_tts_time(activity, *, label, duration, audio_duration, characters):
    """The same for audio played from the speech cache instead of the TTS."""
    if activity.tts is None:
        return
    activity.tts.emit(
        "metrics_collected",
        TTSMetrics(
            label=label,
            request_id=uuid.uuid4().hex,
            timestamp=time.time(),
            ttfb=duration,
            duration=duration,
            audio_duration=audio_duration,
            cancelled=False,
            characters_count=characters,
            streamed=False,
        ),
    )
