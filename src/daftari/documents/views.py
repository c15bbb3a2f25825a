"""The desk pages for issued documents, and the public verify page (no login, no JavaScript)."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from daftari.core.confirm import confirm_page, show_refusal
from daftari.core.errors import InvalidInput, NotFound, NotPermitted
from daftari.core.forms import ErrorLink
from daftari.core.ratelimit import client_address, over_limit, too_many
from daftari.core.types import AuthenticatedRequest
from daftari.documents import pdf, queries, rules, services
from daftari.documents.forms import IssueForm, RevokeForm, VerifyForm
from daftari.documents.models import IssuedDocument
from daftari.documents.rules import DocumentKind
from daftari.fines import rules as notice_rules
from daftari.ledger import evidence
from daftari.occurrences import queries as entry_queries
from daftari.occurrences.queries import in_circle
from daftari.occurrences.services import find_entry
from daftari.refugees import queries as refugee_queries
from daftari.stations.middleware import is_polling
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.rules import can_issue_document, can_revoke_document, sees_personal_data
from daftari.stations.services import log_access


def _log(request: AuthenticatedRequest, document: IssuedDocument, purpose: AccessEvent.Purpose, outcome: str) -> None:
    log_access(
        actor=request.user,
        record_type="document",
        record_id=str(document.pk),
        record_station=document.station,
        purpose=purpose,
        outcome=outcome,
    )


def _document_or_404(request: AuthenticatedRequest, pk: uuid.UUID, purpose: AccessEvent.Purpose) -> IssuedDocument:
    """The document to act on; another station's answers 404 and the attempt is logged as denied."""
    try:
        return queries.visible_document(reader=request.user, document_id=pk, purpose=purpose, channel="desk")
    except NotFound:
        raise Http404 from None


def verify_url(request: HttpRequest, code: str) -> str:
    path = reverse("verify_code", args=[rules.display_code(code)])
    base = str(getattr(settings, "DAFTARI_PUBLIC_BASE_URL", "")).rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@login_required
@require_http_methods(["GET", "POST"])
def issue(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    try:
        entry = find_entry(scope=scope_of(request.user), reference=str(pk))
    except NotFound:
        raise Http404 from None
    if not can_issue_document(scope_of(request.user), station_code=entry.station.code):
        raise PermissionDenied(_("Only the desk, the OCS and investigators issue the station's documents."))
    kinds = rules.kinds_for(entry.entry_type, public_facing=entry.spec.public_facing)
    if not kinds:
        raise Http404
    # A link may name the document (?kind=); otherwise the officer chooses, nothing is preselected.
    initial = {"kind": request.GET.get("kind", ""), "supersedes": request.GET.get("supersedes")}
    if request.method == "GET":
        # "Issued to" starts as the person who reported it (the desk may change it); reading their
        # name and phone is a read of the entry, through its read model and logged.
        view = entry_queries.view_entry(
            reader=request.user, entry=entry, purpose=AccessEvent.Purpose.DESK_VIEW, channel="desk"
        )
        reporter = view.reporting_person()
        if reporter is not None:
            initial.update(applicant_name=reporter.name, phone=reporter.phone)
    form = IssueForm(request.POST or None, kinds=kinds, initial=initial)
    errors: list[ErrorLink] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        supersedes = None
        if form.cleaned_data["supersedes"]:
            supersedes = IssuedDocument.objects.filter(pk=form.cleaned_data["supersedes"], occurrence=entry).first()
        try:
            if services.fee_due(form.cleaned_data["kind"]) > 0:
                fee = services.request_fee(
                    actor=request.user,
                    occurrence=entry,
                    kind=form.cleaned_data["kind"],
                    applicant_name=form.cleaned_data["applicant_name"],
                    purpose=form.cleaned_data["purpose"],
                    phone=form.cleaned_data["phone"],
                    supersedes=supersedes,
                )
                return redirect("document_fee", pk=fee.pk)
            document = services.issue_document(
                actor=request.user,
                occurrence=entry,
                kind=form.cleaned_data["kind"],
                applicant_name=form.cleaned_data["applicant_name"],
                purpose=form.cleaned_data["purpose"],
                injuries_alleged=form.cleaned_data["injuries_alleged"],
                investigating_officer=form.cleaned_data["investigating_officer"],
                supersedes=supersedes,
            )
        except InvalidInput as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("%(serial)s issued.") % {"serial": document.serial})
            return redirect("document", pk=document.pk)
    if form.errors:
        status = 422
        errors = form.error_summary
    fee_kes = settings.DAFTARI_ABSTRACT_FEE_KES
    context = {"entry": entry, "form": form, "errors": errors, "fee_kes": fee_kes}
    return render(request, "documents/issue.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def fee_page(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """Waiting for the applicant's M-Pesa payment; htmx polls it, a plain reload works the same."""
    try:
        fee = queries.fee_for(reader=request.user, fee_id=pk, channel="desk", log=not is_polling(request))
    except NotFound:
        raise Http404 from None
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    if request.method == "POST":
        try:
            services.issue_paid_fee(actor=request.user, fee=fee)
        except InvalidInput as error:
            messages.error(request, " ".join(error.fields.values()) or error.message)
        fee = services.find_fee(scope=scope_of(request.user), pk=pk)
    state = fee.projection
    if state.document is not None:
        target = reverse("document", args=[state.document.pk])
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    context = {"fee": fee, "state": state, "paybill": getattr(settings, "DAFTARI_DARAJA_SHORTCODE", "")}
    template = "documents/_fee_status.html" if request.headers.get("HX-Request") else "documents/fee.html"
    return render(request, template, context)


@login_required
@require_GET
def document_page(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    document = _document_or_404(request, pk, AccessEvent.Purpose.DESK_VIEW)
    view = queries.view_document(
        reader=request.user, document=document, purpose=AccessEvent.Purpose.DESK_VIEW, channel="desk"
    )
    scope = scope_of(request.user)
    context = {
        "document": view,
        "superseded_by": list(IssuedDocument.objects.filter(supersedes=document)),
        "can_revoke": can_revoke_document(scope, station_code=document.station.code),
        "can_record": can_issue_document(scope, station_code=document.station.code),
        "is_extract": document.kind == DocumentKind.CERTIFIED_EXTRACT,
        "leaf_index": services.leaf_index_of(document),
        "verify_url": verify_url(request, document.code),
    }
    return render(request, "documents/document.html", context)


@login_required
@require_GET
def document_pdf(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    document = _document_or_404(request, pk, AccessEvent.Purpose.PRINT)
    if not sees_personal_data(scope_of(request.user)) or not in_circle(reader=request.user, entry=document.occurrence):
        _log(request, document, AccessEvent.Purpose.PRINT, "denied")
        raise PermissionDenied(_("The document holds personal data, which your role does not see."))
    proof = None
    if document.kind == DocumentKind.CERTIFIED_EXTRACT:
        proof = services.court_proof(document.occurrence)
    body = pdf.render(
        document,
        verify_url=verify_url(request, document.code),
        leaf_index=services.leaf_index_of(document),
        proof=proof,
        revoked_at=revocation.at if (revocation := services.revocation_of(document)) is not None else None,
    )
    _log(request, document, AccessEvent.Purpose.PRINT, "shown")
    response = HttpResponse(body, content_type="application/pdf")
    filename = document.serial.replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """GET asks "Are you sure?" with the reason field; POST revokes. Revoking cannot be undone."""
    document = _document_or_404(request, pk, AccessEvent.Purpose.RECORD)
    if not can_revoke_document(scope_of(request.user), station_code=document.station.code):
        raise PermissionDenied(_("Only the station's OCS may revoke a document."))
    if services.revocation_of(document) is not None:
        messages.error(request, _("This document is already revoked."))
        return redirect("document", pk=document.pk)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_document(actor=request.user, document=document, reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("%(serial)s revoked.") % {"serial": document.serial})
            return redirect("document", pk=document.pk)
    return confirm_page(
        request,
        title=_("Revoke %(serial)s") % {"serial": document.serial},
        consequence=_(
            "From now on the verify page answers that %(serial)s is revoked and must not be accepted, and its PDF "
            "carries REVOKED across it. Issue a replacement if the holder needs one."
        )
        % {"serial": document.serial},
        form=form,
        action=reverse("document_revoke", args=[document.pk]),
        back=reverse("document", args=[document.pk]),
        button=_("Yes, revoke the document"),
    )


@login_required
@require_GET
def station_documents(request: AuthenticatedRequest) -> HttpResponse:
    officer = getattr(request.user, "officer", None)
    station = officer.station if officer is not None else None
    documents = (
        IssuedDocument.objects.visible_to(scope_of(request.user))
        .filter(station=station)
        .select_related("occurrence", "issued_by__user")
        .prefetch_related("revocations")
        .order_by("-issued_at")[:200]
        if station is not None
        else IssuedDocument.objects.none()
    )
    return render(request, "documents/list.html", {"station": station, "documents": documents})


# --- Public ------------------------------------------------------------------------------


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        typed = form.cleaned_data["code"]
        code = rules.normalise_code(typed)
        if notice_rules.looks_like_notice_number(typed):
            # A document code may by chance have a notice number's shape: the document answers then.
            if over_limit(
                scope="verify", client=client_address(request), limit=settings.DAFTARI_PUBLIC_VERIFY_PER_MINUTE
            ):
                return too_many(request)
            if not services.is_document_code(code):
                return redirect("fines_verify", number=notice_rules.normalise_notice_number(typed))
        if code:
            return redirect(_verify_page_for(code), code=rules.display_code(code))
    return render(request, "documents/verify.html", {"form": form, "result": None})


def _verify_page_for(code: str) -> str:
    """A refugee register document's code answers on the register's verify page; any other here."""
    if not services.is_document_code(code) and refugee_queries.is_document_code(code):
        return "refugee_verify"
    return "verify_code"


@require_GET
def verify_page(request: HttpRequest, code: str) -> HttpResponse:
    if over_limit(scope="verify", client=client_address(request), limit=settings.DAFTARI_PUBLIC_VERIFY_PER_MINUTE):
        return too_many(request)
    result = services.verify_code(code=code, actor=request.user)
    context = {"form": VerifyForm(initial={"code": code}), "result": result}
    return render(request, "documents/verify.html", context, status=200 if result.found else 404)


@login_required
@require_GET
def evidence_for_extract(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    """The entry's evidence bundle, offered beside the certified extract."""
    document = _document_or_404(request, pk, AccessEvent.Purpose.EVIDENCE)
    bundle = services.evidence_zip(actor=request.user, document=document)
    response = HttpResponse(bundle, content_type="application/zip")
    filename = evidence.bundle_filename(document.occurrence.ob_number, str(document.occurrence_id))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
