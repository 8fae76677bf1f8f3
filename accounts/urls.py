from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views

users_patterns = (
    [
        path("", views.user_list, name="list"),
        path("new/", views.user_create, name="create"),
        path("invite/", views.user_invite, name="invite"),
        path("<int:pk>/invite/", views.user_new_invite, name="new_invite"),
        path("<int:pk>/toggle-active/", views.user_toggle_active, name="toggle_active"),
    ],
    "users",
)

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/invite/<str:secret>/", views.invite_accept, name="invite_accept"),
    path("users/", include(users_patterns)),
]
