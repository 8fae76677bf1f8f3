"""Possible duplicates: a parsed candidate whose email or phone matches another candidate is
flagged, and a recruiter merges the two or keeps them apart."""

import itertools
import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from resumes import services
from resumes.models import Candidate
from resumes.tests import files
from resumes.tests.conftest import run_attempt, upload
from tests.fake_openai import Reply

pytestmark = pytest.mark.django_db

UPLOADS = itertools.count()


def reply(name, email="", phone=""):
    return Reply(
        content=json.dumps(
            {
                "basics": {"name": name, "email": email, "phone": phone},
                "work": [],
                "education": [],
                "skills": [{"name": "Python"}],
                "summary": f"{name} writes software.",
                "total_years_experience": 5,
            }
        )
    )


def parsed_candidate(fake_openai, name, email="", phone=""):
    """A candidate made from an uploaded resume that the fake model parses as given."""
    fake_openai.script("chat", reply(name, email, phone))
    # Each upload's bytes differ: the same bytes twice are one resume, not two candidates.
    text = f"{name}\n{email}\n{phone}\nSoftware engineer, resume {next(UPLOADS)}.\n"
    resume = upload(files.text_file(text), name=f"{name}.txt")
    run_attempt(resume)
    return Candidate.objects.get(pk=resume.candidate_id)


def test_the_same_email_in_another_case_flags_the_newer_candidate_on_both_pages(
    fake_openai, fake_profile, recruiter_client
):
    first = parsed_candidate(fake_openai, "Jane Doe", "jane.doe@example.com")
    second = parsed_candidate(fake_openai, "Jane M. Doe", "Jane.Doe@Example.com")

    assert second.duplicate_of == first
    assert first.duplicate_of is None
    listing = recruiter_client.get(reverse("resumes:list")).content.decode()
    assert listing.count("possible duplicate of Jane Doe") == 1
    page = recruiter_client.get(reverse("resumes:detail", args=[second.pk])).content.decode()
    assert "Possible duplicate of" in page and ">Jane Doe</a>" in page
    assert "Merge into Jane Doe" in page and "Keep both" in page
    first_page = recruiter_client.get(reverse("resumes:detail", args=[first.pk])).content.decode()
    assert "Possible duplicate of" not in first_page


def test_the_same_phone_written_differently_flags_a_duplicate(fake_openai, fake_profile):
    first = parsed_candidate(fake_openai, "Sam Lee", phone="+1 (415) 555-0134")
    second = parsed_candidate(fake_openai, "Samuel Lee", phone="+1 415 555 0134")

    assert second.duplicate_of == first


def test_unrelated_candidates_and_empty_details_are_not_flagged(fake_openai, fake_profile):
    parsed_candidate(fake_openai, "Jane Doe", "jane@example.com", "+1 415 555 0134")
    parsed_candidate(fake_openai, "No Contact")
    other = parsed_candidate(fake_openai, "John Roe", "john@example.com", "+44 20 7946 0958")
    nobody = parsed_candidate(fake_openai, "Also Nobody")

    assert other.duplicate_of is None
    assert nobody.duplicate_of is None
    assert not Candidate.objects.filter(duplicate_of__isnull=False).exists()


@pytest.fixture
def older(db):
    return Candidate.objects.create(name="Grace M. Hopper", email="Grace@Example.com")


def test_merge_moves_resumes_and_interviews_fills_empty_fields_and_deletes_the_duplicate(
    older, scheduled_interview, recruiter_client, caplog
):
    interview, _secret = scheduled_interview
    duplicate = interview.candidate
    duplicate.phone, duplicate.location = "+1 212 555 0100", "New York"
    duplicate.save()
    services.candidate_flag_duplicate(candidate=duplicate)
    assert duplicate.duplicate_of == older

    with caplog.at_level(logging.INFO, logger="resumes.services"):
        response = recruiter_client.post(
            reverse("resumes:merge", args=[duplicate.pk]), {"into": older.pk}, follow=True
        )

    assert response.redirect_chain[-1][0] == reverse("resumes:detail", args=[older.pk])
    assert "Grace Hopper was merged into Grace M. Hopper: 1 resume and 1 interview moved here." in (
        response.content.decode()
    )
    assert not Candidate.objects.filter(pk=duplicate.pk).exists()
    older.refresh_from_db()
    assert (older.name, older.email, older.phone, older.location) == (
        "Grace M. Hopper",
        "Grace@Example.com",
        "+1 212 555 0100",
        "New York",
    )
    assert [r.original_name for r in older.resumes.all()] == ["grace.pdf"]
    assert list(older.interviews.all()) == [interview]
    assert f"rita merged candidate {duplicate.pk} (Grace Hopper) into candidate {older.pk}" in (
        caplog.text
    )


def test_a_merge_into_another_candidate_than_the_flagged_one_is_refused(
    older, interview_candidate, recruiter_client
):
    services.candidate_flag_duplicate(candidate=interview_candidate)
    stranger = Candidate.objects.create(name="Someone Else")

    response = recruiter_client.post(
        reverse("resumes:merge", args=[interview_candidate.pk]), {"into": stranger.pk}, follow=True
    )

    assert "no longer flagged as a possible duplicate of that one" in response.content.decode()
    assert Candidate.objects.filter(pk=interview_candidate.pk).exists()
    assert stranger.resumes.count() == 0


def test_keep_removes_the_flag_and_it_does_not_come_back_for_that_pair(
    fake_openai, fake_profile, recruiter_client
):
    first = parsed_candidate(fake_openai, "Jane Doe", "jane@example.com")
    second = parsed_candidate(fake_openai, "Jane Doe", "jane@example.com")

    response = recruiter_client.post(reverse("resumes:keep", args=[second.pk]), follow=True)

    assert "kept as different people" in response.content.decode()
    assert "Possible duplicate of" not in response.content.decode()
    fake_openai.script("chat", reply("Jane Doe", "jane@example.com"))
    resume = second.resumes.get()
    services.resume_reparse(resume=resume, user=None)
    run_attempt(resume)
    second.refresh_from_db()
    assert second.duplicate_of is None
    assert (
        "possible duplicate" not in recruiter_client.get(reverse("resumes:list")).content.decode()
    )
    third = parsed_candidate(fake_openai, "Jane Doe", "jane@example.com")
    assert third.duplicate_of == first


def test_merge_and_keep_are_for_signed_in_recruiters_posting_with_csrf(
    older, interview_candidate, recruiter
):
    services.candidate_flag_duplicate(candidate=interview_candidate)
    merge = reverse("resumes:merge", args=[interview_candidate.pk])
    keep = reverse("resumes:keep", args=[interview_candidate.pk])

    assert Client().post(merge, {"into": older.pk}).status_code == 302
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(recruiter)
    assert signed_in.get(merge).status_code == 405
    assert signed_in.post(merge, {"into": older.pk}).status_code == 403
    assert signed_in.post(keep).status_code == 403
    interview_candidate.refresh_from_db()
    assert interview_candidate.duplicate_of == older
