# Included into the "agents" namespace by agents/urls.py.
from django.urls import path

from agents import views_transcripts as views

urlpatterns = [
    path("<int:pk>/report/", views.report_edit, name="report_edit"),
    path("<int:pk>/report/retry/", views.report_retry_view, name="report_retry"),
    path("<int:pk>/transcript.txt", views.transcript_text, name="transcript_text"),
    path("<int:pk>/transcript.json", views.transcript_json, name="transcript_json"),
    path("<int:pk>/export.json", views.interview_json, name="interview_json"),
]
