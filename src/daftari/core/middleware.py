"""What every request meets first: the body size limit and the security headers."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from daftari.core.api_errors import error_response


class RequestSizeLimitMiddleware:
    """Answers 413 to a body longer than DAFTARI_MAX_REQUEST_BYTES, from its Content-Length,
    before anything reads it: an oversized upload never reaches memory or a temporary file."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads nothing of a body whose length it cannot parse
        if length > settings.DAFTARI_MAX_REQUEST_BYTES:
            message = _("The request is too large.")
            if request.path.startswith("/api/"):
                return error_response(413, "too_large", message)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sets DAFTARI_CONTENT_SECURITY_POLICY on every response outside debug (Django 5.2 has no CSP
    of its own). Every script and stylesheet is a static file: no inline code runs, whatever
    a page might be made to contain. Debug keeps Django's error pages, which are inline, readable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.DAFTARI_CONTENT_SECURITY_POLICY
        if policy and not settings.DEBUG:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
