"""The aiohttp application: middlewares (access log, OpenAI-shaped errors, bearer key),
background model loading, ``/health`` and the three services' routes."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
import uuid

from aiohttp import web

from . import llm as llm_mod
from . import stt as stt_mod
from . import tts as tts_mod
from .config import Settings
from .errors import APIError, error_response
from .registry import LLM_MODELS, TTS_MODELS

log = logging.getLogger("localmodels")
access_log = logging.getLogger("localmodels.access")

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", dict)
STATUS = web.AppKey("status", dict)


@web.middleware
async def access_middleware(request: web.Request, handler):
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        access_log.info(
            "%s %s %d %.1fms",
            request.method,
            request.path,
            status,
            (time.perf_counter() - started) * 1000,
        )


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except APIError as exc:
        return exc.response()
    except web.HTTPRequestEntityTooLarge as exc:
        return error_response(
            413,
            f"The request body exceeds the limit of {exc.max_size} bytes.",
            code="request_too_large",
        )
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, exc.reason or "Error")
    except (ConnectionResetError, asyncio.CancelledError):
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal server error.", type_="server_error")


def auth_middleware_for(settings: Settings):
    @web.middleware
    async def auth_middleware(request: web.Request, handler):
        if settings.api_key and request.path.startswith("/api/"):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token:
                return error_response(
                    401,
                    "Missing bearer API key (Authorization: Bearer <key>).",
                    code="missing_api_key",
                )
            if not hmac.compare_digest(token.strip().encode(), settings.api_key.encode()):
                return error_response(401, "Incorrect API key provided.", code="invalid_api_key")
        return await handler(request)

    return auth_middleware


def size_guard_for(settings: Settings):
    limit = settings.max_upload_bytes + 1024 * 1024  # room for multipart framing and fields

    @web.middleware
    async def size_guard(request: web.Request, handler):
        if request.content_length is not None and request.content_length > limit:
            return error_response(
                413,
                f"The request body exceeds the {settings.max_upload_bytes // (1024 * 1024)}"
                " MB limit.",
                code="request_too_large",
            )
        return await handler(request)

    return size_guard


async def _add_request_id(request: web.Request, response: web.StreamResponse) -> None:
    # livekit-plugins-openai reads it (x-request-id) to tag synthesised audio
    response.headers.setdefault(
        "X-Request-Id", request.headers.get("X-Request-Id") or uuid.uuid4().hex
    )


async def _load_all(app: web.Application) -> None:
    services = app[SERVICES]
    status = app[STATUS]
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    for name, service in services.items():
        status[name] = "loading"
        log.info("loading %s model ...", name)
        try:
            await loop.run_in_executor(None, service.load)
            status[name] = "ready"
        except Exception as exc:  # keep serving the others; /health reports it
            status[name] = f"failed: {exc}"
            log.exception("failed to load %s model", name)
    log.info("model loading finished in %.2fs: %s", time.perf_counter() - started, status)


async def _on_startup(app: web.Application) -> None:
    app["loader"] = asyncio.create_task(_load_all(app))


async def _on_cleanup(app: web.Application) -> None:
    loader = app.get("loader")
    if loader and not loader.done():
        loader.cancel()
    services = app[SERVICES]
    if "llm" in services:
        await services["llm"].close()
    if "tts" in services:
        services["tts"].close()
    for service in services.values():
        executor = getattr(service, "executor", None)
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings.from_env()
    app = web.Application(
        middlewares=[
            access_middleware,
            error_middleware,
            size_guard_for(settings),
            auth_middleware_for(settings),
        ],
        client_max_size=settings.max_upload_bytes + 1024 * 1024,
    )
    app[SETTINGS] = settings
    services: dict = {}
    if "stt" in settings.services:
        services["stt"] = stt_mod.SpeechToText(
            settings.stt_threads,
            settings.stt_workers,
            settings.stt_beam_size,
            default=settings.stt_model,
            cache_dir=settings.cache_dir,
        )
        app.add_routes(stt_mod.routes(services["stt"], settings))
    if "tts" in settings.services:
        services["tts"] = tts_mod.TextToSpeech(settings.tts_threads, settings.tts_workers)
        app.add_routes(tts_mod.routes(services["tts"], settings))
    if "llm" in settings.services:
        services["llm"] = llm_mod.LanguageModel(
            threads=settings.llm_threads,
            ctx=settings.llm_ctx,
            parallel=settings.llm_parallel,
            max_tokens=settings.llm_max_tokens,
            json_max_tokens=settings.llm_json_max_tokens,
            gguf=settings.llm_gguf,
            quant=settings.llm_quant,
            cache_dir=settings.cache_dir,
        )
        app.add_routes(llm_mod.routes(services["llm"], settings))
    app[SERVICES] = services
    app[STATUS] = {name: "pending" for name in services}
    names = {"stt": settings.stt_model, "tts": TTS_MODELS.canonical, "llm": LLM_MODELS.canonical}

    async def health(request: web.Request) -> web.Response:
        status = request.app[STATUS]
        ready = all(v == "ready" for v in status.values())
        models = {
            k: {"model": names[k], "state": v, "loaded": v == "ready"} for k, v in status.items()
        }
        if "stt" in services:
            models["stt"]["installed"] = services["stt"].available
        if "llm" in services:
            llm = services["llm"]
            models["llm"]["quant"] = llm.quant
            models["llm"]["file"] = llm.model_path.name if llm.model_path else None
            models["llm"].update(await llm.slot_status())
        return web.json_response(
            {"ready": ready, "status": "ok" if ready else "loading", "models": models},
            status=200 if ready else 503,
        )

    async def root(request: web.Request) -> web.Response:
        return web.json_response(
            {"service": "localmodels", "endpoints": [f"/api/{k}/v1" for k in services]}
        )

    app.add_routes([web.get("/health", health), web.get("/", root)])
    app.on_response_prepare.append(_add_request_id)
    app.on_startup.append(_on_startup)
    app.on_cleanup.append(_on_cleanup)
    return app
