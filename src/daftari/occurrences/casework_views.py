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
from django.views.decorators.http import require_GET, require_POST

from daftari.core.errors import InvalidInput, NotFound
from daftari.core.types import AuthenticatedRequest
from daftari.occurrences import casework, queries
from daftari.occurrences.models import Occurrence
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


def _refused(request: AuthenticatedRequest, error: InvalidInput) -> None:
    for message in error.fields.values() or [error.message]:
        messages.error(request, message)


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
        _refused(request, error)
        return _back(entry)
    messages.success(request, _("The case is assigned to %(name)s.") % {"name": investigator.display_name})
    return _back(entry)


@login_required
@require_POST
def update_status(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    entry = _entry(request, pk)
    try:
        casework.update_case_status(
            actor=request.user,
            occurrence=entry,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            reason=request.POST.get("reason", ""),
        )
    except InvalidInput as error:
        _refused(request, error)
        return _back(entry)
    messages.success(request, _("The case's status is recorded; the complainant is told by SMS."))
    return _back(entry)


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
]
