"""The public portal: no login, small pages that work without JavaScript on a feature phone."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from daftari.portal.forms import CheckReportForm
from daftari.portal.services import TooManyAttempts, check_report


def _client_ip(request: HttpRequest) -> str:
    # The address the reverse proxy saw is in REMOTE_ADDR (it is the one hop we trust).
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/index.html")


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/status.html", {"form": CheckReportForm()})
    form = CheckReportForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/status.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        found = check_report(
            ip=_client_ip(request),
            station=data["station"],
            ob_number=data["ob_number"],
            phone_last4=data["phone_last4"],
        )
    except TooManyAttempts as error:
        return render(request, "portal/too_many.html", {"message": error.message}, status=error.status)
    if found is None:
        # One answer for every miss, so a guess learns nothing about which part was wrong.
        form.add_error(None, _("We could not find a report with those details. Check them and try again."))
        return render(request, "portal/status.html", {"form": form}, status=404)
    return render(request, "portal/report.html", {"report": found})
