from django.urls import path

from resumes import views

app_name = "resumes"
urlpatterns = [
    path("", views.candidate_list, name="list"),
]
