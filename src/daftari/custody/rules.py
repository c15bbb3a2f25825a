"""Pure rules of the cell register: the Art. 49 court clock, the remand warning, cell placement.

No ORM here: the services hand in a ``CourtCalendar`` built from the ``holidays`` package and the
gazetted additions an admin keeps.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import holidays as holiday_tables
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daftari.core import wording
from daftari.occurrences.rules import (
    late_flag_problems,
    normalise_id_number,
    normalise_phone,
    typed_time_problem,
)

NAIROBI = ZoneInfo("Africa/Nairobi")
ART_49_HOURS = 24
ADULT_AGE = 18


# --- The court clock ----------------------------------------------------------------------


@dataclass(frozen=True)
class CourtCalendar:
    """Court days are Monday to Friday except ``holidays``; court hours are ``opens``–``closes`` in Nairobi."""

    holidays: frozenset[date]
    opens: time = time(8, 0)
    closes: time = time(17, 0)

    def is_court_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_court_day(self, after: date) -> date:
        day = after + timedelta(days=1)
        while not self.is_court_day(day):
            day += timedelta(days=1)
        return day


def kenyan_public_holidays(years: Iterable[int], gazetted: Iterable[date] = ()) -> frozenset[date]:
    """Kenya's public holidays (with the package's observed-on-Monday rules) plus gazetted additions."""
    table = holiday_tables.country_holidays("KE", years=sorted(set(years)))
    return frozenset(table.keys()) | frozenset(gazetted)


def court_deadline(arrested_at: datetime, calendar: CourtCalendar) -> datetime:
    """Art. 49(1)(f): the latest moment the arrested person may be brought before a court.

    Twenty-four hours after arrest; when those end outside court hours or on a day that is not a
    court day, the end (closing time) of the next court day. Decisions where the text is silent:
    - ending on a court day BEFORE the court opens: the next court sitting is that same day, so
      the deadline is that day's closing time;
    - ending on a court day AFTER closing: the next court day's closing time;
    - ending exactly at closing time is still within court hours: the deadline is that moment.
    """
    if arrested_at.tzinfo is None:
        raise ValueError("arrested_at must be timezone-aware")
    end = arrested_at.astimezone(NAIROBI) + timedelta(hours=ART_49_HOURS)
    day, clock = end.date(), end.timetz().replace(tzinfo=None)
    if calendar.is_court_day(day):
        if calendar.opens <= clock <= calendar.closes:
            return end
        if clock < calendar.opens:
            return datetime.combine(day, calendar.closes, NAIROBI)
    return datetime.combine(calendar.next_court_day(day), calendar.closes, NAIROBI)


def minutes_left(deadline: datetime, now: datetime) -> int:
    """Whole minutes until the deadline; negative once it has passed."""
    seconds = (deadline - now).total_seconds()
    return int(seconds // 60)


class Band(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    BREACHED = "breached"


# The board never shows colour alone: each band has words.
BAND_WORDS = {
    Band.GREEN: gettext_lazy("More than 12 hours left"),
    Band.AMBER: gettext_lazy("4 to 12 hours left"),
    Band.RED: gettext_lazy("Less than 4 hours left"),
    Band.BREACHED: gettext_lazy("Deadline passed"),
}


def duration_words(delta: timedelta) -> str:
    """ "26 h 05 min": a time held or left, in hours and minutes (the sign is dropped)."""
    minutes = int(abs(delta.total_seconds()) // 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def time_left_words(left: timedelta) -> str:
    """The time left to the court deadline, or how late it is once passed."""
    if left >= timedelta(0):
        return duration_words(left)
    return _("%(late)s late") % {"late": duration_words(left)}


def board_colour(deadline: datetime, now: datetime) -> Band:
    """Green above 12 hours left, amber from 4 to 12, red under 4, breached once the deadline has passed."""
    left = deadline - now
    if left < timedelta(0):
        return Band.BREACHED
    if left < timedelta(hours=4):
        return Band.RED
    if left <= timedelta(hours=12):
        return Band.AMBER
    return Band.GREEN


# --- Art. 49(2): no remand for petty offences -------------------------------------------------


class Punishment(StrEnum):
    FINE_ONLY = "fine_only"
    UP_TO_6_MONTHS = "up_to_6_months"
    MORE_THAN_6_MONTHS = "more_than_6_months"
    UNKNOWN = "unknown"


PUNISHMENT_LABELS = {
    Punishment.FINE_ONLY: gettext_lazy("Fine only"),
    Punishment.UP_TO_6_MONTHS: gettext_lazy("Imprisonment of 6 months or less"),
    Punishment.MORE_THAN_6_MONTHS: gettext_lazy("Imprisonment of more than 6 months"),
    Punishment.UNKNOWN: gettext_lazy("Not known"),
}
PETTY = frozenset({Punishment.FINE_ONLY, Punishment.UP_TO_6_MONTHS})


class HasPunishment(Protocol):
    punishable_by: str


def _punishment(offence: Any) -> str:
    if isinstance(offence, dict):
        return str(offence.get("punishable_by", Punishment.UNKNOWN))
    return str(getattr(offence, "punishable_by", Punishment.UNKNOWN))


def remand_warning(offences: Iterable[Any]) -> bool:
    """Art. 49(2): true when every offence is punishable by a fine only or by 6 months or less.

    An offence whose punishment is not known does not warn (nor does a booking with no offence).
    """
    kinds = [_punishment(o) for o in offences]
    return bool(kinds) and all(kind in PETTY for kind in kinds)


# --- Cells ----------------------------------------------------------------------------------


class Cell(StrEnum):
    MALE = "male"
    FEMALE = "female"
    JUVENILE = "juvenile"


CELL_LABELS = {
    Cell.MALE: gettext_lazy("Male cell"),
    Cell.FEMALE: gettext_lazy("Female cell"),
    Cell.JUVENILE: gettext_lazy("Juvenile cell"),
}


def age_on(day: date, *, age: int | None, date_of_birth: date | None) -> int | None:
    """The age on ``day``: from the date of birth when known, else the age given."""
    if date_of_birth is not None:
        years = day.year - date_of_birth.year
        if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
            years -= 1
        return years
    return age


def cell_refusals(cell: str, *, sex: str, age: int | None) -> list[str]:
    """Why the person may not go into ``cell``; empty when they may."""
    reasons = []
    if cell not in {c.value for c in Cell}:
        return [_("Choose the male, female or juvenile cell.")]
    if age is not None and age < ADULT_AGE and cell != Cell.JUVENILE:
        reasons.append(_("A child (under 18) may only be held in the juvenile cell."))
    if age is not None and age >= ADULT_AGE and cell == Cell.JUVENILE:
        reasons.append(_("An adult may not be held in the juvenile cell."))
    if sex == "F" and cell == Cell.MALE:
        reasons.append(_("A woman or girl may not be held in the male cell."))
    if sex == "M" and cell == Cell.FEMALE:
        reasons.append(_("A man or boy may not be held in the female cell."))
    return reasons


# --- Asylum seekers and refugees in the cells ---------------------------------------------------
# The Refugees Act 2021 and the Refugees (General) Regulations 2024: the person is questioned through
# an interpreter in a language they understand, and a person held only on an immigration matter is
# not held with people held on a criminal charge.

# The languages most asked for at the desks near the settlements, then English and Kiswahili (the
# person understands the officer: no interpreter). Any other is typed (INTERPRETER_OTHER).
INTERPRETER_LANGUAGES = {
    "so": gettext_lazy("Somali"),
    "ar": gettext_lazy("Arabic"),
    "am": gettext_lazy("Amharic"),
    "om": gettext_lazy("Oromo"),
    "ti": gettext_lazy("Tigrinya"),
    "din": gettext_lazy("Dinka"),
    "nus": gettext_lazy("Nuer"),
    "rw": gettext_lazy("Kinyarwanda"),
    "rn": gettext_lazy("Kirundi"),
    "ln": gettext_lazy("Lingala"),
    "fr": gettext_lazy("French"),
    "en": gettext_lazy("English (no interpreter needed)"),
    "sw": gettext_lazy("Kiswahili (no interpreter needed)"),
}
INTERPRETER_OTHER = "other"
# A typed language is words of letters (Kiswahili, "Bari", "Juba Arabic", "Ki-Nande"), nothing else.
_LANGUAGE_WORDS = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")
LANGUAGE_LIMIT = 60


def interpreter_language_name(value: str) -> str:
    """The language as the page shows it: the listed name, or the language as typed."""
    return str(INTERPRETER_LANGUAGES.get(value, value))


def interpreter_language_problem(value: str, *, required: bool) -> str | None:
    """Why ``value`` is not an interpreter language the register takes; None when it is.

    Required for an asylum seeker or refugee. A listed code, or a language typed in words.
    """
    if not value:
        return str(_("Choose the language the person is questioned in (the interpreter's)")) if required else None
    if value in INTERPRETER_LANGUAGES:
        return None
    if len(value) > LANGUAGE_LIMIT:
        return str(wording.at_most_characters(_("Interpreter language"), LANGUAGE_LIMIT))
    if _LANGUAGE_WORDS.match(value) is None:
        return str(_("Type the name of the language in letters, e.g. Bari or Juba Arabic."))
    return None


def clean_language(value: str) -> str:
    """A typed language with its spaces tidied; a listed code as it is."""
    return " ".join((value or "").split())


def separation_refusal(*, immigration_only: bool, held_immigration_only: Iterable[bool]) -> str | None:
    """Refugees (General) Regulations 2024: why the person may not go into a cell holding people
    whose ``held_immigration_only`` flags are given; None when they may.

    A person held only on an immigration matter does not share a cell with criminal detainees, nor
    a criminal detainee a cell with them; an empty cell takes either.
    """
    held = list(held_immigration_only)
    if immigration_only and not all(held):
        return str(
            _(
                "This cell holds people held on criminal charges: a person held only on an immigration "
                "matter is held apart from them (Refugees Regulations 2024). Choose a cell without them."
            )
        )
    if not immigration_only and any(held):
        return str(
            _(
                "This cell holds a person held only on an immigration matter: they are held apart from "
                "people held on criminal charges (Refugees Regulations 2024). Choose another cell."
            )
        )
    return None


ANY_DRS_OFFICE = "*"


def drs_phone(phones: Mapping[str, str], office: str | None) -> str | None:
    """The DRS phone to tell of the arrest: the office that issued the person's document, else the
    office configured for any other case; None when neither is configured."""
    if office and phones.get(office):
        return phones[office]
    return phones.get(ANY_DRS_OFFICE) or None


# --- Booking in -----------------------------------------------------------------------------

SEXES = ("M", "F", "X")


class Errors(dict[str, str]):
    """Field name (dotted for nested parts, e.g. ``offences.0.punishable_by``) → message."""


@dataclass(frozen=True)
class DetaineeInput:
    name: str
    sex: str
    id_number: str = ""
    phone: str = ""
    age: int | None = None
    date_of_birth: date | None = None


@dataclass(frozen=True)
class OffenceInput:
    section: str = ""
    description: str = ""
    punishable_by: str = Punishment.UNKNOWN


@dataclass(frozen=True)
class PropertyInput:
    description: str
    quantity: int = 1
    value_kes: int | None = None


@dataclass(frozen=True)
class HealthCheck:
    """The Ogola rules: a health and mental-health check before the cell, the OCS told of any issue."""

    injuries_seen: bool = False
    injuries: str = ""
    needs_medication: bool = False
    mental_health_concern: bool = False
    ocs_told: bool = False
    notes: str = ""

    @property
    def has_issue(self) -> bool:
        return self.injuries_seen or self.needs_medication or self.mental_health_concern


@dataclass(frozen=True)
class NextOfKin:
    informed: bool = False
    name: str = ""
    informed_at: datetime | None = None


@dataclass(frozen=True)
class ArrestDetails:
    """What the ARREST entry needs when the arrest is recorded in the same step as the booking."""

    place: str
    reason: str


@dataclass(frozen=True)
class Booking:
    detainee: DetaineeInput
    arresting_officer: str
    arrested_at: datetime
    cell: str
    offences: tuple[OffenceInput, ...] = ()
    physical_condition: str = ""
    health: HealthCheck = HealthCheck()
    next_of_kin: NextOfKin = NextOfKin()
    property_items: tuple[PropertyInput, ...] = ()
    # An arrest booked in long after it happened is recorded late, with the reason.
    late: bool = False
    late_reason: str = ""
    # Marked at the desk, or known from a refugee register document given as identity.
    asylum_seeker_or_refugee: bool = False
    interpreter_language: str = ""
    # Held only on an immigration matter (no criminal charge): kept apart from criminal detainees.
    immigration_only: bool = False


def _text(value: str, key: str, errors: Errors, *, limit: int, label: object, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[key] = wording.enter(label)
    elif len(value) > limit:
        errors[key] = wording.at_most_characters(label, limit)
    return value


def _moment(value: datetime | None, key: str, errors: Errors, *, now: datetime, label: object, required: bool) -> None:
    if value is None:
        if required:
            errors[key] = wording.enter(label)
        return
    problem = typed_time_problem(value, recorded_at=now)
    if problem is not None:
        errors[key] = problem
    elif value.year < 2000:
        errors[key] = _("This time is before 2000.")


def clean_booking(
    booking: Booking,
    *,
    now: datetime,
    late_after: timedelta = timedelta(hours=24),
    refugee_document: bool = False,
) -> tuple[Booking, Errors]:
    """Checks and normalises a booking into the cells. Returns the cleaned booking and any field errors.

    An arrest more than ``late_after`` before the booking (the book's late-entry window) is booked
    in only when flagged late with the reason. ``refugee_document``: the ID number is a refugee
    register document's, so the person is an asylum seeker or refugee whatever the form says.
    """
    errors = Errors(late_flag_problems(late=booking.late, late_reason=booking.late_reason))
    late_reason = " ".join((booking.late_reason or "").split())
    person = booking.detainee
    name = _text(
        person.name, "detainee.name", errors, limit=120, label=_("Name of the person in custody"), required=True
    )
    if person.sex not in SEXES:
        errors["detainee.sex"] = wording.choose(_("Sex"))
    id_number = normalise_id_number(person.id_number)
    if len(id_number) > 20:
        errors["detainee.id_number"] = wording.at_most_characters(_("ID or passport number"), 20)
    phone = ""
    if person.phone and person.phone.strip():
        phone = normalise_phone(person.phone) or ""
        if not phone:
            errors["detainee.phone"] = _("Not a valid phone number (e.g. 0712 345 678 or +254 712 345 678).")
    today = now.astimezone(NAIROBI).date()
    if person.date_of_birth is not None and not date(1900, 1, 1) <= person.date_of_birth <= today:
        errors["detainee.date_of_birth"] = wording.not_in_future(_("Date of birth"))
    if person.age is not None and not 0 <= person.age <= 130:
        errors["detainee.age"] = _("Age must be between 0 and 130.")
    if person.age is None and person.date_of_birth is None:
        # A child may only go to the juvenile cell, so the cell cannot be chosen without an age.
        errors["detainee.age"] = _("Enter the age or the date of birth")
    arresting_officer = _text(
        booking.arresting_officer, "arresting_officer", errors, limit=20, label=_("Arresting officer"), required=True
    )
    _moment(booking.arrested_at, "arrested_at", errors, now=now, label=_("Time of arrest"), required=True)
    if "arrested_at" not in errors and "late_reason" not in errors:
        problem = typed_time_problem(
            booking.arrested_at, recorded_at=now, late_after=late_after, late_reason=late_reason
        )
        if problem is not None:
            errors["arrested_at"] = problem
    offences = []
    if not booking.offences:
        errors["offences"] = _("Record at least one offence.")
    for i, offence in enumerate(booking.offences[:50]):
        section = _text(offence.section, f"offences.{i}.section", errors, limit=120, label=_("Law and section"))
        description = _text(offence.description, f"offences.{i}.description", errors, limit=300, label=_("Offence"))
        if not (section or description):
            errors[f"offences.{i}.description"] = _("Enter the law and section or a description of the offence")
        if offence.punishable_by not in {p.value for p in Punishment}:
            errors[f"offences.{i}.punishable_by"] = wording.choose(_("Punishable by"))
        offences.append(OffenceInput(section, description, offence.punishable_by))
    if len(booking.offences) > 50:
        errors["offences"] = _("At most 50 offences.")
    items = []
    for i, item in enumerate(booking.property_items[:200]):
        description = _text(
            item.description, f"property_items.{i}.description", errors, limit=300, label=_("Item"), required=True
        )
        if not 1 <= item.quantity <= 100_000:
            errors[f"property_items.{i}.quantity"] = _("Quantity must be between 1 and 100,000.")
        if item.value_kes is not None and not 0 <= item.value_kes <= 1_000_000_000:
            errors[f"property_items.{i}.value_kes"] = _("Value must be a whole number of shillings, 0 or more.")
        items.append(PropertyInput(description, item.quantity, item.value_kes))
    if len(booking.property_items) > 200:
        errors["property_items"] = _("At most 200 items.")
    health = booking.health
    health = HealthCheck(
        injuries_seen=health.injuries_seen,
        injuries=_text(health.injuries, "health.injuries", errors, limit=2000, label=_("Injuries")),
        needs_medication=health.needs_medication,
        mental_health_concern=health.mental_health_concern,
        ocs_told=health.ocs_told,
        notes=_text(health.notes, "health.notes", errors, limit=2000, label=_("Note")),
    )
    if health.has_issue and not health.ocs_told:
        errors["health.ocs_told"] = _("Tell the OCS about the health issue before booking in.")
    protected = booking.asylum_seeker_or_refugee or refugee_document
    language = clean_language(booking.interpreter_language)
    problem = interpreter_language_problem(language, required=protected)
    if problem is not None:
        errors["interpreter_language"] = problem
    kin = booking.next_of_kin
    kin_name = _text(kin.name, "next_of_kin.name", errors, limit=120, label=_("Who was informed"))
    if kin.informed:
        if not kin_name:
            errors["next_of_kin.name"] = _("Say who was informed.")
        _moment(
            kin.informed_at,
            "next_of_kin.informed_at",
            errors,
            now=now,
            label=_("When they were informed"),
            required=True,
        )
    cleaned = Booking(
        detainee=DetaineeInput(name, person.sex, id_number, phone, person.age, person.date_of_birth),
        arresting_officer=arresting_officer,
        arrested_at=booking.arrested_at,
        cell=booking.cell,
        offences=tuple(offences),
        physical_condition=_text(
            booking.physical_condition, "physical_condition", errors, limit=2000, label=_("Physical condition")
        ),
        health=health,
        next_of_kin=NextOfKin(kin.informed, kin_name, kin.informed_at if kin.informed else None),
        property_items=tuple(items),
        late=bool(late_reason),
        late_reason=late_reason,
        asylum_seeker_or_refugee=protected,
        interpreter_language=language,
        immigration_only=booking.immigration_only,
    )
    if "detainee.age" not in errors and "detainee.date_of_birth" not in errors and person.sex in SEXES:
        age = age_on(today, age=person.age, date_of_birth=person.date_of_birth)
        refusals = cell_refusals(booking.cell, sex=person.sex, age=age)
        if refusals:
            errors["cell"] = " ".join(refusals)
    return cleaned, errors


def clean_arrest_details(details: ArrestDetails, errors: Errors) -> ArrestDetails:
    return ArrestDetails(
        place=_text(details.place, "arrest.place", errors, limit=200, label=_("Place"), required=True),
        reason=_text(details.reason, "arrest.reason", errors, limit=5000, label=_("Reason"), required=True),
    )


# --- Custody events -------------------------------------------------------------------------


class EventKind(StrEnum):
    MEAL = "meal"
    VISIT = "visit"
    HEALTH = "health"
    CELL_TRANSFER = "cell_transfer"
    CONTINUED_DETENTION = "continued_detention"
    RELEASE = "release"
    TO_COURT = "to_court"
    STATION_TRANSFER = "station_transfer"
    ESCAPE = "escape"
    DEATH = "death"
    SERIOUS_INJURY = "serious_injury"
    PROPERTY_RETURNED = "property_returned"
    HANDED_FOR_REMOVAL = "handed_for_removal"


# The outcomes that would take the person out of Kenya: only the OCS records them (stations.rules.
# can_hand_over_for_removal), and the page shows the rule they must keep.
REMOVAL_KINDS = frozenset({EventKind.HANDED_FOR_REMOVAL})
NON_REFOULEMENT = gettext_lazy(
    "Refugees Act 2021, s.18 (non-refoulement): no person may be expelled, extradited or returned to a "
    "country where they may be persecuted for their race, religion, nationality, membership of a "
    "particular social group or political opinion, or where their life, physical integrity or liberty "
    "would be threatened by external aggression, occupation, foreign domination or events seriously "
    "disturbing public order. Only a person reasonably regarded as a danger to Kenya's national security "
    "may not claim it (s.18(2)). An asylum seeker's claim is decided by the Department of Refugee Services."
)

RELEASE_ON = ("police_bond", "cash_bail", "free")
COURT_OUTCOMES = ("remanded", "released", "charged")
ITEM_OUTCOMES = ("returned", "disposed")
# The events that may follow a booking once the person has left police custody.
AFTER_CLOSE = frozenset({EventKind.PROPERTY_RETURNED})

# Per kind: (field, required, kind of value). Free text is capped at 2,000 characters.
_TEXT, _INT, _BOOL, _CHOICE = "text", "int", "bool", "choice"
EVENT_FIELDS: dict[EventKind, tuple[tuple[str, bool, str], ...]] = {
    EventKind.MEAL: (("note", False, _TEXT),),
    EventKind.VISIT: (("visitor", True, _TEXT), ("relationship", False, _TEXT), ("note", False, _TEXT)),
    EventKind.HEALTH: (("note", True, _TEXT), ("taken_to_hospital", False, _BOOL), ("ocs_told", False, _BOOL)),
    EventKind.CELL_TRANSFER: (("to_cell", True, _CHOICE), ("reason", False, _TEXT)),
    EventKind.CONTINUED_DETENTION: (("reason", True, _TEXT),),
    EventKind.RELEASE: (("release_on", True, _CHOICE), ("amount_kes", False, _INT), ("receipt_number", False, _TEXT)),
    EventKind.TO_COURT: (("court", True, _TEXT), ("case_number", False, _TEXT), ("outcome", True, _CHOICE)),
    EventKind.STATION_TRANSFER: (("to_station", True, _TEXT), ("to_cell", True, _CHOICE), ("reason", False, _TEXT)),
    EventKind.ESCAPE: (("note", True, _TEXT),),
    EventKind.DEATH: (("note", True, _TEXT),),
    EventKind.SERIOUS_INJURY: (("note", True, _TEXT), ("taken_to_hospital", False, _BOOL)),
    EventKind.PROPERTY_RETURNED: (),
    EventKind.HANDED_FOR_REMOVAL: (("received_by", True, _TEXT), ("authority", True, _TEXT), ("note", False, _TEXT)),
}
# What the desk's event form calls each detail, so the rules' messages name the field the same way.
EVENT_FIELD_LABELS = {
    "note": gettext_lazy("Note"),
    "visitor": gettext_lazy("Visitor"),
    "relationship": gettext_lazy("Relationship"),
    "reason": gettext_lazy("Reason"),
    "to_cell": gettext_lazy("To cell"),
    "to_station": gettext_lazy("To station (code)"),
    "release_on": gettext_lazy("Released on"),
    "amount_kes": gettext_lazy("Cash bail (KES)"),
    "receipt_number": gettext_lazy("Receipt number"),
    "court": gettext_lazy("Court"),
    "case_number": gettext_lazy("Case number"),
    "outcome": gettext_lazy("Outcome"),
    "received_by": gettext_lazy("Received by (immigration officer and office)"),
    "authority": gettext_lazy("Removal order or other authority (reference)"),
}
_CHOICES = {
    "to_cell": tuple(c.value for c in Cell),
    "release_on": RELEASE_ON,
    "outcome": COURT_OUTCOMES,
}


def _clean_value(name: str, kind: str, raw: Any, errors: Errors) -> Any:
    key = f"details.{name}"
    if kind == _TEXT:
        if not isinstance(raw, str):
            errors[key] = _("Give text.")
            return None
        return _text(raw, key, errors, limit=2000, label=EVENT_FIELD_LABELS.get(name, name)) or None
    if kind == _INT:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            errors[key] = _("Give a whole number.")
            return None
        try:
            number = int(str(raw).strip())
        except ValueError:
            errors[key] = _("Give a whole number.")
            return None
        if not 0 <= number <= 100_000_000:
            errors[key] = _("Must be between 0 and 100,000,000.")
        return number
    if kind == _BOOL:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("true", "on", "1", "yes"):
            return True
        if str(raw).lower() in ("false", "off", "0", "no", ""):
            return False
        errors[key] = _("Give true or false.")
        return None
    if raw not in _CHOICES[name]:
        errors[key] = wording.choose_from_list(EVENT_FIELD_LABELS.get(name, name))
        return None
    return raw


def _clean_items(raw: Any, errors: Errors) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        errors["details.items"] = _("List the items returned or disposed of.")
        return []
    items = []
    for i, item in enumerate(raw[:200]):
        key = f"details.items.{i}"
        if not isinstance(item, dict):
            errors[key] = _("Give an object.")
            continue
        position = item.get("position")
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < 10_000:
            errors[f"{key}.position"] = _("Give the item's number in the inventory.")
            continue
        outcome = item.get("outcome")
        if outcome not in ITEM_OUTCOMES:
            errors[f"{key}.outcome"] = _("Choose one of %(choices)s.") % {"choices": ", ".join(ITEM_OUTCOMES)}
            continue
        note = item.get("note") or ""
        note = _text(note if isinstance(note, str) else "", f"{key}.note", errors, limit=500, label=_("Note"))
        acknowledged = item.get("acknowledged") is True
        if outcome == "returned" and not acknowledged:
            errors[f"{key}.acknowledged"] = _("The person receiving the item must acknowledge it.")
        if outcome == "disposed" and not note:
            errors[f"{key}.note"] = _("Record how the item was disposed of.")
        items.append({"position": position, "outcome": outcome, "acknowledged": acknowledged, "note": note})
    positions = [item["position"] for item in items]
    if len(set(positions)) != len(positions):
        errors["details.items"] = _("Each item once.")
    return items


def clean_event(kind: str, details: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Checks an event's details against its kind; returns the cleaned details and any field errors."""
    errors = Errors()
    if kind not in {k.value for k in EventKind}:
        errors["kind"] = _("Unknown kind of custody event.")
        return {}, errors
    spec = EVENT_FIELDS[EventKind(kind)]
    known = {name for name, _required, _kind in spec} | ({"items"} if kind == EventKind.PROPERTY_RETURNED else set())
    for name in sorted(set(details) - known):
        errors[f"details.{name}"] = _("This field is not expected here.")
    cleaned: dict[str, Any] = {}
    for name, required, value_kind in spec:
        raw = details.get(name)
        value = None if raw is None or raw == "" else _clean_value(name, value_kind, raw, errors)
        if value is None:
            if required and f"details.{name}" not in errors:
                label = EVENT_FIELD_LABELS.get(name, name)
                errors[f"details.{name}"] = wording.choose(label) if value_kind == _CHOICE else wording.enter(label)
            continue
        cleaned[name] = value
    if kind == EventKind.CONTINUED_DETENTION and "details.reason" in errors:
        errors["details.reason"] = _("Continued detention needs its reason (the red-ink rule).")
    if kind == EventKind.RELEASE and cleaned.get("release_on") == "cash_bail":
        if not cleaned.get("amount_kes"):
            errors["details.amount_kes"] = _("Enter the cash bail amount in shillings")
        if not cleaned.get("receipt_number"):
            errors["details.receipt_number"] = _("Enter the cash bail receipt number")
    if kind == EventKind.PROPERTY_RETURNED:
        cleaned["items"] = _clean_items(details.get("items"), errors)
    return cleaned, errors


# --- Typed times of events --------------------------------------------------------------------

# An event typed more than this before it is entered in the register is late. The Art. 49 clock
# runs in hours, so the book's day of grace would let a day's breach be typed away.
EVENT_LATE_AFTER = timedelta(hours=1)


def event_time_problems(
    at: datetime | None,
    *,
    now: datetime,
    arrested_at: datetime,
    booked_in_at: datetime,
    late: bool,
    late_reason: str,
) -> Errors:
    """What is wrong with an event's typed time and its late flag; empty when nothing is.

    Never in the future or before the arrest. Before the booking was recorded, or more than
    ``EVENT_LATE_AFTER`` before the event is recorded, only when flagged late with a reason.
    """
    errors = Errors(late_flag_problems(late=late, late_reason=late_reason))
    if at is None:
        if late or (late_reason or "").strip():
            errors["at"] = _("Enter the time it happened")
        return errors
    problem = typed_time_problem(at, recorded_at=now)
    if problem is None and at < arrested_at:
        problem = _("This time is before the arrest.")
    if problem is None and "late_reason" not in errors:
        problem = typed_time_problem(
            at, recorded_at=now, not_before=booked_in_at, late_after=EVENT_LATE_AFTER, late_reason=late_reason
        )
    if problem is not None:
        errors["at"] = problem
    return errors


def counted_at(*, at: datetime, recorded_at: datetime, late: bool) -> datetime:
    """The moment an event counts for Art. 49: a late one when it was recorded, not when it was typed."""
    return recorded_at if late else at


# --- The day close -----------------------------------------------------------------------------


def service_numbers(officers: object) -> frozenset[str]:
    """The service numbers a DUTY_ON_OFF entry names: "231001 PC Achieng, 224503 CPL Hassan" names
    231001 and 224503 (a word with a digit in it is a number; names and ranks have none)."""
    words = str(officers or "").replace(",", " ").replace(";", " ").split()
    return frozenset(word.upper() for word in words if any(c.isdigit() for c in word))


def on_duty(bookings: Iterable[tuple[str, object]]) -> frozenset[str]:
    """Who is on duty after these bookings (direction, officers), in the order they were recorded."""
    now_on: set[str] = set()
    for direction, officers in bookings:
        named = service_numbers(officers)
        if direction == "on":
            now_on |= named
        elif direction == "off":
            now_on -= named
    return frozenset(now_on)


def day_close_figures(
    from_book: Mapping[str, int], counted: Mapping[str, int | None], explanation: str
) -> list[dict[str, Any]]:
    """Each figure of the day close: the book's, the one counted (None when the officer gave none)
    and, where they differ, the explanation. A figure the book does not give counts 0 there."""
    keys = [*from_book, *(key for key in counted if key not in from_book)]
    figures = []
    for key in keys:
        book, typed = from_book.get(key, 0), counted.get(key)
        why = explanation if differs(book, typed) else ""
        figures.append({"key": key, "from_book": book, "counted": typed, "explanation": why})
    return figures


def differs(from_book: int, counted: int | None) -> bool:
    """A figure counted and not the book's; one not counted is no difference (it was not asked)."""
    return counted is not None and counted != from_book
