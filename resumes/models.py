import re

from django.conf import settings
from django.db import models


def email_key(email):
    return email.strip().lower()


def phone_key(phone):
    return re.sub(r"\D", "", phone)


class Candidate(models.Model):
    """A person applying; filled from their parsed resume and editable by recruiters."""

    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=64, blank=True)
    location = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Once a recruiter has edited the record, re-parsing only fills blanks.
    edited_at = models.DateTimeField(null=True, blank=True)
    # The email in lower case and the phone in digits only, as possible duplicates are
    # matched; kept in step with email and phone by save().
    email_key = models.CharField(max_length=254, blank=True, db_index=True, editable=False)
    phone_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Another candidate with the same email or phone, found when a resume was parsed,
    # until a recruiter merges the two or keeps them apart.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.name or f"Candidate {self.pk}"

    def save(self, *args, **kwargs):
        self.email_key, self.phone_key = email_key(self.email), phone_key(self.phone)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "email_key", "phone_key"}
        super().save(*args, **kwargs)


class KeptApart(models.Model):
    """Two candidates a recruiter said are different people: never flagged as duplicates of
    each other again. `first` has the lower id."""

    first = models.ForeignKey(Candidate, related_name="+", on_delete=models.CASCADE)
    second = models.ForeignKey(Candidate, related_name="+", on_delete=models.CASCADE)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="kept_apart_once_per_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="kept_apart_pair_in_order"
            ),
        ]

    def __str__(self):
        return f"Candidates {self.first_id} and {self.second_id} are different people"


class Resume(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        EXTRACTING = "extracting", "Reading text"
        PARSING = "parsing", "Parsing"
        PARSED = "parsed", "Parsed"
        FAILED = "failed", "Failed"

    IN_PROGRESS = (Status.UPLOADED, Status.EXTRACTING, Status.PARSING)

    candidate = models.ForeignKey(Candidate, related_name="resumes", on_delete=models.CASCADE)
    file = models.FileField(upload_to="resumes/%Y/%m/")
    original_name = models.CharField(max_length=255)
    # Decided from the bytes, never from the name: "pdf", "docx", "odt" or "txt".
    kind = models.CharField(max_length=8, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    # Why it failed; while it is still uploaded (not started), why it waits.
    failure_reason = models.TextField(blank=True)
    text = models.TextField(blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    # JSON Resume-shaped: basics, work, education, skills, languages, projects, certificates.
    parsed = models.JSONField(default=dict, blank=True)
    # Lower-case skill names between "|" ("|python|django|"), so a skill filter
    # is a plain LIKE that matches whole names only.
    skills_text = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    parsed_at = models.DateTimeField(null=True, blank=True)
    # What grounding the model's record in the text changed: dropped inventions, added skills.
    parse_notes = models.JSONField(default=list, blank=True)
    # Parsed, but too little of the record is backed by the text to trust it as complete.
    has_gaps = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="resume_list_order"),
            models.Index(fields=["status", "-created_at", "-id"], name="resume_status_list_order"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def in_progress(self):
        return self.status in self.IN_PROGRESS

    @property
    def status_label(self):
        if self.status == self.Status.PARSED and self.has_gaps:
            return "Parsed with gaps"
        if self.status == self.Status.UPLOADED and self.failure_reason:
            return self.failure_reason
        return self.get_status_display()


class ParseAttempt(models.Model):
    """One run of extraction + parsing for a resume; re-parsing adds another."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting to retry"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    OPEN = (Outcome.QUEUED, Outcome.RUNNING, Outcome.WAITING)

    resume = models.ForeignKey(Resume, related_name="attempts", on_delete=models.CASCADE)
    profile = models.ForeignKey(
        "providers.ProviderProfile", null=True, blank=True, on_delete=models.SET_NULL
    )
    # Kept as text too: the profile may be renamed or deleted later.
    profile_name = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.QUEUED)
    error = models.TextField(blank=True)
    # How many times a worker picked this attempt up (more than one after a worker died).
    deliveries = models.PositiveIntegerField(default=0)
    llm_calls = models.PositiveIntegerField(default=0)
    transient_failures = models.PositiveIntegerField(default=0)
    # What happened along the way: retries and their waits, repairs, chunking.
    events = models.JSONField(default=list, blank=True)
    estimated_tokens = models.PositiveIntegerField(null=True, blank=True)
    chunks = models.PositiveIntegerField(null=True, blank=True)
    extract_ms = models.PositiveIntegerField(null=True, blank=True)
    llm_ms = models.PositiveIntegerField(null=True, blank=True)
    total_ms = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one attempt in flight per resume, whatever the race.
            models.UniqueConstraint(
                fields=["resume"],
                condition=models.Q(outcome__in=["queued", "running", "waiting"]),
                name="one_open_parse_attempt_per_resume",
            )
        ]

    def __str__(self):
        return f"Attempt {self.pk} on {self.resume_id}: {self.outcome}"
