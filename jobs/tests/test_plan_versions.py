import pytest
from django.urls import reverse

from agents.models import Interview
from jobs.models import PlanVersion, RubricVersion
from jobs.tests.support import editor_post, make_job, page_text, two_question_plan


@pytest.fixture
def job(recruiter):
    return make_job(owner=recruiter)


def _latest(job):
    plan = job.plan_versions.order_by("-number").first()
    rubric = job.rubric_versions.order_by("-number").first()
    return plan, rubric


def test_editing_a_plan_never_changes_an_interview_that_ran_or_is_running(
    recruiter_client, job, interview_profile, interview_candidate
):
    from resumes.models import Candidate

    second = Candidate.objects.create(name="Alan Turing", email="alan@example.com")
    url = reverse("jobs:interviews_create", args=[job.pk])
    for candidate in (interview_candidate, second):
        recruiter_client.post(
            reverse("jobs:candidate_add", args=[job.pk]), {"candidate": candidate.pk}
        )
    recruiter_client.post(url, {"candidate": [interview_candidate.pk, second.pk]})
    done, running = Interview.objects.filter(job=job).order_by("candidate__name")
    Interview.objects.filter(pk=done.pk).update(status=Interview.Status.COMPLETED)
    Interview.objects.filter(pk=running.pk).update(status=Interview.Status.LIVE)
    old_plan, old_rubric = _latest(job)

    plan, rubric = two_question_plan()
    response = recruiter_client.post(reverse("jobs:plan", args=[job.pk]), editor_post(plan, rubric))

    assert response.status_code == 302
    new_plan, new_rubric = _latest(job)
    assert (new_plan.number, new_rubric.number) == (2, 2)
    assert [q["id"] for s in new_plan.plan["sections"] for q in s["questions"]] == [
        "intro",
        "hard_bug",
    ]
    for interview in Interview.objects.filter(job=job):
        assert interview.plan == old_plan.plan
        assert interview.plan["version"] == 1
        assert interview.rubric == old_rubric.rubric
    # The old version itself is kept as it was.
    assert PlanVersion.objects.get(job=job, number=1).plan == old_plan.plan

    page = page_text(recruiter_client.get(reverse("jobs:detail", args=[job.pk])))
    assert "Plan version 2, rubric version 2" in page
    assert "plan v1" in page  # each candidate's interview still says the version it runs


def test_saving_an_unchanged_plan_makes_no_new_version(recruiter_client, job):
    plan, rubric = _latest(job)
    response = recruiter_client.post(
        reverse("jobs:plan", args=[job.pk]), editor_post(plan.plan, rubric.rubric), follow=True
    )
    assert "Nothing changed, so no new version was made." in page_text(response)
    assert job.plan_versions.count() == 1
    assert job.rubric_versions.count() == 1


def test_changing_only_the_rubric_makes_only_a_new_rubric_version(recruiter_client, job):
    plan, rubric = _latest(job)
    data = editor_post(plan.plan, rubric.rubric, **{"c-0-level-3": "Explains a sound design."})
    response = recruiter_client.post(reverse("jobs:plan", args=[job.pk]), data, follow=True)
    assert "plan version 1 and rubric version 2" in page_text(response)
    assert RubricVersion.objects.get(job=job, number=2).rubric["competencies"][0]["levels"][
        "3"
    ] == ("Explains a sound design.")
    assert job.plan_versions.count() == 1


def test_a_plan_without_questions_is_refused_and_everything_typed_is_kept(recruiter_client, job):
    plan, rubric = two_question_plan()
    data = editor_post(plan, rubric, time_limit="25")
    for name in [key for key in data if key.endswith("-text")]:
        data[name] = ""
    data["c-0-description"] = "Typed just now, must survive"

    response = recruiter_client.post(reverse("jobs:plan", args=[job.pk]), data)

    page = page_text(response)
    assert response.status_code == 200
    assert "The plan has no questions: add at least one." in page
    assert "Typed just now, must survive" in page
    assert 'value="25"' in page
    assert job.plan_versions.count() == 1


def test_a_rubric_without_competencies_is_refused_with_the_plan_kept(recruiter_client, job):
    plan, rubric = two_question_plan()
    for question in plan["sections"][0]["questions"] + plan["sections"][1]["questions"]:
        question["competency"] = ""
    data = editor_post(plan, rubric, **{"c-0-delete": "on", "c-1-delete": "on"})

    response = recruiter_client.post(reverse("jobs:plan", args=[job.pk]), data)

    page = page_text(response)
    assert "The rubric has no competencies: add at least one to score against." in page
    assert "What was the hardest bug you fixed in Python?" in page
    assert job.rubric_versions.count() == 1


def test_a_bad_number_is_named_in_plain_words_and_kept(recruiter_client, job):
    plan, rubric = two_question_plan()
    data = editor_post(plan, rubric, **{"s-1-q-0-minutes": "ten"})
    page = page_text(recruiter_client.post(reverse("jobs:plan", args=[job.pk]), data))
    assert "Question 1 of “Python”: minutes must be a whole number from 1 to 30." in page
    assert 'value="ten"' in page


def test_a_competency_without_a_question_and_a_plan_over_its_limit_warn_but_save(
    recruiter_client, job
):
    plan, rubric = two_question_plan()
    plan["time_limit_minutes"] = 5  # the questions take 9 minutes
    response = recruiter_client.post(
        reverse("jobs:plan", args=[job.pk]), editor_post(plan, rubric), follow=True
    )
    page = page_text(response)
    assert "No question covers “On call”: the report will say it was not asked." in page
    assert (
        "The questions take about 9 minutes, more than the plan's limit of 5: "
        "the last ones may not be asked." in page
    )
    assert "about <strong>9 of 5 minutes</strong>" in page
    assert "over the limit" in page
    assert job.plan_versions.count() == 2


def test_a_new_question_and_competency_typed_in_the_blank_rows_are_saved(recruiter_client, job):
    plan, rubric = two_question_plan()
    data = editor_post(
        plan,
        rubric,
        **{
            "s-1-q-1-text": "How do you profile slow code?",
            "s-1-q-1-competency": "python",
            "s-1-q-1-follow_ups": "3",
            "s-1-q-1-minutes": "2",
            "c-2-name": "Teamwork",
            "c-2-scale": "yes_no",
            "c-2-level-yes": "Works well with others.",
            "c-2-level-no": "Prefers to work alone.",
        },
    )
    recruiter_client.post(reverse("jobs:plan", args=[job.pk]), data)
    new_plan, new_rubric = _latest(job)
    added = new_plan.plan["sections"][1]["questions"][1]
    assert added["text"] == "How do you profile slow code?"
    assert (added["follow_ups"], added["minutes"], added["required"]) == (3, 2, False)
    assert added["id"] not in ("intro", "hard_bug")
    teamwork = new_rubric.rubric["competencies"][2]
    assert teamwork["key"] == "teamwork"
    assert teamwork["levels"] == {"yes": "Works well with others.", "no": "Prefers to work alone."}
