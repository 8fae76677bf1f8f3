from django.urls import include, path

from jobs import views

job_patterns = (
    [
        path("", views.job_list, name="list"),
        path("new/", views.job_create, name="create"),
        path("<int:pk>/", views.job_detail, name="detail"),
        path("<int:pk>/edit/", views.job_edit, name="edit"),
        path("<int:pk>/plan/", views.job_plan_save, name="plan"),
        path("<int:pk>/close/", views.job_close, name="close"),
        path("<int:pk>/reopen/", views.job_reopen, name="reopen"),
        path("<int:pk>/candidates/", views.job_candidate_add, name="candidate_add"),
        path(
            "<int:pk>/candidates/<int:candidate_id>/remove/",
            views.job_candidate_remove,
            name="candidate_remove",
        ),
        path("<int:pk>/interviews/", views.job_interviews_create, name="interviews_create"),
        path("<int:pk>/compare/", views.job_compare, name="compare"),
        path("<int:pk>/compare.csv", views.job_compare_csv, name="compare_csv"),
        path(
            "add-candidate/<int:candidate_id>/",
            views.candidate_add_to_job,
            name="candidate_add_to_job",
        ),
    ],
    "jobs",
)

urlpatterns = [path("jobs/", include(job_patterns))]
