"""Issuing, revoking and verifying abstracts, P3 forms and certified extracts."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daftari_verify import merkle
from daftari_verify.checkpoint import InclusionProof, open_checkpoint
from daftari_verify.errors import FormatError, VerificationError
from daftari_verify.leaf import Leaf as LeafV1
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daftari.core.errors import DomainError, InvalidInput, NotFound, NotPermitted, NotPermittedAtStation
from daftari.core.phones import normalise_phone
from daftari.documents import records, rules
from daftari.documents.models import DocumentFee, DocumentFeeState, DocumentRevocation, IssuedDocument
from daftari.documents.rules import DocumentKind
from daftari.ledger import evidence, keys
from daftari.ledger import services as ledger
from daftari.ledger.models import Commitment
from daftari.occurrences.models import Occurrence
from daftari.occurrences.queries import in_circle
from daftari.occurrences.rules import EntryDraft
from daftari.occurrences.services import record_occurrence
from daftari.payments.models import Payment
from daftari.stations.models import AccessEvent, Officer, scope_of
from daftari.stations.rules import Scope, can_issue_document, can_record_at, can_revoke_document, station_filter
from daftari.stations.services import count_public_read, log_access

log = logging.getLogger(__name__)


def _officer(actor: User) -> Officer:
    officer = getattr(actor, "officer", None)
    if officer is None:
        raise NotPermittedAtStation()
    return officer


def _next_serial(kind: DocumentKind, occurrence: Occurrence, now: datetime) -> str:
    # Called with the station's log locked, so two desks cannot take the same number.
    year = timezone.localtime(now).year
    prefix = rules.format_serial(kind, occurrence.station.code, year, 0)[:-6]
    taken = IssuedDocument.objects.filter(station=occurrence.station, serial__startswith=prefix).count()
    return rules.format_serial(kind, occurrence.station.code, year, taken + 1)


def _new_code() -> str:
    while True:
        code = rules.new_code()
        if not IssuedDocument.objects.filter(code=code).exists():
            return code


def _issue_entry(
    *,
    actor: User,
    occurrence: Occurrence,
    kind: DocumentKind,
    serial: str,
    applicant_name: str,
    purpose: str,
    details: dict[str, Any],
    now: datetime,
) -> Occurrence | None:
    """The ABSTRACT_ISSUED or P3_ISSUED entry that records the hand-out in the book (none for an extract)."""
    narrative = _("%(document)s %(serial)s issued from %(ob)s to %(applicant)s.") % {
        "document": rules.KIND_NAMES[kind],
        "serial": serial,
        "ob": occurrence.ob_number,
        "applicant": applicant_name or "-",
    }
    if kind in rules.ABSTRACTS:
        entry_type = "ABSTRACT_ISSUED"
        entry_details: dict[str, Any] = {
            "abstract_number": serial,
            "abstract_kind": rules.ENTRY_ABSTRACT_KIND[kind],
            "purpose": purpose,
        }
    elif kind == DocumentKind.P3_PART1:
        entry_type = "P3_ISSUED"
        entry_details = {
            "injuries_alleged": details["injuries_alleged"],
            "investigating_officer": details.get("investigating_officer", ""),
        }
    else:
        return None
    draft = EntryDraft(
        entry_type=entry_type,
        occurred_at=now,
        place=occurrence.station.name,
        narrative=narrative,
        details={k: v for k, v in entry_details.items() if v},
        refers_to=str(occurrence.pk),
    )
    return record_occurrence(actor=actor, station=occurrence.station, draft=draft).entry


def _checked(
    *,
    actor: User,
    occurrence: Occurrence,
    kind: str,
    applicant_name: str,
    purpose: str,
    injuries_alleged: str,
    investigating_officer: str,
    supersedes: IssuedDocument | None,
) -> tuple[DocumentKind, str, str, dict[str, Any]]:
    """The checks before issuing (or asking the fee for) a document: the kind, name, purpose and details."""
    station = occurrence.station
    scope = scope_of(actor)
    if not can_issue_document(scope, station_code=station.code):
        if can_record_at(scope, station_code=station.code):
            raise NotPermitted(_("Only the desk, the OCS and investigators issue the station's documents."))
        raise NotPermittedAtStation()
    try:
        document_kind = DocumentKind(kind)
    except ValueError:
        raise InvalidInput(fields={"kind": _("Choose the document to issue.")}) from None
    if document_kind not in rules.kinds_for(occurrence.entry_type, public_facing=occurrence.spec.public_facing):
        raise InvalidInput(fields={"kind": _("This document cannot be issued from this kind of entry.")})
    applicant_name = applicant_name.strip()[:120]
    purpose = purpose.strip()[:200]
    if document_kind in rules.ABSTRACTS and not applicant_name:
        raise InvalidInput(fields={"applicant_name": _("Enter the name of the person the abstract is for")})
    if supersedes is not None and (supersedes.occurrence_id != occurrence.pk or supersedes.kind != document_kind):
        raise InvalidInput(fields={"supersedes": _("A replacement must be of the same document from the same entry.")})
    details: dict[str, Any] = {}
    if document_kind == DocumentKind.P3_PART1:
        details = {
            "injuries_alleged": (injuries_alleged.strip() or occurrence.narrative)[:2000],
            "investigating_officer": investigating_officer.strip()[:120],
        }
    if document_kind == DocumentKind.ABSTRACT_LOST_DOCUMENT:
        details = {
            "document_kind": occurrence.details.get("document_kind", ""),
            "document_number": occurrence.details.get("document_number", ""),
        }
    return document_kind, applicant_name, purpose, details


def fee_due(kind: str) -> int:
    """What issuing this kind of document costs now (KES): P3 forms and extracts are always free."""
    try:
        document_kind = DocumentKind(kind)
    except ValueError:
        return 0
    return rules.fee_for(document_kind, abstract_fee_kes=settings.DAFTARI_ABSTRACT_FEE_KES)


def issue_document(
    *,
    actor: User,
    occurrence: Occurrence,
    kind: str,
    applicant_name: str = "",
    purpose: str = "",
    injuries_alleged: str = "",
    investigating_officer: str = "",
    supersedes: IssuedDocument | None = None,
    paid_fee: DocumentFee | None = None,
) -> IssuedDocument:
    """Issues a document from an entry: numbered, recorded in the book, and a leaf of the signed book.

    A document with a fee is issued only for a ``paid_fee`` (by ``on_confirmed``): never for cash.
    """
    station = occurrence.station
    document_kind, applicant_name, purpose, details = _checked(
        actor=actor,
        occurrence=occurrence,
        kind=kind,
        applicant_name=applicant_name,
        purpose=purpose,
        injuries_alleged=injuries_alleged,
        investigating_officer=investigating_officer,
        supersedes=supersedes,
    )
    fee_kes = 0
    if paid_fee is not None:
        paid = DocumentFeeState.objects.filter(fee=paid_fee, state=rules.FeeState.PAID).first()
        if paid is None or paid_fee.occurrence_id != occurrence.pk or paid_fee.kind != document_kind:
            raise InvalidInput(fields={"kind": _("This fee is not paid for this document.")})
        fee_kes = paid_fee.amount_kes
        details = {**details, "fee_reference": paid_fee.reference, "mpesa_receipt": paid.mpesa_receipt}
    elif rules.fee_for(document_kind, abstract_fee_kes=settings.DAFTARI_ABSTRACT_FEE_KES) > 0:
        raise InvalidInput(fields={"phone": _("This abstract has a fee, paid by M-Pesa before it is issued.")})
    officer = _officer(actor)
    now = timezone.now()
    with transaction.atomic():
        ledger.lock_log(station)
        serial = _next_serial(document_kind, occurrence, now)
        issue_entry = _issue_entry(
            actor=actor,
            occurrence=occurrence,
            kind=document_kind,
            serial=serial,
            applicant_name=applicant_name,
            purpose=purpose,
            details=details,
            now=now,
        )
        document = IssuedDocument.objects.create(
            kind=document_kind.value,
            serial=serial,
            code=_new_code(),
            occurrence=occurrence,
            issue_entry=issue_entry,
            station=station,
            issued_by=officer,
            issued_at=now,
            applicant_name=applicant_name,
            purpose=purpose,
            fee_kes=fee_kes,
            details=details,
            supersedes=supersedes,
        )
        earlier = ledger.leaf_for(str(occurrence.pk))
        ledger.append(
            station=station,
            kind=records.KIND_DOCUMENT,
            record_id=str(document.pk),
            record=records.document_record(document),
            by=officer.service_number,
            ob=occurrence.ob_number,
            prev=earlier.index if earlier is not None else None,
            at=now,
        )
    return document


def revoke_document(*, actor: User, document: IssuedDocument, reason: str) -> DocumentRevocation:
    """The OCS withdraws a document (issued in error, obtained by fraud); the verify page says so."""
    scope = scope_of(actor)
    if not can_revoke_document(scope, station_code=document.station.code):
        raise NotPermitted(_("Only the station's OCS may revoke a document."))
    reason = reason.strip()[:300]
    if not reason:
        raise InvalidInput(fields={"reason": _("Enter the reason for revoking the document")})
    officer = _officer(actor)
    now = timezone.now()
    with transaction.atomic():
        ledger.lock_log(document.station)
        if DocumentRevocation.objects.filter(document=document).exists():
            raise InvalidInput(fields={"reason": _("This document is already revoked.")})
        revocation = DocumentRevocation.objects.create(document=document, reason=reason, by=officer, at=now)
        earlier = ledger.leaf_for(str(document.pk))
        ledger.append(
            station=document.station,
            kind=records.KIND_REVOCATION,
            record_id=str(revocation.pk),
            record=records.revocation_record(revocation),
            by=officer.service_number,
            ob=document.occurrence.ob_number,
            prev=earlier.index if earlier is not None else None,
            at=now,
        )
    return revocation


def find_document(*, scope: Scope, pk: Any) -> IssuedDocument:
    found = (
        IssuedDocument.objects.visible_to(scope)
        .select_related("station", "occurrence", "issued_by__user", "supersedes")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


# --- Public verification -----------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public verify page may say about a code: never the personal details."""

    status: str  # genuine | revoked | superseded | not_found
    kind_name: str = ""
    serial: str = ""
    issued_at: datetime | None = None
    station_name: str = ""
    revoked_at: datetime | None = None
    leaf_index: int | None = None
    checkpoint_at: datetime | None = None
    proof_ok: bool = False
    erased: bool = False  # its personal details were erased by lawful order

    @property
    def found(self) -> bool:
        return self.status != "not_found"


def _proof(document: IssuedDocument) -> tuple[int | None, datetime | None, bool, bool]:
    """The document's leaf, whether the latest signed checkpoint proves it (checked here, by daftari_verify),
    and whether its personal details were erased by lawful order."""
    leaf = ledger.leaf_for(str(document.pk))
    if leaf is None:
        return None, None, False, False
    erased = ledger.is_redacted(leaf)
    checkpoint = ledger.latest_checkpoint(leaf.log)
    if checkpoint is None or checkpoint.size <= leaf.index:
        return leaf.index, None, False, erased
    data = bytes(leaf.data)
    try:
        signed = open_checkpoint(checkpoint.signed_note, [keys.verifier()], origin=leaf.log.origin)
        hashes = tuple(ledger.inclusion_proof(leaf.log, leaf.index, checkpoint.size))
        proof = InclusionProof(leaf.index, checkpoint.size, hashes)
        proof.verify(merkle.leaf_hash(data), signed)
        if erased:
            # The erasure deleted the salt with the personal data, so the record can no longer be
            # opened against its commitment. That is the order working, not a forgery: the leaf's
            # place in the signed book, proved above, is what is left to check.
            return leaf.index, checkpoint.signed_at, True, True
        salt = Commitment.objects.filter(leaf=leaf).values_list("salt", flat=True).first()
        # The document as stored now must be the one the leaf committed to.
        LeafV1.from_bytes(data).check_record(records.document_record(document), bytes(salt or b""))
    except (VerificationError, FormatError, ValueError):
        log.exception("documents: %s failed verification against its checkpoint", document.serial)
        return leaf.index, checkpoint.signed_at, False, erased
    return leaf.index, checkpoint.signed_at, True, False


def is_document_code(code: str) -> bool:
    """Whether a document carries this (normalised) code; nothing is shown or logged, it only routes /verify."""
    return IssuedDocument.objects.filter(code=code).exists()


def verify_code(*, code: str, actor: User | AnonymousUser) -> Verification:
    """The public answer for a typed or scanned code; every lookup is logged (an officer) or counted, found or not."""
    normalised = rules.normalise_code(code)
    document = (
        IssuedDocument.objects.select_related("station", "issued_by").filter(code=normalised).first()
        if len(normalised) == rules.CODE_LENGTH
        else None
    )
    outcome = "shown" if document is not None else "denied"
    if actor.is_authenticated:
        log_access(
            actor=actor,
            record_type="document",
            record_id=str(document.pk) if document is not None else normalised[:64] or "-",
            record_station=document.station if document is not None else None,
            purpose=AccessEvent.Purpose.PUBLIC_VERIFY,
            outcome=outcome,
            channel="public",
        )
    else:
        # Nobody is identified and nothing personal is shown: a daily count, not a row per request.
        count_public_read(record_type="document", outcome=outcome)
    if document is None:
        return Verification(status="not_found")
    revocation = revocation_of(document)
    if revocation is not None:
        status = "revoked"
    elif IssuedDocument.objects.filter(supersedes=document).exists():
        status = "superseded"
    else:
        status = "genuine"
    leaf_index, checkpoint_at, proof_ok, erased = _proof(document)
    return Verification(
        status=status,
        kind_name=document.kind_name,
        serial=document.serial,
        issued_at=document.issued_at,
        station_name=document.station.name,
        revoked_at=revocation.at if revocation is not None else None,
        leaf_index=leaf_index,
        checkpoint_at=checkpoint_at,
        proof_ok=proof_ok,
        erased=erased,
    )


# --- The certified extract's proof -------------------------------------------------------


@dataclass(frozen=True)
class CourtProof:
    """Where an entry stands in the signed book, for a certified extract: leaf, signed checkpoint, proof."""

    leaf_index: int
    leaf_hash_hex: str
    checkpoint_text: str
    checkpoint_at: datetime
    tree_size: int
    proof_hex: list[str]


def court_proof(occurrence: Occurrence) -> CourtProof:
    """The entry's inclusion proof against a checkpoint that covers it (signing one if the leaf is newer)."""
    # build_bundle signs a covering checkpoint when needed and refuses an erased record.
    leaf = evidence.build_bundle(str(occurrence.pk))[0]
    checkpoint = ledger.latest_checkpoint(leaf.log)
    if checkpoint is None or checkpoint.size <= leaf.index:
        raise RuntimeError(f"{leaf.log.origin}: no checkpoint covers leaf {leaf.index}")
    hashes = ledger.inclusion_proof(leaf.log, leaf.index, checkpoint.size)
    return CourtProof(
        leaf_index=leaf.index,
        leaf_hash_hex=merkle.leaf_hash(bytes(leaf.data)).hex(),
        checkpoint_text=checkpoint.signed_note,
        checkpoint_at=checkpoint.signed_at,
        tree_size=checkpoint.size,
        proof_hex=[h.hex() for h in hashes],
    )


def evidence_zip(*, actor: User, document: IssuedDocument) -> bytes:
    """The entry's evidence bundle offered beside a certified extract (the hand-out is logged)."""
    return evidence.evidence_for(
        actor=actor,
        record_type="occurrence",
        record_id=str(document.occurrence_id),
        station=document.station,
        channel="desk",
        restricted=not in_circle(reader=actor, entry=document.occurrence),
    )


def leaf_index_of(document: IssuedDocument) -> int | None:
    leaf = ledger.leaf_for(str(document.pk))
    return leaf.index if leaf is not None else None


# --- Fees paid by M-Pesa -----------------------------------------------------------------


def _new_fee_reference() -> str:
    while True:
        reference = rules.new_fee_reference()
        if not DocumentFee.objects.filter(reference=reference).exists():
            return reference


def request_fee(
    *,
    actor: User,
    occurrence: Occurrence,
    kind: str,
    applicant_name: str,
    purpose: str = "",
    phone: str,
    supersedes: IssuedDocument | None = None,
) -> DocumentFee:
    """Records a fee request for a document that costs money and prompts the applicant's phone (STK push).

    The document is issued by ``FeeAccounts.on_confirmed`` once M-Pesa confirms the payment; the
    applicant may also pay the paybill with the reference as the account number.
    """
    from daftari.payments.services import request_stk_push

    document_kind, applicant_name, purpose, _details = _checked(
        actor=actor,
        occurrence=occurrence,
        kind=kind,
        applicant_name=applicant_name,
        purpose=purpose,
        injuries_alleged="",
        investigating_officer="",
        supersedes=supersedes,
    )
    amount = rules.fee_for(document_kind, abstract_fee_kes=settings.DAFTARI_ABSTRACT_FEE_KES)
    if amount <= 0:
        raise InvalidInput(fields={"kind": _("This document is free: issue it directly.")})
    e164 = normalise_phone(phone)
    if e164 is None or not e164.startswith("+254"):
        raise InvalidInput(fields={"phone": _("Enter a Kenyan mobile number, such as 0712 345 678.")})
    officer = _officer(actor)
    now = timezone.now()
    with transaction.atomic():
        fee = DocumentFee.objects.create(
            occurrence=occurrence,
            kind=document_kind.value,
            applicant_name=applicant_name,
            purpose=purpose,
            phone=e164,
            amount_kes=amount,
            reference=_new_fee_reference(),
            supersedes=supersedes,
            requested_by=officer,
            requested_at=now,
        )
        DocumentFeeState.objects.create(fee=fee, state=rules.FeeState.PENDING, updated_at=now)
        # The push itself leaves after the commit (payments' own on_commit).
        request_stk_push(
            account_reference=fee.reference,
            amount_kes=amount,
            phone=e164,
            description=str(_("Police abstract %(reference)s") % {"reference": fee.reference})[:40],
        )
    return fee


def find_fee(*, scope: Scope, pk: Any) -> DocumentFee:
    lookup = station_filter(scope)
    found = None
    if lookup is not None:
        station_lookup = {f"occurrence__{key}": value for key, value in lookup.items()}
        found = (
            DocumentFee.objects.select_related("projection__document", "occurrence__station")
            .filter(pk=pk, **station_lookup)
            .first()
        )
    if found is None:
        raise NotFound()
    return found


class FeeAccounts:
    """The payments app's handler for abstract fee references ("AB..." account references)."""

    def prefix_matches(self, reference: str) -> bool:
        return rules.is_fee_reference(reference)

    def validate(self, reference: str, amount_kes: int) -> str | None:
        from daftari.payments import accounts

        fee = DocumentFee.objects.filter(reference=rules.normalise_fee_reference(reference)).first()
        if fee is None:
            return accounts.REJECT_INVALID_ACCOUNT
        state = DocumentFeeState.objects.get(fee=fee).state
        refusal = rules.fee_refusal(state=state, amount_kes=fee.amount_kes, offered_kes=amount_kes)
        if refusal == "wrong_amount":
            return accounts.REJECT_INVALID_AMOUNT
        if refusal == "already_paid":
            return "Already paid"
        return None

    def on_confirmed(self, payment: Payment) -> None:
        """Inside the confirming transaction: marks the fee paid and issues the document, once."""
        fee = (
            DocumentFee.objects.select_related("occurrence__station", "requested_by__user", "supersedes")
            .filter(reference=rules.normalise_fee_reference(payment.account_reference))
            .first()
        )
        if fee is None:
            log.warning("payment %s for unknown abstract fee %s", payment.pk, payment.account_reference)
            return
        paid_kes = payment.paid_kes if payment.paid_kes is not None else payment.amount_kes
        with transaction.atomic():
            state = DocumentFeeState.objects.select_for_update().get(fee=fee)
            if state.state != rules.FeeState.PENDING:
                # A second payment for a fee already paid: payments keeps the money and reconciliation lists it.
                log.warning("payment %s for abstract fee %s already %s", payment.pk, fee.reference, state.state)
                return
            if paid_kes < fee.amount_kes:
                log.warning("payment %s of KES %s short of abstract fee %s", payment.pk, paid_kes, fee.reference)
                return
            state.state = rules.FeeState.PAID
            state.payment_id = payment.pk
            state.mpesa_receipt = payment.mpesa_receipt or ""
            state.updated_at = timezone.now()
            state.save()
            try:
                with transaction.atomic():
                    document = issue_document(
                        actor=fee.requested_by.user,
                        occurrence=fee.occurrence,
                        kind=fee.kind,
                        applicant_name=fee.applicant_name,
                        purpose=fee.purpose,
                        supersedes=fee.supersedes,
                        paid_fee=fee,
                    )
            except DomainError:
                # E.g. the officer has left the station: the fee stays paid and the desk issues it.
                log.exception("abstract fee %s paid but the document could not be issued", fee.reference)
                return
            state.state = rules.FeeState.ISSUED
            state.document = document
            state.updated_at = timezone.now()
            state.save()


FEE_HANDLER = FeeAccounts()


def issue_paid_fee(*, actor: User, fee: DocumentFee) -> IssuedDocument:
    """The desk issues a document whose fee is paid but which could not be issued on confirmation."""
    with transaction.atomic():
        state = DocumentFeeState.objects.select_for_update().get(fee=fee)
        if state.state == rules.FeeState.ISSUED and state.document is not None:
            return state.document
        if state.state != rules.FeeState.PAID:
            raise InvalidInput(fields={"phone": _("This fee is not paid yet.")})
        document = issue_document(
            actor=actor,
            occurrence=fee.occurrence,
            kind=fee.kind,
            applicant_name=fee.applicant_name,
            purpose=fee.purpose,
            supersedes=fee.supersedes,
            paid_fee=fee,
        )
        state.state = rules.FeeState.ISSUED
        state.document = document
        state.updated_at = timezone.now()
        state.save()
    return document


def register_payment_handler() -> None:
    from daftari.payments import accounts

    accounts.register(FEE_HANDLER)


def revocation_of(document: IssuedDocument) -> DocumentRevocation | None:
    """The document's withdrawal by the OCS, if it was withdrawn."""
    return DocumentRevocation.objects.filter(document=document).first()
