from django.conf import settings
from django.core.files.storage import storages
from django.db import models


def recordings_storage():
    """The "recordings" storage of settings.STORAGES.

    A FileField calls this once, when the model is defined: code that reads or writes the
    file calls it again instead of using `file.storage`, so a changed setting applies.
    """
    return storages["recordings"]


class Interview(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        WAITING = "waiting", "Waiting for the interviewer"
        LIVE = "live", "Live"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    class ReportStatus(models.TextChoices):
        NONE = "none", "Not started"
        PENDING = "pending", "Writing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    candidate = models.ForeignKey(
        "resumes.Candidate", related_name="interviews", on_delete=models.CASCADE
    )
    resume = models.ForeignKey(
        "resumes.Resume",
        null=True,
        blank=True,
        related_name="interviews",
        on_delete=models.SET_NULL,
    )
    # Null for an ad-hoc interview (a role and description typed for it).
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, related_name="interviews", on_delete=models.SET_NULL
    )
    role_title = models.CharField(max_length=200)
    job_description = models.TextField(blank=True)
    max_duration_minutes = models.PositiveSmallIntegerField(default=20)
    # The provider profile as it was when the interview was created (API keys
    # kept encrypted), so editing a profile never changes a scheduled interview.
    profile_snapshot = models.JSONField(default=dict)
    profile_name = models.CharField(max_length=100, blank=True)
    # The plan and rubric this interview runs with (shapes in agents.plans), copied when it
    # is created: a job's later versions never change it.
    plan = models.JSONField(default=dict, blank=True)
    rubric = models.JSONField(default=dict, blank=True)
    # Where the interviewer is in the plan, written by the worker as it goes.
    progress = models.JSONField(default=dict, blank=True)
    # Replies the speech gate replaced with the plan's fixed line.
    gate_fallbacks = models.PositiveIntegerField(default=0)

    room_name = models.CharField(max_length=100, unique=True)
    # Only a hash of the candidate's link secret is stored.
    join_secret_hash = models.CharField(max_length=64, unique=True)
    # The same secret, encrypted like the profiles' API keys (providers.secrets): the
    # invitation reminder and a re-sent invitation carry the link without making a new one.
    join_secret_encrypted = models.TextField(blank=True)
    link_expires_at = models.DateTimeField()

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    status_reason = models.TextField(blank=True)
    # Why the video avatar could not be shown (the interview went on with audio only).
    avatar_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Written by the worker while it runs the interview; a stale one means it died.
    agent_heartbeat_at = models.DateTimeField(null=True, blank=True)

    report = models.JSONField(default=dict, blank=True)
    report_status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.NONE
    )
    report_error = models.TextField(blank=True)
    # When the report was last asked for: one pending for long has lost its task.
    report_requested_at = models.DateTimeField(null=True, blank=True)
    # Whether the room is recorded, decided from the profile and the job when the interview
    # is created: the join page tells the candidate and the worker records by the same value.
    recording_enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.role_title} with {self.candidate}"


class TranscriptSegment(models.Model):
    class Speaker(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        AGENT = "agent", "Interviewer"

    interview = models.ForeignKey(Interview, related_name="segments", on_delete=models.CASCADE)
    # Monotonic per interview, from 1: pages ask for "everything after seq N".
    seq = models.PositiveIntegerField()
    speaker = models.CharField(max_length=16, choices=Speaker.choices)
    text = models.TextField()
    interrupted = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["interview", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "seq"], name="unique_segment_seq"),
        ]

    def __str__(self):
        return f"{self.seq} {self.speaker}: {self.text[:40]}"


class TurnMetrics(models.Model):
    """How long the candidate waited for one reply, in seconds, and what filled the wait.

    total_latency runs from the end of the candidate's speech to the interviewer's first
    audio frame; the parts (end_of_utterance_delay ... playback_latency, other_delay) add
    up to it, other_delay being what the measured stages leave unexplained.
    """

    interview = models.ForeignKey(Interview, related_name="turn_metrics", on_delete=models.CASCADE)
    turn = models.PositiveIntegerField()
    end_of_utterance_delay = models.FloatField(null=True, blank=True)
    transcription_delay = models.FloatField(null=True, blank=True)
    llm_ttft = models.FloatField(null=True, blank=True)
    tts_ttfb = models.FloatField(null=True, blank=True)
    on_user_turn_completed_delay = models.FloatField(null=True, blank=True)
    first_sentence_delay = models.FloatField(null=True, blank=True)
    playback_latency = models.FloatField(null=True, blank=True)
    other_delay = models.FloatField(null=True, blank=True)
    reply_seconds = models.FloatField(null=True, blank=True)
    # When the reply's first audio frame went out: lines the figure up with outside clocks.
    replied_at = models.DateTimeField(null=True, blank=True)
    total_latency = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["interview", "turn"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "turn"], name="unique_turn_metrics"),
        ]

    def __str__(self):
        return f"turn {self.turn} of interview {self.interview_id}"


class Recording(models.Model):
    """The interview's audio: one stereo Opus/OGG file, candidate and interviewer apart.

    A row without a file says why there is none (`failure_reason`) or when it was deleted;
    the transcript and the report never depend on it.
    """

    class Deletion(models.TextChoices):
        RETENTION = "retention", "retention"
        ADMIN = "admin", "by an admin"

    interview = models.OneToOneField(Interview, related_name="recording", on_delete=models.CASCADE)
    file = models.FileField(storage=recordings_storage, max_length=300, blank=True)
    # The wall-clock moment of the file's first sample: segment offsets are measured from it.
    started_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    channels = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    deletion = models.CharField(max_length=16, choices=Deletion.choices, blank=True)

    def __str__(self):
        return f"recording of interview {self.interview_id}"

    @property
    def playable(self):
        return bool(self.file) and self.deleted_at is None
