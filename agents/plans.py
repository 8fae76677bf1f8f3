"""Interview plans and rubrics: their shape, the checks a recruiter sees, and the ad-hoc plan.

An interview keeps the plan and rubric it runs with (`Interview.plan`, `Interview.rubric`,
as dicts of the shapes below), so editing a job's plan never changes an interview that
already ran or is running. Jobs store versions of the same shapes; interviews without a
job get `plan_adhoc`.
"""

import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

SECTION_KINDS = {
    "opening": "Opening",
    "competency": "Competency",
    "candidate_questions": "Candidate's questions",
    "close": "Close",
}
SCALES = {"1-5": "1 to 5", "yes_no": "Yes / no (must-have)"}
SCALE_LEVELS = {"1-5": ["1", "2", "3", "4", "5"], "yes_no": ["yes", "no"]}
MAX_QUESTIONS = 10
MAX_FOLLOW_UPS = 3
# Spoken at about 2.5 words a second, a question this long takes 20 s to say: past that a
# candidate has lost its start by the time it ends.
MAX_SPOKEN_QUESTION_WORDS = 50


class PlanInvalid(Exception):
    """The plan or rubric can't be used; `problems` says why, one plain sentence each."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


class Question(BaseModel):
    id: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=600)
    competency: str = ""
    required: bool = True
    follow_ups: int = Field(default=1, ge=0, le=MAX_FOLLOW_UPS)
    minutes: int = Field(default=3, ge=1, le=30)

    @field_validator("text")
    @classmethod
    def _spoken_text(cls, value):
        return " ".join(value.split())


class Section(BaseModel):
    kind: Literal["opening", "competency", "candidate_questions", "close"]
    title: str = Field(min_length=1, max_length=120)
    questions: list[Question] = Field(default_factory=list)


class Plan(BaseModel):
    version: int | None = None
    time_limit_minutes: int = Field(default=20, ge=5, le=120)
    sections: list[Section] = Field(default_factory=list)


class Competency(BaseModel):
    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=1000)
    scale: Literal["1-5", "yes_no"] = "1-5"
    # One description per level of the scale: "1".."5", or "yes" and "no".
    levels: dict[str, str] = Field(default_factory=dict)


class Rubric(BaseModel):
    version: int | None = None
    competencies: list[Competency] = Field(default_factory=list)


def competency_key(name):
    """A stable key for a competency name ("Python & APIs" -> "python_apis")."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] or "competency"


def _field_problems(error: ValidationError, what):
    problems = []
    for item in error.errors():
        where = " ".join(str(part) for part in item["loc"])
        problems.append(f"{what} {where}: {item['msg']}")
    return problems


def plan_parse(data) -> Plan:
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanInvalid(_field_problems(exc, "Plan")) from None


def rubric_parse(data) -> Rubric:
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        raise PlanInvalid(_field_problems(exc, "Rubric")) from None


def plan_questions(plan: Plan):
    """Every question in the order it is asked, as (section index, question)."""
    return [
        (index, question)
        for index, section in enumerate(plan.sections)
        for question in section.questions
    ]


def plan_estimated_minutes(plan: Plan):
    return sum(question.minutes for _, question in plan_questions(plan))


def plan_check(plan_data, rubric_data):
    """(plan, rubric, warnings) of a plan a recruiter may save; PlanInvalid if not.

    Errors stop the save; warnings are shown beside the plan and the save goes on.
    """
    plan, rubric = plan_parse(plan_data), rubric_parse(rubric_data)
    problems = []
    questions = [question for _, question in plan_questions(plan)]
    if not questions:
        problems.append("The plan has no questions: add at least one.")
    if len(questions) > MAX_QUESTIONS:
        problems.append(
            f"The plan has {len(questions)} questions; an interview holds at most "
            f"{MAX_QUESTIONS}. Remove some or make them follow-ups."
        )
    if not rubric.competencies:
        problems.append("The rubric has no competencies: add at least one to score against.")
    keys = [competency.key for competency in rubric.competencies]
    if len(set(keys)) != len(keys):
        problems.append("Two competencies have the same name: give each its own.")
    for competency in rubric.competencies:
        missing = [
            level for level in SCALE_LEVELS[competency.scale] if not competency.levels.get(level)
        ]
        if missing:
            problems.append(
                f"Competency “{competency.name}” needs a description for level "
                f"{', '.join(missing)} of its scale."
            )
    ids = [question.id for question in questions]
    if len(set(ids)) != len(ids):
        problems.append("Two questions have the same id.")
    for question in questions:
        if question.competency and question.competency not in keys:
            problems.append(
                f"Question “{question.text[:60]}” is for a competency the rubric doesn't have."
            )
    if problems:
        raise PlanInvalid(problems)

    warnings = []
    asked_about = {question.competency for question in questions}
    for competency in rubric.competencies:
        if competency.key not in asked_about:
            warnings.append(
                f"No question covers “{competency.name}”: the report will say it was not asked."
            )
    for question in questions:
        words = question.text.split()
        if len(words) > MAX_SPOKEN_QUESTION_WORDS:
            start, seconds = " ".join(words[:8]), len(words) * 2 // 5
            warnings.append(
                f"Question “{start}…” has {len(words)} words, about {seconds} "
                "seconds to say aloud: candidates follow a question of one or two sentences "
                "better. Shorten it, or ask the rest as a follow-up."
            )
    estimate = plan_estimated_minutes(plan)
    if estimate > plan.time_limit_minutes:
        warnings.append(
            f"The questions take about {estimate} minutes, more than the plan's limit of "
            f"{plan.time_limit_minutes}: the last ones may not be asked."
        )
    return plan, rubric, warnings


def plan_adhoc(*, role_title, job_description="", max_minutes=20):
    """(plan, rubric) dicts for an interview without a job, from its role and description."""
    role = role_title.strip() or "this role"
    rubric = Rubric(
        competencies=[
            Competency(
                key="relevant_experience",
                name="Relevant experience",
                description=f"Experience that prepares the candidate for {role}.",
                levels={
                    "1": "No relevant experience described.",
                    "2": "Some related experience, vaguely described.",
                    "3": "Relevant experience with concrete examples.",
                    "4": "Strong, specific experience close to the role.",
                    "5": "Deep experience; has done this job's core work with clear results.",
                },
            ),
            Competency(
                key="communication",
                name="Communication",
                description="Answers clearly, to the point, with examples.",
                levels={
                    "1": "Answers are hard to follow or off the question.",
                    "2": "Answers wander; few examples.",
                    "3": "Clear answers with some examples.",
                    "4": "Clear, structured answers with good examples.",
                    "5": "Exceptionally clear and concise throughout.",
                },
            ),
        ]
    )
    focus = (
        "the work described in this job"
        if job_description.strip()
        else f"the work of a {role_title.strip() or 'person in this role'}"
    )
    plan = Plan(
        time_limit_minutes=max(5, min(120, max_minutes)),
        sections=[
            Section(
                kind="opening",
                title="Opening",
                questions=[
                    Question(
                        id="background",
                        text="To start, could you walk me through your background "
                        "and what you are working on now?",
                        competency="communication",
                        follow_ups=1,
                        minutes=3,
                    )
                ],
            ),
            Section(
                kind="competency",
                title="Relevant experience",
                questions=[
                    Question(
                        id="experience",
                        text=f"Tell me about a project where you did {focus}. "
                        "What was your part in it?",
                        competency="relevant_experience",
                        follow_ups=2,
                        minutes=5,
                    ),
                    Question(
                        id="challenge",
                        text="What was the hardest problem you solved in that kind of work, "
                        "and how did you solve it?",
                        competency="relevant_experience",
                        follow_ups=2,
                        minutes=5,
                    ),
                ],
            ),
            Section(
                kind="candidate_questions",
                title="Your questions",
                questions=[
                    Question(
                        id="candidate_questions",
                        text="What would you like to ask about the role or the next steps?",
                        required=False,
                        follow_ups=1,
                        minutes=2,
                    )
                ],
            ),
        ],
    )
    return plan.model_dump(), rubric.model_dump()
