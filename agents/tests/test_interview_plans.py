import pytest

from agents.plans import PlanInvalid, plan_adhoc, plan_check
from agents.services import interview_create


def _adhoc():
    return plan_adhoc(role_title="Backend engineer", job_description="Builds APIs.")


def test_the_adhoc_plan_is_a_plan_a_recruiter_could_save():
    plan, rubric = _adhoc()
    _, _, warnings = plan_check(plan, rubric)
    assert warnings == []


def test_it_refuses_a_plan_with_no_questions():
    plan, rubric = _adhoc()
    for section in plan["sections"]:
        section["questions"] = []
    with pytest.raises(PlanInvalid) as refused:
        plan_check(plan, rubric)
    assert "The plan has no questions: add at least one." in refused.value.problems


def test_it_refuses_a_rubric_with_no_competencies():
    plan, rubric = _adhoc()
    rubric["competencies"] = []
    for section in plan["sections"]:
        for question in section["questions"]:
            question["competency"] = ""
    with pytest.raises(PlanInvalid) as refused:
        plan_check(plan, rubric)
    assert any("no competencies" in problem for problem in refused.value.problems)


def test_it_warns_about_a_question_too_long_to_follow_when_spoken():
    plan, rubric = _adhoc()
    question = plan["sections"][1]["questions"][0]
    question["text"] = " ".join(["Tell me about the system you built and why it mattered."] * 6)

    _, _, warnings = plan_check(plan, rubric)

    assert warnings == [
        "Question “Tell me about the system you built and…” has 66 "
        "words, about 26 seconds to say aloud: candidates follow a question of one or two "
        "sentences better. Shorten it, or ask the rest as a follow-up."
    ]


def test_it_warns_when_a_competency_has_no_question():
    plan, rubric = _adhoc()
    rubric["competencies"].append(
        {
            "key": "sql",
            "name": "SQL",
            "scale": "yes_no",
            "levels": {"yes": "Writes joins.", "no": "Cannot."},
        }
    )
    _, _, warnings = plan_check(plan, rubric)
    assert warnings == ["No question covers “SQL”: the report will say it was not asked."]


def test_it_warns_when_the_questions_run_past_the_time_limit():
    plan, rubric = _adhoc()
    plan["time_limit_minutes"] = 5
    _, _, warnings = plan_check(plan, rubric)
    assert any("more than the plan's limit of 5" in warning for warning in warnings)


def test_it_names_a_missing_level_description():
    plan, rubric = _adhoc()
    del rubric["competencies"][0]["levels"]["3"]
    with pytest.raises(PlanInvalid) as refused:
        plan_check(plan, rubric)
    assert any("level 3" in problem for problem in refused.value.problems)


def test_an_interview_without_a_job_runs_the_adhoc_plan_for_its_role(
    interview_profile, interview_candidate
):
    interview, _ = interview_create(
        candidate=interview_candidate,
        role_title="Support lead",
        job_description="Runs the help desk.",
        max_duration_minutes=15,
    )
    assert interview.job is None
    assert interview.plan["time_limit_minutes"] == 15
    assert interview.rubric["competencies"][0]["name"] == "Relevant experience"


def test_an_interview_keeps_the_plan_it_was_given_and_takes_its_time_limit(
    interview_profile, interview_candidate
):
    plan, rubric = _adhoc()
    plan["time_limit_minutes"] = 30
    interview, _ = interview_create(
        candidate=interview_candidate, role_title="Backend engineer", plan=plan, rubric=rubric
    )
    plan["sections"][0]["questions"][0]["text"] = "Changed afterwards."
    interview.refresh_from_db()
    assert interview.max_duration_minutes == 30
    assert interview.plan["sections"][0]["questions"][0]["text"].startswith("To start")
