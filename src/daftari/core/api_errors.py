"""The API's one error shape: ``{"error": code, "message": text, "fields": {dotted.field: message}}``.

Every error the API answers with goes through here: domain errors from services, request
validation (422), authentication (401), malformed bodies (400), unknown paths (404) and
unsupported methods (405).
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from daftari.core import wording
from daftari.core.errors import DomainError
from daftari.core.schemas import NOT_BLANK

logger = logging.getLogger(__name__)


class JsonOnly(Parser):
    """Bodies are JSON. A form content type is refused before anything reads ``request.POST``
    (django-axes does, on a failed sign-in), where a malformed form body would raise."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = request.content_type or ""
        if content_type and not (content_type == "application/json" or content_type.endswith("+json")):
            raise ValueError(f"not a JSON content type: {content_type}")
        return super().parse_body(request)

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        # A parameter declared once but sent twice is handed over as the list it is, so validation
        # refuses it (422) instead of ninja silently keeping the last value.
        result: dict[str, Any] = {}
        for key in data:
            values = data.getlist(key)
            result[key] = values if key in list_fields or len(values) > 1 else values[0]
        return result


class ErrorOut(Schema):
    error: str
    message: str
    fields: dict[str, str]


# Pydantic's messages, in words a desk officer or a device developer reads, and translatable.
_VALIDATION_MESSAGES = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not expected here."),
    "string_type": _("Give text."),
    "int_type": _("Give a whole number."),
    "int_parsing": _("Give a whole number."),
    "int_from_float": _("Give a whole number."),
    "float_type": _("Give a number."),
    "float_parsing": _("Give a number."),
    "finite_number": _("Give a finite number."),
    "bool_type": _("Give true or false."),
    "bool_parsing": _("Give true or false."),
    "uuid_type": _("Give a UUID."),
    "uuid_parsing": _("Give a UUID, e.g. 3f2c9a4e-8d1b-4c7a-9e2f-1a2b3c4d5e6f."),
    "datetime_type": _("Give a date and time, e.g. 2026-11-29T08:15:00+03:00."),
    "datetime_parsing": _("Give a date and time, e.g. 2026-11-29T08:15:00+03:00."),
    "datetime_from_date_parsing": _("Give a date and time, e.g. 2026-11-29T08:15:00+03:00."),
    "date_type": _("Give a date, e.g. 2026-11-29."),
    "date_parsing": _("Give a date, e.g. 2026-11-29."),
    "date_from_datetime_parsing": _("Give a date, e.g. 2026-11-29."),
    "dict_type": _("Give an object."),
    "list_type": _("Give a list."),
    "model_type": _("Give an object."),
    "model_attributes_type": _("Give an object."),
    "string_too_long": _("At most %(max_length)s characters."),
    "string_too_short": _("At least %(min_length)s characters."),
    "too_long": _("At most %(max_length)s items."),
    "too_short": _("At least %(min_length)s items."),
    "string_pattern_mismatch": _("This is not in the expected form."),
    "greater_than_equal": _("Must be %(ge)s or more."),
    "less_than_equal": _("Must be %(le)s or less."),
}


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": code, "message": message, "fields": fields or {}}


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(error_body(code, message, fields), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="daftari"'
    return response


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "payload", "parties", 0, "phone")`` → ``parties.0.phone``."""
    parts = list(loc)
    source = parts.pop(0) if parts else ""
    if source == "body" and parts:
        parts.pop(0)  # the handler's argument name, not part of the document
    return ".".join(str(p) for p in parts) or str(source)


def _field_name(path: str) -> str:
    """The last named part of a dotted path: ``parties.0.phone`` → ``phone``."""
    names = [part for part in path.split(".") if not part.isdigit()]
    return names[-1] if names else path


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        path = field_path(error.get("loc", ()))
        known = _VALIDATION_MESSAGES.get(error.get("type", ""))
        blank = error.get("type") == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == NOT_BLANK
        if error.get("type") == "missing" or blank:
            # The desk's words for a blank field: "Enter the place".
            fields.setdefault(path, wording.enter(wording.label_of(_field_name(path))))
            continue
        try:
            message = str(known) % error.get("ctx", {}) if known is not None else str(error.get("msg", ""))
        except (KeyError, TypeError, ValueError):
            message = str(error.get("msg", ""))
        message = message.removeprefix("Value error, ")
        fields.setdefault(path, message)
    return fields


def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, {k: str(v) for k, v in exc.fields.items()})


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(422, "invalid", gettext("Some fields need correcting."), validation_fields(exc.errors))


def _on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        401,
        "unauthenticated",
        gettext("Sign in first: send 'Authorization: Bearer <token>' or use a desk session."),
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja raises this for a body that is not JSON at all.
        return error_response(
            400, "malformed", gettext("The request body must be JSON, sent as Content-Type: application/json.")
        )
    return error_response(exc.status_code, f"http_{exc.status_code}", str(exc))


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return not_found_response()


def _on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, "not_permitted", gettext("Your role does not allow this."))


def _on_suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, "too_large", gettext("The request is too large."))
    return error_response(400, "bad_request", gettext("The request could not be read."))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Still a 500, so every test and fuzzer sees it; only the shape is kept the same.
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    return error_response(500, "server_error", gettext("Something went wrong on the server."))


def not_found_response() -> JsonResponse:
    return error_response(404, "not_found", gettext("Not found."))


def method_not_allowed_response(original: HttpResponseNotAllowed, method: str) -> JsonResponse:
    message = gettext("This address does not accept %(method)s.") % {"method": method[:10]}
    response = error_response(405, "method_not_allowed", message)
    response["Allow"] = original["Allow"]
    return response


HANDLERS: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
    DomainError: _on_domain_error,
    ValidationError: _on_validation_error,
    AuthenticationError: _on_authentication_error,
    HttpError: _on_http_error,
    Http404: _on_not_found,
    PermissionDenied: _on_permission_denied,
    SuspiciousOperation: _on_suspicious,
    MultiPartParserError: _on_suspicious,
    Exception: _on_unexpected,
}


def install_error_handlers(api: NinjaAPI) -> None:
    for exc_class, handler in HANDLERS.items():
        api.add_exception_handler(exc_class, handler)
