"""Live updates pushed to open pages.

Services call `broadcast` after their write has committed; a page subscribes
to a topic over `ws/live/<topic>/`. Broadcasting is best effort: the data is
already stored, so a Redis outage only delays what the page shows until it
reloads.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# Who may subscribe to each topic; a topic is "<name>" or "<name>.<id>".
TOPIC_PERMISSIONS = {
    "resumes": lambda user: user.is_recruiter,
    "providers": lambda user: user.is_admin,
}


def topic_allowed(user, topic):
    check = TOPIC_PERMISSIONS.get(topic.split(".", 1)[0])
    return bool(user and user.is_authenticated and check and check(user))


def group_name(topic):
    return f"live.{topic}"


def broadcast(topic, event, payload):
    """Send `{"event": event, "payload": payload}` to every page on `topic`."""
    message = {"type": "live.event", "event": event, "payload": payload}
    try:
        async_to_sync(get_channel_layer().group_send)(group_name(topic), message)
    except Exception:
        logger.warning("Live update %s on %s not delivered", event, topic, exc_info=True)
