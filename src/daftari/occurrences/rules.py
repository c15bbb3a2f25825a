"""Pure rules of the Occurrence Book: OB numbers, entry validation, identifiers, corrections."""

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from daftari.alerts.rules import Sought
from daftari.core import identity, wording
from daftari.core.identifiers import normalise_id_number as normalise_id_number
from daftari.core.identifiers import normalise_plate as normalise_plate
from daftari.core.phones import normalise_phone
from daftari.occurrences.entry_types import BY_CODE, SUSPECTED_OFFICER, DetailField, EntryTypeSpec, Kind

NAIROBI = ZoneInfo("Africa/Nairobi")
# A device clock a few minutes fast should not turn a fresh report into an error.
CLOCK_SKEW = timedelta(minutes=10)

PARTY_ROLES = (
    "complainant",
    "victim",
    "suspect",
    "witness",
    "reporter",
    "driver",
    "deceased",
    "missing_person",
)
SEXES = ("M", "F", "X")
# The languages of the complainant's SMS; empty keeps the one their phone chose before (else English).
SMS_LANGUAGES = ("", "en", "sw")
MAX_NARRATIVE = 20_000


# --- OB numbers -------------------------------------------------------------------------


def ob_date_of(moment: datetime) -> date:
    """The OB day is the calendar day in Nairobi: the counter restarts at local midnight."""
    return moment.astimezone(NAIROBI).date()


def format_ob_number(seq: int, ob_date: date) -> str:
    return f"OB {seq}/{ob_date.day}/{ob_date.month}/{ob_date.year}"


_OB_RE = re.compile(
    r"^\s*(?:OB\s*(?:NO\.?|NUMBER)?\s*)?(\d{1,6})\s*/\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*$", re.I
)


def parse_ob_number(text: str) -> tuple[int, date] | None:
    """``OB 136/7/6/2025`` (or ``136/7/6/2025``, ``ob136/07/06/2025``) → (136, 2025-06-07)."""
    match = _OB_RE.match(text or "")
    if not match:
        return None
    seq, day, month, year = (int(g) for g in match.groups())
    try:
        return seq, date(year, month, day)
    except ValueError:
        return None


def is_late(*, occurred_at: datetime, recorded_at: datetime, late_after_hours: int) -> bool:
    return recorded_late(occurred_at, recorded_at=recorded_at, late_after=timedelta(hours=late_after_hours))


# --- Typed times ------------------------------------------------------------------------
# Every time an officer types (when it happened) is bounded by when it is recorded (server time).
# The book, the cell register and the fines all use these two, so one rule decides what is late.

MAX_LATE_REASON = 500


def recorded_late(
    typed_at: datetime,
    *,
    recorded_at: datetime,
    not_before: datetime | None = None,
    late_after: timedelta | None = None,
) -> bool:
    """True when ``typed_at`` lies before ``not_before`` (e.g. when the booking it belongs to was
    recorded) or more than ``late_after`` before its own recording."""
    if not_before is not None and typed_at < not_before:
        return True
    return late_after is not None and recorded_at - typed_at > late_after


def _window(late_after: timedelta) -> str:
    hours = int(late_after.total_seconds() // 3600)
    if hours >= 1:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = int(late_after.total_seconds() // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def typed_time_problem(
    typed_at: datetime,
    *,
    recorded_at: datetime,
    not_before: datetime | None = None,
    late_after: timedelta | None = None,
    late_reason: str = "",
) -> str | None:
    """What is wrong with a typed time, or None.

    Never in the future (beyond the clock skew), whatever the reason. Before ``not_before`` or more
    than ``late_after`` before its recording only when recorded late with a reason: whatever a late
    time decides (the Art. 49 clock) then counts from its recording, not from the typed time.
    """
    if typed_at.tzinfo is None:
        return _("Give the time with its UTC offset, e.g. 2026-11-29T08:15:00+03:00.")
    if typed_at > recorded_at + CLOCK_SKEW:
        return _("This time is in the future.")
    if late_reason.strip():
        return None
    if not_before is not None and typed_at < not_before:
        return _("This time is before the record it belongs to was made: tick “Recorded late” and say why.")
    if late_after is not None and recorded_at - typed_at > late_after:
        return _("This time is more than %(window)s before it is recorded: tick “Recorded late” and say why.") % {
            "window": _window(late_after)
        }
    return None


def late_flag_problems(*, late: bool, late_reason: str) -> dict[str, str]:
    """The flag and its reason go together: a late record says why."""
    reason = (late_reason or "").strip()
    if late and not reason:
        return {"late_reason": _("Say why this is recorded late.")}
    if len(reason) > MAX_LATE_REASON:
        return {"late_reason": _("At most %(limit)d characters.") % {"limit": MAX_LATE_REASON}}
    return {}


# --- Identifiers ------------------------------------------------------------------------


_ID_RE = re.compile(r"^(\d{7,8}|\d{14})$")  # old national ID, or Maisha Namba
_PASSPORT_RE = re.compile(r"^[A-Z]{1,2}\d{6,8}$")


def id_number_is_usual(id_number: str) -> bool:
    # A refugee register document (Refugee ID card, movement pass, ...) is lawful identity in Kenya:
    # the register says which numbers are its own, by their form alone (core.identity).
    return bool(
        _ID_RE.match(id_number)
        or _PASSPORT_RE.match(id_number)
        or identity.refugee_document_office(id_number) is not None
    )


_PLATE_PATTERNS = (
    re.compile(r"^K[A-HJ-NP-Z]{2}\d{3}[A-HJ-NP-Z]$"),  # KCR 442X
    re.compile(r"^GK[A-Z]\d{3}[A-Z]$"),  # GKA 123A
    re.compile(r"^\d{1,2}CG\d{3}[A-Z]$"),  # 22 CG 123A
    re.compile(r"^\d{1,3}CD\d{1,3}[A-Z]?$"),  # 1 CD 12 K
    re.compile(r"^KM[A-Z]{2}\d{3}[A-Z]$"),  # motorcycles: KMEA 123B
)


def plate_is_usual(plate: str) -> bool:
    """Unusual plates are recorded and flagged, never refused: the report matters more."""
    return any(p.match(plate) for p in _PLATE_PATTERNS)


# --- The parts of an entry --------------------------------------------------------------


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str = ""
    id_number: str = ""
    phone: str = ""
    sex: str = ""
    date_of_birth: date | None = None
    age: int | None = None


@dataclass(frozen=True)
class OffenceInput:
    section: str = ""
    description: str = ""


@dataclass(frozen=True)
class PropertyInput:
    description: str
    serial_number: str = ""
    quantity: int = 1
    value_kes: int | None = None


@dataclass(frozen=True)
class VehicleInput:
    plate: str
    make_model: str = ""
    colour: str = ""


@dataclass(frozen=True)
class EntryDraft:
    entry_type: str
    occurred_at: datetime
    place: str
    narrative: str
    details: dict[str, Any] = field(default_factory=dict)
    parties: tuple[PartyInput, ...] = ()
    offences: tuple[OffenceInput, ...] = ()
    property_items: tuple[PropertyInput, ...] = ()
    vehicles: tuple[VehicleInput, ...] = ()
    lat: float | None = None
    lon: float | None = None
    refers_to: str | None = None  # the earlier entry's id
    # Recorded long after it happened (a paper backfill, a report days later): the flag and why.
    late: bool = False
    late_reason: str = ""
    # The desk has checked that an ID number or plate that fits no known format is right as typed.
    confirm_unusual: bool = False
    # The language the complainant chose for their SMS ("en", "sw"); empty keeps what their phone chose before.
    sms_language: str = ""


class Errors(dict[str, str]):
    """Field name (dotted for nested parts, e.g. ``parties.0.phone``) → message."""


def _required(spec: DetailField) -> str:
    if spec.kind in (Kind.CHOICE, Kind.BOOLEAN):
        return wording.choose(spec.label)
    return wording.enter(spec.label)


def _invalid(spec: DetailField) -> str:
    """The message for a value that is not of the field's kind, in the words of the desk's forms."""
    if spec.kind in (Kind.INTEGER, Kind.MONEY):
        return wording.whole_number(spec.label)
    if spec.kind == Kind.DATE:
        return wording.real_date(spec.label)
    if spec.kind == Kind.DATETIME:
        return wording.real_date_and_time(spec.label)
    if spec.kind == Kind.BOOLEAN:
        return wording.choose(spec.label)
    return wording.enter(spec.label)


def _clean_detail(spec: DetailField, raw: Any, errors: Errors) -> Any:
    key = f"details.{spec.name}"
    if raw is None or raw == "":
        if spec.required:
            errors[key] = _required(spec)
        return None
    try:
        if spec.kind in (Kind.TEXT, Kind.LONGTEXT):
            if not isinstance(raw, str):
                raise TypeError
            value = raw.strip()
            limit = 5000 if spec.kind == Kind.LONGTEXT else spec.max_length
            if len(value) > limit:
                errors[key] = wording.at_most_characters(spec.label, limit)
            if not value and spec.required:
                errors[key] = _required(spec)
            return value or None
        if spec.kind in (Kind.INTEGER, Kind.MONEY):
            if isinstance(raw, bool | float):
                raise TypeError
            number = int(str(raw).strip())
            if not 0 <= number <= 100_000_000:
                errors[key] = _("%(field)s must be between 0 and 100,000,000.") % {"field": spec.label}
            return number
        if spec.kind == Kind.BOOLEAN:
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("true", "on", "1", "yes"):
                return True
            if str(raw).lower() in ("false", "off", "0", "no"):
                return False
            raise ValueError
        if spec.kind == Kind.DATE:
            return date.fromisoformat(str(raw)).isoformat()
        if spec.kind == Kind.DATETIME:
            moment = datetime.fromisoformat(str(raw))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=NAIROBI)
            return moment.astimezone(NAIROBI).isoformat(timespec="minutes")
        if spec.kind == Kind.CHOICE:
            allowed = [c for c, _ in spec.choices]
            if raw not in allowed:
                errors[key] = wording.choose_from_list(spec.label)
            return raw
    except (TypeError, ValueError, OverflowError):
        errors[key] = _invalid(spec)
    return None


def clean_details(
    spec: EntryTypeSpec, details: dict[str, Any], errors: Errors, *, now: datetime | None = None
) -> dict[str, Any]:
    unknown = sorted(set(details) - spec.field_names)
    for name in unknown:
        errors[f"details.{name}"] = _("%(type)s entries have no field '%(name)s'.") % {"type": spec.code, "name": name}
    cleaned = {}
    for detail in spec.fields:
        value = _clean_detail(detail, details.get(detail.name), errors)
        if value is not None and now is not None and not detail.ahead and _is_future(detail.kind, value, now):
            errors[f"details.{detail.name}"] = wording.not_in_future(detail.label)
        if value is not None:
            cleaned[detail.name] = value
    return cleaned


def _is_future(kind: Kind, value: Any, now: datetime) -> bool:
    """Whether a cleaned date or time of something that already happened lies ahead of ``now``."""
    if kind == Kind.DATE:
        return date.fromisoformat(value) > now.astimezone(NAIROBI).date()
    if kind == Kind.DATETIME:
        return datetime.fromisoformat(value) > now + CLOCK_SKEW
    return False


# A name is written in letters of some script; digits, marks and emoji alone name nobody.
def names_somebody(name: str) -> bool:
    return any(c.isalpha() for c in name)


def typed_service_number(text: object) -> str:
    """The service number an officer field starts with: "224503 CPL Hassan Abdi" names 224503."""
    words = str(text or "").replace(",", " ").split()
    return words[0] if words else ""


_ID_CHARACTERS = re.compile(r"^[A-Z0-9/]+$")


def id_number_problem(id_number: str, *, confirmed: bool) -> str | None:
    """What is wrong with a normalised ID or passport number, if anything.

    A number that fits no known format may still be real (a foreign passport, an old card): the
    desk confirms it and the party is flagged, rather than the report being refused.
    """
    if not id_number:
        return None
    if len(id_number) > 20:
        return _("At most 20 characters.")
    if not _ID_CHARACTERS.match(id_number):
        return _("Enter the ID or passport number in letters and digits only.")
    if not id_number_is_usual(id_number) and not confirmed:
        return _(
            "This is not a Kenyan ID number (7 or 8 digits, or a 14-digit Maisha Namba) nor a passport number. "
            "Check it, or tick 'The numbers are correct as typed'."
        )
    return None


def plate_problem(plate: str, *, confirmed: bool) -> str | None:
    """What is wrong with a normalised number plate, if anything; an unusual real plate is confirmed."""
    if not 2 <= len(plate) <= 12:
        return _("Enter the number plate (2 to 12 letters and digits).")
    if not plate_is_usual(plate) and not confirmed:
        return _(
            "This is not a Kenyan number plate (e.g. KCR 442X, GKB 123A, 22 CG 123A, 1 CD 12K). "
            "Check it, or tick 'The numbers are correct as typed'."
        )
    return None


def _text(value: str, key: str, errors: Errors, *, limit: int, label: object, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[key] = wording.enter(label)
    elif len(value) > limit:
        errors[key] = wording.at_most_characters(label, limit)
    return value


def clean_party(
    party: PartyInput, index: int, errors: Errors, *, today: date, confirm_unusual: bool = False
) -> PartyInput:
    key = f"parties.{index}"
    if party.role not in PARTY_ROLES:
        errors[f"{key}.role"] = wording.choose(_("Role"))
    name = _text(party.name, f"{key}.name", errors, limit=120, label=_("Name"))
    if name and not names_somebody(name):
        errors[f"{key}.name"] = _("Enter the person's name in letters.")
    id_number = normalise_id_number(party.id_number)
    if problem := id_number_problem(id_number, confirmed=confirm_unusual):
        errors[f"{key}.id_number"] = problem
    phone = ""
    if party.phone and party.phone.strip():
        phone = normalise_phone(party.phone) or ""
        if not phone:
            errors[f"{key}.phone"] = _("Not a valid phone number (e.g. 0712 345 678 or +254 712 345 678).")
    if party.sex and party.sex not in SEXES:
        errors[f"{key}.sex"] = wording.choose_from_list(_("Sex"))
    if party.date_of_birth and party.date_of_birth > today:
        errors[f"{key}.date_of_birth"] = wording.not_in_future(_("Date of birth"))
    if party.age is not None and not 0 <= party.age <= 130:
        errors[f"{key}.age"] = _("Age must be between 0 and 130.")
    if not (name or id_number or phone) and party.role not in ("deceased", "suspect"):
        errors[f"{key}.name"] = _("Enter at least a name, an ID number or a phone number")
    return PartyInput(
        role=party.role,
        name=name,
        id_number=id_number,
        phone=phone,
        sex=party.sex,
        date_of_birth=party.date_of_birth,
        age=party.age,
    )


def clean_offence(offence: OffenceInput, index: int, errors: Errors, *, key: str = "offences") -> OffenceInput:
    section = _text(offence.section, f"{key}.{index}.section", errors, limit=120, label=_("Law and section"))
    description = _text(offence.description, f"{key}.{index}.description", errors, limit=300, label=_("Offence"))
    if not (section or description):
        errors[f"{key}.{index}.description"] = _("Enter the law and section or a description of the offence")
    return OffenceInput(section=section, description=description)


def clean_item(item: PropertyInput, index: int, errors: Errors, *, key: str = "property_items") -> PropertyInput:
    k = f"{key}.{index}"
    description = _text(item.description, f"{k}.description", errors, limit=300, label=_("Item"), required=True)
    if not 1 <= item.quantity <= 100_000:
        errors[f"{k}.quantity"] = _("Quantity must be between 1 and 100,000.")
    if item.value_kes is not None and not 0 <= item.value_kes <= 1_000_000_000:
        errors[f"{k}.value_kes"] = _("Value must be a whole number of shillings, 0 or more.")
    serial = _text(item.serial_number, f"{k}.serial_number", errors, limit=80, label=_("Serial number"))
    return PropertyInput(description, serial, item.quantity, item.value_kes)


def clean_vehicle(
    vehicle: VehicleInput, index: int, errors: Errors, *, confirm_unusual: bool, key: str = "vehicles"
) -> VehicleInput:
    plate = normalise_plate(vehicle.plate)
    if problem := plate_problem(plate, confirmed=confirm_unusual):
        errors[f"{key}.{index}.plate"] = problem
    make_model = _text(vehicle.make_model, f"{key}.{index}.make_model", errors, limit=80, label=_("Make and model"))
    colour = _text(vehicle.colour, f"{key}.{index}.colour", errors, limit=40, label=_("Colour"))
    return VehicleInput(plate, make_model, colour)


def clean_entry(draft: EntryDraft, *, now: datetime, late_after: timedelta | None = None) -> tuple[EntryDraft, Errors]:
    """Checks and normalises a new entry. Returns the cleaned draft and any field errors.

    An entry that happened more than ``late_after`` before now is recorded only flagged late with
    the reason (the book's late-entry window).
    """
    errors = Errors(late_flag_problems(late=draft.late, late_reason=draft.late_reason))
    late_reason = " ".join((draft.late_reason or "").split())
    spec = BY_CODE.get(draft.entry_type)
    if spec is None:
        errors["entry_type"] = wording.choose_from_list(_("Kind of entry"))
        return draft, errors
    if not spec.direct:
        errors["entry_type"] = _("Corrections are recorded from the entry they correct.")
    problem = typed_time_problem(draft.occurred_at, recorded_at=now)
    if problem is None and draft.occurred_at.year < 1990:
        problem = _("The time of the occurrence is before 1990.")
    if problem is None and "late_reason" not in errors:
        problem = typed_time_problem(draft.occurred_at, recorded_at=now, late_after=late_after, late_reason=late_reason)
    if problem is not None:
        errors["occurred_at"] = problem
    place = _text(draft.place, "place", errors, limit=200, label=_("Place"), required=True)
    narrative = _text(
        draft.narrative, "narrative", errors, limit=MAX_NARRATIVE, label=_("What happened"), required=True
    )
    if draft.lat is not None and not -90 <= draft.lat <= 90:
        errors["lat"] = _("Latitude must be between -90 and 90.")
    if draft.lon is not None and not -180 <= draft.lon <= 180:
        errors["lon"] = _("Longitude must be between -180 and 180.")
    if (draft.lat is None) != (draft.lon is None):
        errors["lat"] = _("Enter both latitude and longitude, or neither")
    if spec.needs_earlier_entry and not draft.refers_to:
        errors["refers_to"] = _("This kind of entry follows an earlier entry: give its OB number.")
    details = clean_details(spec, draft.details or {}, errors, now=now)
    today = now.astimezone(NAIROBI).date()
    confirmed = draft.confirm_unusual
    parties = tuple(
        clean_party(p, i, errors, today=today, confirm_unusual=confirmed) for i, p in enumerate(draft.parties)
    )
    for role in spec.required_roles:
        if not any(p.role == role for p in parties):
            errors["parties"] = _("This kind of entry needs a %(role)s.") % {"role": role.replace("_", " ")}
    if len(draft.parties) > 50:
        errors["parties"] = _("At most 50 people in one entry.")
    offences = [clean_offence(o, i, errors) for i, o in enumerate(draft.offences)]
    items = [clean_item(item, i, errors) for i, item in enumerate(draft.property_items)]
    vehicles = [clean_vehicle(v, i, errors, confirm_unusual=confirmed) for i, v in enumerate(draft.vehicles)]
    cleaned = EntryDraft(
        entry_type=draft.entry_type,
        occurred_at=draft.occurred_at,
        place=place,
        narrative=narrative,
        details=details,
        parties=parties,
        offences=tuple(offences),
        property_items=tuple(items),
        vehicles=tuple(vehicles),
        lat=draft.lat,
        lon=draft.lon,
        refers_to=draft.refers_to,
        late=bool(late_reason),
        late_reason=late_reason,
        confirm_unusual=confirmed,
        sms_language=draft.sms_language,
    )
    if draft.sms_language not in SMS_LANGUAGES:
        errors["sms_language"] = wording.choose_from_list(_("Language of the complainant's SMS"))
    return cleaned, errors


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value))


def complainant_phone(parties: Sequence[PartyInput]) -> str:
    """The first complainant's phone as typed, or "" (the phone their SMS goes to)."""
    return next((p.phone.strip() for p in parties if p.role == "complainant" and p.phone.strip()), "")


def sms_language_problem(parties: Sequence[PartyInput], sms_language: str) -> str | None:
    """At the desk the complainant is asked which language their SMS comes in: nothing is chosen for them.

    (A device's API call may leave it out: the phone's earlier choice then holds, else English.)
    """
    if sms_language or not complainant_phone(parties):
        return None
    return _("Ask the complainant which language their SMS should come in, and choose it.")


def sought_in(draft: EntryDraft) -> Sought:
    """The people and vehicles an entry names, as the national alerts register is searched for them."""
    return Sought.of(
        id_numbers=tuple(p.id_number for p in draft.parties),
        phones=tuple(p.phone for p in draft.parties),
        names=tuple(p.name for p in draft.parties),
        plates=tuple(v.plate for v in draft.vehicles),
    )


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copy of every value (a recording hashes its draft once)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def content_hash(draft: EntryDraft) -> str:
    """Fingerprint of what was asked to be recorded: a retried create must match it exactly."""
    body = _plain(draft)
    # The SMS language is how the complainant is written to, not what the book records.
    del body["sms_language"]
    # Entries stored before the confirmation existed were hashed without it: a retry still matches.
    if body.pop("confirm_unusual"):
        body["confirm_unusual"] = True
    body["occurred_at"] = draft.occurred_at.astimezone(NAIROBI).isoformat()
    if not draft.late_reason:
        # An entry on time hashes as it did before late reasons existed, so its retries still match.
        del body["late"], body["late_reason"]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=_jsonable)
    return hashlib.sha256(canonical.encode()).hexdigest()


def search_document(draft: EntryDraft) -> str:
    """The words an entry is found by: narrative, place, names, identifiers and plates."""
    words = [draft.place, draft.narrative]
    words += [p.name for p in draft.parties]
    words += [p.id_number for p in draft.parties]
    words += [v.plate for v in draft.vehicles]
    words += [o.section + " " + o.description for o in draft.offences]
    words += [str(v) for v in draft.details.values() if isinstance(v, str)]
    return " ".join(w for w in words if w)[:40_000]


# --- Corrections ------------------------------------------------------------------------

CORRECTABLE = ("narrative", "place", "occurred_at")


def clean_changes(
    spec: EntryTypeSpec, changes: dict[str, Any], reason: str, *, now: datetime | None = None, parts: bool = False
) -> tuple[dict[str, str], Errors]:
    """A correction names the fields it corrects and the corrected text, with a reason.

    A corrected ``occurred_at`` may be earlier (the correction says why) but never in the future.
    """
    errors = Errors()
    if not (reason or "").strip():
        errors["reason"] = _("Say why the entry is being corrected.")
    elif len(reason) > 2000:
        errors["reason"] = _("At most 2,000 characters.")
    allowed = set(CORRECTABLE) | spec.field_names
    cleaned: dict[str, str] = {}
    if not changes and not parts:
        errors["changes"] = _("Give at least one corrected field.")
    for name, value in (changes or {}).items():
        if name not in allowed:
            errors[f"changes.{name}"] = _("Cannot correct '%(name)s'; choose from %(choices)s.") % {
                "name": name,
                "choices": ", ".join(sorted(allowed)),
            }
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        text = text.strip()
        if not text or len(text) > MAX_NARRATIVE:
            errors[f"changes.{name}"] = _("Give the corrected value (up to 20,000 characters).")
            continue
        if name == "occurred_at":
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                errors[f"changes.{name}"] = _("Give a date and time, e.g. 2026-11-29T08:15+03:00.")
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=NAIROBI)
            if not 1900 <= moment.year <= 2999:
                errors[f"changes.{name}"] = _("Give a date between 1900 and 2999.")
                continue
            problem = typed_time_problem(moment, recorded_at=now) if now is not None else None
            if problem is not None:
                errors[f"changes.{name}"] = problem
                continue
            text = moment.astimezone(NAIROBI).isoformat(timespec="minutes")
        cleaned[name] = text
    return cleaned, errors


def as_corrected(original: dict[str, Any], corrections: list[dict[str, str]]) -> dict[str, Any]:
    """The entry as it reads after its corrections, applied in the order they were recorded."""
    current = dict(original)
    for changes in corrections:
        current.update(changes)
    return current


# --- Corrections of an entry's people, offences, property and vehicles -------------------
#
# A correction of a part names its position in the entry as it reads now (the recorded parts, then
# those earlier corrections added, in order); ``of=None`` adds one. The corrected value is recorded
# as a part of the AMENDMENT entry itself (so search and the person index find it) and the
# correction's details map each of its parts to the position it corrects.

PART_KINDS = ("parties", "offences", "property_items", "vehicles")
Part = PartyInput | OffenceInput | PropertyInput | VehicleInput
T = TypeVar("T")


@dataclass(frozen=True)
class PartCorrection:
    """One person, offence, item or vehicle corrected (``value``), added (``of=None``) or struck out (``in_error``)."""

    of: int | None = None
    value: Part | None = None
    in_error: bool = False


@dataclass(frozen=True)
class PartsCorrection:
    parties: tuple[PartCorrection, ...] = ()
    offences: tuple[PartCorrection, ...] = ()
    property_items: tuple[PartCorrection, ...] = ()
    vehicles: tuple[PartCorrection, ...] = ()
    # As for a new entry: an ID number or plate of no known format only when the desk confirms it.
    confirm_unusual: bool = False

    def __bool__(self) -> bool:
        return any(getattr(self, kind) for kind in PART_KINDS)


_PART_TYPES: dict[str, type] = {
    "parties": PartyInput,
    "offences": OffenceInput,
    "property_items": PropertyInput,
    "vehicles": VehicleInput,
}


def clean_parts_correction(
    parts: PartsCorrection, *, counts: dict[str, int], today: date, errors: Errors
) -> tuple[dict[str, tuple[Any, ...]], dict[str, list[dict[str, Any]]]]:
    """Checks corrected parts with the same rules as a new entry's. Returns, per kind, the values to
    record on the correction and the map of each correction to the position it corrects."""
    values: dict[str, tuple[Any, ...]] = {}
    mapping: dict[str, list[dict[str, Any]]] = {}
    confirmed = parts.confirm_unusual
    for kind in PART_KINDS:
        rows: list[Any] = []
        marks: list[dict[str, Any]] = []
        seen: set[int] = set()
        for k, correction in enumerate(getattr(parts, kind)):
            key = f"{kind}.{k}"
            of = correction.of
            if of is not None and not 0 <= of < counts.get(kind, 0):
                errors[f"{key}.of"] = _("There is no such item in the entry to correct.")
                continue
            if of is not None and of in seen:
                errors[f"{key}.of"] = _("Correct each item once in one correction.")
                continue
            if of is not None:
                seen.add(of)
            if correction.in_error:
                if of is None:
                    errors[f"{key}.of"] = _("Say which item was entered in error.")
                    continue
                marks.append({"of": of, "in_error": True})
                continue
            value = correction.value
            if not isinstance(value, _PART_TYPES[kind]):
                errors[key] = _("Enter the corrected values")
                continue
            if isinstance(value, PartyInput):
                cleaned: Any = clean_party(value, k, errors, today=today, confirm_unusual=confirmed)
            elif isinstance(value, OffenceInput):
                cleaned = clean_offence(value, k, errors)
            elif isinstance(value, PropertyInput):
                cleaned = clean_item(value, k, errors)
            else:
                assert isinstance(value, VehicleInput)
                cleaned = clean_vehicle(value, k, errors, confirm_unusual=confirmed)
            marks.append({"of": of, "row": len(rows)})
            rows.append(cleaned)
        if len(rows) > 50:
            errors[kind] = _("At most 50 corrections of one kind at once.")
        values[kind] = tuple(rows)
        if marks:
            mapping[kind] = marks
    return values, mapping


@dataclass(frozen=True)
class CorrectedPart(Generic[T]):
    value: T
    corrected: bool = False  # its values are those of a correction
    in_error: bool = False  # struck out: entered in error
    added: bool = False  # added by a correction


def parts_as_corrected(
    original: Sequence[T], corrections: Sequence[tuple[Sequence[dict[str, Any]], Sequence[T]]]
) -> list[CorrectedPart[T]]:
    """The parts as they read after each correction (its map and its own parts), in the order recorded."""
    current = [CorrectedPart(v) for v in original]
    for marks, rows in corrections:
        for mark in marks:
            of, row = mark.get("of"), mark.get("row")
            if mark.get("in_error"):
                if isinstance(of, int) and 0 <= of < len(current):
                    current[of] = replace(current[of], in_error=True)
            elif isinstance(row, int) and 0 <= row < len(rows):
                if of is None:
                    current.append(CorrectedPart(rows[row], corrected=True, added=True))
                elif isinstance(of, int) and 0 <= of < len(current):
                    current[of] = CorrectedPart(rows[row], corrected=True, added=current[of].added)
    return current


@dataclass(frozen=True)
class Version(Generic[T]):
    """One reading of a person, item or field in an entry's history."""

    value: T | None  # None: struck out as entered in error
    by: int | None = None  # the correction (by its order) that wrote it; None: as recorded


def part_histories(
    original: Sequence[T], corrections: Sequence[tuple[Sequence[dict[str, Any]], Sequence[T]]]
) -> list[list[Version[T]]]:
    """Every reading of each part, from the recorded one to the one now (as ``parts_as_corrected`` applies them)."""
    histories: list[list[Version[T]]] = [[Version(v)] for v in original]
    for n, (marks, rows) in enumerate(corrections):
        for mark in marks:
            of, row = mark.get("of"), mark.get("row")
            if mark.get("in_error"):
                if isinstance(of, int) and 0 <= of < len(histories):
                    histories[of].append(Version(None, n))
            elif isinstance(row, int) and 0 <= row < len(rows):
                if of is None:
                    histories.append([Version(rows[row], n)])
                elif isinstance(of, int) and 0 <= of < len(histories):
                    histories[of].append(Version(rows[row], n))
    return histories


def field_histories(original: dict[str, Any], corrections: Sequence[dict[str, Any]]) -> dict[str, list[Version[Any]]]:
    """Every reading of each corrected field, from the recorded one to the one now."""
    histories: dict[str, list[Version[Any]]] = {}
    for n, changes in enumerate(corrections):
        for name, value in changes.items():
            histories.setdefault(name, [Version(original.get(name, ""))]).append(Version(value, n))
    return histories


def superseded(
    history: Sequence[Version[T]], found: Callable[[T], frozenset[str]]
) -> tuple[Version[T], Version[T], Version[T]] | None:
    """The last reading that holds something sought (``found``: what of it a value holds) which the
    reading now no longer holds: (that reading, the one that replaced it, the one now); None when the
    reading now still holds all of it."""
    now = history[-1]
    held_now = found(now.value) if now.value is not None else frozenset()
    for i in range(len(history) - 2, -1, -1):
        value = history[i].value
        if value is not None and found(value) - held_now:
            return history[i], history[i + 1], now
    return None


def _part_said(kind: str, action: str, n: int) -> str:
    said = {
        ("parties", "corrected"): _("person %(n)d corrected"),
        ("parties", "in_error"): _("person %(n)d entered in error"),
        ("parties", "added"): _("a person added"),
        ("offences", "corrected"): _("offence %(n)d corrected"),
        ("offences", "in_error"): _("offence %(n)d entered in error"),
        ("offences", "added"): _("an offence added"),
        ("property_items", "corrected"): _("item %(n)d corrected"),
        ("property_items", "in_error"): _("item %(n)d entered in error"),
        ("property_items", "added"): _("an item added"),
        ("vehicles", "corrected"): _("vehicle %(n)d corrected"),
        ("vehicles", "in_error"): _("vehicle %(n)d entered in error"),
        ("vehicles", "added"): _("a vehicle added"),
    }[(kind, action)]
    return said % {"n": n} if "%(n)d" in said else said


def parts_summary(mapping: dict[str, list[dict[str, Any]]]) -> str:
    """What a correction did to the entry's parts, for its narrative (no names or numbers: those are its parts)."""
    said = []
    for kind, marks in mapping.items():
        for mark in marks:
            of = mark.get("of")
            action = "in_error" if mark.get("in_error") else "added" if of is None else "corrected"
            said.append(_part_said(kind, action, (of or 0) + 1))
    return "; ".join(said)


# --- Who reads what of an entry ----------------------------------------------------------


class Access(StrEnum):
    """How much of an entry a reader sees."""

    FULL = "full"
    # Analysts work on figures: the facts of the entry without names, places, plates or free text.
    FIGURES = "figures"
    # A restricted entry (GBV and the like) outside its circle: only that it exists.
    RESTRICTED = "restricted"


def access_to_entry(*, sees_personal_data: bool, restricted: bool, in_circle: bool) -> Access:
    """``in_circle``: the reader is the station's OCS, the assigned investigator or the recording officer."""
    if restricted and not in_circle:
        return Access.RESTRICTED
    return Access.FULL if sees_personal_data else Access.FIGURES


def free_text_fields(spec: EntryTypeSpec) -> frozenset[str]:
    """The fields of an entry that may name people: withheld from figures-only readers."""
    return frozenset({"narrative", "place"} | {f.name for f in spec.fields if f.kind in (Kind.TEXT, Kind.LONGTEXT)})


# --- Casework: when a case is overdue ------------------------------------------------------
#
# No statute sets how long a case may stand still, and the Service Standing Orders leave the review
# of case files to the OCS. Daftari sets the intervals a station works to, so that a case nobody has
# touched shows up on the investigator's list and the OCS's dashboard instead of going quiet:
#   assigned             7 days to the first step: a complainant who hears nothing for a week
#                        comes back to the counter, and statements are best taken while fresh;
#   under investigation  14 days between recorded steps: a fortnightly diary of action;
#   suspect arrested     14 days to send the file to the ODPP (the suspect is in court or on bond);
#   file to the ODPP     30 days to follow up the ODPP's decision;
#   in court             30 days, about the interval between mentions.
# A closed case is never overdue. Each recorded update (assignment or change of status) restarts
# the clock: the next review is due this many days after the last one.
CASE_REVIEW_DAYS: dict[str, int] = {
    "assigned": 7,
    "under_investigation": 14,
    "suspect_arrested": 14,
    "file_to_odpp": 30,
    "in_court": 30,
}


def case_review_due(status: str, last_update_at: datetime) -> datetime | None:
    """When the case's next recorded step is due; None for a closed case (or a status with no review)."""
    days = CASE_REVIEW_DAYS.get(status)
    return last_update_at + timedelta(days=days) if days is not None else None


def case_is_overdue(status: str, last_update_at: datetime, now: datetime) -> bool:
    due = case_review_due(status, last_update_at)
    return due is not None and now > due


# --- Crime statistics: the category of an entry (issue 12) ----------------------------------
# The rules are data (data/crime_categories.json, versioned, with their sources); these pure
# functions read them. Counting rule: one count per crime-recording entry (one incident), under its
# principal offence -- the offence whose category comes first in the published NPS order (homicide
# before morality before ... other penal code offences). Follow-ups and corrections are not counted
# again; a correction re-derives the category of the entry it corrects (the count moves).

CRIME_RULES_PATH = Path(__file__).resolve().parent / "data" / "crime_categories.json"
COUNTING_RULE = "one-per-entry-principal-offence"

_ACT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("SOA", re.compile(r"sexual\s+offences|\bsoa\b", re.IGNORECASE)),
    ("TRAFFIC", re.compile(r"traffic", re.IGNORECASE)),
    ("NDPSA", re.compile(r"narcotic|psychotropic|\bndpsa\b", re.IGNORECASE)),
    ("ACECA", re.compile(r"anti-?\s*corruption|bribery|\baceca\b", re.IGNORECASE)),
    ("PC", re.compile(r"penal\s+code|\bp\.?\s?c\b|\bcap\.?\s*63\b", re.IGNORECASE)),
)
_SECTION = re.compile(r"\b(?:s|sec|section|ss)\.?\s*(\d{1,4})([A-Z]?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CrimeCategory:
    code: str
    name: str
    iccs: str
    rule_version: str


@dataclass(frozen=True)
class CrimeRules:
    version: str
    categories: tuple[tuple[str, str], ...]
    iccs_sections: tuple[tuple[str, str], ...]
    crime_entry_types: frozenset[str]
    rules: tuple[dict[str, Any], ...]

    def order(self, category: str) -> int:
        return [code for code, _name in self.categories].index(category)

    def name(self, category: str) -> str:
        return dict(self.categories)[category]


def load_crime_rules(path: Path = CRIME_RULES_PATH) -> CrimeRules:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return CrimeRules(
        version=raw["version"],
        categories=tuple((c, n) for c, n in raw["categories"]),
        iccs_sections=tuple((c, n) for c, n in raw["iccs_sections"]),
        crime_entry_types=frozenset(raw["crime_entry_types"]),
        rules=tuple(raw["rules"]),
    )


_CRIME_RULES: CrimeRules | None = None


def crime_rules() -> CrimeRules:
    global _CRIME_RULES
    if _CRIME_RULES is None:
        _CRIME_RULES = load_crime_rules()
    return _CRIME_RULES


def parse_offence_section(text: str) -> tuple[str | None, int | None, str]:
    """('PC', 268, '') from 'Penal Code s.268 and s.275'; the act, the first section number and its letter."""
    act = next((code for code, pattern in _ACT_PATTERNS if pattern.search(text)), None)
    match = _SECTION.search(text)
    if match is None:
        return act, None, ""
    return act, int(match.group(1)), match.group(2).upper()


def _rule_matches(rule: dict[str, Any], act: str | None, number: int | None, letter: str) -> bool:
    if "entry_type" in rule or "involves" in rule or rule.get("act") != act:
        return False
    if "section" in rule:
        return number is not None and f"{number}{letter}" == rule["section"]
    if "from" in rule:
        return number is not None and rule["from"] <= number <= rule["to"]
    return True


def categorise_offence(section: str, rules: CrimeRules | None = None) -> CrimeCategory | None:
    """The category of one offence as written on the entry, or None when no rule knows its act."""
    rules = rules or crime_rules()
    act, number, letter = parse_offence_section(section)
    # Exact sections first, then ranges, then the whole act: the most specific rule wins.
    for kind in ("section", "from", None):
        for rule in rules.rules:
            if (kind is None or kind in rule) and _rule_matches(rule, act, number, letter):
                return CrimeCategory(rule["category"], rules.name(rule["category"]), rule["iccs"], rules.version)
    return None


# What a correction writes in the suspected officer's field when no police officer is suspected after all.
NO_OFFICER = frozenset({"none", "nil", "hakuna", "-", "n/a"})


def suspected_officer_of(details: dict[str, Any]) -> str:
    """The service number of the police officer an entry names as suspected, as it reads (after its
    corrections); "" when it names none, or a correction says none ("none", "hakuna")."""
    number = typed_service_number(details.get(SUSPECTED_OFFICER.name))
    return "" if number.lower() in NO_OFFICER else number


def police_officer_rule(rules: CrimeRules | None = None) -> dict[str, Any] | None:
    """The rule placing an offence in which a police officer is suspected, whatever the offence."""
    return next((r for r in (rules or crime_rules()).rules if r.get("involves") == "police_officer"), None)


def derive_crime_category(
    entry_type: str, offence_sections: list[str], rules: CrimeRules | None = None, *, suspected_officer: str = ""
) -> CrimeCategory | None:
    """The statistical category of an entry: its principal offence, or the entry type's fallback; an
    offence in which a police officer is suspected counts under offences involving police officers,
    with the ICCS section of its principal offence.

    None means the entry records no crime (a lost ID, a duty change) or records one the rules cannot
    place yet (the desk is shown that, and adds the offence section).
    """
    rules = rules or crime_rules()
    if entry_type not in rules.crime_entry_types:
        return None
    found = [c for c in (categorise_offence(s, rules) for s in offence_sections) if c is not None]
    police = police_officer_rule(rules) if suspected_officer else None
    if police is not None:
        iccs = min(found, key=lambda c: rules.order(c.code)).iccs if found else police["iccs"]
        return CrimeCategory(police["category"], rules.name(police["category"]), iccs, rules.version)
    if found:
        return min(found, key=lambda c: rules.order(c.code))
    for rule in rules.rules:
        if rule.get("entry_type") == entry_type:
            return CrimeCategory(rule["category"], rules.name(rule["category"]), rule["iccs"], rules.version)
    return None
