"""The case panel's two forms on the entry page (plain POSTs that redirect back to the entry), and
the list of the cases an investigator follows."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from daftari.core.confirm import confirm_page, show_refusal
from daftari.core.errors import InvalidInput, NotFound
from daftari.core.types import AuthenticatedRequest
from daftari.occurrences import casework, queries
from daftari.occurrences.forms import CloseCaseForm
from daftari.occurrences.models import CaseStatus, Occurrence
from daftari.occurrences.views import CaseFormErrors, render_entry_page
from daftari.stations.models import AccessEvent, Officer, scope_of
from daftari.stations.rules import follows_cases


def _entry(request: AuthenticatedRequest, pk: uuid.UUID) -> Occurrence:
    """The entry whose case is followed; another station's answers 404 and the attempt is logged as denied."""
    try:
        return queries.visible_entry(
            reader=request.user, entry_id=pk, purpose=AccessEvent.Purpose.CASEWORK, channel="desk"
        )
    except NotFound:
        raise Http404 from None


def _back(entry: Occurrence) -> HttpResponse:
    return redirect(reverse("entry", args=[entry.pk]) + "#case-panel")


def _refused(request: AuthenticatedRequest, entry: Occurrence, form: str, error: InvalidInput) -> HttpResponse:
    """The entry's page again (422), the case form's messages in the error summary and beside its fields."""
    first = "investigator" if form == "assign" else "status"
    fields = {name: str(message) for name, message in error.fields.items()} or {first: error.message}
    typed = {name: str(value)[:500] for name, value in request.POST.items() if name != "csrfmiddlewaretoken"}
    return render_entry_page(request, entry, case_form=CaseFormErrors(form=form, fields=fields, typed=typed))


@login_required
@require_POST
def assign(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    entry = _entry(request, pk)
    chosen = request.POST.get("investigator", "")
    investigator = Officer.objects.filter(pk=int(chosen)).select_related("user").first() if chosen.isdigit() else None
    try:
        if investigator is None:
            raise InvalidInput(fields={"investigator": _("Choose an investigator of this station.")})
        casework.assign_investigator(
            actor=request.user, occurrence=entry, investigator=investigator, note=request.POST.get("note", "")
        )
    except InvalidInput as error:
        return _refused(request, entry, "assign", error)
    messages.success(request, _("The case is assigned to %(name)s.") % {"name": investigator.display_name})
    return _back(entry)


@login_required
@require_POST
def update_status(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    entry = _entry(request, pk)
    if request.POST.get("status") == casework.Status.CLOSED:
        # Closing cannot be undone: it is asked again on its own page, with what was typed kept.
        current = CaseStatus.objects.filter(occurrence=entry).first()
        if not casework.can_update(request.user, entry, current):
            raise PermissionDenied(_("Only the assigned investigator or the OCS updates this case."))
        form = CloseCaseForm(
            initial={"reason": request.POST.get("reason", "")[:300], "note": request.POST.get("note", "")[:500]}
        )
        return _confirm_close(request, entry, form)
    try:
        casework.update_case_status(
            actor=request.user,
            occurrence=entry,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            reason=request.POST.get("reason", ""),
        )
    except InvalidInput as error:
        return _refused(request, entry, "status", error)
    messages.success(request, _("The case's status is recorded; the complainant is told by SMS."))
    return _back(entry)


def _confirm_close(request: AuthenticatedRequest, entry: Occurrence, form: CloseCaseForm) -> HttpResponse:
    return confirm_page(
        request,
        title=_("Close the case of %(ob)s") % {"ob": entry.ob_number},
        consequence=_(
            "The case is recorded as closed with your reason, the complainant is told by SMS, and no further "
            "status can be recorded for it: a closed case is not reopened."
        ),
        form=form,
        action=reverse("case_close", args=[entry.pk]),
        back=reverse("entry", args=[entry.pk]) + "#case-panel",
        button=_("Yes, close the case"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """GET asks "Are you sure?" with the reason field; POST closes the case. Closing cannot be undone."""
    entry = _entry(request, pk)
    current = CaseStatus.objects.filter(occurrence=entry).first()
    if current is not None and current.status == casework.Status.CLOSED:
        messages.error(request, _("This case is closed."))
        return _back(entry)
    if not casework.can_update(request.user, entry, current):
        raise PermissionDenied(_("Only the assigned investigator or the OCS updates this case."))
    form = CloseCaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            casework.update_case_status(
                actor=request.user,
                occurrence=entry,
                status=casework.Status.CLOSED,
                note=form.cleaned_data["note"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The case's status is recorded; the complainant is told by SMS."))
            return _back(entry)
    return _confirm_close(request, entry, form)


@login_required
@require_GET
def my_cases(request: AuthenticatedRequest) -> HttpResponse:
    if not follows_cases(scope_of(request.user)):
        raise PermissionDenied(_("Only investigators have cases assigned to them."))
    cases = queries.cases_of(request.user.officer, now=timezone.now())
    context = {"cases": cases, "overdue": sum(1 for c in cases if c.overdue)}
    return render(request, "occurrences/cases.html", context)


urlpatterns = [
    path("cases", my_cases, name="my_cases"),
    path("entries/<uuid:pk>/case/assign", assign, name="case_assign"),
    path("entries/<uuid:pk>/case/status", update_status, name="case_status"),
    path("entries/<uuid:pk>/case/close", close, name="case_close"),
]
