"""Lawful erasure of an issued document's personal data (``daftari ledger redact``).

A police abstract, P3 form or certified extract is one leaf (kind "document"); its revocation is
another ("document_revocation"). The entry the document came from and the ABSTRACT_ISSUED /
P3_ISSUED entry that records the hand-out are entries of the book with their own erasure, so an
order about a person names those too. Field by field:

Document (``IssuedDocument``):
- applicant's name, purpose -> "[redacted]": the name identifies, the purpose is free text about
  the applicant's affairs (an insurance claim, a new ID card).
- the P3's alleged injuries (health data) and a lost document's number (an ID or passport number)
  -> "[redacted]", as is any other free text in the details.
- kind, serial, verification code, station, issuing officer, time, fee, the lost document's kind,
  the fee's reference and M-Pesa receipt and the investigating officer: kept. The public verify
  page still answers for the code (it never showed personal details), the station's register of
  documents still counts, and the fee still reconciles.
- the fee request it was paid by (``DocumentFee``): applicant's name, purpose -> "[redacted]", phone
  -> blank; the payer's phone and names in payments (see payments/erasure.py). A fee has no leaf
  of its own, so the document's order is the only one that reaches it.

Revocation (``DocumentRevocation``): its reason -> "[redacted]" (free text that may name the
holder); who revoked it and when stay, and the document stays revoked.

The PDF is drawn afresh from these rows on each request, so it shows "[redacted]" too.
"""

from typing import Any

from daftari.documents.models import DocumentFee, DocumentFeeState, DocumentRevocation, IssuedDocument
from daftari.payments.erasure import erase_payer
from daftari.payments.models import Payment

MARKER = "[redacted]"
DOCUMENT_TABLES = ["documents_issueddocument", "documents_documentfee"]
REVOCATION_TABLES = ["documents_documentrevocation"]

# Details that are the register's figures or the money's trail, not the applicant's.
KEPT_DETAILS = frozenset({"document_kind", "fee_reference", "mpesa_receipt", "investigating_officer"})


def _text(value: str) -> str:
    return MARKER if value else ""


def _details(details: Any) -> dict[str, Any]:
    if not isinstance(details, dict):
        return {}
    return {k: _text(v) if isinstance(v, str) and k not in KEPT_DETAILS else v for k, v in details.items()}


def erase(record_id: str) -> None:
    """Replaces the applicant's name, the purpose and the personal details of one document and its fee."""
    document = IssuedDocument.objects.get(pk=record_id)
    IssuedDocument.objects.filter(pk=document.pk).update(
        applicant_name=_text(document.applicant_name),
        purpose=_text(document.purpose),
        details=_details(document.details),
    )
    fee_ids = DocumentFeeState.objects.filter(document=document).values_list("fee_id", flat=True)
    for fee in DocumentFee.objects.filter(pk__in=list(fee_ids)):
        DocumentFee.objects.filter(pk=fee.pk).update(applicant_name=MARKER, purpose=_text(fee.purpose), phone="")
        for payment in Payment.objects.filter(account_reference=fee.reference):
            erase_payer(payment)


def erase_revocation(record_id: str) -> None:
    """Replaces a revocation's reason; the document stays revoked."""
    revocation = DocumentRevocation.objects.get(pk=record_id)
    DocumentRevocation.objects.filter(pk=revocation.pk).update(reason=_text(revocation.reason))
