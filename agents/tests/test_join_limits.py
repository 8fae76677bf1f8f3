"""Rate limits of the candidate's join page and token endpoint: per link and per IP address."""

import pytest
from django.test import Client

from agents.services import interview_cancel, interview_create

pytestmark = pytest.mark.django_db

# The rates here are hourly: a fixed window that rolled over mid-test would reset a count.


def another_link(interview):
    _other, secret = interview_create(
        candidate=interview.candidate,
        role_title="Data engineer",
        job_description="Pipelines.",
        max_duration_minutes=15,
        created_by=interview.created_by,
    )
    return secret


def open_page(secret, *, ip="10.0.0.1"):
    return Client().get(f"/join/{secret}/", REMOTE_ADDR=ip)


def test_one_link_opened_past_its_rate_gets_a_page_that_says_how_long_to_wait(
    scheduled_interview, settings
):
    settings.JOIN_RATE_PER_LINK = "3/h"
    _interview, secret = scheduled_interview
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert open_page(secret, ip=ip).status_code == 200

    response = open_page(secret, ip="10.0.0.4")

    assert response.status_code == 429
    page = response.content.decode()
    assert "opened too many times in a short while with this interview link" in page
    assert "Wait " in page and "then reload this page." in page
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert 'id="join"' not in page


def test_another_link_is_not_held_back_by_a_busy_one(scheduled_interview, settings):
    settings.JOIN_RATE_PER_LINK = "3/h"
    interview, secret = scheduled_interview
    for _ in range(4):
        open_page(secret)

    response = open_page(another_link(interview))

    assert response.status_code == 200
    assert 'id="join"' in response.content.decode()


def test_one_ip_address_past_its_rate_is_refused_on_every_link_and_others_are_not(
    scheduled_interview, settings
):
    settings.JOIN_RATE_PER_IP = "3/h"
    interview, secret = scheduled_interview
    for _ in range(3):
        assert open_page(secret, ip="10.0.0.1").status_code == 200

    refused = open_page(another_link(interview), ip="10.0.0.1")
    assert refused.status_code == 429
    assert "from your connection" in refused.content.decode()

    assert open_page(secret, ip="10.0.0.2").status_code == 200


def test_wrong_links_count_against_the_ip_address(db, settings):
    settings.JOIN_RATE_PER_IP = "3/h"
    for guess in ("guess-1", "guess-2", "guess-3"):
        assert open_page(guess).status_code == 404

    assert open_page("guess-4").status_code == 429


def test_the_token_endpoint_answers_a_plain_json_error_past_its_rate(scheduled_interview, settings):
    settings.JOIN_RATE_PER_LINK = "2/h"
    interview, secret = scheduled_interview
    client = Client(enforce_csrf_checks=True)
    client.get(f"/join/{secret}/")
    csrf = client.cookies["csrftoken"].value
    interview_cancel(interview=interview)
    for _ in range(2):
        assert client.post(f"/join/{secret}/token/", HTTP_X_CSRFTOKEN=csrf).status_code == 410

    response = client.post(f"/join/{secret}/token/", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 429
    error = response.json()["error"]
    assert error.startswith("There were too many tries to join in a short while")
    assert "then press Join again." in error
    assert "token" not in response.json()
