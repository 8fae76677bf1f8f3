from django.urls import include, path

from webhooks import views

endpoint_patterns = (
    [
        path("", views.endpoint_list, name="list"),
        path("new/", views.endpoint_create, name="create"),
        path("<int:pk>/", views.endpoint_detail, name="detail"),
        path("<int:pk>/edit/", views.endpoint_edit, name="edit"),
        path("<int:pk>/toggle-active/", views.endpoint_toggle_active, name="toggle_active"),
        path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
        path(
            "<int:pk>/deliveries/<uuid:delivery_id>/replay/",
            views.delivery_replay,
            name="replay",
        ),
    ],
    "webhooks",
)

urlpatterns = [path("webhooks/", include(endpoint_patterns))]
