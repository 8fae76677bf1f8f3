"""What the API shows of each thing, and what it accepts (validated here, acted on by the
apps' services)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agents.models import Interview
from agents.selectors import interview_join_url, interview_link_problem
from api.models import ApiToken
from jobs.models import Job
from jobs.selectors import job_latest_versions
from resumes.models import Candidate, Resume
from resumes.selectors import candidate_latest_resume, json_resume_export


class JobSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    candidate_count = serializers.IntegerField(read_only=True)
    interview_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "title",
            "description",
            "status",
            "owner",
            "candidate_count",
            "interview_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class JobDetailSerializer(JobSerializer):
    plan = serializers.SerializerMethodField(help_text="The latest interview plan.")
    rubric = serializers.SerializerMethodField(help_text="The latest scoring rubric.")

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "plan", "rubric"]
        read_only_fields = fields

    def _latest(self, job):
        if not hasattr(self, "_versions"):
            self._versions = {}
        if job.pk not in self._versions:
            self._versions[job.pk] = job_latest_versions(job)
        return self._versions[job.pk]

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_plan(self, job):
        plan_version, _rubric_version = self._latest(job)
        return plan_version.plan if plan_version else None

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_rubric(self, job):
        _plan_version, rubric_version = self._latest(job)
        return rubric_version.rubric if rubric_version else None


class JobCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    plan = serializers.JSONField(help_text="An interview plan, as GET /api/v1/jobs/{id}/ shows.")
    rubric = serializers.JSONField(help_text="A scoring rubric, as GET /api/v1/jobs/{id}/ shows.")


class ResumeSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Resume
        fields = ["id", "original_name", "status", "failure_reason", "created_at", "parsed_at"]
        read_only_fields = fields


class ResumeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resume
        fields = [
            "id",
            "candidate",
            "original_name",
            "kind",
            "size",
            "status",
            "failure_reason",
            "has_gaps",
            "parse_notes",
            "parsed",
            "page_count",
            "created_at",
            "parsed_at",
        ]
        read_only_fields = fields


class ResumeUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A PDF, DOCX, ODT or text resume.",
        error_messages={"required": "Choose a file to upload (the form field “file”)."},
    )


class ResumeUploadResultSerializer(serializers.Serializer):
    duplicate = serializers.BooleanField(
        help_text="True when this file was uploaded before: nothing new was stored."
    )
    resume = ResumeSerializer()


class CandidateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = ["id", "name", "email", "phone", "location", "duplicate_of", "created_at"]
        read_only_fields = fields


class CandidateDetailSerializer(CandidateSerializer):
    resumes = serializers.SerializerMethodField()
    json_resume = serializers.SerializerMethodField(
        help_text="The candidate as a JSON Resume document (the latest resume with the "
        "recruiter's edits on top)."
    )

    class Meta(CandidateSerializer.Meta):
        fields = [*CandidateSerializer.Meta.fields, "resumes", "json_resume"]
        read_only_fields = fields

    @extend_schema_field(ResumeSummarySerializer(many=True))
    def get_resumes(self, candidate):
        resumes = candidate.resumes.order_by("-created_at", "-id")
        return ResumeSummarySerializer(resumes, many=True).data

    @extend_schema_field(serializers.JSONField())
    def get_json_resume(self, candidate):
        resume = candidate_latest_resume(candidate=candidate)
        return json_resume_export(candidate=candidate, resume=resume)


class InterviewSerializer(serializers.ModelSerializer):
    candidate_name = serializers.CharField(source="candidate.name", read_only=True)
    join_url = serializers.SerializerMethodField()
    link_problem = serializers.SerializerMethodField()

    class Meta:
        model = Interview
        fields = [
            "id",
            "candidate",
            "candidate_name",
            "job",
            "role_title",
            "status",
            "status_reason",
            "max_duration_minutes",
            "join_url",
            "link_expires_at",
            "link_problem",
            "created_at",
            "joined_at",
            "started_at",
            "ended_at",
            "report_status",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_join_url(self, interview):
        return interview_join_url(interview)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_link_problem(self, interview):
        return interview_link_problem(interview)


class InterviewCreateSerializer(serializers.Serializer):
    candidate = serializers.PrimaryKeyRelatedField(
        queryset=Candidate.objects.all(),
        error_messages={"does_not_exist": "There is no candidate with id {pk_value}."},
    )
    job = serializers.PrimaryKeyRelatedField(
        queryset=Job.objects.all(),
        required=False,
        allow_null=True,
        help_text="Interview on this job's plan and rubric (its title is the role).",
        error_messages={"does_not_exist": "There is no job with id {pk_value}."},
    )
    role_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    job_description = serializers.CharField(required=False, allow_blank=True, default="")
    max_duration_minutes = serializers.IntegerField(min_value=5, max_value=90, default=20)

    def validate(self, data):
        if not data.get("job") and not (data.get("role_title") or "").strip():
            raise serializers.ValidationError(
                {"role_title": "Give a role title, or a job to interview for."}
            )
        return data


class InterviewLinkSerializer(serializers.Serializer):
    url = serializers.URLField(allow_null=True, help_text="None: make a new link in the app.")
    expires_at = serializers.DateTimeField()
    problem = serializers.CharField(
        allow_null=True, help_text="Why the link can't be used now; null when it can."
    )


class CancellationSerializer(serializers.Serializer):
    interview = InterviewSerializer()
    room_left_open = serializers.BooleanField(
        help_text="LiveKit could not be reached to close the room: a session under way may go on."
    )


class TranscriptSegmentSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    speaker = serializers.CharField()
    text = serializers.CharField()
    interrupted = serializers.BooleanField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)


class TranscriptSerializer(serializers.Serializer):
    interview = serializers.IntegerField()
    segments = TranscriptSegmentSerializer(many=True)


class ReportSerializer(serializers.Serializer):
    interview = serializers.IntegerField()
    report_status = serializers.CharField()
    report_error = serializers.CharField(allow_blank=True)
    report = serializers.JSONField()


class TokenSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields
