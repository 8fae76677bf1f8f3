from django.urls import path

from agents import views
from agents.urls_transcripts import urlpatterns as transcript_urlpatterns

app_name = "agents"
urlpatterns = [
    path("", views.interview_list, name="interview_list"),
    path("new/", views.interview_create, name="interview_create"),
    path("<int:pk>/", views.interview_detail, name="interview_detail"),
    path("<int:pk>/cancel/", views.interview_cancel, name="interview_cancel"),
    path("<int:pk>/new-link/", views.interview_new_link, name="interview_new_link"),
    *transcript_urlpatterns,
]
