"""Deliveries whose task was lost are resumed; secrets survive a change of encryption key."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from webhooks import services
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db

SECRET = "whsec_rotation-secret-0123456789"


def stored_secret(endpoint):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_endpoint WHERE id = %s", [endpoint.pk])
        return cursor.fetchone()[0]


def test_a_delivery_whose_try_was_lost_gets_a_new_task_once(
    receiver, django_capture_on_commit_callbacks
):
    services.endpoint_create(url=receiver.url, events=[Event.REPORT_READY], secret=SECRET)
    (delivery,) = services.event_publish(event=Event.REPORT_READY, data=lambda: {})
    old_due = delivery.next_attempt_at
    later = old_due + services.LOST_AFTER + timedelta(seconds=1)

    assert services.deliveries_reconcile(now=old_due + timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks() as enqueued:
        assert services.deliveries_reconcile(now=later) == 1
    assert services.deliveries_reconcile(now=later) == 0
    assert len(enqueued) == 1

    # The lost task, should it turn up, finds its try taken over.
    assert services.delivery_attempt(delivery_id=delivery.pk, due=old_due) is None
    assert receiver.received == []
    services.delivery_attempt(delivery_id=delivery.pk, due=later)
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED


def test_secrets_are_reencrypted_with_the_new_key_and_unreadable_ones_named():
    with override_settings(SECRETS_ENCRYPTION_KEYS=["old-key"]):
        kept = services.endpoint_create(
            url="https://hooks.example.com/kept", events=[Event.REPORT_READY], secret=SECRET
        )
    with override_settings(SECRETS_ENCRYPTION_KEYS=["lost-key"]):
        services.endpoint_create(
            url="https://hooks.example.com/lost", events=[Event.REPORT_READY], secret=SECRET
        )
    before = stored_secret(kept)

    with (
        override_settings(SECRETS_ENCRYPTION_KEYS=["new-key", "old-key"]),
        pytest.raises(CommandError, match="https://hooks.example.com/lost"),
    ):
        call_command("rotate_webhook_secrets")
    with override_settings(SECRETS_ENCRYPTION_KEYS=["new-key"]):
        assert stored_secret(kept) != before
        assert Endpoint.objects.get(pk=kept.pk).secret == SECRET


def test_a_secret_no_key_decrypts_fails_the_delivery_with_what_to_do(receiver, admin_client):
    with override_settings(SECRETS_ENCRYPTION_KEYS=["forgotten-key"]):
        services.endpoint_create(url=receiver.url, events=[Event.REPORT_READY], secret=SECRET)
        (delivery,) = services.event_publish(event=Event.REPORT_READY, data=lambda: {})

    services.delivery_attempt(delivery_id=delivery.pk, due=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "give the endpoint a new secret, then replay" in delivery.status_reason
    assert receiver.received == []
    for page in ("webhooks:list", "webhooks:detail", "webhooks:edit"):
        args = [] if page == "webhooks:list" else [delivery.endpoint_id]
        assert admin_client.get(reverse(page, args=args)).status_code == 200, page
