"""What may be issued from which entry, serial numbers and verification codes, as pure functions."""

import secrets
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from daftari.core.codes import CODE_ALPHABET, CODE_LENGTH, display_code, new_code, normalise_code

__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "display_code", "new_code", "normalise_code"]


class DocumentKind(StrEnum):
    ABSTRACT_GENERAL = "abstract_general"
    ABSTRACT_ACCIDENT = "abstract_accident"
    ABSTRACT_LOST_DOCUMENT = "abstract_lost_document"
    P3_PART1 = "p3_part1"
    CERTIFIED_EXTRACT = "certified_extract"


KIND_NAMES = {
    DocumentKind.ABSTRACT_GENERAL: _("Police abstract (general)"),
    DocumentKind.ABSTRACT_ACCIDENT: _("Police abstract (road accident)"),
    DocumentKind.ABSTRACT_LOST_DOCUMENT: _("Police abstract (lost document)"),
    DocumentKind.P3_PART1: _("P3 form, Part I"),
    DocumentKind.CERTIFIED_EXTRACT: _("Certified OB extract"),
}

ABSTRACTS = frozenset(
    {DocumentKind.ABSTRACT_GENERAL, DocumentKind.ABSTRACT_ACCIDENT, DocumentKind.ABSTRACT_LOST_DOCUMENT}
)

# The abstract kinds as the ABSTRACT_ISSUED entry names them (entry_types.ABSTRACT_KINDS).
ENTRY_ABSTRACT_KIND = {
    DocumentKind.ABSTRACT_GENERAL: "general",
    DocumentKind.ABSTRACT_ACCIDENT: "accident",
    DocumentKind.ABSTRACT_LOST_DOCUMENT: "lost_document",
}

SERIES = {
    DocumentKind.ABSTRACT_GENERAL: "ABS",
    DocumentKind.ABSTRACT_ACCIDENT: "ABS",
    DocumentKind.ABSTRACT_LOST_DOCUMENT: "ABS",
    DocumentKind.P3_PART1: "P3",
    DocumentKind.CERTIFIED_EXTRACT: "EXT",
}

P3_ENTRY_TYPES = frozenset({"COMPLAINT", "GBV", "TRAFFIC_ACCIDENT"})
# Entries that are themselves the record of issuing or correcting: nothing is issued from them.
NOT_FOR_ABSTRACTS = frozenset({"AMENDMENT", "ABSTRACT_ISSUED", "P3_ISSUED", "DAILY_CLOSE"})


def kinds_for(entry_type: str, *, public_facing: bool) -> list[DocumentKind]:
    """The documents the desk may issue from an entry of this type, in the order the form offers them."""
    kinds: list[DocumentKind] = []
    if entry_type == "TRAFFIC_ACCIDENT":
        kinds.append(DocumentKind.ABSTRACT_ACCIDENT)
    if entry_type == "LOST_DOC":
        kinds.append(DocumentKind.ABSTRACT_LOST_DOCUMENT)
    if public_facing and entry_type not in NOT_FOR_ABSTRACTS:
        kinds.append(DocumentKind.ABSTRACT_GENERAL)
    if entry_type in P3_ENTRY_TYPES:
        kinds.append(DocumentKind.P3_PART1)
    if entry_type not in NOT_FOR_ABSTRACTS:
        kinds.append(DocumentKind.CERTIFIED_EXTRACT)
    return kinds


def fee_for(kind: DocumentKind, *, abstract_fee_kes: int) -> int:
    """A P3 form is always free; abstracts cost the configured fee (paid by M-Pesa), extracts nothing."""
    if kind in ABSTRACTS:
        return max(abstract_fee_kes, 0)
    return 0


def format_serial(kind: DocumentKind, station_code: str, year: int, seq: int) -> str:
    """e.g. ``ABS/CENTRAL-NBI/2026/000123``: numbered per series, station and year."""
    return f"{SERIES[kind]}/{station_code}/{year}/{seq:06d}"


# --- Fee references ------------------------------------------------------------------------
#
# The M-Pesa account reference of an abstract fee: "AB" + 7 random characters + 1 check character
# = 10 characters (M-Pesa allows 12), never taken for a fine's "FN" notice number. Same alphabet
# and check as notice numbers: 31 characters (a prime) without I, O, 0, 1 and Z; the weighted sum
# of all positions (weights 1..10) is divisible by 31, catching any single mistyped character and
# any swap of neighbours on the applicant's phone.

FEE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXY"
FEE_PREFIX = "AB"
FEE_BODY_LENGTH = 7
FEE_REFERENCE_LENGTH = len(FEE_PREFIX) + FEE_BODY_LENGTH + 1
_FEE_VALUE = {c: i for i, c in enumerate(FEE_ALPHABET)}


def _fee_weighted_sum(text: str) -> int:
    return sum((position + 1) * _FEE_VALUE[c] for position, c in enumerate(text))


def fee_check_character(body: str) -> str:
    base = len(FEE_ALPHABET)
    # Solve sum + weight·c ≡ 0 (mod 31); 31 is prime, so the weight has an inverse.
    c = (-_fee_weighted_sum(body) * pow(len(body) + 1, -1, base)) % base
    return FEE_ALPHABET[c]


def new_fee_reference() -> str:
    body = FEE_PREFIX + "".join(secrets.choice(FEE_ALPHABET) for _ in range(FEE_BODY_LENGTH))
    return body + fee_check_character(body)


def normalise_fee_reference(text: str) -> str:
    return "".join(c for c in (text or "").upper() if c.isalnum())


def is_fee_reference(text: str) -> bool:
    """True for a well-formed fee reference whose check character is right."""
    reference = normalise_fee_reference(text)
    return (
        len(reference) == FEE_REFERENCE_LENGTH
        and reference.startswith(FEE_PREFIX)
        and all(c in _FEE_VALUE for c in reference)
        and _fee_weighted_sum(reference) % len(FEE_ALPHABET) == 0
    )


class FeeState(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    ISSUED = "issued"


def fee_refusal(*, state: str, amount_kes: int, offered_kes: int) -> str | None:
    """Why money offered for a fee must be refused: "already_paid", "wrong_amount", or None to accept."""
    if state != FeeState.PENDING:
        return "already_paid"
    if offered_kes != amount_kes:
        return "wrong_amount"
    return None
