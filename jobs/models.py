from django.conf import settings
from django.db import models


class Job(models.Model):
    """An opening: every candidate for it gets the same planned interview and rubric."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="jobs",
        on_delete=models.SET_NULL,
    )
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    candidates = models.ManyToManyField(
        "resumes.Candidate", through="JobCandidate", related_name="jobs", blank=True
    )
    # Off turns recording off for this job's interviews even where the profile records.
    record_interviews = models.BooleanField(
        "record interviews",
        default=True,
        help_text="Keep the audio of this job's interviews (when the model profile records).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class JobCandidate(models.Model):
    job = models.ForeignKey(Job, related_name="memberships", on_delete=models.CASCADE)
    candidate = models.ForeignKey(
        "resumes.Candidate", related_name="job_memberships", on_delete=models.CASCADE
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "candidate"], name="unique_job_candidate"),
        ]

    def __str__(self):
        return f"{self.candidate} for {self.job}"


class PlanVersion(models.Model):
    """One saved version of a job's interview plan; versions are never edited.

    `plan` has the shape `agents.plans` validates: a time limit and ordered sections
    of questions.
    """

    job = models.ForeignKey(Job, related_name="plan_versions", on_delete=models.CASCADE)
    number = models.PositiveIntegerField()
    plan = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="unique_plan_version"),
        ]

    def __str__(self):
        return f"{self.job} plan v{self.number}"


class RubricVersion(models.Model):
    """One saved version of a job's rubric (`agents.plans` validates `rubric`)."""

    job = models.ForeignKey(Job, related_name="rubric_versions", on_delete=models.CASCADE)
    number = models.PositiveIntegerField()
    rubric = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="unique_rubric_version"),
        ]

    def __str__(self):
        return f"{self.job} rubric v{self.number}"
