"""The REST API (thin: validation in serializers, work in the apps' services and selectors)
and the page where people make their API tokens."""

from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agents import selectors as interview_selectors
from agents import services as interview_services
from agents.exports import interview_data, transcript_data
from agents.models import Interview
from agents.plans import PlanInvalid
from api import selectors, serializers, services
from api.errors import Conflict, error_body
from api.forms import TokenForm
from api.permissions import IsAdmin
from jobs import selectors as job_selectors
from jobs import services as job_services
from jobs.models import Job
from providers.selectors import NoActiveProfile
from resumes import selectors as resume_selectors
from resumes import services as resume_services


def _found(thing, pk, value):
    if value is None:
        raise NotFound(f"There is no {thing} with id {pk}.")
    return value


def _get(queryset, thing, pk):
    return _found(thing, pk, queryset.filter(pk=pk).first())


# --- Jobs ---


def _status_filter(choices):
    return extend_schema(
        parameters=[
            OpenApiParameter("status", enum=[value for value, _label in choices], required=False)
        ]
    )


@extend_schema_view(get=_status_filter(Job.Status.choices))
class JobList(generics.ListAPIView):
    serializer_class = serializers.JobSerializer

    def get_queryset(self):
        return job_selectors.job_list(status=self.request.query_params.get("status") or None)

    @extend_schema(
        request=serializers.JobCreateSerializer,
        responses={201: serializers.JobDetailSerializer},
        description="A new open job with its first plan and rubric.",
    )
    def post(self, request):
        incoming = serializers.JobCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            job, _saved = job_services.job_create(owner=request.user, **incoming.validated_data)
        except PlanInvalid as exc:
            raise ValidationError({"plan": exc.problems}) from None
        job = job_selectors.job_list().get(pk=job.pk)
        return Response(serializers.JobDetailSerializer(job).data, status=status.HTTP_201_CREATED)


class JobDetail(APIView):
    @extend_schema(responses=serializers.JobDetailSerializer)
    def get(self, request, pk):
        job = _get(job_selectors.job_list(), "job", pk)
        return Response(serializers.JobDetailSerializer(job).data)


# --- Candidates and resumes ---


class CandidateList(generics.ListAPIView):
    serializer_class = serializers.CandidateSerializer
    queryset = selectors.candidate_list()


class CandidateDetail(APIView):
    @extend_schema(responses=serializers.CandidateDetailSerializer)
    def get(self, request, pk):
        candidate = _found("candidate", pk, resume_selectors.candidate_get(pk=pk))
        return Response(serializers.CandidateDetailSerializer(candidate).data)


class ResumeUpload(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": serializers.ResumeUploadSerializer},
        responses={
            201: serializers.ResumeUploadResultSerializer,
            200: serializers.ResumeUploadResultSerializer,
        },
        description=(
            "Store a resume and start parsing it (a new candidate comes with it). Poll "
            "GET /api/v1/resumes/{id}/ until its status is parsed or failed. A file uploaded "
            "before answers 200 with the resume it already is."
        ),
    )
    def post(self, request):
        incoming = serializers.ResumeUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            result = resume_services.resume_upload(
                uploaded_file=incoming.validated_data["file"], user=request.user
            )
        except resume_services.UploadRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        body = serializers.ResumeUploadResultSerializer(
            {"duplicate": result.duplicate, "resume": result.resume}
        ).data
        return Response(body, status=status.HTTP_200_OK if result.duplicate else 201)


class ResumeDetail(APIView):
    @extend_schema(responses=serializers.ResumeSerializer)
    def get(self, request, pk):
        resume = _found("resume", pk, resume_selectors.resume_get(pk=pk))
        return Response(serializers.ResumeSerializer(resume).data)


# --- Interviews ---


def _interview(pk):
    return _get(interview_selectors.interview_list(), "interview", pk)


@extend_schema_view(get=_status_filter(Interview.Status.choices))
class InterviewList(generics.ListAPIView):
    serializer_class = serializers.InterviewSerializer

    def get_queryset(self):
        return interview_selectors.interview_list(
            status=self.request.query_params.get("status") or None
        )

    @extend_schema(
        request=serializers.InterviewCreateSerializer,
        responses={201: serializers.InterviewSerializer},
        description=(
            "An interview for a candidate, on a job's plan when `job` is given, else on an "
            "ad-hoc plan from `role_title` and `job_description`. Its `join_url` is the "
            "candidate's link."
        ),
    )
    def post(self, request):
        incoming = serializers.InterviewCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            if data.get("job"):
                created, _skipped = job_services.job_interviews_create(
                    job=data["job"], candidates=[data["candidate"]], user=request.user
                )
                if not created:
                    raise Conflict(
                        "This candidate already has an interview for this job that is still "
                        "to run or running."
                    )
                interview = created[0].interview
            else:
                interview, _secret = interview_services.interview_create(
                    candidate=data["candidate"],
                    role_title=data["role_title"].strip(),
                    job_description=data["job_description"],
                    max_duration_minutes=data["max_duration_minutes"],
                    created_by=request.user,
                )
        except (NoActiveProfile, job_services.JobUnavailable) as exc:
            raise Conflict(str(exc)) from None
        body = serializers.InterviewSerializer(_interview(interview.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class InterviewDetail(APIView):
    @extend_schema(responses=serializers.InterviewSerializer)
    def get(self, request, pk):
        return Response(serializers.InterviewSerializer(_interview(pk)).data)


class InterviewLink(APIView):
    @extend_schema(responses=serializers.InterviewLinkSerializer)
    def get(self, request, pk):
        interview = _interview(pk)
        link = {
            "url": interview_selectors.interview_join_url(interview),
            "expires_at": interview.link_expires_at,
            "problem": interview_selectors.interview_link_problem(interview),
        }
        return Response(serializers.InterviewLinkSerializer(link).data)


class InterviewCancel(APIView):
    @extend_schema(request=None, responses=serializers.CancellationSerializer)
    def post(self, request, pk):
        try:
            cancellation = interview_services.interview_cancel(interview=_interview(pk))
        except interview_services.InterviewUnavailable as exc:
            raise Conflict(str(exc)) from None
        body = {
            "interview": _interview(pk),
            "room_left_open": cancellation.room_left_open,
        }
        return Response(serializers.CancellationSerializer(body).data)


class InterviewTranscript(APIView):
    @extend_schema(responses=serializers.TranscriptSerializer)
    def get(self, request, pk):
        interview = _interview(pk)
        body = {"interview": interview.pk, "segments": transcript_data(interview)}
        return Response(serializers.TranscriptSerializer(body).data)


REPORT_FIELDS = ("report_status", "report_error", "report")


class InterviewReport(APIView):
    @extend_schema(responses=serializers.ReportSerializer)
    def get(self, request, pk):
        data = interview_data(_interview(pk))
        body = {"interview": pk, **{key: data[key] for key in REPORT_FIELDS}}
        return Response(serializers.ReportSerializer(body).data)


# --- Tokens (admins) ---


class TokenList(generics.ListAPIView):
    """Every user's API tokens (never the tokens themselves), for admins."""

    serializer_class = serializers.TokenSerializer
    permission_classes = [IsAdmin]
    queryset = selectors.token_list_all()


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, open to anyone: it describes the API and holds no data."""

    authentication_classes = []
    permission_classes = [AllowAny]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI on the schema; its script is a file of its own, as the CSP wants."""

    authentication_classes = []
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"


# Swagger UI's stylesheet draws its icons as data: images; only this page allows them.
docs = csp_update({"img-src": [SELF, "data:"]})(DocsView.as_view(url_name="api:schema"))


def not_found(request):
    body = error_body(
        "not_found",
        f"There is no API endpoint at {request.path}. Paths end with a slash; the schema at "
        "/api/schema/ lists them all.",
    )
    return JsonResponse(body, status=404)


# --- The tokens page ---


@login_required
@never_cache
def token_page(request):
    """The user's tokens; a new one is shown once, on the page that answers its creation."""
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = services.token_create(
            user=request.user, name=form.cleaned_data["name"]
        )
        form = TokenForm()
    context = {
        "form": form,
        "tokens": selectors.token_list(user=request.user),
        "new_secret": new_secret,
    }
    return render(request, "api/token_list.html", context)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(selectors.token_list(user=request.user), pk=pk)
    services.token_revoke(token=token, user=request.user)
    messages.success(request, f"The token “{token.name}” is revoked: requests with it are refused.")
    return redirect("api:tokens")
