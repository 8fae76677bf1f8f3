from django.db import models


class MailLog(models.Model):
    """One mail about an interview: queued, then sent or failed (and why, in plain words).

    A row is made before its mail is handed to a worker, and the worker sends only a row
    still pending: a retried or repeated task finds it sent and sends nothing.
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"
        INTERVIEW_COMPLETED = "interview_completed", "Interview completed"
        INTERVIEW_FAILED = "interview_failed", "Interview failed"
        REPORT_READY = "report_ready", "Report ready"
        REPORT_FAILED = "report_failed", "Report failed"

    class Status(models.TextChoices):
        PENDING = "pending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    interview = models.ForeignKey(
        "agents.Interview", related_name="mail_logs", on_delete=models.CASCADE
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # What this mail is one of: for the candidate's mails the link it carries (its expiry
    # tells one issue of the link from the next) or a recruiter's re-send; for a report
    # notice the request of the report. A second mail of the same key is never made.
    key = models.CharField(max_length=64)
    # The link this mail carries expires then; a mail of a link replaced since is not sent.
    link_expires_at = models.DateTimeField(null=True, blank=True)
    to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "kind", "key"], name="unique_mail_per_key"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for interview {self.interview_id}: {self.status}"
