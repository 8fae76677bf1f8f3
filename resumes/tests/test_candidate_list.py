"""The candidates list: search inside the resume text, unparsed rows by file name, and retries."""

import pytest
from django.urls import reverse

from resumes.models import Candidate, ParseAttempt, Resume
from resumes.tests.test_pages import make_resume, names

pytestmark = pytest.mark.django_db


def test_search_finds_a_word_that_is_only_in_the_resume_text(recruiter_client):
    ann = make_resume(1, name="Ann Lee", skills=("Go",))
    make_resume(2, name="Bob Stone", skills=("Go",))
    Resume.objects.filter(pk=ann.pk).update(text="Eight years of Python services at Acme.")
    url = reverse("resumes:list")

    assert names(recruiter_client.get(url, {"q": "python"})) == ["Ann Lee"]
    assert names(recruiter_client.get(url, {"q": "Python services"})) == ["Ann Lee"]
    assert names(recruiter_client.get(url, {"q": "cobol"})) == []


def test_a_resume_not_parsed_yet_is_listed_by_its_file_name(recruiter_client):
    resume = make_resume(1, status=Resume.Status.PARSING)
    Candidate.objects.filter(pk=resume.candidate_id).update(name="", email="")

    text = recruiter_client.get(reverse("resumes:list")).text

    assert "Not parsed yet" not in text
    assert f">{resume.original_name}</a>" in text
    assert "being read" in text
    assert "No candidates yet" not in text


def test_a_failed_row_offers_a_retry_that_comes_back_to_the_list(recruiter_client):
    failed = make_resume(1, name="Bob Failed", status=Resume.Status.FAILED)
    url = reverse("resumes:list")

    text = recruiter_client.get(url, {"q": "bob"}).text

    retry = reverse("resumes:reparse", args=[failed.pk])
    assert f'action="{retry}"' in text
    assert f'name="next" value="{url}?q=bob"' in text


def test_the_list_says_when_a_resume_is_being_retried(recruiter_client):
    resume = make_resume(1, name="Ann", status=Resume.Status.PARSING)
    ParseAttempt.objects.create(resume=resume, outcome=ParseAttempt.Outcome.WAITING)

    text = recruiter_client.get(reverse("resumes:list")).text

    assert "retrying after a model error" in text
