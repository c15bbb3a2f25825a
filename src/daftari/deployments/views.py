"""The deployment pages: contingents, the readiness board, nominations, results and vetting. Thin over
queries (reads, logged) and services (every change)."""

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from daftari.core.errors import DomainError, InvalidInput, NotFound, NotPermitted
from daftari.core.ratelimit import client_address, over_limit, too_many
from daftari.core.types import AuthenticatedRequest
from daftari.custody.forms import event_detail_rows
from daftari.deployments import criteria, pdf, queries, services
from daftari.deployments.forms import (
    AllegationForm,
    AllegationStepForm,
    ContingentForm,
    DisciplinaryMatterForm,
    DocumentForm,
    MatterStepForm,
    MissionForm,
    NominateForm,
    ResultForm,
    TourForm,
    TrainingForm,
    VettingForm,
)
from daftari.deployments.models import Candidate, TourRecord
from daftari.deployments.rules import READINESS_NAMES, Kind, Readiness, display_code
from daftari.stations.models import scope_of
from daftari.stations.rules import (
    can_decide_vetting,
    can_manage_deployments,
    can_record_allegation,
    can_record_assessment,
    can_record_disciplinary_matter,
    can_record_fitness,
    can_record_training,
    sees_vetting_record,
)


def _errors(form: forms.Form) -> list[tuple[str, str]]:
    def anchor(name: str) -> str:
        if name not in form.fields:
            return ""
        radio = isinstance(form.fields[name].widget, forms.RadioSelect)
        field_id = form[name].auto_id  # the form's own auto_id: a page may hold several forms
        return f"#{field_id}_0" if radio else f"#{field_id}"

    return [(anchor(name), str(m)) for name, ms in form.errors.items() for m in ms]


def _read(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except NotFound:
        raise Http404 from None
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused


def _submit(form: forms.Form, change: Callable[[], Any]) -> Any:
    """Runs the service; its field errors land on the form. None when it refused the input."""
    try:
        return change()
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    except InvalidInput as error:
        for field, message in error.fields.items():
            form.add_error(field if field in form.fields else None, message)
        if not error.fields:
            form.add_error(None, error.message)
    except DomainError as error:
        form.add_error(None, error.message)
    return None


def _form_page(request: AuthenticatedRequest, form: forms.Form, **context: Any) -> HttpResponse:
    status = 422 if form.errors else 200
    return render(request, "deployments/form.html", {"form": form, "errors": _errors(form), **context}, status=status)


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    contingents = _read(lambda: queries.contingents(reader=request.user))
    return render(
        request,
        "deployments/home.html",
        {"contingents": contingents, "may_manage": can_manage_deployments(scope_of(request.user))},
    )


def _must_manage(request: AuthenticatedRequest) -> None:
    if not can_manage_deployments(scope_of(request.user)):
        raise PermissionDenied(
            _("Only the deployment officer opens missions and contingents and nominates candidates.")
        )


def open_mission(request: AuthenticatedRequest, form: MissionForm) -> object:
    return services.open_mission(actor=request.user, **form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def new_mission(request: AuthenticatedRequest) -> HttpResponse:
    _must_manage(request)
    form = MissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _submit(form, lambda: open_mission(request, form)):
        messages.success(request, _("Mission opened."))
        return redirect("deployments")
    return _form_page(request, form, title=_("Open a mission"), submit=_("Open the mission"))


@login_required
@require_http_methods(["GET", "POST"])
def new_contingent(request: AuthenticatedRequest) -> HttpResponse:
    _must_manage(request)
    form = ContingentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        opened = _submit(form, lambda: services.open_contingent(actor=request.user, **form.cleaned_data))
        if opened:
            messages.success(request, _("Contingent opened."))
            return redirect("readiness_board", pk=opened.pk)
    return _form_page(request, form, title=_("Open a contingent"), submit=_("Open the contingent"))


@login_required
@require_GET
def board(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    found = _read(
        lambda: queries.readiness_board(
            reader=request.user,
            contingent_id=pk,
            readiness=request.GET.get("readiness", ""),
            page=request.GET.get("page"),
        )
    )
    scope = scope_of(request.user)
    context = {
        "board": found,
        "names": {r.value: READINESS_NAMES[r] for r in Readiness},
        "states": [(r.value, READINESS_NAMES[r], found.count(r)) for r in Readiness],
        "params": urlencode({"readiness": found.readiness}) if found.readiness else "",
        "may_manage": can_manage_deployments(scope),
        "may_record": can_record_assessment(scope) or can_record_fitness(scope),
        "may_vet": sees_vetting_record(scope),
    }
    return render(request, "deployments/board.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    _must_manage(request)
    contingent = _read(lambda: queries.contingent_for(reader=request.user, contingent_id=pk))
    form = NominateForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _submit(
            form, lambda: services.nominate_candidate(actor=request.user, contingent=contingent, **form.cleaned_data)
        )
    ):
        messages.success(request, _("Candidate nominated."))
        return redirect("readiness_board", pk=contingent.pk)
    return _form_page(
        request, form, title=_("Nominate a candidate"), submit=_("Nominate"), subject=str(contingent), back=contingent
    )


def _result_choices(request: AuthenticatedRequest) -> list[tuple[str, str]]:
    scope = scope_of(request.user)
    kinds = ([Kind.ASSESSMENT] if can_record_assessment(scope) else []) + (
        [Kind.FITNESS] if can_record_fitness(scope) else []
    )
    return [(c.code, c.name) for c in criteria.current().of_kind(*kinds)]


def record_result(request: AuthenticatedRequest, candidate: Candidate, form: ResultForm) -> object:
    return services.record_result(actor=request.user, candidate=candidate, **form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def record_result_page(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    choices = _result_choices(request)
    if not choices:
        raise PermissionDenied(_("Only a trainer or the medical officer records results."))
    candidate = _read(lambda: queries.candidate_for(reader=request.user, candidate_id=pk))
    form = ResultForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid() and _submit(form, lambda: record_result(request, candidate, form)):
        messages.success(request, _("Result recorded."))
        return redirect("readiness_board", pk=candidate.contingent_id)
    return _form_page(
        request,
        form,
        title=_("Record a result"),
        submit=_("Record the result"),
        subject=str(candidate.officer),
        back=candidate.contingent,
    )


@login_required
@require_http_methods(["GET", "POST"])
def vetting(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    record = _read(lambda: queries.vetting_record(reader=request.user, candidate_id=pk))
    may_decide = can_decide_vetting(scope_of(request.user))
    form = VettingForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied(_("Only the vetting officer clears or excludes a candidate."))
        if form.is_valid():
            decided = _submit(
                form,
                lambda: services.decide_vetting(
                    actor=request.user,
                    candidate=record.candidate,
                    findings_seen=[f.reference() for f in record.findings],
                    **form.cleaned_data,
                ),
            )
            if decided:
                messages.success(request, _("Vetting decision recorded."))
                return redirect("deployments_vetting", pk=pk)
    context = {"record": record, "form": form, "errors": _errors(form), "may_decide": may_decide}
    return render(request, "deployments/vetting.html", context, status=422 if form.errors else 200)


def record_training(request: AuthenticatedRequest, candidate: Candidate, form: TrainingForm) -> object:
    attended, passed = form.attended_and_passed()
    data = form.cleaned_data
    return services.record_training(
        actor=request.user,
        candidate=candidate,
        module=data["module"],
        attended=attended,
        passed=passed,
        held_on=data["held_on"],
        trainer_name=data["trainer_name"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def training(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """A candidate's pre-deployment training: every module with its results; the trainer records here."""
    may_record = can_record_training(scope_of(request.user))
    if request.method == "POST" and not may_record:
        raise PermissionDenied(_("Only a trainer records training and issues its certificate."))
    record = _read(lambda: queries.training_record(reader=request.user, candidate_id=pk))
    choices = [(m.code, m.name) for m in record.course.modules]
    form = TrainingForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        recorded = _submit(form, lambda: record_training(request, record.candidate, form))
        if recorded:
            messages.success(request, _("Training recorded."))
            return redirect("deployments_training", pk=pk)
    context = {"record": record, "form": form, "errors": _errors(form), "may_record": may_record}
    return render(request, "deployments/training.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def issue_certificate(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    if not can_record_training(scope_of(request.user)):
        raise PermissionDenied(_("Only a trainer records training and issues its certificate."))
    candidate = _read(lambda: queries.candidate_for(reader=request.user, candidate_id=pk))
    try:
        certificate = services.issue_training_certificate(actor=request.user, candidate=candidate)
    except InvalidInput as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Certificate %(number)s issued.") % {"number": certificate.number})
    return redirect("deployments_training", pk=pk)


def _document_choices(request: AuthenticatedRequest) -> list[tuple[str, str]]:
    scope = scope_of(request.user)
    return [
        (rule.code, rule.name)
        for rule in criteria.documents().documents
        if (can_record_fitness(scope) if rule.medical else can_manage_deployments(scope))
    ]


def record_document(request: AuthenticatedRequest, candidate: Candidate, form: DocumentForm) -> object:
    return services.record_document(actor=request.user, candidate=candidate, **form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """A candidate's documents with their alerts; the deployment and medical officers record here."""
    choices = _document_choices(request)
    if request.method == "POST" and not choices:
        raise PermissionDenied(_("Only the deployment officer and the medical officer record documents."))
    record = _read(lambda: queries.candidate_documents(reader=request.user, candidate_id=pk))
    form = DocumentForm(request.POST or None, choices=choices)
    if (
        request.method == "POST"
        and form.is_valid()
        and _submit(form, lambda: record_document(request, record.candidate, form))
    ):
        messages.success(request, _("Document recorded."))
        return redirect("deployments_documents", pk=pk)
    context = {"record": record, "form": form, "errors": _errors(form), "may_record": bool(choices)}
    return render(request, "deployments/documents.html", context, status=422 if form.errors else 200)


@login_required
@require_GET
def expiring(request: AuthenticatedRequest) -> HttpResponse:
    alerts = _read(lambda: queries.expiring_documents(reader=request.user, today=timezone.localdate()))
    return render(request, "deployments/expiring.html", {"alerts": alerts})


def _tour_choices(request: AuthenticatedRequest) -> list[tuple[str, str]]:
    scope = scope_of(request.user)
    medical = TourRecord.Step.RETURN_MEDICAL
    return [
        (value, str(label))
        for value, label in TourRecord.Step.choices
        if (can_record_fitness(scope) if value == medical else can_manage_deployments(scope))
    ]


@login_required
@require_http_methods(["GET", "POST"])
def tour(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """Departure, return and debrief (deployment officer), the return medical (medical officer)."""
    choices = _tour_choices(request)
    if not choices:
        raise PermissionDenied(_("Only the deployment officer records departure, return and debrief."))
    candidate = _read(lambda: queries.candidate_for(reader=request.user, candidate_id=pk))
    form = TourForm(request.POST or None, choices=choices)
    if (
        request.method == "POST"
        and form.is_valid()
        and _submit(form, lambda: services.record_tour(actor=request.user, candidate=candidate, **form.cleaned_data))
    ):
        messages.success(request, _("Recorded."))
        return redirect("readiness_board", pk=candidate.contingent_id)
    return _form_page(
        request,
        form,
        title=_("Departure, return, debrief and return medical"),
        submit=_("Record"),
        subject=str(candidate.officer),
        back=candidate.contingent,
    )


# --- The certification letter ---------------------------------------------------------------------


def letter_verify_url(request: HttpRequest, code: str) -> str:
    path = reverse("deployments_verify", args=[display_code(code)])
    base = str(getattr(settings, "DAFTARI_PUBLIC_BASE_URL", "")).rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@login_required
@require_POST
def certify(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    _must_manage(request)
    candidate = _read(lambda: queries.candidate_for(reader=request.user, candidate_id=pk))
    try:
        letter = services.certify_candidate(actor=request.user, candidate=candidate)
    except InvalidInput as refused:
        messages.error(request, refused.message)
        return redirect("readiness_board", pk=candidate.contingent_id)
    messages.success(request, _("Certification letter %(number)s issued.") % {"number": letter.number})
    return redirect("deployments_letter", pk=letter.pk)


@login_required
@require_GET
def letter_pdf(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    printed = _read(lambda: queries.letter_for_print(reader=request.user, letter_id=pk))
    letter = printed.letter
    body = pdf.render(letter, verify_url=letter_verify_url(request, letter.code), proof=printed.proof)
    return _pdf_response(body, letter.number)


def _pdf_response(body: bytes, number: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number.replace("/", "-")}.pdf"'
    return response


@login_required
@require_POST
def certify_contingent(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    _must_manage(request)
    contingent = _read(lambda: queries.contingent_for(reader=request.user, contingent_id=pk))
    try:
        letter = services.certify_contingent(actor=request.user, contingent=contingent)
    except InvalidInput as refused:
        messages.error(request, refused.message)
        return redirect("readiness_board", pk=contingent.pk)
    messages.success(request, _("Certification letter %(number)s issued.") % {"number": letter.number})
    return redirect("deployments_contingent_letter", pk=letter.pk)


@login_required
@require_GET
def contingent_letter_pdf(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    printed = _read(lambda: queries.contingent_letter_for_print(reader=request.user, letter_id=pk))
    letter = printed.letter
    body = pdf.render_contingent(
        letter,
        verify_url=letter_verify_url(request, letter.code),
        proof=printed.proof,
        superseded_by=printed.superseded_by,
    )
    return _pdf_response(body, letter.number)


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is this certification letter genuine? Its number, mission and date, never a name."""
    if over_limit(scope="verify", client=client_address(request), limit=settings.DAFTARI_PUBLIC_VERIFY_PER_MINUTE):
        return too_many(request)
    result = queries.verify_letter(code=code[:40], actor=request.user)
    context = {"result": result, "code": code[:40]}
    return render(request, "deployments/verify.html", context, status=200 if result.found else 404)


# --- Misconduct alleged in the mission ------------------------------------------------------------


def record_allegation(request: AuthenticatedRequest, candidate: Candidate, form: AllegationForm) -> object:
    return services.record_allegation(actor=request.user, candidate=candidate, **form.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def conduct(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """A deployed officer's allegations with their steps; the vetting officer records here, IPOA reads.
    One page, two forms: a new allegation, or a step of the allegation named in the post."""
    record = _read(lambda: queries.conduct_record(reader=request.user, candidate_id=pk))
    may_record = can_record_allegation(scope_of(request.user))
    if request.method == "POST" and not may_record:
        raise PermissionDenied(_("Only the vetting officer records misconduct alleged in the mission."))
    step_for = request.POST.get("allegation", "")
    form = AllegationForm(request.POST if request.method == "POST" and not step_for else None)
    step_form = AllegationStepForm(request.POST if step_for else None, auto_id=f"id_{step_for}_%s")
    if form.is_bound and form.is_valid() and _submit(form, lambda: record_allegation(request, record.candidate, form)):
        messages.success(request, _("Allegation recorded."))
        return redirect("deployments_conduct", pk=pk)
    if step_for:
        line = next((a for a in record.allegations if str(a.allegation.pk) == step_for), None)
        if line is None:
            raise Http404
        if step_form.is_valid() and _submit(
            step_form,
            lambda: services.record_allegation_step(
                actor=request.user, allegation=line.allegation, **step_form.cleaned_data
            ),
        ):
            messages.success(request, _("Step recorded."))
            return redirect("deployments_conduct", pk=pk)
    errors = _errors(form) + _errors(step_form)
    context = {
        "record": record,
        "form": form,
        "step_form": step_form,
        # Each allegation's step form, its fields named apart (labels find their own inputs).
        "lines": [
            (
                line,
                step_form
                if str(line.allegation.pk) == step_for
                else AllegationStepForm(auto_id=f"id_{line.allegation.pk}_%s"),
            )
            for line in record.allegations
        ],
        "errors": errors,
        "may_record": may_record,
        "step_for": step_for,
    }
    return render(request, "deployments/conduct.html", context, status=422 if errors else 200)


# --- Disciplinary and IPOA matters at home --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def disciplinary(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """A candidate's disciplinary and IPOA matters with their steps; the vetting officer records here, IPOA
    reads. One page, two forms: a new matter, or a step of the matter named in the post."""
    record = _read(lambda: queries.disciplinary_record(reader=request.user, candidate_id=pk))
    may_record = can_record_disciplinary_matter(scope_of(request.user))
    if request.method == "POST" and not may_record:
        raise PermissionDenied(_("Only the vetting officer records disciplinary and IPOA matters."))
    step_for = request.POST.get("matter", "")
    form = DisciplinaryMatterForm(request.POST if request.method == "POST" and not step_for else None)
    step_form = MatterStepForm(request.POST if step_for else None, auto_id=f"id_{step_for}_%s")
    service_number = record.candidate.officer.service_number
    if (
        form.is_bound
        and form.is_valid()
        and _submit(
            form,
            lambda: services.record_disciplinary_matter(
                actor=request.user, service_number=service_number, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("Matter recorded."))
        return redirect("deployments_disciplinary", pk=pk)
    if step_for:
        line = next((m for m in record.matters if str(m.matter.pk) == step_for), None)
        if line is None:
            raise Http404
        if step_form.is_valid() and _submit(
            step_form,
            lambda: services.record_matter_step(actor=request.user, matter=line.matter, **step_form.cleaned_data),
        ):
            messages.success(request, _("Step recorded."))
            return redirect("deployments_disciplinary", pk=pk)
    errors = _errors(form) + _errors(step_form)
    context = {
        "record": record,
        "form": form,
        # Each matter's step form, its fields named apart (labels find their own inputs).
        "lines": [
            (line, step_form if str(line.matter.pk) == step_for else MatterStepForm(auto_id=f"id_{line.matter.pk}_%s"))
            for line in record.matters
        ],
        "errors": errors,
        "may_record": may_record,
        "step_for": step_for,
    }
    return render(request, "deployments/disciplinary.html", context, status=422 if errors else 200)


@login_required
@require_GET
def evidence(request: AuthenticatedRequest, pk: uuid.UUID, entry_id: uuid.UUID) -> HttpResponse:
    """The OB entry behind one of the candidate's findings, in full for the vetting officer and IPOA."""
    found = _read(lambda: queries.vetting_evidence(reader=request.user, candidate_id=pk, entry_id=entry_id))
    return render(request, "deployments/evidence.html", {"evidence": found})


@login_required
@require_GET
def custody_evidence(request: AuthenticatedRequest, pk: uuid.UUID, custody_id: uuid.UUID) -> HttpResponse:
    """The cell register's booking behind one of the candidate's findings, in full for the vetting officer and IPOA."""
    found = _read(lambda: queries.vetting_custody_evidence(reader=request.user, candidate_id=pk, custody_id=custody_id))
    events = [(event, event_detail_rows(event.details)) for event in found.custody.events]
    return render(request, "deployments/custody_evidence.html", {"evidence": found, "events": events})
