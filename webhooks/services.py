"""Webhook endpoints and their deliveries.

A delivery is one event for one endpoint. Its body is fixed when the event happens; each
try signs it anew (`X-Webhook-Signature: t=<unix>,v1=<hex>`, HMAC-SHA256 of "<t>.<body>"
with the endpoint's secret) and is logged as an Attempt. Failed tries are retried with a
doubling delay until WEBHOOK_RETRY_FOR_SECONDS after the event.
"""

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import socket
import ssl
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dashboard.ratelimits import wait_words
from providers.secrets import SecretUnreadable, reencrypt
from webhooks import selectors
from webhooks.models import Attempt, Delivery, Endpoint

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Webhook-Signature"
# How much of a response is kept with each attempt.
EXCERPT_BYTES = 500
USER_AGENT = "VoiceInterviews-Webhooks/1"


def secret_generate():
    return "whsec_" + secrets.token_urlsafe(32)


def signature_header(*, secret, body, timestamp):
    """The signature of `body` (bytes) at `timestamp` (unix seconds), as sent in its header."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- Endpoints ---


def endpoint_create(*, url, events, secret, description="", created_by=None):
    return Endpoint.objects.create(
        url=url,
        events=list(events),
        secret=secret,
        description=description,
        created_by=created_by,
    )


def endpoint_update(*, endpoint, url, events, description, is_active, secret=None):
    """Save the endpoint's fields; its secret changes only when a new one is given."""
    endpoint.url = url
    endpoint.events = list(events)
    endpoint.description = description
    endpoint.is_active = is_active
    if secret:
        endpoint.secret = secret
    endpoint.save()
    return endpoint


def endpoint_set_active(*, endpoint, active):
    """Disabling stops new deliveries; the ones still retrying give up at their next try."""
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=active, updated_at=timezone.now())
    endpoint.is_active = active


def endpoint_delete(*, endpoint):
    endpoint.delete()


def endpoint_rotate_secrets():
    """Re-encrypt every endpoint's secret with the first SECRETS_ENCRYPTION_KEYS key, on the
    stored ciphertext so that one no key decrypts is reported, not lost:
    (re-encrypted count, URLs of the endpoints whose secret is unreadable)."""
    table = connection.ops.quote_name(Endpoint._meta.db_table)
    rotated, unreadable = 0, []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT id, url, secret FROM {table} ORDER BY id")  # noqa: S608
        for pk, url, token in cursor.fetchall():
            try:
                new_token = reencrypt(token)
            except InvalidToken:
                unreadable.append(url)
                continue
            cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", [new_token, pk])  # noqa: S608
            rotated += 1
    return rotated, unreadable


# --- Deliveries ---


def _enqueue(delivery_id, due):
    from webhooks.tasks import delivery_send

    transaction.on_commit(lambda: delivery_send.delay(str(delivery_id), due.isoformat()))


def event_publish(*, event, data):
    """A delivery of the event to each active endpoint that asked for it, sent after commit.

    `data` is a callable that builds the payload's data, called only when someone listens.
    """
    endpoints = selectors.endpoints_for_event(event)
    if not endpoints:
        return []
    now = timezone.now()
    payload_data = data()
    deliveries = []
    with transaction.atomic():
        for endpoint in endpoints:
            delivery_id = uuid.uuid4()
            body = json.dumps(
                {
                    "id": str(delivery_id),
                    "type": event,
                    "created": now.isoformat(),
                    "data": payload_data,
                }
            )
            deliveries.append(
                Delivery.objects.create(
                    id=delivery_id,
                    endpoint=endpoint,
                    event=event,
                    body=body,
                    created_at=now,
                    retry_until=now + timedelta(seconds=settings.WEBHOOK_RETRY_FOR_SECONDS),
                    next_attempt_at=now,
                )
            )
            _enqueue(delivery_id, now)
    return deliveries


def delivery_replay(*, delivery):
    """Send the delivery again now (same body, same id, a new signature), with a fresh
    retry window: a replay that fails is retried like a new event."""
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING,
            status_reason="",
            failures=0,
            retry_until=now + timedelta(seconds=settings.WEBHOOK_RETRY_FOR_SECONDS),
            next_attempt_at=now,
            replayed_at=now,
        )
        _enqueue(delivery.pk, now)


@dataclass
class RetryIn:
    seconds: int
    due: datetime


def retry_delay(failures):
    """Seconds to wait after the n-th failed try in a row."""
    base, cap = settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS
    return min(base * 2 ** (failures - 1), cap)


def delivery_attempt(*, delivery_id, due):
    """Make the try that was scheduled for `due`; a RetryIn when another one should follow.

    A try is claimed by moving `next_attempt_at` off `due`, so a task the broker handed out
    twice, or one left from before a replay, finds nothing to do.
    """
    claim_until = timezone.now() + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at=due
    ).update(next_attempt_at=claim_until)
    if not claimed:
        return None
    delivery = Delivery.objects.get(pk=delivery_id)
    try:
        endpoint = Endpoint.objects.get(pk=delivery.endpoint_id)
    except SecretUnreadable:
        _give_up(
            delivery,
            "The endpoint's secret cannot be decrypted with any configured key "
            "(SECRETS_ENCRYPTION_KEYS changed): give the endpoint a new secret, then replay.",
        )
        return None
    if not endpoint.is_active:
        _give_up(delivery, "The endpoint was disabled before this could be delivered.")
        return None

    result = _post(endpoint, delivery)
    if result.succeeded:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.SUCCEEDED,
            status_reason="",
            delivered_at=result.attempt.started_at,
            next_attempt_at=None,
        )
        return None
    failures = delivery.failures + 1
    delay = retry_delay(failures)
    next_at = timezone.now() + timedelta(seconds=delay)
    if next_at > delivery.retry_until:
        tries = delivery.attempts.filter(
            started_at__gte=delivery.replayed_at or delivery.created_at
        ).count()
        _give_up(
            delivery,
            f"Gave up after {tries} tr{'y' if tries == 1 else 'ies'}. {result.summary}",
            failures=failures,
        )
        return None
    Delivery.objects.filter(pk=delivery_id).update(
        failures=failures, next_attempt_at=next_at, status_reason=result.summary
    )
    return RetryIn(seconds=delay, due=next_at)


# A try due this long ago that no task made lost its task: Redis restarted without its data,
# or the worker died during the request. Far past a busy queue's usual wait; a task that
# does come later finds its try taken over and does nothing.
LOST_AFTER = timedelta(minutes=15)


def deliveries_reconcile(*, now=None):
    """Give each delivery whose try was lost a new task; the number of deliveries resumed."""
    now = now or timezone.now()
    resumed = 0
    lost = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lt=now - LOST_AFTER
    ).values_list("pk", "next_attempt_at")
    for delivery_id, due in lost:
        with transaction.atomic():
            if Delivery.objects.filter(pk=delivery_id, next_attempt_at=due).update(
                next_attempt_at=now
            ):
                _enqueue(delivery_id, now)
                resumed += 1
    if resumed:
        log.warning("Resumed %d webhook deliveries whose task was lost", resumed)
    return resumed


def _give_up(delivery, reason, **fields):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, status_reason=reason, next_attempt_at=None, **fields
    )


@dataclass
class _Result:
    attempt: Attempt
    succeeded: bool
    summary: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect counts as an answer: following it would send the signed body elsewhere."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _excerpt(data):
    return data[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def _post(endpoint, delivery):
    body = delivery.body.encode()
    request = urllib.request.Request(  # noqa: S310 - the form allows only http(s) URLs
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Webhook-Id": str(delivery.pk),
            "X-Webhook-Event": delivery.event,
            SIGNATURE_HEADER: signature_header(
                secret=endpoint.secret, body=body, timestamp=int(time.time())
            ),
        },
    )
    started_at = timezone.now()
    started = time.perf_counter()
    status_code, excerpt, error = None, "", ""
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            status_code, excerpt = response.status, _excerpt(response.read(EXCERPT_BYTES))
    except urllib.error.HTTPError as answer:
        status_code = answer.code
        try:
            excerpt = _excerpt(answer.read(EXCERPT_BYTES))
        except OSError:
            excerpt = ""
        finally:
            answer.close()
    except (urllib.error.URLError, OSError, http.client.HTTPException) as failure:
        error = connection_error_words(failure, endpoint.url)
    attempt = Attempt.objects.create(
        delivery=delivery,
        started_at=started_at,
        duration_ms=round((time.perf_counter() - started) * 1000),
        status_code=status_code,
        response_excerpt=excerpt,
        error=error,
        succeeded=status_code is not None and 200 <= status_code < 300,
    )
    # Endpoint ids only: a URL may carry a token of the receiver's.
    log.info(
        "Webhook %s %s to endpoint %s: %s",
        delivery.event,
        delivery.pk,
        endpoint.pk,
        f"HTTP {status_code}" if status_code is not None else error,
    )
    if attempt.succeeded:
        summary = ""
    elif status_code is not None:
        summary = f"The endpoint answered HTTP {status_code}."
        if 300 <= status_code < 400:
            summary = (
                f"The endpoint answered HTTP {status_code}, a redirect, which is not "
                "followed: register the address it points to."
            )
    else:
        summary = error
    return _Result(attempt=attempt, succeeded=attempt.succeeded, summary=summary)


def connection_error_words(failure, url):
    """Why no answer came, in plain words."""
    reason = failure.reason if isinstance(failure, urllib.error.URLError) else failure
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
    if isinstance(reason, ConnectionRefusedError):
        return f"The connection was refused: nothing accepts connections at {where}."
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"No answer came within {wait_words(settings.WEBHOOK_TIMEOUT_SECONDS)}."
    if isinstance(reason, socket.gaierror):
        return f"The host name {parts.hostname} could not be found."
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"The HTTPS certificate of {where} is not trusted: {reason.verify_message}."
    if isinstance(reason, ssl.SSLError):
        return f"The secure connection to {where} failed: {reason.reason or reason}."
    if isinstance(reason, ConnectionResetError | http.client.HTTPException):
        return f"{where} closed the connection or answered with something other than HTTP."
    return f"The request to {where} failed: {reason}."
