from django.urls import include, path

from notifications import views

mail_patterns = (
    [path("<int:pk>/invitation/resend/", views.invitation_resend, name="invitation_resend")],
    "notifications",
)

# Beside the interview pages of agents.urls (which leaves this path to this app).
urlpatterns = [path("interviews/", include(mail_patterns))]
