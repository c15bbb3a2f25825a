"""The full record of an issued document or revocation as committed to in its ledger leaf.

Built the same way when it is issued and when ``daftari ledger verify`` re-reads it.
"""

from datetime import UTC, datetime
from typing import Any

from daftari.documents.models import DocumentRevocation, IssuedDocument

KIND_DOCUMENT = "document"
KIND_REVOCATION = "document_revocation"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def document_record(doc: IssuedDocument) -> dict[str, Any]:
    return {
        "type": doc.kind,
        "id": str(doc.pk),
        "serial": doc.serial,
        "code": doc.code,
        "occurrence": str(doc.occurrence_id),
        "issue_entry": str(doc.issue_entry_id) if doc.issue_entry_id else None,
        "station": doc.station.code,
        "issued_by": doc.issued_by.service_number,
        "issued_at": _moment(doc.issued_at),
        "applicant_name": doc.applicant_name,
        "purpose": doc.purpose,
        "fee_kes": doc.fee_kes,
        "details": doc.details,
        "supersedes": str(doc.supersedes_id) if doc.supersedes_id else None,
    }


def revocation_record(revocation: DocumentRevocation) -> dict[str, Any]:
    return {
        "type": "revocation",
        "id": str(revocation.pk),
        "document": str(revocation.document_id),
        "reason": revocation.reason,
        "by": revocation.by.service_number,
        "at": _moment(revocation.at),
    }


def stored_document(record_id: str) -> dict[str, Any] | None:
    doc = IssuedDocument.objects.select_related("station", "issued_by").filter(pk=record_id).first()
    return document_record(doc) if doc is not None else None


def stored_revocation(record_id: str) -> dict[str, Any] | None:
    revocation = DocumentRevocation.objects.select_related("by").filter(pk=record_id).first()
    return revocation_record(revocation) if revocation is not None else None
