"""A scriptable OpenAI-compatible server for tests that need exact replies or faults.

It runs in a thread on a free loopback port, so the code under test reaches it
over real HTTP (also from a Celery worker process). Each route answers from a
queue of scripted replies, then from its default:

    fake.script("chat", Reply(status=429, headers={"Retry-After": "1"}), Reply(content="{}"))
    fake.requests["chat"]   # the JSON bodies (or form fields) it received
    fake.most_at_once["chat"]   # the most requests it was answering at the same time

Routes: chat (POST /v1/chat/completions, streamed as SSE when asked), completions
(POST /v1/completions, text completion, not streamed), models
(GET /v1/models), speech (POST /v1/audio/speech), transcriptions
(POST /v1/audio/transcriptions), voices (GET /v1/audio/voices).
"""

import asyncio
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from aiohttp import web

from tests.processes import free_port


@dataclass
class Reply:
    status: int = 200
    # For chat: the assistant message text; wrapped in a chat.completion (or SSE chunks).
    content: str | None = None
    json: object = None
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    content_type: str | None = None
    # Seconds to wait before answering (to trigger client timeouts).
    delay: float = 0.0
    # For chat: function calls the assistant makes, as [{"name": ..., "arguments": {...}}].
    tool_calls: list | None = None

    @classmethod
    def error(cls, status, message, code=None):
        return cls(
            status=status,
            json={"error": {"message": message, "type": "invalid_request_error", "code": code}},
        )


def _chat_completion(content, model):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _tool_call_message(tool_calls):
    return [
        {
            "index": index,
            "id": f"call_fake_{index}",
            "type": "function",
            "function": {"name": call["name"], "arguments": json.dumps(call.get("arguments", {}))},
        }
        for index, call in enumerate(tool_calls)
    ]


def _tool_call_chunks(tool_calls, model):
    base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model}
    yield {
        **base,
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", "tool_calls": _tool_call_message(tool_calls)},
            }
        ],
    }
    yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}


def _chat_chunks(content, model):
    base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model}
    words = content.split(" ")
    for index, word in enumerate(words):
        piece = word if index == len(words) - 1 else word + " "
        yield {**base, "choices": [{"index": 0, "delta": {"content": piece}}]}
    yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def _text_completion(content, model):
    return {
        "id": "cmpl-fake",
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "text": content, "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


DEFAULTS = {
    "chat": lambda: Reply(content="Hello from the scripted model."),
    "completions": lambda: Reply(content=" Hello from the scripted model."),
    "models": lambda: Reply(json={"object": "list", "data": [{"id": "fake-model"}]}),
    "speech": lambda: Reply(body=b"\x00\x00" * 24000, content_type="audio/pcm"),
    "transcriptions": lambda: Reply(json={"text": "hello from the scripted transcriber"}),
    "voices": lambda: Reply(json={"voices": ["fake-voice"]}),
}


class FakeOpenAI:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.queues = defaultdict(deque)
        self.defaults = {name: make() for name, make in DEFAULTS.items()}
        self.requests = defaultdict(list)
        # Requests being answered now, and the most answered at once, per route.
        self.in_flight = defaultdict(int)
        self.most_at_once = defaultdict(int)
        self._loop = asyncio.new_event_loop()
        self._runner = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def script(self, route, *replies):
        self.queues[route].extend(replies)

    def reset(self):
        self.queues.clear()
        self.requests.clear()
        self.in_flight.clear()
        self.most_at_once.clear()
        self.defaults = {name: make() for name, make in DEFAULTS.items()}

    def _next(self, route):
        queue = self.queues[route]
        return queue.popleft() if queue else self.defaults[route]

    async def _answer(self, route, request, payload):
        self.in_flight[route] += 1
        self.most_at_once[route] = max(self.most_at_once[route], self.in_flight[route])
        try:
            return await self._reply(route, request, payload)
        finally:
            self.in_flight[route] -= 1

    async def _reply(self, route, request, payload):
        if route == "completions" and payload.get("max_tokens") == 0:
            # As llama.cpp does: the prompt is only read (into its cache), nothing is written.
            self.requests["prompt_only"].append(payload)
            return web.json_response(_text_completion("", payload.get("model", "fake-model")))
        self.requests[route].append(payload)
        reply = self._next(route)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if route == "chat" and reply.tool_calls and reply.status == 200:
            model = payload.get("model", "fake-model")
            if payload.get("stream"):
                response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
                await response.prepare(request)
                for chunk in _tool_call_chunks(reply.tool_calls, model):
                    await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
                await response.write(b"data: [DONE]\n\n")
                await response.write_eof()
                return response
            completion = _chat_completion(None, model)
            completion["choices"][0]["message"]["tool_calls"] = _tool_call_message(reply.tool_calls)
            completion["choices"][0]["finish_reason"] = "tool_calls"
            return web.json_response(completion)
        if route == "chat" and reply.content is not None and reply.status == 200:
            model = payload.get("model", "fake-model")
            if payload.get("stream"):
                response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
                await response.prepare(request)
                for chunk in _chat_chunks(reply.content, model):
                    await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
                await response.write(b"data: [DONE]\n\n")
                await response.write_eof()
                return response
            return web.json_response(_chat_completion(reply.content, model))
        if route == "completions" and reply.content is not None and reply.status == 200:
            return web.json_response(
                _text_completion(reply.content, payload.get("model", "fake-model"))
            )
        if reply.json is not None:
            return web.json_response(reply.json, status=reply.status, headers=reply.headers)
        return web.Response(
            body=reply.body,
            status=reply.status,
            headers=reply.headers,
            content_type=reply.content_type or "application/octet-stream",
        )

    def _handler(self, route):
        async def handle(request):
            if request.content_type == "multipart/form-data":
                form = await request.post()
                payload = {
                    key: (value.file.read() if hasattr(value, "file") else value)
                    for key, value in form.items()
                }
            elif request.can_read_body:
                payload = await request.json()
            else:
                payload = {}
            payload["_authorization"] = request.headers.get("Authorization", "")
            return await self._answer(route, request, payload)

        return handle

    async def _start(self):
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._handler("chat"))
        app.router.add_post("/v1/completions", self._handler("completions"))
        app.router.add_get("/v1/models", self._handler("models"))
        app.router.add_post("/v1/audio/speech", self._handler("speech"))
        app.router.add_post("/v1/audio/transcriptions", self._handler("transcriptions"))
        app.router.add_get("/v1/audio/voices", self._handler("voices"))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def start(self):
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self):
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
