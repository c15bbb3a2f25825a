"""The published OpenAPI document: what ninja writes, with the answers every operation can give.

Beyond each operation's own ``response={...}``: a request ninja cannot read at all (400), a body over
the upload limit (413) and, from gunicorn before the API is reached, an address that is too long (414).
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def _json_error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


EVERY_OPERATION: dict[str, dict[str, Any]] = {
    "400": _json_error("The request could not be read: a body that is not JSON, or too many parameters."),
    "414": {
        "description": "The request line (address and query) is longer than the HTTP server takes (4094 bytes); "
        "answered by the server before the API, as HTML.",
        "content": {"text/html": {"schema": {"type": "string"}}},
    },
}
WITH_A_BODY: dict[str, dict[str, Any]] = {
    "413": _json_error("The body is larger than the server accepts."),
}


class DaftariSchema(OpenAPISchema):
    """ninja keys components by class name only: two schemas with one name would publish one of them
    for both, and answers would break the published shape. Refused here, when the schema is built."""

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                raise ImproperlyConfigured(f"Two different API schemas are both named {name!r}: rename one.")
        super().add_schema_definitions(definitions)


def build_schema(api: NinjaAPI, path_prefix: str) -> DaftariSchema:
    schema = DaftariSchema(api, path_prefix)
    for path_item in schema["paths"].values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            extra = {**EVERY_OPERATION, **(WITH_A_BODY if "requestBody" in operation else {})}
            for status, answer in extra.items():
                if status not in responses and int(status) not in responses:
                    responses[status] = answer
    return schema


def links(statuses: tuple[int, ...], **targets: tuple[str, dict[str, str]]) -> dict[str, Any]:
    """OpenAPI links from an operation's answers to the operations its ids open, as ``openapi_extra``:
    ``links((201,), read=("daftari_occurrences_api_read", {"entry_id": "$response.body#/id"}))``.
    Clients follow them, and schemathesis' stateful phase chains its calls along them."""
    described = {
        name: {"operationId": operation_id, "parameters": parameters}
        for name, (operation_id, parameters) in targets.items()
    }
    return {"responses": {status: {"links": described} for status in statuses}}
