"""OpenAI-shaped errors: ``{"error": {"message", "type", "code", "param"}}``."""

from __future__ import annotations

from aiohttp import web

_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    503: "server_error",
}


class APIError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        type_: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.type = type_ or _TYPES.get(
            status, "server_error" if status >= 500 else "invalid_request_error"
        )

    def response(self) -> web.Response:
        return error_response(
            self.status, self.message, code=self.code, param=self.param, type_=self.type
        )


def error_body(
    status: int,
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    type_: str | None = None,
) -> dict:
    return {
        "error": {
            "message": message,
            "type": type_
            or _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error"),
            "code": code,
            "param": param,
        }
    }


def error_response(status: int, message: str, **kw) -> web.Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return web.json_response(error_body(status, message, **kw), status=status, headers=headers)


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> APIError:
    return APIError(400, message, param=param, code=code)


def model_not_found(model: str) -> APIError:
    return APIError(
        404,
        f"The model `{model}` does not exist or you do not have access to it.",
        code="model_not_found",
        param="model",
    )


def not_ready(service: str) -> APIError:
    return APIError(
        503, f"The {service} model is still loading; retry shortly.", code="model_loading"
    )
