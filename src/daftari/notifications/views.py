import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from daftari.notifications import services


@csrf_exempt  # Africa's Talking posts from outside; the secret path token stands in for the CSRF token.
@require_POST
def delivery_report(request: HttpRequest, token: str) -> HttpResponse:
    expected = settings.DAFTARI_SMS_WEBHOOK_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        return HttpResponse(status=404)
    services.record_delivery_report(
        provider_message_id=request.POST.get("id", "")[:100],
        status=request.POST.get("status", ""),
        failure_reason=request.POST.get("failureReason", ""),
    )
    # Always 200 once authenticated: the gateway stops retrying, and an unknown id reveals nothing.
    return HttpResponse("ok", content_type="text/plain")
