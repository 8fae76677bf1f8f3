"""A first plan and rubric for a job, drafted by the team's LLM from the job description.

The reply is constrained to a schema through providers.llm_json, so the retries and the
fallback to JSON mode that resume parsing and reports rely on apply here too. The draft
is never saved as it comes: the recruiter edits it on the job form first. It runs while
the recruiter waits (one bounded request, about half a minute on the embedded CPU model),
so it is refused while an interview is live on the same model server: half a minute of
a shared CPU taken from a candidate waiting for the interviewer is the worse trade.
"""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from pydantic import BaseModel, Field, ValidationError, field_validator

from agents.plans import competency_key
from providers import llm_slots
from providers.clients import openai_client
from providers.llm_json import (
    InvalidReply,
    PermanentLLMError,
    TransientLLMError,
    json_completion,
    json_object_from_reply,
    list_field,
    object_field,
    text_field,
)
from providers.selectors import profile_get_active

PROMPT_PATH = Path(__file__).parent / "prompts" / "draft.txt"
LEVELS = ["1", "2", "3", "4", "5"]


class DraftFailed(Exception):
    """No usable draft; the message says why in plain words and what to do instead."""


def setting(name):
    defaults = {
        "JOB_DRAFT_LLM_TIMEOUT_SECONDS": 120,
        "JOB_DRAFT_LLM_MAX_TOKENS": 1500,
        "JOB_DRAFT_LLM_TEMPERATURE": 0.2,
        "JOB_DRAFT_INVALID_REPLY_RETRIES": 1,
    }
    return getattr(settings, name, defaults[name])


class DraftCompetency(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=1000)
    levels: dict[str, str] = Field(default_factory=dict)

    @field_validator("levels", mode="before")
    @classmethod
    def _text_levels(cls, value):
        if not isinstance(value, dict):
            return {}
        return {str(key).strip(): " ".join(str(text).split()) for key, text in value.items()}


class DraftQuestion(BaseModel):
    text: str = Field(min_length=1, max_length=600)
    competency: str = ""
    required: bool = True
    follow_ups: int = Field(default=1, ge=0, le=3)
    minutes: int = Field(default=3, ge=1, le=30)


class Draft(BaseModel):
    competencies: list[DraftCompetency] = Field(min_length=1)
    questions: list[DraftQuestion] = Field(min_length=1)
    time_limit_minutes: int = Field(default=30, ge=5, le=120)


# Bounded so a small model cannot repeat itself until max_tokens; Draft validates the reply.
DRAFT_SCHEMA = object_field(
    {
        "competencies": {
            **list_field(
                object_field(
                    {
                        "name": {"type": "string", "minLength": 1, "maxLength": 60},
                        "description": text_field(240),
                        "levels": object_field(
                            {level: {**text_field(200), "minLength": 1} for level in LEVELS}
                        ),
                    }
                ),
                4,
            ),
            "minItems": 1,
        },
        "questions": {
            **list_field(
                object_field(
                    {
                        "text": {"type": "string", "minLength": 1, "maxLength": 300},
                        "competency": text_field(60),
                        "required": {"type": "boolean"},
                        "follow_ups": {"type": "integer", "minimum": 0, "maximum": 3},
                        "minutes": {"type": "integer", "minimum": 1, "maximum": 10},
                    }
                ),
                6,
            ),
            "minItems": 1,
        },
        "time_limit_minutes": {"type": "integer", "minimum": 10, "maximum": 60},
    }
)


@cache
def system_prompt():
    return PROMPT_PATH.read_text(encoding="utf-8")


def job_draft(*, title, description, profile=None):
    """(plan dict, rubric dict) drafted from the job; raises DraftFailed with a plain reason.

    The draft may still have gaps (a level left empty, a competency without a question):
    the editor shows them with the draft so the recruiter fixes them before saving.
    """
    if not description.strip():
        raise DraftFailed("Write the job description first: the draft is made from it.")
    profile = profile or profile_get_active()
    if llm_slots.live_count(base_url=profile.llm_base_url):
        raise DraftFailed(
            "An interview is running on the team's model server, and drafting now would slow "
            "the interviewer down. Your description is kept: try again once the interview has "
            "ended, or start from a template."
        )
    client = openai_client(
        profile, "llm", timeout=setting("JOB_DRAFT_LLM_TIMEOUT_SECONDS"), max_retries=0
    )
    content = f"Job title: {title.strip() or '(none given)'}\n\nJob description:\n{description}"
    attempts = 1 + setting("JOB_DRAFT_INVALID_REPLY_RETRIES")
    problem = None
    try:
        for _ in range(attempts):
            try:
                return draft_plan(decode_draft(_complete(client, profile=profile, content=content)))
            except InvalidReply as exc:
                problem = str(exc)
    except (TransientLLMError, PermanentLLMError) as exc:
        raise DraftFailed(f"The team's model could not draft a plan: {exc}") from None
    finally:
        client.close()
    raise DraftFailed(
        f"The team's model returned a draft that can't be used ({problem}). Your description "
        "is kept: try again, start from a template, or write the plan yourself."
    )


def _complete(client, *, profile, content):
    response = json_completion(
        client,
        profile=profile,
        schema_name="interview_plan",
        schema=DRAFT_SCHEMA,
        system=system_prompt(),
        user=content,
        temperature=setting("JOB_DRAFT_LLM_TEMPERATURE"),
        max_tokens=setting("JOB_DRAFT_LLM_MAX_TOKENS"),
        timeout=setting("JOB_DRAFT_LLM_TIMEOUT_SECONDS"),
        timeout_setting="JOB_DRAFT_LLM_TIMEOUT_SECONDS",
    )
    if not response.choices:
        return ""
    return response.choices[0].message.content or ""


def decode_draft(content):
    """A Draft from the model's reply text; raises InvalidReply naming what was wrong."""
    data, _repaired = json_object_from_reply(content)
    try:
        return Draft.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]}))
        raise InvalidReply(f"it did not have the plan's form: {fields}") from None


def draft_plan(draft):
    """(plan dict, rubric dict) in the editor's shapes: a section per competency, in order."""
    competencies, by_name = [], {}
    for item in draft.competencies:
        key = competency_key(item.name)
        if key in by_name:
            continue
        by_name[key] = item.name
        competencies.append(
            {
                "key": key,
                "name": item.name.strip(),
                "description": item.description.strip(),
                "scale": "1-5",
                "levels": {level: item.levels.get(level, "") for level in LEVELS},
            }
        )
    grouped = {key: [] for key in by_name}
    unmatched, asked = [], set()
    for number, item in enumerate(draft.questions, start=1):
        # Small models repeat a question; every candidate would hear it twice.
        words = " ".join(re.findall(r"[a-z0-9']+", item.text.lower()))
        if words in asked:
            continue
        asked.add(words)
        key = competency_key(item.competency) if item.competency.strip() else ""
        question = {
            "id": f"q{number}",
            "text": " ".join(item.text.split()),
            "competency": key if key in grouped else "",
            "required": item.required,
            "follow_ups": item.follow_ups,
            "minutes": item.minutes,
        }
        grouped.get(key, unmatched).append(question)
    sections = [
        {
            "kind": "opening",
            "title": "Opening",
            "questions": [
                {
                    "id": "background",
                    "text": "To start, could you walk me through your background and what you "
                    "are working on now?",
                    "competency": "",
                    "required": True,
                    "follow_ups": 1,
                    "minutes": 3,
                }
            ],
        },
        *(
            {"kind": "competency", "title": by_name[key], "questions": questions}
            for key, questions in grouped.items()
            if questions
        ),
    ]
    if unmatched:
        sections.append({"kind": "competency", "title": "Other questions", "questions": unmatched})
    sections += [
        {
            "kind": "candidate_questions",
            "title": "Your questions",
            "questions": [
                {
                    "id": "candidate_questions",
                    "text": "What would you like to ask about the role or the next steps?",
                    "competency": "",
                    "required": False,
                    "follow_ups": 1,
                    "minutes": 2,
                }
            ],
        },
        {"kind": "close", "title": "Close", "questions": []},
    ]
    plan = {"version": None, "time_limit_minutes": draft.time_limit_minutes, "sections": sections}
    return plan, {"version": None, "competencies": competencies}
