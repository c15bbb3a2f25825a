"""Station pages: the access log for the OCS and oversight, an officer's own password."""

import textwrap
import uuid
from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
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
from daftari.core.types import AuthenticatedRequest
from daftari.stations import services
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.rules import can_view_access_log


def _record_link(event: AccessEvent) -> str:
    if event.record_type != "occurrence":
        return ""
    try:
        return reverse("entry", args=[uuid.UUID(event.record_id)])
    except ValueError:
        return ""


@login_required
@require_GET
def access_log(request: AuthenticatedRequest) -> HttpResponse:
    """Who read which record, newest first: all stations for oversight, the own station for the OCS."""
    scope = scope_of(request.user)
    events = AccessEvent.objects.select_related("record_station").order_by("-at", "-pk")
    # Asked about no station in particular, the rule answers only for those who see every station's log.
    if can_view_access_log(scope, station_code=""):
        station_name = ""
    elif scope.station_code and can_view_access_log(scope, station_code=scope.station_code):
        events = events.filter(record_station__code=scope.station_code)
        own_station = request.user.officer.station
        station_name = own_station.name if own_station else ""
    else:
        raise PermissionDenied(_("Your role does not allow viewing the access log."))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.link = _record_link(event)
    return render(request, "stations/access_log.html", {"page": page, "station_name": station_name})


@login_required
@require_http_methods(["GET", "POST"])
def change_password(request: AuthenticatedRequest) -> HttpResponse:
    """The officer's own password: the current one, then the new one twice (Django's validators)."""
    form = PasswordChangeForm(request.user, request.POST or None)
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
    return reverse("today")


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
    context = {"error": error, "next": _next_page(request)}
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
        "next": _next_page(request),
        "qr": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4)),  # noqa: S308 - segno's own SVG
        "secret": " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4)),
    }
    return render(request, "registration/second_factor_enrol.html", context, status=400 if error else 200)
