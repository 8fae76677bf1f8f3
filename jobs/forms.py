import re

from django import forms

from agents.forms import CandidateChoiceField
from agents.models import Interview
from agents.plans import (
    MAX_FOLLOW_UPS,
    SCALE_LEVELS,
    SCALES,
    SECTION_KINDS,
    PlanInvalid,
    competency_key,
)
from agents.reports import RECOMMENDATIONS
from jobs.models import Job
from resumes.models import Candidate


class JobForm(forms.Form):
    title = forms.CharField(label="Job title", max_length=200)
    description = forms.CharField(
        label="Job description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The interviewer relates the candidate's experience to this, and the team's "
        "model drafts a plan from it.",
    )
    record_interviews = forms.BooleanField(
        label="Record interviews",
        required=False,
        initial=True,
        help_text="Keep the audio of this job's interviews for recruiters to play back, when "
        "the model profile records too. Candidates are told before they join.",
    )


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Open and closed"), *Job.Status.choices],
        label="Status",
    )


class CandidateAddForm(forms.Form):
    candidate = CandidateChoiceField(
        queryset=Candidate.objects.none(),
        empty_label="Choose a candidate",
        error_messages={"invalid_choice": "That candidate no longer exists. Pick another one."},
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["candidate"].queryset = candidates


class ComparisonFilterForm(forms.Form):
    recommendation = forms.ChoiceField(required=False, label="Recommendation")
    status = forms.ChoiceField(required=False, label="Interview status")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].choices = [
            ("", "Any recommendation"),
            *RECOMMENDATIONS.items(),
            ("none", "No recommendation yet"),
        ]
        self.fields["status"].choices = [
            ("", "Any status"),
            ("none", "Not interviewed"),
            *Interview.Status.choices,
        ]


# --- The plan and rubric editor ---------------------------------------------------------
#
# The editor posts one field per value (c-0-name, s-1-q-2-text, ...), so the page works
# without scripts; what was typed comes back as "rows" of plain strings, so a plan with a
# problem is shown again exactly as typed.

_COMPETENCY = re.compile(r"^c-(\d+)-name$")
_SECTION = re.compile(r"^s-(\d+)-kind$")
_QUESTION = re.compile(r"^s-(\d+)-q-(\d+)-text$")
ALL_LEVELS = [level for levels in SCALE_LEVELS.values() for level in levels]
LEVEL_LABELS = {
    "1": "1 (weakest)",
    "2": "2",
    "3": "3",
    "4": "4",
    "5": "5 (strongest)",
    "yes": "Yes: meets it",
    "no": "No: does not",
}


def editor_rows(plan, rubric):
    """The editor's rows for a saved (or drafted) plan and rubric dict."""
    return {
        "time_limit": str(plan.get("time_limit_minutes", 20)),
        "competencies": [
            {
                "key": competency["key"],
                "name": competency["name"],
                "description": competency.get("description", ""),
                "scale": competency.get("scale", "1-5"),
                "levels": {
                    level: competency.get("levels", {}).get(level, "") for level in ALL_LEVELS
                },
            }
            for competency in rubric.get("competencies", [])
        ],
        "sections": [
            {
                "kind": section["kind"],
                "title": section["title"],
                "questions": [
                    {
                        "id": question["id"],
                        "text": question["text"],
                        "competency": question.get("competency", ""),
                        "required": question.get("required", True),
                        "follow_ups": str(question.get("follow_ups", 1)),
                        "minutes": str(question.get("minutes", 3)),
                    }
                    for question in section.get("questions", [])
                ],
            }
            for section in plan.get("sections", [])
        ],
    }


def editor_blank_rows():
    """A plan to fill in from scratch: the four usual sections, nothing in them yet."""
    return {
        "time_limit": "20",
        "competencies": [],
        "sections": [
            {"kind": kind, "title": title, "questions": []}
            for kind, title in [
                ("opening", "Opening"),
                ("competency", "Experience"),
                ("candidate_questions", "Your questions"),
                ("close", "Close"),
            ]
        ],
    }


def _indices(data, pattern):
    found = {}
    for name in data:
        match = pattern.match(name)
        if match:
            found[tuple(int(group) for group in match.groups())] = True
    return sorted(found)


def _removed(data, prefix):
    return data.get(f"{prefix}-delete") == "on"


def editor_rows_from_post(data):
    """The editor's rows as posted: removed and untouched blank rows are left out."""
    competencies = []
    removed_keys = set()
    for (index,) in _indices(data, _COMPETENCY):
        prefix = f"c-{index}"
        name = data.get(f"{prefix}-name", "").strip()
        row = {
            # A new competency's key comes from its name once; renaming keeps it.
            "key": data.get(f"{prefix}-key", "").strip() or (competency_key(name) if name else ""),
            "name": name,
            "description": data.get(f"{prefix}-description", "").strip(),
            "scale": data.get(f"{prefix}-scale", "1-5"),
            "levels": {
                level: data.get(f"{prefix}-level-{level}", "").strip() for level in ALL_LEVELS
            },
        }
        if _removed(data, prefix):
            removed_keys.add(row["key"])
            continue
        if not row["name"] and not row["description"] and not any(row["levels"].values()):
            continue
        competencies.append(row)
    questions = {}
    for section_index, question_index in _indices(data, _QUESTION):
        prefix = f"s-{section_index}-q-{question_index}"
        text = data.get(f"{prefix}-text", "").strip()
        if _removed(data, prefix) or not text:
            continue
        competency = data.get(f"{prefix}-competency", "")
        questions.setdefault(section_index, []).append(
            {
                "id": data.get(f"{prefix}-id", "").strip(),
                "text": text,
                # A question about a removed competency is about none until it is given one.
                "competency": "" if competency in removed_keys else competency,
                "required": data.get(f"{prefix}-required") == "on",
                "follow_ups": data.get(f"{prefix}-follow_ups", "1").strip(),
                "minutes": data.get(f"{prefix}-minutes", "3").strip(),
            }
        )
    sections = []
    for (index,) in _indices(data, _SECTION):
        prefix = f"s-{index}"
        title = data.get(f"{prefix}-title", "").strip()
        section_questions = questions.get(index, [])
        if _removed(data, prefix) or (not title and not section_questions):
            continue
        kind = data.get(f"{prefix}-kind")
        sections.append(
            {
                "kind": kind if kind in SECTION_KINDS else "competency",
                "title": title,
                "questions": section_questions,
            }
        )
    return {
        "time_limit": data.get("time_limit", "").strip(),
        "competencies": competencies,
        "sections": sections,
    }


def _whole_number(value, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _unique_id(base, taken):
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base[:36]}_{n}"
        n += 1
    taken.add(candidate)
    return candidate


def editor_plan(rows):
    """(plan dict, rubric dict) from the editor's rows; PlanInvalid for numbers out of range.

    Everything else (no questions, levels missing, ...) is left to agents.plans.plan_check.
    """
    problems = []
    time_limit = _whole_number(rows["time_limit"], 5, 120)
    if time_limit is None:
        problems.append("The time limit must be a whole number of minutes from 5 to 120.")
    competencies = []
    for row in rows["competencies"]:
        scale = row["scale"] if row["scale"] in SCALES else "1-5"
        competencies.append(
            {
                "key": row["key"] or competency_key(row["name"]),
                "name": row["name"] or "(no name)",
                "description": row["description"],
                "scale": scale,
                "levels": {level: row["levels"].get(level, "") for level in SCALE_LEVELS[scale]},
            }
        )
        if not row["name"]:
            problems.append("A competency has no name: name it or tick Remove.")
    taken = {q["id"] for section in rows["sections"] for q in section["questions"] if q["id"]}
    sections = []
    for section in rows["sections"]:
        title = section["title"] or SECTION_KINDS[section["kind"]]
        questions = []
        for number, row in enumerate(section["questions"], start=1):
            where = f"Question {number} of “{title}”"
            follow_ups = _whole_number(row["follow_ups"], 0, MAX_FOLLOW_UPS)
            minutes = _whole_number(row["minutes"], 1, 30)
            if follow_ups is None:
                problems.append(f"{where}: follow-ups must be from 0 to {MAX_FOLLOW_UPS}.")
            if minutes is None:
                problems.append(f"{where}: minutes must be a whole number from 1 to 30.")
            questions.append(
                {
                    "id": row["id"]
                    or _unique_id(competency_key(" ".join(row["text"].split()[:5])), taken),
                    "text": row["text"][:600],
                    "competency": row["competency"],
                    "required": row["required"],
                    "follow_ups": follow_ups or 0,
                    "minutes": minutes or 1,
                }
            )
        sections.append({"kind": section["kind"], "title": title[:120], "questions": questions})
    if problems:
        raise PlanInvalid(problems)
    return (
        {"version": None, "time_limit_minutes": time_limit, "sections": sections},
        {"version": None, "competencies": competencies},
    )


def editor_estimate(rows):
    """Minutes the typed questions take, counting only the ones with a usable number."""
    return sum(
        _whole_number(question["minutes"], 1, 30) or 0
        for section in rows["sections"]
        for question in section["questions"]
    )


def editor_display(rows):
    """The rows with one blank row to fill in per list (the page needs no script to grow)."""
    blank_question = {
        "id": "",
        "text": "",
        "competency": "",
        "required": True,
        "follow_ups": "1",
        "minutes": "3",
        "blank": True,
    }
    sections = [
        {**section, "questions": [*section["questions"], dict(blank_question)]}
        for section in rows["sections"]
    ]
    sections.append(
        {"kind": "competency", "title": "", "questions": [dict(blank_question)], "blank": True}
    )
    competencies = [
        {**competency, "levels": dict(competency["levels"])} for competency in rows["competencies"]
    ] + [
        {
            "key": "",
            "name": "",
            "description": "",
            "scale": "1-5",
            "levels": dict.fromkeys(ALL_LEVELS, ""),
            "blank": True,
        }
    ]
    for competency in competencies:
        competency["level_groups"] = [
            {
                "scale": scale,
                "fields": [
                    {
                        "level": level,
                        "label": LEVEL_LABELS[level],
                        "value": competency["levels"][level],
                    }
                    for level in levels
                ],
            }
            for scale, levels in SCALE_LEVELS.items()
        ]
    return {"time_limit": rows["time_limit"], "competencies": competencies, "sections": sections}
