"""Helpers shared by the jobs tests: posting the plan editor like a browser does."""

import html

from jobs.builtin import template_plan
from jobs.forms import editor_rows
from jobs.services import job_create


def editor_post(plan, rubric, **extra):
    """The POST body the job page's plan editor sends for this plan and rubric."""
    rows = editor_rows(plan, rubric)
    data = {"time_limit": rows["time_limit"]}
    for ci, competency in enumerate(rows["competencies"]):
        data[f"c-{ci}-key"] = competency["key"]
        data[f"c-{ci}-name"] = competency["name"]
        data[f"c-{ci}-description"] = competency["description"]
        data[f"c-{ci}-scale"] = competency["scale"]
        for level, text in competency["levels"].items():
            data[f"c-{ci}-level-{level}"] = text
    for si, section in enumerate(rows["sections"]):
        data[f"s-{si}-kind"] = section["kind"]
        data[f"s-{si}-title"] = section["title"]
        for qi, question in enumerate(section["questions"]):
            prefix = f"s-{si}-q-{qi}"
            data[f"{prefix}-id"] = question["id"]
            data[f"{prefix}-text"] = question["text"]
            data[f"{prefix}-competency"] = question["competency"]
            data[f"{prefix}-follow_ups"] = question["follow_ups"]
            data[f"{prefix}-minutes"] = question["minutes"]
            if question["required"]:
                data[f"{prefix}-required"] = "on"
    data.update(extra)
    return data


def two_question_plan():
    plan = {
        "time_limit_minutes": 15,
        "sections": [
            {
                "kind": "opening",
                "title": "Opening",
                "questions": [
                    {
                        "id": "intro",
                        "text": "Tell me about your last role.",
                        "competency": "python",
                        "minutes": 4,
                    }
                ],
            },
            {
                "kind": "competency",
                "title": "Python",
                "questions": [
                    {
                        "id": "hard_bug",
                        "text": "What was the hardest bug you fixed in Python?",
                        "competency": "python",
                        "follow_ups": 2,
                        "minutes": 5,
                    }
                ],
            },
        ],
    }
    rubric = {
        "competencies": [
            {
                "key": "python",
                "name": "Python",
                "description": "Writes idiomatic Python.",
                "levels": {str(n): f"Python level {n}" for n in range(1, 6)},
            },
            {
                "key": "on_call",
                "name": "On call",
                "scale": "yes_no",
                "levels": {"yes": "Can be on call.", "no": "Cannot."},
            },
        ]
    }
    return plan, rubric


def make_job(*, owner=None, title="Backend engineer", template="backend_engineer"):
    _title, plan, rubric = template_plan(template)
    job, _saved = job_create(
        title=title, description="Python services.", owner=owner, plan=plan, rubric=rubric
    )
    return job


def page_text(response):
    """The response's HTML with entities decoded, to look for sentences the user reads."""
    return html.unescape(response.content.decode())
