from django.urls import include, path, re_path

from api import views

v1 = [
    path("jobs/", views.JobList.as_view(), name="jobs"),
    path("jobs/<int:pk>/", views.JobDetail.as_view(), name="job"),
    path("candidates/", views.CandidateList.as_view(), name="candidates"),
    path("candidates/<int:pk>/", views.CandidateDetail.as_view(), name="candidate"),
    path("resumes/", views.ResumeUpload.as_view(), name="resumes"),
    path("resumes/<int:pk>/", views.ResumeDetail.as_view(), name="resume"),
    path("interviews/", views.InterviewList.as_view(), name="interviews"),
    path("interviews/<int:pk>/", views.InterviewDetail.as_view(), name="interview"),
    path("interviews/<int:pk>/link/", views.InterviewLink.as_view(), name="interview_link"),
    path("interviews/<int:pk>/cancel/", views.InterviewCancel.as_view(), name="interview_cancel"),
    path(
        "interviews/<int:pk>/transcript/",
        views.InterviewTranscript.as_view(),
        name="interview_transcript",
    ),
    path("interviews/<int:pk>/report/", views.InterviewReport.as_view(), name="interview_report"),
    path("tokens/", views.TokenList.as_view(), name="all_tokens"),
]

app_name = "api"
urlpatterns = [
    path("api/tokens/", views.token_page, name="tokens"),
    path("api/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("api/schema/", views.SchemaView.as_view(), name="schema"),
    path("api/docs/", views.docs, name="docs"),
    path("api/v1/", include(v1)),
    # Anything else under /api/ answers in the API's error shape, not with the HTML 404 page.
    re_path(r"^api/", views.not_found),
]
