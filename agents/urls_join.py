"""The candidate's pages: included at the site root as `join/` (no account needed)."""

from django.urls import path

from agents import views

app_name = "join"
urlpatterns = [
    path("<str:secret>/", views.join_page, name="page"),
    path("<str:secret>/token/", views.join_token, name="token"),
]
