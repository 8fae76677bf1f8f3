from django.contrib import admin
from django.urls import include, path

from dashboard import views

# Each app's urls.py owns its paths and namespaces.
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("accounts.urls")),
    path("", include("providers.urls")),
    path("", include("resumes.urls")),
    path("", include("agents.urls")),
    path("", include("jobs.urls")),
    path("", include("notifications.urls")),
    path("", include("webhooks.urls")),
    # Last: it answers anything else under /api/ with the API's 404.
    path("", include("api.urls")),
    path("django-admin/", admin.site.urls),
]
