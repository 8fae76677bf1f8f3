from django.urls import include, path

from agents import views

interview_patterns = (
    [
        path("", views.interview_list, name="interview_list"),
        path("new/", views.interview_create, name="interview_create"),
        path("<int:pk>/", views.interview_detail, name="interview_detail"),
        path("<int:pk>/cancel/", views.interview_cancel, name="interview_cancel"),
        path("<int:pk>/new-link/", views.interview_new_link, name="interview_new_link"),
        path("<int:pk>/report/", views.report_edit, name="report_edit"),
        path("<int:pk>/report/retry/", views.report_retry, name="report_retry"),
        path("<int:pk>/transcript.txt", views.transcript_text, name="transcript_text"),
        path("<int:pk>/transcript.json", views.transcript_json, name="transcript_json"),
        path("<int:pk>/export.json", views.interview_json, name="interview_json"),
        path("<int:pk>/recording.ogg", views.recording_download, name="recording_download"),
        path("<int:pk>/recording/delete/", views.recording_delete, name="recording_delete"),
    ],
    "agents",
)

# The candidate's pages: no account needed, the link's secret is the key.
join_patterns = (
    [
        path("<str:secret>/", views.join_page, name="page"),
        path("<str:secret>/token/", views.join_token, name="token"),
    ],
    "join",
)

urlpatterns = [
    path("interviews/", include(interview_patterns)),
    path("join/", include(join_patterns)),
]
