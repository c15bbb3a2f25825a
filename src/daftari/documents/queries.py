"""The read model of issued documents: every read of one goes through ``document_for`` / ``view_document``.

It applies the station scope, writes one access event and returns a ``DocumentView`` with what the
reader may not see left out: the applicant, the purpose, a P3's injuries, a lost document's number
and a revocation's reason. A document issued from a restricted entry (a P3 after a GBV report) is
read in full only by that entry's circle. The desk page and the API both render the view.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from daftari.core.errors import NotFound, NotPermitted
from daftari.documents import rules, services
from daftari.documents.models import DocumentFee, DocumentRevocation, IssuedDocument
from daftari.occurrences import queries as entries
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.rules import can_issue_document, sees_personal_data
from daftari.stations.services import log_access, log_accesses, log_refused, outcome_of

RECORD_TYPE = "document"
# The document's own details that are personal data, with their labels on the desk page.
PERSONAL_DETAILS = {
    "injuries_alleged": _("Alleged assault or injury"),
    "investigating_officer": _("Investigating officer"),
    "document_number": _("Document number"),
}


@dataclass(frozen=True)
class DocumentView:
    """One issued document as one reader may see it. Fields the reader may not see are None or empty."""

    id: uuid.UUID
    serial: str
    kind: str
    kind_name: str
    code: str
    occurrence: uuid.UUID
    ob_number: str
    station_code: str
    issued_at: datetime
    issued_by: str
    issued_by_name: str
    personal: bool
    restricted: bool
    applicant_name: str | None
    purpose: str | None
    details: dict[str, Any]
    detail_rows: tuple[tuple[str, Any], ...]
    fee_kes: int
    mpesa_receipt: str
    supersedes: uuid.UUID | None
    supersedes_serial: str
    revoked_at: datetime | None
    revocation_reason: str | None
    revoked_by_name: str | None

    @property
    def outcome(self) -> str:
        return outcome_of(withheld=not self.personal)


def _view(document: IssuedDocument, *, personal: bool, restricted: bool) -> DocumentView:
    revocation = DocumentRevocation.objects.filter(document=document).select_related("by__user").first()
    details = document.details if isinstance(document.details, dict) else {}
    shown = {k: v for k, v in details.items() if k not in PERSONAL_DETAILS or personal}
    return DocumentView(
        id=document.pk,
        serial=document.serial,
        kind=document.kind,
        kind_name=document.kind_name,
        code=rules.display_code(document.code),
        occurrence=document.occurrence_id,
        ob_number=document.occurrence.ob_number,
        station_code=document.station.code,
        issued_at=document.issued_at,
        issued_by=document.issued_by.service_number,
        issued_by_name=document.issued_by.display_name,
        personal=personal,
        restricted=restricted,
        applicant_name=document.applicant_name if personal else None,
        purpose=document.purpose if personal else None,
        details=shown,
        detail_rows=tuple(
            (str(label), details[key]) for key, label in PERSONAL_DETAILS.items() if personal and key in details
        ),
        fee_kes=document.fee_kes,
        mpesa_receipt=str(details.get("mpesa_receipt", "")),
        supersedes=document.supersedes_id,
        supersedes_serial=document.supersedes.serial if document.supersedes is not None else "",
        revoked_at=revocation.at if revocation is not None else None,
        revocation_reason=revocation.reason if revocation is not None and personal else None,
        revoked_by_name=revocation.by.display_name if revocation is not None and personal else None,
    )


def view_document(
    *, reader: User, document: IssuedDocument, purpose: AccessEvent.Purpose, channel: str
) -> DocumentView:
    """A document already found within the reader's scope, its read written to the access log."""
    restricted = not entries.in_circle(reader=reader, entry=document.occurrence)
    personal = sees_personal_data(scope_of(reader)) and not restricted
    view = _view(document, personal=personal, restricted=restricted)
    log_access(
        actor=reader,
        record_type=RECORD_TYPE,
        record_id=str(document.pk),
        record_station=document.station,
        purpose=purpose,
        outcome=view.outcome,
        channel=channel,
    )
    return view


def visible_document(
    *, reader: User, document_id: uuid.UUID | str, purpose: AccessEvent.Purpose, channel: str
) -> IssuedDocument:
    """The document if the reader's scope reaches it; otherwise the refusal is logged (denied) and NotFound raised.

    For the actions on a document (its PDF, revoking it); a read of it is ``document_for``.
    """
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        raise NotFound() from None
    found = (
        IssuedDocument.objects.visible_to(scope_of(reader))
        .select_related("station", "occurrence__station", "occurrence__refers_to", "issued_by__user", "supersedes")
        .filter(pk=key)
        .first()
    )
    if found is None:
        log_refused(
            actor=reader, record_type=RECORD_TYPE, model=IssuedDocument, record_id=key, purpose=purpose, channel=channel
        )
        raise NotFound()
    return found


def document_for(
    *, reader: User, document_id: uuid.UUID | str, purpose: AccessEvent.Purpose, channel: str
) -> DocumentView:
    """The one read of a document: scoped (404 and a denied event outside the scope), logged, withheld as due."""
    document = visible_document(reader=reader, document_id=document_id, purpose=purpose, channel=channel)
    return view_document(reader=reader, document=document, purpose=purpose, channel=channel)


def fee_for(*, reader: User, fee_id: uuid.UUID | str, channel: str, log: bool = True) -> DocumentFee:
    """A fee request, which names the applicant and the phone prompted: for the officers who issue the
    station's documents (others: NotPermitted, logged as denied; another station's: NotFound).

    ``log=False`` for the page's own refresh while it waits for M-Pesa: its first load was the read.
    """
    scope = scope_of(reader)
    fee = services.find_fee(scope=scope, pk=fee_id)
    allowed = can_issue_document(scope, station_code=fee.occurrence.station.code)
    if log or not allowed:
        outcome = AccessEvent.Outcome.SHOWN if allowed else AccessEvent.Outcome.DENIED
        log_accesses(
            actor=reader,
            reads=[("document_fee", str(fee.pk), fee.occurrence.station_id, outcome)],
            purpose=AccessEvent.Purpose.RECORD,
            channel=channel,
        )
    if not allowed:
        raise NotPermitted()
    return fee
