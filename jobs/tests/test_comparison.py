import csv
import io

import pytest
from django.urls import reverse

from agents.models import Interview
from jobs.services import job_candidate_add, job_interviews_create, job_plan_save
from jobs.tests.support import make_job, page_text, two_question_plan
from resumes.models import Candidate


def _scored(key, name, score, scale="1-5"):
    return {
        "key": key,
        "name": name,
        "scale": scale,
        "status": "scored",
        "score": score,
        "quotes": ["a quote"],
        "dropped_quotes": [],
        "rationale": "Because.",
    }


def _unscored(key, name, status, scale="1-5"):
    return {**_scored(key, name, None, scale), "status": status, "quotes": []}


@pytest.fixture
def job(recruiter, interview_profile):
    job = make_job(owner=recruiter)
    plan, rubric = two_question_plan()
    job_plan_save(job=job, plan=plan, rubric=rubric)
    people = {
        name: Candidate.objects.create(name=name, email=f"{name.split()[0].lower()}@example.com")
        for name in ("Grace Hopper", "Alan Turing", "Ada Lovelace", "=HYPERLINK Mallory")
    }
    for candidate in people.values():
        job_candidate_add(job=job, candidate=candidate)
    created, _ = job_interviews_create(
        job=job, candidates=[people["Grace Hopper"], people["Alan Turing"], people["Ada Lovelace"]]
    )
    reports = {
        "Grace Hopper": {
            "summary": "Strong.",
            "recommendation": "strong_yes",
            "competencies": [
                _scored("python", "Python", 5),
                _scored("on_call", "On call", "yes", "yes_no"),
            ],
        },
        "Alan Turing": {
            "summary": "Fine.",
            "recommendation": "no",
            "competencies": [
                _scored("python", "Python", 3),
                _unscored("on_call", "On call", "not_asked", "yes_no"),
            ],
        },
        # A report written before per-competency scores: only the recommendation.
        "Ada Lovelace": {"summary": "Old report.", "recommendation": "yes"},
    }
    for item in created:
        Interview.objects.filter(pk=item.interview.pk).update(
            status=Interview.Status.COMPLETED,
            report_status=Interview.ReportStatus.READY,
            report=reports[item.candidate.name],
        )
    return job


def _rows(page):
    """(candidate, status, python, on call, recommendation) per row, in the page's order."""
    import re

    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append(tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in cells))
    return rows


def test_the_comparison_shows_each_candidates_scores_and_recommendation(recruiter_client, job):
    response = recruiter_client.get(reverse("jobs:compare", args=[job.pk]))
    page = page_text(response)
    assert "<th" in page and "Python" in page and "On call" in page
    assert _rows(page) == [
        ("=HYPERLINK Mallory", "Not interviewed", "—", "—", "—"),
        ("Ada Lovelace", "Completed", "—", "—", "Yes"),
        ("Alan Turing", "Completed", "3", "Not asked", "No"),
        ("Grace Hopper", "Completed", "5", "Yes", "Strong yes"),
    ]
    grace = Interview.objects.get(job=job, candidate__name="Grace Hopper")
    assert f'href="/interviews/{grace.pk}/#competency-python"' in page
    assert f'href="/interviews/{grace.pk}/#competency-on_call"' in page


def test_the_comparison_sorts_by_a_score_with_missing_scores_last(recruiter_client, job):
    url = reverse("jobs:compare", args=[job.pk])
    down = _rows(page_text(recruiter_client.get(url, {"sort": "c:python", "dir": "desc"})))
    assert [row[0] for row in down][:2] == ["Grace Hopper", "Alan Turing"]
    up = _rows(page_text(recruiter_client.get(url, {"sort": "c:python", "dir": "asc"})))
    assert [row[0] for row in up][:2] == ["Alan Turing", "Grace Hopper"]
    assert {row[0] for row in up[2:]} == {"Ada Lovelace", "=HYPERLINK Mallory"}

    by_recommendation = _rows(
        page_text(recruiter_client.get(url, {"sort": "recommendation", "dir": "desc"}))
    )
    assert [row[4] for row in by_recommendation] == ["Strong yes", "Yes", "No", "—"]


def test_the_comparison_filters_by_recommendation_and_status(recruiter_client, job):
    url = reverse("jobs:compare", args=[job.pk])
    only_no = _rows(page_text(recruiter_client.get(url, {"recommendation": "no"})))
    assert [row[0] for row in only_no] == ["Alan Turing"]
    waiting = _rows(page_text(recruiter_client.get(url, {"status": "none"})))
    assert [row[0] for row in waiting] == ["=HYPERLINK Mallory"]
    page = page_text(recruiter_client.get(url, {"status": "live"}))
    assert "No candidates match" in page


def test_the_csv_has_the_same_numbers_and_defuses_formulas(recruiter_client, job):
    response = recruiter_client.get(
        reverse("jobs:compare_csv", args=[job.pk]), {"sort": "c:python", "dir": "desc"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Candidate",
        "Email",
        "Interview status",
        "Python",
        "On call",
        "Recommendation",
        "Interview",
    ]
    grace = Interview.objects.get(job=job, candidate__name="Grace Hopper")
    assert rows[1] == [
        "Grace Hopper",
        "grace@example.com",
        "Completed",
        "5",
        "Yes",
        "Strong yes",
        f"http://testserver/interviews/{grace.pk}/",
    ]
    assert rows[2][:6] == ["Alan Turing", "alan@example.com", "Completed", "3", "Not asked", "No"]
    # Without a score, a cell is empty; a name a spreadsheet would run as a formula is not.
    rest = {row[0]: row for row in rows[3:]}
    assert rest["Ada Lovelace"][3:6] == ["", "", "Yes"]
    assert rest["'=HYPERLINK Mallory"][2:6] == ["Not interviewed", "", "", ""]


def test_the_job_page_lists_candidates_with_status_scores_and_recommendation(recruiter_client, job):
    page = page_text(recruiter_client.get(reverse("jobs:detail", args=[job.pk])))
    grace = Interview.objects.get(job=job, candidate__name="Grace Hopper")
    assert (
        f'href="/interviews/{grace.pk}/#competency-python"><span class="muted">Python</span> 5'
        in page
    )
    assert "Strong yes" in page
    assert "Not interviewed" in page
