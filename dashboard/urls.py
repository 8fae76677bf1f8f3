from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", include("dashboard.urls_users")),
    path("providers/", include("dashboard.urls_providers")),
    path("candidates/", include("resumes.urls")),
    path("interviews/", include("agents.urls")),
    path("join/", include("agents.urls_join")),
    path("django-admin/", admin.site.urls),
]
