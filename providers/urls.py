from django.urls import include, path

from providers import views

profile_patterns = (
    [
        path("", views.profile_list, name="list"),
        path("new/", views.profile_create, name="create"),
        path("fetch-models/", views.profile_fetch_models, name="fetch_models"),
        path("<int:pk>/edit/", views.profile_edit, name="edit"),
        path("<int:pk>/duplicate/", views.profile_duplicate, name="duplicate"),
        path("<int:pk>/delete/", views.profile_delete, name="delete"),
        path("<int:pk>/activate/", views.profile_activate, name="activate"),
        path("<int:pk>/test/", views.profile_test, name="test"),
    ],
    "providers",
)

urlpatterns = [path("providers/", include(profile_patterns))]
