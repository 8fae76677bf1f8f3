"""The admin's webhook pages: forms that keep what was typed, a secret shown once, 403s."""

import logging

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from webhooks import services
from webhooks.forms import URL_ERROR
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db

TYPED_SECRET = "whsec_typed-by-the-admin-0123456789"


def make_endpoint(**fields):
    values = {"url": "https://hooks.example.com/in", "events": [Event.REPORT_READY]}
    values.update(fields)
    return services.endpoint_create(secret=TYPED_SECRET, **values)


def test_a_url_that_is_not_http_gets_a_plain_error_and_keeps_the_other_fields(admin_client):
    response = admin_client.post(
        reverse("webhooks:create"),
        {
            "url": "ftp://hooks.example.com/in",
            "description": "Our ATS",
            "events": ["interview.completed", "report.ready"],
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert URL_ERROR in page
    assert 'value="ftp://hooks.example.com/in"' in page
    assert 'value="Our ATS"' in page
    assert 'value="interview.completed" id="id_events_1" checked' in page
    assert 'value="report.ready" id="id_events_3" checked' in page
    assert 'value="resume.parsed" id="id_events_0" checked' not in page
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "hooks.example.com/in",
        "http://",
        "",
        "https://user:pass@hooks.example.com/in",
    ],
)
def test_other_addresses_that_are_not_web_addresses_are_refused(admin_client, url):
    response = admin_client.post(
        reverse("webhooks:create"), {"url": url, "events": ["report.ready"]}
    )

    assert response.status_code == 400
    assert not Endpoint.objects.exists()


def test_an_endpoint_needs_an_event(admin_client):
    response = admin_client.post(
        reverse("webhooks:create"), {"url": "https://hooks.example.com/in"}
    )

    assert "Pick at least one event to send." in response.content.decode()


def test_a_generated_secret_is_shown_once_then_never_again(admin_client, caplog):
    caplog.set_level(logging.DEBUG)
    response = admin_client.post(
        reverse("webhooks:create"),
        {"url": "https://hooks.example.com/in", "events": ["report.ready"]},
        follow=True,
    )

    endpoint = Endpoint.objects.get()
    secret = endpoint.secret
    assert secret.startswith("whsec_") and len(secret) > 40
    assert secret in response.content.decode()
    for url in (
        reverse("webhooks:detail", args=[endpoint.pk]),
        reverse("webhooks:list"),
        reverse("webhooks:edit", args=[endpoint.pk]),
        reverse("webhooks:delete", args=[endpoint.pk]),
    ):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert secret not in page.content.decode(), url
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_endpoint")
        (stored,) = cursor.fetchone()
    assert secret not in stored
    assert secret not in caplog.text


def test_a_typed_secret_is_kept_and_a_short_one_refused(admin_client):
    short = admin_client.post(
        reverse("webhooks:create"),
        {"url": "https://hooks.example.com/in", "events": ["report.ready"], "secret": "short"},
    )
    assert "Use at least 16 characters" in short.content.decode()
    assert 'value="short"' not in short.content.decode()

    admin_client.post(
        reverse("webhooks:create"),
        {"url": "https://hooks.example.com/in", "events": ["report.ready"], "secret": TYPED_SECRET},
    )
    assert Endpoint.objects.get().secret == TYPED_SECRET


def test_editing_keeps_the_secret_unless_a_new_one_is_asked_for(admin_client):
    endpoint = make_endpoint()
    edit = reverse("webhooks:edit", args=[endpoint.pk])
    fields = {"url": "https://hooks.example.com/v2", "events": ["resume.parsed"], "is_active": "on"}

    admin_client.post(edit, fields)
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.secret) == (
        "https://hooks.example.com/v2",
        ["resume.parsed"],
        TYPED_SECRET,
    )

    response = admin_client.post(edit, {**fields, "new_secret": "on"}, follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != TYPED_SECRET
    assert endpoint.secret in response.content.decode()


def test_a_disabled_endpoint_gets_no_events_and_a_deleted_one_is_gone(admin_client):
    endpoint = make_endpoint(events=[Event.RESUME_PARSED])

    admin_client.post(reverse("webhooks:toggle_active", args=[endpoint.pk]))
    services.event_publish(event=Event.RESUME_PARSED, data=lambda: {})
    assert not Delivery.objects.exists()

    admin_client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert not Endpoint.objects.exists()


def test_the_endpoint_page_lists_its_deliveries_and_their_tries(admin_client, receiver):
    endpoint = make_endpoint(url=receiver.url, events=[Event.RESUME_PARSED])
    (delivery,) = services.event_publish(event=Event.RESUME_PARSED, data=lambda: {"resume": {}})
    services.delivery_attempt(delivery_id=delivery.pk, due=delivery.next_attempt_at)

    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()

    assert str(delivery.pk) in page
    assert "resume.parsed" in page
    assert "Delivered" in page
    assert "HTTP 200" in page


def test_people_who_are_not_admins_get_403_on_every_webhook_page(recruiter_client, client):
    endpoint = make_endpoint()
    (delivery,) = services.event_publish(event=Event.REPORT_READY, data=lambda: {})
    pages = [
        ("get", reverse("webhooks:list")),
        ("get", reverse("webhooks:create")),
        ("post", reverse("webhooks:create")),
        ("get", reverse("webhooks:detail", args=[endpoint.pk])),
        ("get", reverse("webhooks:edit", args=[endpoint.pk])),
        ("post", reverse("webhooks:toggle_active", args=[endpoint.pk])),
        ("get", reverse("webhooks:delete", args=[endpoint.pk])),
        ("post", reverse("webhooks:delete", args=[endpoint.pk])),
        ("post", reverse("webhooks:replay", args=[endpoint.pk, delivery.pk])),
    ]
    for method, url in pages:
        assert getattr(recruiter_client, method)(url).status_code == 403, url
    assert Endpoint.objects.get().is_active
    assert TYPED_SECRET not in recruiter_client.get(reverse("webhooks:list")).content.decode()


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("webhooks:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_admins_see_webhooks_in_the_navigation_and_recruiters_do_not(admin_client, recruiter):
    assert 'href="/webhooks/"' in admin_client.get(reverse("home")).content.decode()
    admin_client.force_login(recruiter)
    assert 'href="/webhooks/"' not in admin_client.get(reverse("home")).content.decode()


@override_settings(WEBHOOK_ADMIN_POST_RATE="2/m")
def test_changes_past_the_rate_limit_get_a_429_that_says_how_long_to_wait(admin_client):
    endpoint = make_endpoint()
    toggle = reverse("webhooks:toggle_active", args=[endpoint.pk])

    assert admin_client.post(toggle).status_code == 302
    assert admin_client.post(toggle).status_code == 302
    response = admin_client.post(toggle)

    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).status_code == 200
