"""LLM: the llama.cpp server from ``xllamacpp`` runs in-process on a private loopback port with
SmolLM2-135M-Instruct; ``/api/llm/v1/*`` is proxied to it (SSE streamed through unchanged)."""

from __future__ import annotations

import json
import logging
import socket
import time

import aiohttp
from aiohttp import web

from .assets import smollm2_gguf
from .errors import APIError, bad_request, not_ready
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


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class LanguageModel:
    def __init__(
        self, threads: int = 2, ctx: int = 8192, parallel: int = 4, max_tokens: int = 2048
    ) -> None:
        self.threads = threads
        self.ctx = ctx
        self.parallel = parallel
        self.max_tokens = max_tokens
        self.server = None
        self.base_url: str | None = None
        self.session: aiohttp.ClientSession | None = None

    @property
    def ready(self) -> bool:
        return self.base_url is not None

    def load(self) -> None:
        import xllamacpp as xlc

        path = smollm2_gguf()
        started = time.perf_counter()
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
        params.flash_attn_type = xlc.llama_flash_attn_type.LLAMA_FLASH_ATTN_TYPE_ENABLED
        params.verbosity = -1
        self.server = xlc.Server(params)
        self.base_url = self.server.listening_address.rstrip("/")
        log.info(
            "llm: loaded %s (ctx %d, %d slots, %d threads) in %.2fs; llama.cpp at %s",
            path.name,
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
                connector=aiohttp.TCPConnector(limit=64),
                auto_decompress=False,
            )
        return self.session


def routes(llm: LanguageModel, settings) -> list[web.RouteDef]:
    async def models(request: web.Request) -> web.Response:
        return web.json_response(LLM_MODELS.listing())

    async def proxy(request: web.Request) -> web.StreamResponse:
        tail = request.match_info["tail"]
        body = await request.read()
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
        url = f"{llm.base_url}/v1/{tail}"
        headers = {
            k: v for k, v in request.headers.items() if k.lower() in ("content-type", "accept")
        }
        try:
            upstream = await llm.client().request(
                request.method, url, params=request.query, data=body or None, headers=headers
            )
        except aiohttp.ClientError as exc:
            raise APIError(
                502, f"The LLM backend is unreachable: {exc}", type_="server_error"
            ) from None
        async with upstream:
            response = web.StreamResponse(
                status=upstream.status,
                headers={
                    k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_HEADERS
                },
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
