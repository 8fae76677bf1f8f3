"""Where the interview is in its plan, and what the interviewer does after each candidate turn.

The worker decides every step itself, from the plan, the clock and a few phrase rules: a
small model cannot be trusted to call tools or to keep count. The model is only asked to
write a follow-up or an answer when a step says so (`Step.write`).
"""

import re
import time
from dataclasses import dataclass, field

from agents.plans import plan_parse, plan_questions

# What the candidate says to hear the question again, skip it, or stop; matched on the
# whole (short) turn so an answer that happens to contain "next" is still an answer.
REPEAT_PHRASES = re.compile(
    r"\b(repeat (that|the question|it|please)|say (that|it) again|come again|pardon|"
    r"what was the question|can you repeat|could you repeat|one more time|"
    r"didn'?t (catch|hear|get) (that|the question|it))\b"
)
SKIP_PHRASES = re.compile(
    r"\b(skip( (this|that|it|the question))?|next question|pass on (this|that)|"
    r"(i'?d|i would) rather not( answer)?|i don'?t want to answer|move on)\b"
)
STOP_PHRASES = re.compile(
    r"\b(end the interview|stop the interview|i want to stop|i (have to|need to|must) go|"
    r"let'?s stop( here)?|i'?m done with the interview)\b"
)
# A command is a short turn; longer turns are answers even if they contain the words.
COMMAND_MAX_WORDS = 12
NOTHING_TO_ASK = re.compile(
    r"^\W*(no|nope|nothing|not really|none|i'?m good|that'?s (all|it)|no questions?)\b"
)
# What a candidate asks about the job or the hiring process (not about the question itself,
# "Do you mean my current team?"): answered in the middle of the interview too.
PROCESS_TOPICS = re.compile(
    r"\b(company|salary|salaries|pay|paid|compensation|benefits?|bonus|remote|hybrid|"
    r"on-?site|office|relocat\w*|visa|vacation|holidays?|culture|next steps?|process|hiring|"
    r"hear back|start date|when (can|could|would) i start|(the|your) team|work from home)\b"
)
QUESTION_START = re.compile(
    r"^\W*(what|how|when|where|who|why|which|is|are|do|does|did|can|could|will|would|should)\b"
)


def candidate_intent(text):
    """ "repeat", "skip", "stop" or None: the phrase rules for a candidate's turn."""
    words = _normal(text)
    if not words or len(words.split()) > COMMAND_MAX_WORDS:
        return None
    if STOP_PHRASES.search(words):
        return "stop"
    if REPEAT_PHRASES.search(words):
        return "repeat"
    if SKIP_PHRASES.search(words):
        return "skip"
    return None


def asks_a_question(text):
    words = _normal(text)
    if not words or NOTHING_TO_ASK.search(words):
        return False
    return "?" in text or bool(QUESTION_START.search(words))


def asks_about_the_process(text):
    """A question about the job or the hiring process rather than an answer."""
    return asks_a_question(text) and bool(PROCESS_TOPICS.search(_normal(text)))


def _normal(text):
    return " ".join(text.lower().replace("’", "'").split())


@dataclass
class Step:
    """What the interviewer does next.

    `write` asks the model for one short part before the fixed `lines` ("follow_up": an
    acknowledgement and one follow-up question; "answer": an answer to the candidate's
    question). `end` means the closing words follow and the interview ends.
    """

    kind: str
    lines: list[str] = field(default_factory=list)
    write: str | None = None
    end: bool = False


@dataclass
class FixedLines:
    """The words the interviewer says as written (agents/worker/prompts/lines.txt)."""

    transition: str
    acknowledge: str
    repeat: str
    skip: str
    anything_else: str
    answer_fallback: str
    back_to_question: str


class PlanRunner:
    """The plan's progress: current question, follow-ups used, time per section."""

    def __init__(self, plan, *, lines, clock=time.monotonic):
        self.plan = plan_parse(plan)
        self.lines = lines
        self.clock = clock
        self.questions = plan_questions(self.plan)
        self.index = 0
        self.follow_ups_used = {}
        # Questions during which the candidate's own question was answered (one each).
        self.asides = []
        self.covered = []
        self.skipped = []
        self.section_seconds = {}
        self.started_at = None
        self.question_started_at = None
        self.finished = False
        self.end_reason = None

    # --- where we are ---

    @property
    def current(self):
        if self.finished or self.index >= len(self.questions):
            return None
        return self.questions[self.index][1]

    @property
    def section(self):
        if self.index >= len(self.questions):
            return None
        return self.plan.sections[self.questions[self.index][0]]

    def elapsed(self):
        return 0.0 if self.started_at is None else self.clock() - self.started_at

    def time_is_up(self):
        return self.elapsed() >= self.plan.time_limit_minutes * 60

    def _on_question_seconds(self):
        return 0.0 if self.question_started_at is None else self.clock() - self.question_started_at

    def fixed_lines(self):
        """Every line of this plan spoken as written (questions and transitions), for caching."""
        lines = [self.lines.acknowledge, self.lines.repeat, self.lines.skip]
        lines += [self.lines.anything_else, self.lines.answer_fallback, self.lines.back_to_question]
        for section in self.plan.sections:
            lines.append(self.lines.transition.format(title=section.title))
            lines.extend(question.text for question in section.questions)
        return lines

    # --- steps ---

    def start(self):
        """The first question's lines (the greeting comes before them)."""
        self.started_at = self.clock()
        return self._ask_next(first=True)

    def after_turn(self, text):
        """The step after the candidate's turn `text`."""
        question = self.current
        if question is None:
            return self._end("done")
        if self.time_is_up():
            return self._end("time_up")
        intent = candidate_intent(text)
        if intent == "stop":
            return self._end("stopped")
        if intent == "repeat":
            return Step("repeat", lines=[self.lines.repeat, question.text])
        if intent == "skip":
            self.skipped.append(question.id)
            if question.id in self.covered:
                self.covered.remove(question.id)
            step = self._move_on()
            step.lines.insert(0, self.lines.skip)
            step.kind = "skip" if not step.end else step.kind
            return step
        if self.section.kind == "candidate_questions":
            if not asks_a_question(text):
                return self._move_on(acknowledge=True)
            if self._may_follow_up(question):
                self._use_follow_up(question)
                # The budget counts answers; after the last one the plan goes on.
                if self._may_follow_up(question):
                    return Step("answer", write="answer", lines=[self.lines.anything_else])
                step = self._move_on()
                step.kind, step.write = "answer", "answer"
                return step
            return self._move_on(acknowledge=True)
        if question.id not in self.asides and asks_about_the_process(text):
            # Answered, then the question again; a second one during the same question is
            # taken as its answer, so asking cannot stall the interview.
            self.asides.append(question.id)
            return Step(
                "answer", write="answer", lines=[self.lines.back_to_question, question.text]
            )
        if self._may_follow_up(question):
            self._use_follow_up(question)
            return Step("follow_up", write="follow_up")
        return self._move_on(acknowledge=True)

    def move_on(self):
        """The plan's next fixed lines, in place of words the model could not write well."""
        return self._move_on(acknowledge=True)

    def time_up(self):
        return self._end("time_up")

    def _may_follow_up(self, question):
        used = self.follow_ups_used.get(question.id, 0)
        return used < question.follow_ups and self._on_question_seconds() < question.minutes * 60

    def _use_follow_up(self, question):
        self.follow_ups_used[question.id] = self.follow_ups_used.get(question.id, 0) + 1

    def _move_on(self, *, acknowledge=False):
        self._close_question()
        self.index += 1
        step = self._ask_next()
        if acknowledge and not step.end:
            step.lines.insert(0, self.lines.acknowledge)
        return step

    def _ask_next(self, *, first=False):
        previous_section = None if first else self._section_of(self.index - 1)
        while self.index < len(self.questions) and self._passes_over(self.index):
            self.index += 1
        if self.index >= len(self.questions):
            return self._end("done")
        if self.time_is_up():
            return self._end("time_up")
        section_index, question = self.questions[self.index]
        lines = []
        if not first and section_index != previous_section:
            lines.append(
                self.lines.transition.format(title=self.plan.sections[section_index].title)
            )
        lines.append(question.text)
        if question.id not in self.covered:
            self.covered.append(question.id)
        self.question_started_at = self.clock()
        return Step("ask", lines=lines)

    def _section_of(self, index):
        return self.questions[index][0] if 0 <= index < len(self.questions) else None

    def _passes_over(self, index):
        """An optional question is left out when asking it would crowd out required ones."""
        question = self.questions[index][1]
        if question.required:
            return False
        later_required = sum(q.minutes for _, q in self.questions[index + 1 :] if q.required)
        left = self.plan.time_limit_minutes * 60 - self.elapsed()
        return left < (question.minutes + later_required) * 60

    def _close_question(self):
        if self.question_started_at is None or self.index >= len(self.questions):
            return
        key = str(self.questions[self.index][0])
        spent = self.clock() - self.question_started_at
        self.section_seconds[key] = self.section_seconds.get(key, 0.0) + spent
        self.question_started_at = None

    def _end(self, reason):
        self._close_question()
        self.finished = True
        self.end_reason = reason
        return Step(reason, end=True)

    # --- what the recruiter's page shows ---

    def progress(self):
        """Interview.progress, as shared/contracts.md defines it."""
        index = min(self.index, max(len(self.questions) - 1, 0))
        section_index, question = self.questions[index] if self.questions else (0, None)
        seconds = dict(self.section_seconds)
        if self.question_started_at is not None:
            key = str(section_index)
            seconds[key] = seconds.get(key, 0.0) + self._on_question_seconds()
        return {
            "section_index": section_index,
            "section_title": self.plan.sections[section_index].title if question else "",
            "question_index": index,
            "question_count": len(self.questions),
            "question_id": question.id if question else "",
            "question_text": question.text if question else "",
            "covered": list(self.covered),
            "skipped": list(self.skipped),
            "follow_ups_used": dict(self.follow_ups_used),
            "section_seconds": {key: round(value, 1) for key, value in seconds.items()},
            "elapsed_seconds": round(self.elapsed(), 1),
            "time_limit_minutes": self.plan.time_limit_minutes,
            "finished": self.finished,
        }
