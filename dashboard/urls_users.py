from django.urls import path

from dashboard import views

app_name = "users"
urlpatterns = [
    path("", views.user_list, name="list"),
    path("new/", views.user_create, name="create"),
    path("<int:pk>/toggle-active/", views.user_toggle_active, name="toggle_active"),
]
