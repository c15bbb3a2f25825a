"""The DRS officer's pages: search the register, read a person, register, record a status step,
issue a document, report one lost or revoke it. Thin over queries and services."""

import uuid
from collections.abc import Callable
from datetime import date
from typing import TypeVar

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from daftari.core import codes
from daftari.core.errors import InvalidInput, NotFound, NotPermitted
from daftari.core.forms import ErrorLink, error_links
from daftari.core.ratelimit import client_address, over_limit, too_many
from daftari.core.types import AuthenticatedRequest
from daftari.refugees import queries, rules, services
from daftari.refugees.forms import (
    CorrectionDecisionForm,
    CorrectionForm,
    DocumentCheckForm,
    DocumentEventForm,
    IssueDocumentForm,
    MergeForm,
    RegisterPersonForm,
    SearchForm,
    SplitForm,
    StatusStepForm,
    member_field,
    moving_field,
)
from daftari.refugees.models import Household
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.rules import (
    can_check_refugee_document,
    can_issue_refugee_document,
    can_record_status_step,
    can_register_refugees,
)

T = TypeVar("T")


def _errors(form: forms.Form) -> list[ErrorLink]:
    """The error summary's lines, each linked to its field and naming it."""
    return error_links(form)


def _add_errors(form: forms.Form, error: InvalidInput) -> None:
    for field, message in error.fields.items():
        form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.message)


def _guarded(read: Callable[[], T]) -> T:
    try:
        return read()
    except NotFound:
        raise Http404 from None
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused


@login_required
@require_GET
def search(request: AuthenticatedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results: queries.SearchResult | None = None
    if form.is_valid() and any(form.cleaned_data.values()):
        data = form.cleaned_data
        results = _guarded(
            lambda: queries.search(
                reader=request.user,
                name=data["name"],
                document_number=data["document_number"],
                household_number=data["household_number"],
            )
        )
    elif not can_register_refugees(scope_of(request.user)):
        raise PermissionDenied(_("The refugee register is read by the Department of Refugee Services."))
    context = {
        "form": form,
        "results": results,
        "limit": queries.MAX_RESULTS,
        "may_register": can_register_refugees(scope_of(request.user)),
    }
    return render(request, "refugees/search.html", context)


@login_required
@require_GET
def person_page(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    person = _guarded(
        lambda: queries.person_for(
            reader=request.user, person_id=pk, purpose=AccessEvent.Purpose.DESK_VIEW, channel="desk"
        )
    )
    scope = scope_of(request.user)
    status = rules.StatusKind(person.status) if person.status else None
    context = {
        "person": person,
        "may_record_step": bool(rules.next_steps(status)) and can_record_status_step(scope, decision=False),
        "may_issue": can_issue_refugee_document(scope),
        "event_form": DocumentEventForm(initial={"on": timezone.localdate()}),
    }
    return render(request, "refugees/person.html", context)


def _draft(data: dict[str, object]) -> rules.PersonDraft:
    fields = rules.PersonDraft.__dataclass_fields__
    return rules.PersonDraft(**{name: data[name] for name in fields})  # type: ignore[arg-type]


@login_required
@require_http_methods(["GET", "POST"])
def register_person(request: AuthenticatedRequest) -> HttpResponse:
    if not can_register_refugees(scope_of(request.user)):
        raise PermissionDenied(_("Only a DRS registration officer or supervisor registers people."))
    form = RegisterPersonForm(request.POST or None, initial={"registered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = None
        if data["household_number"]:
            household = queries.household_by_number(data["household_number"])
            if household is None:
                form.add_error("household_number", _("No household has this number."))
        if not form.errors:
            try:
                person = services.register_person(
                    actor=request.user,
                    draft=_draft(data),
                    office=data["office"],
                    registered_on=data["registered_on"],
                    household=household,
                    relationship=rules.Relationship(data["relationship"]),
                    case_reference=data["case_reference"],
                )
            except InvalidInput as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Registered as an asylum seeker."))
                return redirect("refugee_person", pk=person.pk)
    status = 422 if form.errors else 200
    return render(request, "refugees/register.html", {"form": form, "errors": _errors(form)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def record_status_step(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    person = _guarded(lambda: queries.person_to_change(reader=request.user, person_id=pk))
    current = services.current_status(person)
    steps = [(s.value, str(rules.STATUS_NAMES[s])) for s in rules.next_steps(current)]
    form = StatusStepForm(request.POST or None, steps=steps, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_status_step(
                actor=request.user,
                person=person,
                step=rules.StatusKind(form.cleaned_data["step"]),
                on=form.cleaned_data["on"],
                reference=form.cleaned_data["reference"],
            )
        except NotPermitted as refused:
            form.add_error("step", refused.message)
        except InvalidInput as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Status step recorded."))
            return redirect("refugee_person", pk=person.pk)
    context = {
        "form": form,
        "errors": _errors(form),
        "person_id": person.pk,
        "current": rules.STATUS_NAMES[current] if current else "",
    }
    return render(request, "refugees/status_step.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def issue_document(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    if not can_issue_refugee_document(scope_of(request.user)):
        raise PermissionDenied(_("Only a DRS registration officer or supervisor issues documents."))
    person = _guarded(lambda: queries.person_to_change(reader=request.user, person_id=pk))
    form = IssueDocumentForm(request.POST or None, initial={"issued_on": timezone.localdate(), "office": person.office})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.issue_document(
                actor=request.user,
                person=person,
                kind=rules.DocumentKind(data["kind"]),
                number=data["number"],
                office=data["office"],
                issued_on=data["issued_on"],
                expires_on=data["expires_on"],
            )
        except InvalidInput as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Document issued."))
            return redirect("refugee_person", pk=person.pk)
    context = {"form": form, "errors": _errors(form), "person_id": person.pk}
    return render(request, "refugees/issue_document.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def document_event(request: AuthenticatedRequest, pk: uuid.UUID, event: str) -> HttpResponse:
    document = _guarded(lambda: queries.document_to_change(reader=request.user, document_id=pk))
    action = {"lost": services.report_document_lost, "revoke": services.revoke_document}.get(event)
    if action is None:
        raise Http404
    form = DocumentEventForm(request.POST)
    on: date = timezone.localdate()
    if form.is_valid():
        on = form.cleaned_data["on"]
    try:
        action(actor=request.user, document=document, on=on, reason=str(form.data.get("reason", "")))
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    except InvalidInput as error:
        messages.error(request, "; ".join(error.fields.values()) or error.message)
    else:
        messages.success(request, _("Document reported lost.") if event == "lost" else _("Document revoked."))
    return redirect("refugee_person", pk=document.person_id)


@login_required
@require_GET
def figures(request: AuthenticatedRequest) -> HttpResponse:
    threshold = int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD)
    figures = _guarded(lambda: queries.figures(reader=request.user, threshold=threshold))
    context = {"figures": figures, "threshold": threshold}
    return render(request, "refugees/figures.html", context)


# --- Verification codes -------------------------------------------------------------------


def verify_url(request: HttpRequest, code: str) -> str:
    """The public verify page's address for ``code``, as the QR code on the document holds it."""
    path = reverse("refugee_verify", args=[codes.display_code(codes.normalise_code(code))])
    base = str(getattr(settings, "DAFTARI_PUBLIC_BASE_URL", "")).rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@login_required
@require_GET
def document_code(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """The code and QR code to print on the document (the registration officer's; no personal details)."""
    document = _guarded(lambda: queries.document_to_change(reader=request.user, document_id=pk))
    code = queries.code_of(document)
    if not code:
        raise Http404
    url = verify_url(request, code)
    context = {
        "kind_name": rules.DOCUMENT_NAMES[rules.DocumentKind(document.kind)],
        "number": document.number,
        "person_id": document.person_id,
        "code": code,
        "url": url,
        # segno draws the SVG from the URL alone: no user text goes into it unescaped.
        "qr": mark_safe(segno.make(url, error="m").svg_inline(scale=4)),  # noqa: S308
    }
    return render(request, "refugees/document_code.html", context)


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """The public verify page of a register document (no login): genuine or not, and in force or not."""
    if over_limit(scope="verify", client=client_address(request), limit=settings.DAFTARI_PUBLIC_VERIFY_PER_MINUTE):
        return too_many(request)
    result = queries.verify_document(code=code, actor=request.user)
    context = {"result": result, "code": codes.display_code(codes.normalise_code(code))[:24]}
    return render(request, "refugees/verify.html", context, status=200 if result.found else 404)


# --- Households: merge and split ------------------------------------------------------------


@login_required
@require_GET
def household_page(request: AuthenticatedRequest, number: str) -> HttpResponse:
    household = _guarded(
        lambda: queries.household_for(
            reader=request.user, number=number, purpose=AccessEvent.Purpose.DESK_VIEW, channel="desk"
        )
    )
    context = {"household": household, "may_change": can_register_refugees(scope_of(request.user))}
    return render(request, "refugees/household.html", context)


def _members(household: Household) -> list[queries.MemberView]:
    return [
        queries.MemberView(
            id=m.person_id,
            name=f"{m.person.given_names} {m.person.family_name}",
            relationship=m.get_relationship_display(),
            relationship_code=m.relationship,
        )
        for m in queries.members_of(household)
    ]


def _household_to_change(request: AuthenticatedRequest, number: str) -> Household:
    if not can_register_refugees(scope_of(request.user)):
        raise PermissionDenied(_("Only a DRS registration officer or supervisor changes a household."))
    return _guarded(lambda: queries.household_to_change(reader=request.user, number=number))


@login_required
@require_http_methods(["GET", "POST"])
def merge_household(request: AuthenticatedRequest, number: str) -> HttpResponse:
    household = _household_to_change(request, number)
    members = _members(household)
    initial: dict[str, object] = {"on": timezone.localdate()}
    for m in members:
        initial[member_field(m.id)] = rules.relationship_after_merge(rules.Relationship(m.relationship_code)).value
    form = MergeForm(request.POST or None, members=[(m.id, m.name) for m in members], initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        into = queries.household_by_number(data["into"])
        if into is None:
            form.add_error("into", _("No household has this number."))
        else:
            try:
                services.merge_households(
                    actor=request.user,
                    household=household,
                    into=into,
                    on=data["on"],
                    reason=data["reason"],
                    relationships={str(m.id): rules.Relationship(data[member_field(m.id)]) for m in members},
                )
            except InvalidInput as error:
                _add_errors(form, _renamed(error, {"target": "into"}))
            else:
                messages.success(request, _("Households merged."))
                return redirect("refugee_household", number=into.number)
    context = {"form": form, "errors": _errors(form), "number": household.number, "members": members}
    return render(request, "refugees/household_merge.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def split_household(request: AuthenticatedRequest, number: str) -> HttpResponse:
    household = _household_to_change(request, number)
    members = [m for m in _members(household) if m.relationship_code != rules.Relationship.PRINCIPAL]
    initial: dict[str, object] = {"on": timezone.localdate()}
    for m in members:
        initial[member_field(m.id)] = m.relationship_code
    form = SplitForm(request.POST or None, members=[(m.id, m.name) for m in members], initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        moves = {str(m.id): rules.Relationship(data[member_field(m.id)]) for m in members if data[moving_field(m.id)]}
        try:
            change = services.split_household(
                actor=request.user, household=household, on=data["on"], reason=data["reason"], moves=moves
            )
        except InvalidInput as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("New household %(number)s formed.") % {"number": change.target.number})
            return redirect("refugee_household", number=change.target.number)
    context = {"form": form, "errors": _errors(form), "number": household.number, "members": members}
    return render(request, "refugees/household_split.html", context, status=422 if form.errors else 200)


def _renamed(error: InvalidInput, names: dict[str, str]) -> InvalidInput:
    """The service's field names as the form calls them."""
    return InvalidInput(error.message, fields={names.get(k, k): v for k, v in error.fields.items()})


# --- Status correction (double registration) ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def open_correction(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    if not can_register_refugees(scope_of(request.user)):
        raise PermissionDenied(_("Only DRS registration staff open a status-correction case."))
    person = _guarded(lambda: queries.person_to_change(reader=request.user, person_id=pk))
    proposal = request.GET.get("proposal", "")
    # Opened from a de-duplication proposal: the form starts from what the pass found.
    initial = queries.proposal_evidence(reader=request.user, proposal_id=proposal, person_id=pk) if proposal else {}
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_correction_case(
                actor=request.user,
                person=person,
                national_id=form.cleaned_data["national_id"],
                evidence=form.cleaned_data["evidence"],
            )
        except InvalidInput as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Status-correction case opened: two supervisors must approve it."))
            return redirect("refugee_correction", pk=case.pk)
    context = {"form": form, "errors": _errors(form), "person_id": person.pk}
    return render(request, "refugees/correction_new.html", context, status=422 if form.errors else 200)


@login_required
@require_GET
def correction_page(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    case = _guarded(
        lambda: queries.correction_for(reader=request.user, case_id=pk, purpose=AccessEvent.Purpose.DESK_VIEW)
    )
    return render(request, "refugees/correction.html", {"case": case, "form": CorrectionDecisionForm()})


@login_required
@require_POST
def decide_correction(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    case = _guarded(lambda: queries.correction_to_decide(reader=request.user, case_id=pk))
    form = CorrectionDecisionForm(request.POST)
    note = str(form.data.get("note", ""))[:300]
    try:
        services.decide_correction_case(
            actor=request.user, case=case, approve=request.POST.get("decision") == "approve", note=note
        )
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    except InvalidInput as error:
        messages.error(request, "; ".join(error.fields.values()) or error.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("refugee_correction", pk=case.pk)


@login_required
@require_GET
def correction_letter(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """The letter for the person once the case is approved: printed from the page (print styles)."""
    case = _guarded(
        lambda: queries.correction_for(reader=request.user, case_id=pk, purpose=AccessEvent.Purpose.DESK_VIEW)
    )
    if case.state != rules.CorrectionState.APPROVED:
        raise Http404
    return render(request, "refugees/correction_letter.html", {"case": case})


@login_required
@require_GET
def match_proposals(request: AuthenticatedRequest) -> HttpResponse:
    """The de-duplication pass's proposals, for a DRS officer to review and open a case from."""
    lines = _guarded(lambda: queries.match_proposals(reader=request.user))
    return render(request, "refugees/proposals.html", {"proposals": lines})


# --- The police desk ----------------------------------------------------------------------------


@login_required
@require_GET
def check_document(request: AuthenticatedRequest) -> HttpResponse:
    """The desk checks a refugee document shown as identity: issued or not, and its state."""
    if not can_check_refugee_document(scope_of(request.user)):
        raise PermissionDenied(_("Refugee documents are checked by police officers and DRS staff."))
    form = DocumentCheckForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        result = queries.check_document(reader=request.user, number=form.cleaned_data["number"])
    context = {"form": form, "errors": _errors(form), "result": result}
    return render(request, "refugees/check.html", context, status=422 if form.errors else 200)
