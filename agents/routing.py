from django.urls import path

from agents.consumers import CandidateCaptionsConsumer, InterviewTranscriptConsumer

websocket_urlpatterns = [
    path("ws/interviews/<int:pk>/", InterviewTranscriptConsumer.as_asgi()),
    path("ws/join/<str:secret>/", CandidateCaptionsConsumer.as_asgi()),
]
