"""The desk pages' one translation of a refused request into a page: the service's message, with its status.

It mirrors ``api_errors`` for HTML. A view catches a ``DomainError`` only where it redraws its form
with the error beside the field; every other refusal (not permitted, not found, the wrong state
for this step) reaches this middleware and becomes a page that says why (403, 404, 409, 422, ...).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from daftari.core.errors import DomainError


def _title(status: int) -> str:
    if status == 403:
        return _("Not allowed")
    if status == 404:
        return _("Not found")
    return _("This could not be done")


class DomainErrorPages:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        details = [str(message) for message in exception.fields.values() if str(message) != exception.message]
        context = {"title": _title(exception.status), "message": exception.message, "details": details}
        return render(request, "refused.html", context, status=exception.status)
