"""The OpenAPI schema's view of the API's own parts: bearer tokens and the one error shape."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs: invalid, not_found, throttled…")
    message = serializers.CharField(help_text="What went wrong, in plain words, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For invalid input: each field's problems.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_ERRORS = {
    "400": "The input is not valid (`fields` says why).",
    "401": "No token, or a wrong or revoked one.",
    "403": "The token's user lacks the role for this.",
    "404": "There is no such thing.",
    "409": "It can't be done now (the message says why).",
    "429": "Too many requests: wait for Retry-After seconds.",
    "500": "Something went wrong on the server.",
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "429", "500"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["400", "409"]
        if "{" in self.path:
            codes.append("404")
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=_ERRORS[code]), code
                )
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token made on /api/tokens/.",
        }
