import uuid

from django.conf import settings
from django.db import models

from providers.secrets import EncryptedTextField


class Event(models.TextChoices):
    RESUME_PARSED = "resume.parsed", "A resume was parsed"
    INTERVIEW_COMPLETED = "interview.completed", "An interview was completed"
    INTERVIEW_FAILED = "interview.failed", "An interview failed"
    REPORT_READY = "report.ready", "An interview report is ready"


class Endpoint(models.Model):
    """A URL that an admin registered to be told about events, signed with its secret."""

    url = models.CharField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # Encrypted at rest; shown once, when it is made.
    secret = EncryptedTextField()
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["url", "pk"]

    def __str__(self):
        return self.url

    def event_labels(self):
        return [Event(event).label for event in self.events if event in Event.values]


class Delivery(models.Model):
    """One event for one endpoint: the body is kept as sent, so a replay sends the same bytes."""

    class Status(models.TextChoices):
        PENDING = "pending", "Sending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Gave up"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(Endpoint, related_name="deliveries", on_delete=models.CASCADE)
    event = models.CharField(max_length=32, choices=Event.choices)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)
    # Tries stop at retry_until; a replay starts a new window.
    retry_until = models.DateTimeField()
    # The next try is due then; a worker claims a try by moving it past the request's timeout.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replayed_at = models.DateTimeField(null=True, blank=True)
    # Failed tries since the delivery (or its last replay) started: the backoff's exponent.
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.event} {self.pk}"


class Attempt(models.Model):
    """One request to the endpoint and what came back, in plain words when nothing did."""

    delivery = models.ForeignKey(Delivery, related_name="attempts", on_delete=models.CASCADE)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self):
        return f"{self.delivery_id} at {self.started_at:%Y-%m-%d %H:%M:%S}"
