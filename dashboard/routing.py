from django.urls import path

from agents.routing import websocket_urlpatterns as agents_websockets
from dashboard.consumers import LiveUpdatesConsumer

websocket_urlpatterns = [
    path("ws/live/<str:topic>/", LiveUpdatesConsumer.as_asgi()),
    *agents_websockets,
]
