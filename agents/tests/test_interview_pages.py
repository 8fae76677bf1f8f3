"""The recruiter's interview pages: create, list, detail with the one-time link, cancel."""

import re

import pytest

from agents.models import Interview
from agents.selectors import interview_for_join_secret
from agents.transcripts import turn_metrics_record

pytestmark = pytest.mark.django_db


def _create(client, candidate, **overrides):
    data = {
        "candidate": candidate.pk,
        "role_title": "Data engineer",
        "job_description": "Pipelines in Python.",
        "max_duration_minutes": 25,
        **overrides,
    }
    return client.post("/interviews/new/", data)


def test_the_form_starts_from_the_candidate(recruiter_client, interview_candidate):
    response = recruiter_client.get(f"/interviews/new/?candidate={interview_candidate.pk}")
    assert response.status_code == 200
    assert re.search(
        rf'<option value="{interview_candidate.pk}" selected>Grace Hopper</option>',
        response.content.decode(),
    )


@pytest.mark.parametrize("value", ["abc", "", "-1", "1.5", "99999999999999999999", "0x10", "²"])
def test_a_candidate_parameter_that_names_nobody_shows_the_form_with_none_chosen(
    recruiter_client, interview_candidate, value
):
    response = recruiter_client.get("/interviews/new/", {"candidate": value})

    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="" selected>Choose a candidate</option>' in page
    assert f'<option value="{interview_candidate.pk}">Grace Hopper</option>' in page


def test_creating_an_interview_shows_its_link_once(
    recruiter_client, interview_candidate, interview_profile
):
    response = _create(recruiter_client, interview_candidate)

    interview = Interview.objects.get()
    assert response.status_code == 302
    assert response.url == f"/interviews/{interview.pk}/"
    assert interview.resume.candidate == interview_candidate
    assert interview.max_duration_minutes == 25
    assert interview.profile_name == "Interview profile"

    page = recruiter_client.get(response.url).content.decode()
    link = re.search(r'value="(http://testserver/join/([^/"]+)/)"', page)
    assert link, "the candidate link is on the page"
    assert interview_for_join_secret(link.group(2)) == interview
    assert "mailto:grace%40example.com" in page

    again = recruiter_client.get(response.url).content.decode()
    assert link.group(1) not in again


def test_creating_without_an_active_profile_keeps_the_form(recruiter_client, interview_candidate):
    response = _create(recruiter_client, interview_candidate)

    assert response.status_code == 200
    assert "No model provider profile is active" in response.content.decode()
    assert 'value="Data engineer"' in response.content.decode()
    assert not Interview.objects.exists()


def test_the_list_filters_by_status_and_search(recruiter_client, scheduled_interview):
    interview, _secret = scheduled_interview

    everything = recruiter_client.get("/interviews/").content.decode()
    live_only = recruiter_client.get("/interviews/?status=live").content.decode()
    by_name = recruiter_client.get("/interviews/?q=grace").content.decode()

    assert f"/interviews/{interview.pk}/" in everything
    assert f"/interviews/{interview.pk}/" not in live_only
    assert f"/interviews/{interview.pk}/" in by_name


def test_the_list_shows_each_interviews_response_latency(recruiter_client, scheduled_interview):
    interview, _secret = scheduled_interview
    for turn, total in enumerate([1.0, 2.0, 3.0, 9.0], start=1):
        turn_metrics_record(interview_id=interview.pk, turn=turn, total_latency=total)
    turn_metrics_record(interview_id=interview.pk, turn=5, llm_ttft=0.3)  # the greeting
    unmeasured = Interview.objects.create(
        candidate=interview.candidate,
        role_title="Site reliability engineer",
        room_name="room-unmeasured",
        join_secret_hash="b" * 64,
        link_expires_at=interview.link_expires_at,
    )

    page = recruiter_client.get("/interviews/").content.decode()

    rows = {
        pk: row
        for pk, row in re.findall(
            r'href="/interviews/(\d+)/".*?(<td[^>]*data-latency>.*?</td>)', page, re.S
        )
    }
    assert "2.50 s" in rows[str(interview.pk)]  # the median of the four answered turns
    assert "p90 7.20 s" in rows[str(interview.pk)]
    assert "2.50" not in rows[str(unmeasured.pk)]
    assert "–" in rows[str(unmeasured.pk)]


def test_the_list_pages_through_many_interviews_in_a_constant_number_of_queries(
    recruiter_client, scheduled_interview, django_assert_max_num_queries
):
    interview, _secret = scheduled_interview
    Interview.objects.bulk_create(
        Interview(
            candidate=interview.candidate,
            role_title=f"Role {number}",
            room_name=f"room-{number}",
            join_secret_hash=f"{number:064d}",
            link_expires_at=interview.link_expires_at,
        )
        for number in range(60)
    )

    with django_assert_max_num_queries(8):
        first = recruiter_client.get("/interviews/").content.decode()
    second = recruiter_client.get("/interviews/?page=2").content.decode()

    assert len(re.findall(r'href="/interviews/\d+/"', first)) == 50
    assert "Older &rarr;" in first and "Newer" not in first
    assert len(re.findall(r'href="/interviews/\d+/"', second)) == 11
    assert "&larr; Newer" in second and "Older" not in second
    assert "Role 59" in first and f"/interviews/{interview.pk}/" in second


def test_cancelling_an_interview_retires_its_link(recruiter_client, scheduled_interview):
    interview, secret = scheduled_interview

    recruiter_client.post(f"/interviews/{interview.pk}/cancel/")

    interview.refresh_from_db()
    assert interview.status == Interview.Status.CANCELLED
    page = recruiter_client.get(f"/join/{secret}/")
    assert page.status_code == 410


def test_a_new_link_replaces_the_old_one(recruiter_client, scheduled_interview):
    interview, old_secret = scheduled_interview

    response = recruiter_client.post(f"/interviews/{interview.pk}/new-link/")
    page = recruiter_client.get(response.url).content.decode()

    new_secret = re.search(r'value="http://testserver/join/([^/"]+)/"', page).group(1)
    assert new_secret != old_secret
    assert interview_for_join_secret(old_secret) is None
    assert recruiter_client.get(f"/join/{new_secret}/").status_code == 200


def test_candidates_pages_need_a_recruiter(client, scheduled_interview):
    interview, _secret = scheduled_interview
    response = client.get(f"/interviews/{interview.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
