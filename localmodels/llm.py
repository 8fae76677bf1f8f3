"""LLM: the llama.cpp server from ``xllamacpp`` runs in-process on a private loopback port with
SmolLM2-135M-Instruct; ``/api/llm/v1/*`` is proxied to it.

Generation requests (``chat/completions``, ``completions``) get more than a pass-through:

* ``max_tokens`` is capped by a server setting (and set when the client gave none);
* ``response_format {"type": "json_object"}`` is replaced by a bounded, whitespace-free GBNF
  grammar (``json_grammar.py``) with a lower token cap; ``json_schema`` is passed on unchanged;
* at most one request per llama.cpp slot is sent upstream; the others wait, in arrival order, in
  the proxy, where a client that gives up leaves the queue without costing anything;
* when the client disconnects, the upstream request is closed, and llama.cpp stops that slot.
  llama.cpp notices a closed connection only while streaming, so upstream requests are always
  streamed; for a client that asked for no stream the proxy assembles the chunks into the
  ordinary ``chat.completion`` / ``text_completion`` object.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from .assets import MissingModel, smollm2_gguf
from .errors import APIError, bad_request, not_ready
from .json_grammar import JSON_OBJECT_GRAMMAR
from .registry import LLM_MODELS

log = logging.getLogger("localmodels.llm")

_HOP_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "server",
    "date",
    "access-control-allow-origin",
}
GENERATION = {"chat/completions", "completions"}
_TOKEN_KEYS = ("max_tokens", "max_completion_tokens", "n_predict")
# How often a handler checks that its client is still connected.
DISCONNECT_POLL_S = 0.1


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ClientGone(Exception):
    """The downstream client disconnected."""


class LanguageModel:
    def __init__(
        self,
        threads: int = 2,
        ctx: int = 8192,
        parallel: int = 4,
        max_tokens: int = 2048,
        json_max_tokens: int = 1536,
        gguf: str = "",
        quant: str = "q4_1",
        cache_dir: str = "",
    ) -> None:
        self.threads = threads
        self.ctx = ctx
        self.parallel = max(1, parallel)
        self.max_tokens = max_tokens
        self.json_max_tokens = json_max_tokens
        self.gguf = gguf
        self.quant = quant
        self.cache_dir = cache_dir
        self.model_path: Path | None = None
        self.server = None
        self.base_url: str | None = None
        self.session: aiohttp.ClientSession | None = None
        self._gate: asyncio.Semaphore | None = None
        self.waiting = 0
        self.active = 0

    @property
    def ready(self) -> bool:
        return self.base_url is not None

    def source_path(self) -> Path:
        if not self.gguf:
            return smollm2_gguf()
        path = Path(self.gguf).expanduser()
        if not path.is_file():
            raise MissingModel(f"LOCALMODELS_LLM_GGUF={self.gguf!r} is not a file.")
        return path

    def load(self) -> None:
        import xllamacpp as xlc

        from . import quant

        started = time.perf_counter()
        path = quant.ensure(
            self.source_path(), self.quant, Path(self.cache_dir) if self.cache_dir else None
        )
        self.model_path = path
        params = xlc.CommonParams()
        params.model.path = str(path)
        params.model_alias = {LLM_MODELS.canonical}
        params.n_ctx = self.ctx
        params.n_parallel = self.parallel
        params.kv_unified = True  # every slot may use the whole context
        params.n_predict = self.max_tokens  # server-wide cap on generated tokens
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.hostnames = ["127.0.0.1"]
        params.port = free_port()
        params.warmup = True
        params.endpoint_slots = True  # private port; /health reports busy slots from it
        params.flash_attn_type = xlc.llama_flash_attn_type.LLAMA_FLASH_ATTN_TYPE_ENABLED
        params.verbosity = -1
        self.server = xlc.Server(params)
        self.base_url = self.server.listening_address.rstrip("/")
        log.info(
            "llm: loaded %s (%s; ctx %d, %d slots, %d threads) in %.2fs; llama.cpp at %s",
            path.name,
            self.quant,
            self.ctx,
            self.parallel,
            self.threads,
            time.perf_counter() - started,
            self.base_url,
        )

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    def client(self) -> aiohttp.ClientSession:
        if self.session is None:
            self.session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=5),
                # A fresh loopback connection per request: llama.cpp closes kept-alive ones
                # on its own schedule, and reusing one it has just closed failed a request
                # with "Server disconnected" (seen in CI). Connecting costs well under 1 ms.
                connector=aiohttp.TCPConnector(limit=64, force_close=True),
                auto_decompress=False,
            )
        return self.session

    @property
    def gate(self) -> asyncio.Semaphore:
        # one upstream generation per llama.cpp slot; asyncio.Semaphore wakes waiters in order
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.parallel)
        return self._gate

    async def slot_status(self) -> dict:
        """Busy llama.cpp slots and the proxy's own queue (for /health)."""
        status = {"slots": self.parallel, "active": self.active, "waiting": self.waiting}
        if not self.ready:
            return status
        try:
            async with self.client().get(
                f"{self.base_url}/slots", timeout=aiohttp.ClientTimeout(total=2)
            ) as resp:
                slots = await resp.json()
            status["busy"] = sum(1 for s in slots if s.get("is_processing"))
        except (aiohttp.ClientError, TimeoutError, ValueError):
            status["busy"] = None
        return status

    def prepare(self, payload: dict) -> dict:
        """Cap the token budget; swap JSON mode for the bounded grammar."""
        cap = self.max_tokens
        fmt = payload.get("response_format")
        if (
            isinstance(fmt, dict)
            and fmt.get("type") == "json_object"
            and not fmt.get("schema")
            and "grammar" not in payload
            and "json_schema" not in payload
        ):
            del payload["response_format"]
            payload["grammar"] = JSON_OBJECT_GRAMMAR
            cap = min(cap, self.json_max_tokens)
        cap_tokens(payload, cap)
        return payload


def cap_tokens(payload: dict, cap: int) -> None:
    """Lower every token-limit field to ``cap`` (negative means "no limit" to llama.cpp)."""
    present = [k for k in _TOKEN_KEYS if payload.get(k) is not None]
    limits = [
        payload[k]
        for k in present
        if isinstance(payload[k], int) and not isinstance(payload[k], bool) and payload[k] >= 0
    ]
    value = min([cap, *limits])
    for key in present:
        if isinstance(payload[key], int) and not isinstance(payload[key], bool):
            payload[key] = value
    if not present:
        payload["max_tokens"] = value


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def _until_disconnected(request: web.Request) -> None:
    while not _client_gone(request):
        await asyncio.sleep(DISCONNECT_POLL_S)


async def _unless_disconnected(request: web.Request, work):
    """Run ``work``; cancel it (which closes its upstream request) if the client goes away."""
    task = asyncio.ensure_future(work)
    watch = asyncio.ensure_future(_until_disconnected(request))
    try:
        await asyncio.wait({task, watch}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        raise ClientGone
    finally:
        watch.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def _sse_events(buffer: bytearray):
    """Pop complete SSE events off ``buffer``; yield the JSON of each ``data:`` line."""
    while True:
        buffer[:] = buffer.replace(b"\r\n", b"\n")
        end = buffer.find(b"\n\n")
        if end < 0:
            return
        event = bytes(buffer[:end])
        del buffer[: end + 2]
        for line in event.split(b"\n"):
            field, _, value = line.partition(b":")
            value = value.strip()
            if field not in (b"data", b"error") or not value or value == b"[DONE]":
                continue
            try:
                parsed = json.loads(value)
            except ValueError:
                continue
            if field == b"error" and isinstance(parsed, dict) and "error" not in parsed:
                parsed = {"error": parsed}
            yield parsed


def _merge_tool_calls(message: dict, deltas: list) -> None:
    calls = message.setdefault("tool_calls", [])
    for delta in deltas:
        index = delta.get("index", len(calls))
        while len(calls) <= index:
            calls.append({"type": "function", "function": {"name": "", "arguments": ""}})
        call = calls[index]
        for key, value in delta.items():
            if key == "index" or value is None:
                continue
            if key == "function":
                for fkey, fvalue in value.items():
                    if fvalue is not None:
                        call["function"][fkey] = call["function"].get(fkey, "") + fvalue
            else:
                call[key] = value


def _merge_logprobs(choice: dict, logprobs: dict | None) -> None:
    if not logprobs:
        return
    merged = choice.get("logprobs") or {}
    for key, value in logprobs.items():
        if isinstance(value, list):
            merged[key] = [*(merged.get(key) or []), *value]
        else:
            merged[key] = value
    choice["logprobs"] = merged


def assemble(chunks: list[dict], chat: bool) -> dict:
    """The non-streamed response equivalent to llama.cpp's streamed ``chunks``."""
    result: dict = {}
    choices: dict[int, dict] = {}
    for chunk in chunks:
        for key, value in chunk.items():
            if key != "choices" and (key not in result or key in ("usage", "timings")):
                result[key] = value
        for part in chunk.get("choices") or []:
            index = part.get("index", 0)
            choice = choices.setdefault(index, {"index": index, "finish_reason": None})
            if chat:
                message = choice.setdefault("message", {"role": "assistant", "content": None})
                for key, value in (part.get("delta") or {}).items():
                    if key == "tool_calls" and value:
                        _merge_tool_calls(message, value)
                    elif isinstance(value, str) and key != "role":
                        message[key] = (message.get(key) or "") + value
                    elif value is not None:
                        message[key] = value
            else:
                choice["text"] = choice.get("text", "") + (part.get("text") or "")
            _merge_logprobs(choice, part.get("logprobs"))
            if part.get("finish_reason"):
                choice["finish_reason"] = part["finish_reason"]
    result["object"] = "chat.completion" if chat else "text_completion"
    ordered = []
    for index in sorted(choices):
        choice = choices[index]
        if (
            chat
            and choice["message"].get("content") is None
            and not choice["message"].get("tool_calls")
        ):
            choice["message"]["content"] = ""
        if not chat:
            choice.setdefault("logprobs", None)
        ordered.append(choice)
    result["choices"] = ordered
    return result


def routes(llm: LanguageModel, settings) -> list[web.RouteDef]:
    async def models(request: web.Request) -> web.Response:
        return web.json_response(LLM_MODELS.listing())

    def forwarded_headers(request: web.Request) -> dict:
        return {k: v for k, v in request.headers.items() if k.lower() in ("content-type", "accept")}

    def response_headers(upstream: aiohttp.ClientResponse) -> dict:
        return {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_HEADERS}

    async def open_upstream(method: str, url: str, **kw) -> aiohttp.ClientResponse:
        try:
            return await llm.client().request(method, url, **kw)
        except aiohttp.ClientError as exc:
            raise APIError(
                502, f"The LLM backend is unreachable: {exc}", type_="server_error"
            ) from None

    async def generate(request: web.Request, tail: str, payload: dict) -> web.StreamResponse:
        wants_stream = bool(payload.get("stream"))
        payload["stream"] = True
        if not wants_stream:
            payload["stream_options"] = {"include_usage": True}
        body = json.dumps(payload).encode()
        llm.waiting += 1
        try:
            await llm.gate.acquire()
        finally:
            llm.waiting -= 1
        llm.active += 1
        upstream = None
        try:
            upstream = await open_upstream(
                "POST",
                f"{llm.base_url}/v1/{tail}",
                params=request.query,
                data=body,
                headers={"Content-Type": "application/json", "Accept": "text/event-stream"},
            )
            is_sse = upstream.content_type == "text/event-stream"
            if not is_sse or upstream.status != 200:  # an error before generation started
                data = await upstream.read()
                return web.Response(
                    status=upstream.status, body=data, headers=response_headers(upstream)
                )
            if wants_stream:
                response = web.StreamResponse(
                    status=upstream.status, headers=response_headers(upstream)
                )
                await response.prepare(request)
                async for chunk in upstream.content.iter_any():
                    try:
                        await response.write(chunk)
                    except (ConnectionError, aiohttp.ClientConnectionResetError):
                        raise ClientGone from None
                await response.write_eof()
                return response
            buffer = bytearray()
            chunks: list[dict] = []
            async for data in upstream.content.iter_any():
                buffer += data
                for event in _sse_events(buffer):
                    if "error" in event:
                        error = event["error"]
                        status = error.get("code") if isinstance(error, dict) else None
                        return web.json_response(
                            event, status=status if isinstance(status, int) else 500
                        )
                    chunks.append(event)
            buffer += b"\n\n"
            chunks.extend(e for e in _sse_events(buffer) if "error" not in e)
            return web.json_response(assemble(chunks, chat=tail == "chat/completions"))
        finally:
            if upstream is not None:
                # Closing (not releasing) drops the connection if the body was not read to the
                # end, which is how llama.cpp learns to stop generating for this request.
                upstream.close()
            llm.active -= 1
            llm.gate.release()

    async def proxy(request: web.Request) -> web.StreamResponse:
        tail = request.match_info["tail"]
        body = await request.read()
        payload = None
        if body and request.content_type == "application/json":
            try:
                payload = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise bad_request("The request body must be valid JSON.") from None
            if isinstance(payload, dict) and "model" in payload:
                payload["model"] = LLM_MODELS.resolve(payload.get("model"))
                body = json.dumps(payload).encode()
        if not llm.ready:
            raise not_ready("llm")
        if request.method == "POST" and tail in GENERATION and isinstance(payload, dict):
            llm.prepare(payload)
            try:
                return await _unless_disconnected(request, generate(request, tail, payload))
            except ClientGone:
                log.info("llm: client left; %s request cancelled", tail)
                return web.Response(status=499)  # never sent: the connection is gone
        upstream = await open_upstream(
            request.method,
            f"{llm.base_url}/v1/{tail}",
            params=request.query,
            data=body or None,
            headers=forwarded_headers(request),
        )
        async with upstream:
            response = web.StreamResponse(
                status=upstream.status, headers=response_headers(upstream)
            )
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response

    async def model_detail(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        LLM_MODELS.resolve(name)
        return web.json_response(LLM_MODELS.listing()["data"][0])

    return [
        web.get("/api/llm/v1/models", models),
        web.get("/api/llm/v1/models/{name}", model_detail),
        web.route("*", "/api/llm/v1/{tail:.*}", proxy),
    ]
