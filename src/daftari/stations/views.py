"""Station pages: the access log for the OCS and oversight, an officer's own password."""

import textwrap
import uuid
from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from daftari.core.errors import DomainError, InvalidInput
from daftari.core.forms import ErrorLink
from daftari.core.types import AuthenticatedRequest
from daftari.stations import queries, services
from daftari.stations.forms import AccessLogFilterForm, ChangePasswordForm
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.rules import can_view_access_log, sees_every_stations_access_log

# Where each kind of record the log names is read (a read of it is itself logged there).
RECORD_PAGES = {"occurrence": "entry", "custody": "custody_record", "document": "document"}


def _record_link(event: AccessEvent) -> str:
    if event.record_type == "fine_notice":
        return reverse("fines_notice", args=[event.record_id])
    name = RECORD_PAGES.get(event.record_type)
    if name is None:
        return ""
    try:
        return reverse(name, args=[uuid.UUID(event.record_id)])
    except ValueError:
        return ""


@login_required
@require_GET
def access_log(request: AuthenticatedRequest) -> HttpResponse:
    """Who read which record, newest first: all stations for oversight, the own station for the OCS.

    Narrowed by officer, station (oversight), date range and record from the query string; a wrong
    filter answers 400 with its message beside the field, and nothing is listed.
    """
    scope = scope_of(request.user)
    every_station = sees_every_stations_access_log(scope)
    if every_station:
        station_name = ""
    elif scope.station_code and can_view_access_log(scope, station_code=scope.station_code):
        own_station = request.user.officer.station
        station_name = own_station.name if own_station else ""
    else:
        raise PermissionDenied(_("Your role does not allow viewing the access log."))
    asked: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page"}
    form = AccessLogFilterForm(asked or None, every_station=every_station)
    context: dict[str, object] = {"form": form, "station_name": station_name, "page": None, "errors": []}
    if form.is_bound and not form.is_valid():
        context["errors"] = form.error_summary
        return render(request, "stations/access_log.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    wanted = queries.AccessLogFilter(
        station_code=data.get("station", "") if every_station else (scope.station_code or ""),
        officer=data.get("officer", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        record=data.get("record", ""),
    )
    page = Paginator(queries.access_events(wanted), 50).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.link = _record_link(event)
    context.update(page=page, params=urlencode({k: v for k, v in asked.items() if v}), filtered=any(asked.values()))
    return render(request, "stations/access_log.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def change_password(request: AuthenticatedRequest) -> HttpResponse:
    """The officer's own password: the current one, then the new one twice (Django's validators)."""
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                actor=request.user,
                current_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except InvalidInput as refused:
            for field, message in refused.fields.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            # This desk stays signed in; every other session and device token of the officer ends.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password is changed. Your other sessions and device tokens are ended."))
            return redirect("today")
    status = 400 if form.errors else 200
    return render(request, "registration/change_password.html", {"form": form}, status=status)


def _next_page(request: AuthenticatedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("start")


def _otp_errors(error: str) -> list[ErrorLink]:
    return [ErrorLink("#id_otp", error)] if error else []


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: AuthenticatedRequest) -> HttpResponse:
    """After the password: the code from the officer's authenticator app."""
    if not services.second_factor_required(request.user) or request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_page(request))
    if services.totp_device(request.user) is None:
        return redirect(f"{reverse('second_factor_enrol')}?{urlencode({'next': _next_page(request)})}")
    error = ""
    if request.method == "POST":
        try:
            device = services.verify_second_factor(actor=request.user, token=request.POST.get("otp", "")[:12])
        except DomainError as refused:
            error = refused.message
        else:
            otp_login(request, device)
            return redirect(_next_page(request))
    context = {"error": error, "errors": _otp_errors(error), "next": _next_page(request)}
    return render(request, "registration/second_factor.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: AuthenticatedRequest) -> HttpResponse:
    """First sign-in of a role that needs a second factor: scan the QR code, enter the first code."""
    if services.totp_device(request.user) is not None:
        return redirect(f"{reverse('second_factor')}?{urlencode({'next': _next_page(request)})}")
    device = services.start_totp_enrolment(actor=request.user)
    error = ""
    if request.method == "POST":
        try:
            device = services.confirm_totp_enrolment(actor=request.user, token=request.POST.get("otp", "")[:12])
        except DomainError as refused:
            error = refused.message
        else:
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_next_page(request))
    context = {
        "error": error,
        "errors": _otp_errors(error),
        "next": _next_page(request),
        "qr": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4)),  # noqa: S308 - segno's own SVG
        "secret": " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4)),
    }
    return render(request, "registration/second_factor_enrol.html", context, status=400 if error else 200)
