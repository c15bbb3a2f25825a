"""The desk pages of the national alerts register: list, issue, read and withdraw. Thin over services."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from daftari.alerts import queries
from daftari.alerts.forms import IssueAlertForm, WithdrawAlertForm
from daftari.alerts.models import Alert
from daftari.alerts.rules import AlertDraft, clean_alert
from daftari.alerts.services import IssuedAtTheHub, issue_alert, kept_here, withdraw_alert
from daftari.core.errors import DuplicateWithDifferentContent, InvalidInput, NotFound, NotPermitted
from daftari.core.types import AuthenticatedRequest
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.rules import can_issue_alert, can_withdraw_alert

RAW_FIELDS = ("kind", "name", "id_number", "phone", "plate", "description")


def _anchor(form: IssueAlertForm | WithdrawAlertForm, name: str) -> str:
    if name not in form.fields:
        return "#"
    # A radio group is reached by its first choice.
    return "#id_kind_0" if name == "kind" else f"#id_{name}"


def _errors(form: IssueAlertForm | WithdrawAlertForm) -> list[tuple[str, str]]:
    return [(_anchor(form, name), str(m)) for name, ms in form.errors.items() for m in ms]


@login_required
@require_GET
def register(request: AuthenticatedRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Alert.Kind.values else ""
    try:
        alerts = queries.register(reader=request.user, active_only=not show_all, kind=kind or None, channel="desk")
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    context = {
        "alerts": alerts,
        "show_all": show_all,
        "kind": kind,
        "kinds": Alert.Kind.choices,
        "can_issue": kept_here() and can_issue_alert(scope_of(request.user)),
    }
    return render(request, "alerts/register.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new_alert(request: AuthenticatedRequest) -> HttpResponse:
    if not kept_here():
        raise IssuedAtTheHub()
    if not can_issue_alert(scope_of(request.user)):
        raise PermissionDenied(_("Only an OCS, a commander or an administrator issues alerts."))
    form = IssueAlertForm(request.POST or None, initial={"client_id": uuid.uuid4()})
    if request.method == "POST" and not form.is_valid():
        # Every problem at once: the register's rules also judge what the form could not take.
        raw = AlertDraft(**{f: str(form.data.get(f, "")) for f in RAW_FIELDS})
        for field, message in clean_alert(raw)[1].items():
            if field not in form.errors:
                form.add_error(field, message)
    elif request.method == "POST":
        data = form.cleaned_data
        draft = AlertDraft(
            kind=data["kind"],
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            plate=data["plate"],
            description=data["description"],
        )
        try:
            issued = issue_alert(actor=request.user, draft=draft, client_id=data["client_id"])
        except InvalidInput as error:
            for field, message in error.fields.items():
                form.add_error(field if field in form.fields else None, message)
        except DuplicateWithDifferentContent:
            form.add_error(None, _("This form was already sent. Start a new alert for another person or vehicle."))
        else:
            messages.success(request, _("Alert issued to every station."))
            return redirect("alert", pk=issued.alert.pk)
    status = 422 if form.errors else 200
    return render(request, "alerts/new.html", {"form": form, "errors": _errors(form)}, status=status)


def _alert_or_404(request: AuthenticatedRequest, pk: uuid.UUID) -> tuple[Alert, queries.AlertView]:
    try:
        return queries.alert_for(
            reader=request.user, alert_id=pk, purpose=AccessEvent.Purpose.DESK_VIEW, channel="desk"
        )
    except NotFound:
        raise Http404 from None
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused


@login_required
@require_GET
def alert_page(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    alert, view = _alert_or_404(request, pk)
    return render(request, "alerts/alert.html", _alert_context(request, alert, view, WithdrawAlertForm()))


def _alert_context(
    request: AuthenticatedRequest, alert: Alert, view: queries.AlertView, form: WithdrawAlertForm
) -> dict[str, object]:
    may_withdraw = (
        view.active and kept_here() and can_withdraw_alert(scope_of(request.user), issued_at_station=alert.station_code)
    )
    return {
        "alert": view,
        "form": form,
        "may_withdraw": may_withdraw,
        "errors": _errors(form),
        "earlier_entries": queries.earlier_entries(reader=request.user, alert=view),
    }


@login_required
@require_POST
def withdraw(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    alert, view = _alert_or_404(request, pk)
    if not can_withdraw_alert(scope_of(request.user), issued_at_station=alert.station_code):
        raise PermissionDenied(_("Only the issuing station's OCS, a commander or an administrator withdraws an alert."))
    form = WithdrawAlertForm(request.POST)
    if form.is_valid():
        try:
            withdraw_alert(actor=request.user, alert=alert, reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            for field, message in error.fields.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Alert withdrawn."))
            return redirect("alert", pk=alert.pk)
    return render(request, "alerts/alert.html", _alert_context(request, alert, view, form), status=422)
