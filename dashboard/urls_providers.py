from django.urls import path

from dashboard import provider_views

app_name = "providers"
urlpatterns = [
    path("", provider_views.profile_list, name="list"),
]
