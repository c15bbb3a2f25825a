"""Instant traffic fines as pure functions: notice numbers, the catalogue file, bands, totals, deadlines.

Nothing here touches the database; the services feed these functions what they read and store
what they return.
"""

import csv
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from daftari.core import wording
from daftari.core.phones import normalise_phone
from daftari.occurrences.rules import (
    id_number_problem,
    names_somebody,
    normalise_id_number,
    normalise_plate,
    plate_is_usual,
    plate_problem,
    recorded_late,
    typed_time_problem,
)

NAIROBI = ZoneInfo("Africa/Nairobi")

# --- Notice numbers -------------------------------------------------------------------------
#
# "FN" + 7 serial characters + 1 check character = 10 characters, within M-Pesa's 12-character
# account reference. The alphabet leaves out I, O, 0, 1 (read as one another) and Z (read as 2),
# so it has 31 characters: a prime. The check character makes the weighted sum of all positions
# (weights 1..10) divisible by 31, which catches every single substitution (d·w ≢ 0 mod 31 for
# d, w in 1..30) and every adjacent transposition (the weights of neighbours differ by 1).

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXY"
BASE = len(ALPHABET)  # 31, prime
PREFIX = "FN"
SERIAL_LENGTH = 7
NOTICE_NUMBER_LENGTH = len(PREFIX) + SERIAL_LENGTH + 1
_SERIAL_SPACE = BASE**SERIAL_LENGTH
# Serials are spread over the space (a bijection: the multiplier is coprime with 31) so that
# consecutive notices do not get neighbouring numbers.
_SPREAD = 1_000_003
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def _weighted_sum(body: str) -> int:
    return sum((position + 1) * _VALUE[c] for position, c in enumerate(body))


def check_character(body: str) -> str:
    """The character that makes the weighted sum of ``body`` + it divisible by 31."""
    weight = len(body) + 1
    total = _weighted_sum(body)
    # Solve total + weight·c ≡ 0 (mod 31); 31 is prime, so weight has an inverse.
    c = (-total * pow(weight, -1, BASE)) % BASE
    return ALPHABET[c]


def make_notice_number(serial: int) -> str:
    if not 0 < serial < _SERIAL_SPACE:
        raise ValueError(f"notice serial out of range: {serial}")
    value = (serial * _SPREAD) % _SERIAL_SPACE
    digits = []
    for _position in range(SERIAL_LENGTH):
        value, digit = divmod(value, BASE)
        digits.append(ALPHABET[digit])
    body = PREFIX + "".join(reversed(digits))
    return body + check_character(body)


def new_notice_number() -> str:
    """A number drawn from the operating system's CSPRNG: knowing one notice's number tells
    nothing of the next, so numbers cannot be walked on the public verify and pay pages."""
    return make_notice_number(secrets.randbelow(_SERIAL_SPACE - 1) + 1)


def normalise_notice_number(text: str) -> str:
    """Upper case, without the spaces and dashes people type between groups."""
    return re.sub(r"[\s\-]", "", (text or "").upper())


def looks_like_notice_number(text: str) -> bool:
    """The right shape (prefix, length, alphabet), whatever the check character says."""
    number = normalise_notice_number(text)
    return (
        len(number) == NOTICE_NUMBER_LENGTH
        and number.startswith(PREFIX)
        and all(c in _VALUE for c in number[len(PREFIX) :])
    )


def check_notice_number(text: str) -> bool:
    """True for a notice number whose check character is right."""
    number = normalise_notice_number(text)
    if not looks_like_notice_number(number):
        return False
    return _weighted_sum(number) % BASE == 0


# --- The catalogue file ---------------------------------------------------------------------


class RowStatus(StrEnum):
    CROSS_CHECKED = "cross_checked"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class ScheduledOffenceRow:
    code: str
    offence: str
    fine_kes: int
    legal_reference: str
    status: RowStatus
    source: str


def offence_words(offence: str) -> str:
    """An offence of the schedule in the reader's language.

    The Kiswahili of each offence of the bundled schedule (data/kenya_minor_offences.csv) is in the
    translation catalogue, keyed by its English text; an offence of an imported schedule that has
    none yet reads in English.
    """
    return _(offence) if offence.strip() else offence


CATALOGUE_COLUMNS = ("code", "offence", "fine_kes", "legal_reference", "status", "source")
_CODE_RE = re.compile(r"^[A-Z]{1,4}\d{1,3}[A-Z]?$")


class CatalogueFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def parse_catalogue(text: str) -> list[ScheduledOffenceRow]:
    """The rows of a catalogue CSV; every problem found is reported at once (CatalogueFileError)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CATALOGUE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogueFileError([_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}])
    rows: list[ScheduledOffenceRow] = []
    problems: list[str] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        code = (raw["code"] or "").strip().upper()
        fine_text = (raw["fine_kes"] or "").strip()
        status_text = (raw["status"] or "").strip().lower().replace("-", "_").replace(" ", "_")
        where = _("line %(line)d") % {"line": line}
        if not _CODE_RE.match(code):
            problems.append(
                _("%(where)s: the code %(code)r is not a code like MO07B.") % {"where": where, "code": code}
            )
            continue
        if code in seen:
            problems.append(_("%(where)s: the code %(code)s appears twice.") % {"where": where, "code": code})
        seen.add(code)
        if not re.fullmatch(r"\d{1,7}", fine_text):
            problems.append(
                _("%(where)s: the fine %(fine)r is not a whole number of shillings.")
                % {"where": where, "fine": fine_text}
            )
            continue
        if status_text not in RowStatus.__members__.values():
            problems.append(
                _("%(where)s: the status %(status)r is neither cross-checked nor uncertain.")
                % {"where": where, "status": raw["status"]}
            )
            continue
        offence = (raw["offence"] or "").strip()
        if not offence:
            problems.append(_("%(where)s: the offence is empty.") % {"where": where})
            continue
        rows.append(
            ScheduledOffenceRow(
                code=code,
                offence=offence,
                fine_kes=int(fine_text),
                legal_reference=(raw["legal_reference"] or "").strip(),
                status=RowStatus(status_text),
                source=(raw["source"] or "").strip(),
            )
        )
    if not rows and not problems:
        problems.append(_("The file has no offences."))
    if problems:
        raise CatalogueFileError(problems)
    return rows


# --- Offences on a notice -------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    offence: str
    fine_kes: int


@dataclass(frozen=True)
class OffenceInput:
    code: str
    measured_speed: int | None = None
    speed_limit: int | None = None


@dataclass(frozen=True)
class NoticeLine:
    code: str
    offence: str
    fine_kes: int
    measured_speed: int | None = None
    speed_limit: int | None = None

    @property
    def is_warning(self) -> bool:
        return self.fine_kes == 0


# The two speeding offences of the schedule; each has bands A (1-5 kph over, a warning) to D.
SPEEDING_OFFENCES = ("MO07", "MO08")
SPEEDING_BANDS = ((1, 5, "A"), (6, 10, "B"), (11, 15, "C"), (16, 20, "D"))
MINOR_SPEEDING_LIMIT = 20


class SpeedingRefused(ValueError):
    pass


def speeding_base(code: str) -> str | None:
    """``MO07`` for MO07, MO07A..MO07D; None for an offence that is not speeding."""
    for base in SPEEDING_OFFENCES:
        if code == base or (len(code) == len(base) + 1 and code.startswith(base) and code[-1] in "ABCD"):
            return base
    return None


def speeding_code(base: str, *, measured_speed: int, speed_limit: int) -> str:
    """The catalogue code of the band for ``measured_speed`` over ``speed_limit`` (kph)."""
    over = measured_speed - speed_limit
    if over <= 0:
        raise SpeedingRefused(_("The measured speed is not over the limit: there is no offence."))
    for low, high, band in SPEEDING_BANDS:
        if low <= over <= high:
            return base + band
    raise SpeedingRefused(_("%(over)d kph over the limit is not a minor offence: charge in court.") % {"over": over})


Errors = dict[str, str]


def notice_lines(
    offences: list[OffenceInput], catalogue: dict[str, CatalogueEntry], errors: Errors
) -> list[NoticeLine]:
    """The lines of a notice, each priced from the catalogue; problems go in ``errors``."""
    if not offences:
        errors["offences"] = _("Choose at least one offence.")
        return []
    lines: list[NoticeLine] = []
    codes: set[str] = set()
    for i, item in enumerate(offences):
        code = (item.code or "").strip().upper()
        key = f"offences.{i}"
        base = speeding_base(code)
        if base is not None:
            if item.measured_speed is None or item.speed_limit is None:
                errors[f"{key}.measured_speed"] = _("Enter the measured speed and the speed limit")
                continue
            if not (0 < item.speed_limit <= 200 and 0 < item.measured_speed <= 400):
                errors[f"{key}.measured_speed"] = _("Enter speeds in kph between 1 and 400")
                continue
            try:
                code = speeding_code(base, measured_speed=item.measured_speed, speed_limit=item.speed_limit)
            except SpeedingRefused as refused:
                errors[f"{key}.measured_speed"] = str(refused)
                continue
        entry = catalogue.get(code)
        if entry is None:
            errors[f"{key}.code"] = _("No offence with the code %(code)s in the catalogue.") % {"code": code[:12]}
            continue
        if code in codes:
            errors[f"{key}.code"] = _("This offence is already on the notice.")
            continue
        codes.add(code)
        speeds = (item.measured_speed, item.speed_limit) if base is not None else (None, None)
        lines.append(NoticeLine(entry.code, entry.offence, entry.fine_kes, *speeds))
    return lines


def total_kes(lines: list[NoticeLine]) -> int:
    return sum(line.fine_kes for line in lines)


def warning_only(lines: list[NoticeLine]) -> bool:
    return bool(lines) and all(line.is_warning for line in lines)


@dataclass(frozen=True)
class PlateCheck:
    plate: str
    unusual: bool


def check_plate(text: str, errors: Errors) -> PlateCheck:
    """A Kenyan plate, normalised; an unusual one is accepted and flagged, never refused."""
    plate = normalise_plate(text)
    if not 2 <= len(plate) <= 12:
        errors["plate"] = _("Enter the number plate (2 to 12 letters and digits).")
    return PlateCheck(plate=plate, unusual=not plate_is_usual(plate))


# --- Deadlines and states -------------------------------------------------------------------


class State(StrEnum):
    ISSUED = "issued"
    PAID = "paid"
    CONTESTED = "contested"
    CANCELLED = "cancelled"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    CLOSED = "closed"


PAYABLE_STATES = frozenset({State.ISSUED, State.OVERDUE})
CANCELLABLE_STATES = frozenset({State.ISSUED, State.OVERDUE, State.ESCALATED})
CONTESTABLE_STATES = frozenset({State.ISSUED, State.OVERDUE, State.ESCALATED})
# Unpaid past the deadline: the OCS decides whether the notice was issued in error (cancel it) or the
# motorist answers in court (contest). An issued notice is still within its days to pay.
AWAITING_DECISION_STATES = frozenset({State.OVERDUE, State.ESCALATED})


def asking_sms_keys(number: str) -> list[str]:
    """The events of a notice whose SMS asks the driver to pay (or to come to court for not paying):
    the notice itself, the reminder after the deadline and the escalation."""
    return [f"fines:notice:{number}", f"fines:fine_overdue:{number}", f"fines:fine_escalated:{number}"]


def may_cancel(state: str, paid_kes: int) -> bool:
    """Only an unpaid notice that is not in court (nor closed, nor cancelled already) is cancelled."""
    return state in CANCELLABLE_STATES and not paid_kes


def amount_asked(state: str, *, total: int, paid: int) -> int:
    """What the notice asks of the driver: nothing once cancelled, else what is still unpaid."""
    return 0 if state == State.CANCELLED else outstanding_kes(total, paid)


def asks_for_payment(state: str, *, total: int, paid: int) -> bool:
    """Whether the notice still offers payment: only an issued or overdue one with money unpaid.

    A cancelled, paid, contested, escalated (to court) or closed notice, or a warning, asks for nothing.
    """
    return state in PAYABLE_STATES and outstanding_kes(total, paid) > 0


class CourtOutcome(StrEnum):
    CONVICTED_AND_PAID = "convicted_and_paid"
    ACQUITTED = "acquitted"
    WITHDRAWN = "withdrawn"


def due_at(issued_at: datetime, *, days_to_pay: int) -> datetime:
    return issued_at + timedelta(days=days_to_pay)


def escalate_at(due: datetime, *, days_to_escalate: int) -> datetime:
    return due + timedelta(days=days_to_escalate)


def outstanding_kes(total: int, paid: int) -> int:
    return max(total - paid, 0)


@dataclass(frozen=True)
class Settlement:
    """What a confirmed payment of ``amount`` does to a notice that had ``paid_before``."""

    kind: str  # paid | partially_paid | overpaid
    paid_kes: int
    state_after_paid: bool
    excess_kes: int = 0


def settle(*, total: int, paid_before: int, amount: int) -> Settlement:
    paid = paid_before + amount
    if paid < total:
        return Settlement("partially_paid", paid, state_after_paid=False)
    if paid == total:
        return Settlement("paid", paid, state_after_paid=True)
    return Settlement("overpaid", paid, state_after_paid=True, excess_kes=paid - total)


@dataclass(frozen=True)
class MoneySplit:
    """Where one confirmed payment's money went: against what a notice owed, over it, or to a refund."""

    settled_kes: int = 0
    over_kes: int = 0
    refund_kes: int = 0


def split_payment(*, amount: int, kind: str, details: dict[str, Any]) -> MoneySplit:
    """What a payment recorded as ``kind`` with ``details`` (its notice event) did with ``amount``.

    Money reaching a notice already paid or closed is all over-payment; on a cancelled or contested notice,
    it awaits refund; an over-payment's excess is never counted as settled against the notice.
    """
    if details.get("refund_due"):
        if details.get("state_at_payment") in (State.PAID, State.CLOSED):
            return MoneySplit(over_kes=amount)
        return MoneySplit(refund_kes=amount)
    if kind == "overpaid":
        # An old event may carry the notice's whole excess so far: this payment's part is at most its amount.
        over = min(amount, max(int(details.get("excess_kes") or 0), 0))
        return MoneySplit(settled_kes=amount - over, over_kes=over)
    return MoneySplit(settled_kes=amount)


def payment_refusal(*, state: str, total: int, paid: int, amount: int) -> str | None:
    """Why a paybill payment of ``amount`` must be refused at validation, or None to accept it."""
    if state == State.CANCELLED:
        return _("This notice was cancelled.")
    if state in (State.PAID, State.CLOSED) or (total and paid >= total):
        return _("This notice is already paid.")
    if state == State.CONTESTED:
        return _("This notice is contested in court.")
    if state == State.ESCALATED:
        return _("This notice was referred to court: attend court.")
    if total == 0:
        return _("This notice is a warning: there is nothing to pay.")
    if amount != outstanding_kes(total, paid):
        return _("Wrong amount: pay KES %(amount)d.") % {"amount": outstanding_kes(total, paid)}
    return None


class Due(StrEnum):
    NOTHING = "nothing"
    OVERDUE = "overdue"
    ESCALATE = "escalate"


def due_action(*, state: str, total: int, paid: int, due: datetime, escalate: datetime, now: datetime) -> Due:
    """What the overdue job must do to a notice now: mark it overdue, escalate it, or nothing."""
    if total == 0 or paid >= total:
        return Due.NOTHING
    if state == State.ISSUED and now >= due:
        return Due.OVERDUE
    if state == State.OVERDUE and now >= escalate:
        return Due.ESCALATE
    return Due.NOTHING


# --- Demerit points (off by default: the smart-licence scheme is approved, not yet live) ----


def demerit_points(fine_kes: int) -> int:
    """Provisional points by fine until the scheme's own schedule is gazetted."""
    if fine_kes <= 0:
        return 0
    if fine_kes >= 10_000:
        return 4
    if fine_kes >= 3_000:
        return 2
    return 1


@dataclass(frozen=True)
class Figures:
    notices: int = 0
    amount_kes: int = 0
    paid_kes: int = 0
    cancellations: int = 0

    @property
    def paid_share(self) -> float:
        return self.paid_kes / self.amount_kes if self.amount_kes else 0.0


# --- The notice as the officer gives it -----------------------------------------------------

# The offence time is typed at the roadside: never in the future (the book's rule, with its clock
# skew), and never more than this before the notice is recorded. Unlike the book there is no late
# flag here: a notice is issued within 7 days of the offence or not at all.
MAX_BACKDATE = timedelta(days=7)


@dataclass(frozen=True)
class NoticeDraft:
    plate: str
    driver_name: str
    place: str
    issued_at: datetime
    offences: tuple[OffenceInput, ...]
    driver_id_number: str = ""
    driver_licence: str = ""
    driver_phone: str = ""
    lat: float | None = None
    lon: float | None = None
    language: str = ""
    # The officer has checked that a plate or ID number that fits no known format is right as typed.
    confirm_unusual: bool = False


def _text(value: str, key: str, errors: Errors, *, limit: int, label: object, required: bool = False) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        errors[key] = wording.enter(label)
    elif len(text) > limit:
        errors[key] = wording.at_most_characters(label, limit)
    return text


def clean_notice(draft: NoticeDraft, *, now: datetime, language_required: bool = False) -> tuple[NoticeDraft, Errors]:
    """The draft with its text tidied, the phone in E.164 and the plate normalised; and what is wrong.

    ``language_required``: the roadside form, where the officer asks the driver which language their
    SMS goes in whenever a phone is given (nothing is chosen for them); the API keeps its documented
    default (the phone's earlier choice, else English).
    """
    errors: Errors = {}
    plate = normalise_plate(draft.plate)
    if problem := plate_problem(plate, confirmed=draft.confirm_unusual):
        errors["plate"] = problem
    name = _text(draft.driver_name, "driver.name", errors, limit=120, label=_("Driver's name"), required=True)
    if name and not names_somebody(name):
        errors["driver.name"] = _("Enter the person's name in letters.")
    id_number = normalise_id_number(draft.driver_id_number)
    if problem := id_number_problem(id_number, confirmed=draft.confirm_unusual):
        errors["driver.id_number"] = problem
    licence = re.sub(r"\s", "", draft.driver_licence or "").upper()
    if len(licence) > 20:
        errors["driver.licence"] = wording.at_most_characters(_("Licence number"), 20)
    phone = ""
    if (draft.driver_phone or "").strip():
        phone = normalise_phone(draft.driver_phone) or ""
        if not phone:
            errors["driver.phone"] = _("Enter the driver's phone number like 0712 345 678 or +254 712 345 678")
    place = _text(draft.place, "place", errors, limit=200, label=_("Place"), required=True)
    problem = typed_time_problem(draft.issued_at, recorded_at=now)
    if problem is not None:
        errors["issued_at"] = problem
    elif recorded_late(draft.issued_at, recorded_at=now, late_after=MAX_BACKDATE):
        errors["issued_at"] = _("A notice is issued within 7 days of the offence.")
    if (draft.lat is None) != (draft.lon is None):
        errors["lat"] = _("Enter both latitude and longitude, or neither")
    elif draft.lat is not None and draft.lon is not None and not (-90 <= draft.lat <= 90 and -180 <= draft.lon <= 180):
        errors["lat"] = _("Give a latitude between -90 and 90 and a longitude between -180 and 180.")
    if draft.language and draft.language not in ("en", "sw"):
        errors["language"] = _("Choose English or Kiswahili.")
    elif language_required and phone and not draft.language:
        errors["language"] = _("Choose the language for the driver's SMS")
    cleaned = NoticeDraft(
        plate=plate,
        driver_name=name,
        place=place,
        issued_at=draft.issued_at,
        offences=draft.offences,
        driver_id_number=id_number,
        driver_licence=licence,
        driver_phone=phone,
        lat=draft.lat,
        lon=draft.lon,
        language=draft.language,
        confirm_unusual=draft.confirm_unusual,
    )
    return cleaned, errors


# --- The roadside photo -----------------------------------------------------------------------

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


@dataclass(frozen=True)
class PhotoInput:
    content: bytes
    content_type: str  # as the phone or the client declared it


def sniff_photo(content: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG or WebP), or None: the declared type is not trusted."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def photo_refusal(photo: PhotoInput, *, max_bytes: int) -> str | None:
    """Why this photo cannot go on a notice, or None when it can."""
    if not photo.content:
        return _("The photo is empty.")
    if len(photo.content) > max_bytes:
        return _("The photo is too large: at most %(limit)s MB.") % {"limit": f"{max_bytes / 1_048_576:g}"}
    real = sniff_photo(photo.content)
    if real is None:
        return _("This is not a photo: only JPEG, PNG or WebP images are accepted.")
    declared = (photo.content_type or "").split(";")[0].strip().lower()
    declared = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}.get(declared, declared)
    if declared and declared != "application/octet-stream" and declared != real:
        return _("The photo is not the type it claims to be.")
    return None
