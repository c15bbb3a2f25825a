"""Daraja's callbacks. Thin: refuse a caller outside Safaricom's addresses, check the secret path token,
hand the raw body to the services, answer in Daraja's JSON shape. Never a 500: M-Pesa would only retry
into the same error. None of these settles money on its own word (see services)."""

import functools
import hmac
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from daftari.payments import rules, services

log = logging.getLogger(__name__)

View = Callable[[HttpRequest], HttpResponse]


def _rejected(desc: str, status: int) -> JsonResponse:
    return JsonResponse({"ResultCode": 1, "ResultDesc": desc}, status=status)


def daraja_endpoint(view: View) -> Callable[[HttpRequest, str], HttpResponse]:
    @functools.wraps(view)
    @csrf_exempt  # Daraja posts from outside; the secret path token stands in for the CSRF token.
    @require_POST
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        # REMOTE_ADDR is the address the one reverse proxy we trust saw (as for the portal's lockout).
        address = str(request.META.get("REMOTE_ADDR") or "")
        if not rules.address_allowed(address, settings.DAFTARI_DARAJA_CALLBACK_ALLOWED_IPS):
            log.warning("Daraja callback %s refused from %s", view.__name__, address[:45])
            return _rejected("Forbidden", 403)
        expected = settings.DAFTARI_DARAJA_CALLBACK_TOKEN
        if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
            return HttpResponse(status=404)
        try:
            return view(request)
        except services.MalformedCallback as exc:
            return _rejected(f"Rejected: malformed payload ({exc.message})", 400)
        except Exception:
            # The raw payload is stored; the worker's query settles an STK payment later.
            log.exception("Daraja callback %s failed", view.__name__)
            return _rejected("Temporarily unavailable", 503)

    return wrapped


@daraja_endpoint
def stk_callback(request: HttpRequest) -> HttpResponse:
    services.record_stk_callback(raw=request.body)
    return JsonResponse(services.ACCEPTED)


@daraja_endpoint
def c2b_validation(request: HttpRequest) -> HttpResponse:
    return JsonResponse(services.validate_c2b(raw=request.body))


@daraja_endpoint
def c2b_confirmation(request: HttpRequest) -> HttpResponse:
    services.record_c2b_confirmation(raw=request.body)
    return JsonResponse(services.ACCEPTED)


@daraja_endpoint
def status_result(request: HttpRequest) -> HttpResponse:
    services.record_transaction_status_result(raw=request.body)
    return JsonResponse(services.ACCEPTED)


@daraja_endpoint
def status_timeout(request: HttpRequest) -> HttpResponse:
    services.record_transaction_status_timeout(raw=request.body)
    return JsonResponse(services.ACCEPTED)
