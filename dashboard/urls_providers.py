from django.urls import path

from dashboard import provider_views

app_name = "providers"
urlpatterns = [
    path("", provider_views.profile_list, name="list"),
    path("new/", provider_views.profile_create, name="create"),
    path("fetch-models/", provider_views.profile_fetch_models, name="fetch_models"),
    path("<int:pk>/edit/", provider_views.profile_edit, name="edit"),
    path("<int:pk>/duplicate/", provider_views.profile_duplicate, name="duplicate"),
    path("<int:pk>/delete/", provider_views.profile_delete, name="delete"),
    path("<int:pk>/activate/", provider_views.profile_activate, name="activate"),
    path("<int:pk>/test/", provider_views.profile_test, name="test"),
]
