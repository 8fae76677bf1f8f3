from django.urls import include, path

from resumes import views

candidate_patterns = (
    [
        path("", views.candidate_list, name="list"),
        path("upload/", views.resume_upload, name="upload"),
        path("<int:pk>/", views.candidate_detail, name="detail"),
        path("<int:pk>/export.json", views.candidate_export, name="export"),
        path("<int:pk>/merge/", views.candidate_merge, name="merge"),
        path("<int:pk>/keep/", views.candidate_keep, name="keep"),
        path("resumes/<int:pk>/file/", views.resume_file, name="file"),
        path("resumes/<int:pk>/reparse/", views.resume_reparse, name="reparse"),
    ],
    "resumes",
)

urlpatterns = [path("candidates/", include(candidate_patterns))]
