"""The largest request body the site accepts, enforced before Django reads any of it.

Django's ASGI handler reads the whole body into a temporary file (on disk past
FILE_UPLOAD_MAX_MEMORY_SIZE) before any view or middleware runs, so the limit of a
view (the resume size check) or of a sign-in comes too late to spare the disk.
"""

import json

from django.conf import settings


def _refusal(scope, max_bytes):
    limit_mb = max_bytes / 1024 / 1024
    message = (
        f"This request is larger than the {limit_mb:g} MB the site accepts, so it was refused "
        f"unread. A resume can be at most {settings.RESUME_MAX_UPLOAD_MB} MB: upload a smaller "
        "file, or one file at a time."
    )
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    if b"application/json" in accept:
        return b"application/json", json.dumps({"error": message}).encode()
    return b"text/plain; charset=utf-8", message.encode()


class RequestBodyLimit:
    """Answers 413 to an HTTP request whose Content-Length is over `max_bytes`, without
    reading its body, and to one whose streamed (chunked) body grows past it, without
    reading the rest."""

    def __init__(self, app, *, max_bytes):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._refuse(scope, send)

        received = 0
        too_large = False
        started = False

        async def counted_receive():
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Django drops a request whose client went away: its temporary file
                    # is closed and no view runs.
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, tracked_send)
        if too_large and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope, send):
        content_type, body = _refusal(scope, self.max_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
