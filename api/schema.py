"""OpenAPI details: the Api-Key security scheme and the error responses of every operation."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
)
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable machine-readable code: invalid, not_found, permission_denied, "
        "conflict, not_authenticated, authentication_failed, throttled, parse_error, "
        "method_not_allowed, unsupported_media_type, not_acceptable."
    )
    message = serializers.CharField(help_text="Human-readable explanation.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per offending input field (nested fields dotted, e.g. author.handle).",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `error.fields` names each offending field.",
    "401": "Missing, malformed, revoked or expired API key (or no browser session).",
    "403": "The key lacks the scope this operation needs, or the caller may see the object but "
    "not do this to it.",
    "404": "No such object, or it belongs to a department outside the key's scope.",
    "405": "Method not allowed on this path.",
    "406": "The Accept header asks for a format the API does not produce.",
    "409": "The object is not in a state that allows this action.",
    "415": "The request body must be JSON.",
    "429": "Too many requests for this key; retry after `Retry-After` seconds.",
}


class AutoSchema(SpectacularAutoSchema):
    """Adds the shared error shape to every operation, for the codes it can return."""

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "406", "429"]
        if "{" in self.path or self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.append("404")  # writes may name another object: a department, a user
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes += ["409", "415"]
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/"):
            return responses
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                if code == "429":
                    response["headers"] = {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Seconds until the key may call again.",
                        }
                    }
                responses[code] = response
        return responses


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An integration key created by an administrator, sent as "
            "`Authorization: Api-Key <key>`. Never put the key in a URL.",
        }


class MentionBatchExtension(OpenApiSerializerExtension):
    """The batch form of ingestion: an array whose items are documented as MentionIn."""

    target_class = "api.v1.mentions.MentionBatchSerializer"

    def get_name(self, auto_schema, direction):
        return "MentionBatch"

    def map_serializer(self, auto_schema, direction):
        from api.v1.mentions import MAX_BATCH, MentionInSerializer

        item = auto_schema.resolve_serializer(MentionInSerializer, direction).ref
        return {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_BATCH,
            "description": "Up to 1,000 mentions, each shaped like MentionIn. Items are "
            "validated one by one: an invalid item is reported by its index in the response "
            "and does not stop the others, so any JSON value is accepted as an item.",
            "items": {"anyOf": [item, {}]},
        }


def document_empty_query_parameters(result, generator, request, public):
    """Filters ignore an empty query parameter (``?status=`` means no status filter), as the
    web queue does: say so, so clients and contract tests know ``?x=`` is not an error."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter.get("name") != "page_size":
                    parameter["allowEmptyValue"] = True
    return result
