"""Every change to the cell register goes through one of these functions.

Each one is atomic, checks that the actor records at the station holding the person, writes the
append-only record, updates the ``CustodyState`` projection and appends a ledger leaf (kind
"custody") in the same transaction.
"""

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daftari.core import identity
from daftari.core.errors import (
    DomainError,
    DuplicateWithDifferentContent,
    InvalidInput,
    NotPermitted,
    NotPermittedAtStation,
)
from daftari.custody import alerts, records, rules
from daftari.custody.models import (
    CustodyEvent,
    CustodyRecord,
    CustodyState,
    GazettedHoliday,
    PropertyItem,
)
from daftari.custody.rules import EventKind
from daftari.ledger import services as ledger
from daftari.occurrences import rules as book
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import EntryDraft, OffenceInput, PartyInput
from daftari.occurrences.services import Recorded as EntryRecorded
from daftari.occurrences.services import prepare_entry, record_occurrence, write_entry
from daftari.stations.models import Officer, Station, scope_of
from daftari.stations.rules import (
    Scope,
    can_book_into_cells,
    can_hand_over_for_removal,
    can_record_at,
    can_record_custody_event,
)

State = CustodyState.State


class NotInCustody(DomainError):
    code = "not_in_custody"
    status = 409
    default_message = gettext_lazy("This person is no longer in police custody.")


class Booked(NamedTuple):
    record: CustodyRecord
    created: bool  # False when a retry with the same id and content returned the stored record


class Recorded(NamedTuple):
    event: CustodyEvent
    created: bool


# --- The court calendar ---------------------------------------------------------------------


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def court_calendar(around: datetime) -> rules.CourtCalendar:
    """Court days around ``around``: Kenya's public holidays and the gazetted additions, with the configured hours."""
    year = around.astimezone(rules.NAIROBI).year
    years = [year - 1, year, year + 1]
    gazetted = GazettedHoliday.objects.filter(date__year__in=years).values_list("date", flat=True)
    return rules.CourtCalendar(
        holidays=rules.kenyan_public_holidays(years, gazetted=list(gazetted)),
        opens=_clock(settings.DAFTARI_COURT_OPENS),
        closes=_clock(settings.DAFTARI_COURT_CLOSES),
    )


# --- Booking in -----------------------------------------------------------------------------


def _refusal(scope: Scope, station: Station) -> NotPermitted:
    """An officer of the station who does not hold the cells is told so; anyone else, that it is not their station."""
    if can_record_at(scope, station_code=station.code):
        return NotPermitted(_("Only the desk and the OCS hold the cells: book in and record custody events."))
    return NotPermittedAtStation()


def _officer(actor: User) -> Officer:
    officer = getattr(actor, "officer", None)
    if officer is None:
        raise NotPermittedAtStation()
    return officer


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _without_late_when_on_time(fields: dict[str, Any]) -> dict[str, Any]:
    """A booking or event on time hashes as it did before late records existed, so retries still match."""
    if fields.get("late") or fields.get("late_reason"):
        return fields
    return {key: value for key, value in fields.items() if key not in ("late", "late_reason")}


# Booking fields added later: left out of the hash while they hold their default, so a retry of a
# booking made before they existed still matches.
_LATER_BOOKING_DEFAULTS = {"asylum_seeker_or_refugee": False, "interpreter_language": "", "immigration_only": False}


def _without_new_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in fields.items()
        if key not in _LATER_BOOKING_DEFAULTS or value != _LATER_BOOKING_DEFAULTS[key]
    }


def _replay_booking(client_id: uuid.UUID | None, station: Station, digest: str) -> CustodyRecord | None:
    if client_id is None:
        return None
    existing = CustodyRecord.objects.filter(pk=client_id).first()
    if existing is None:
        return None
    if existing.station_id != station.pk or existing.content_hash != digest:
        raise DuplicateWithDifferentContent()
    return existing


def _as_suspect(person: rules.DetaineeInput | CustodyRecord) -> PartyInput:
    """The person in custody as the suspect of an OB line."""
    if isinstance(person, CustodyRecord):
        person = rules.DetaineeInput(
            name=person.detainee_name,
            sex=person.detainee_sex,
            id_number=person.detainee_id_number,
            phone=person.detainee_phone,
            age=person.detainee_age,
            date_of_birth=person.detainee_date_of_birth,
        )
    return PartyInput(
        role="suspect",
        name=person.name,
        id_number=person.id_number,
        phone=person.phone,
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        age=person.age,
    )


def _arrest_entry(
    *, actor: User, station: Station, booking: rules.Booking, details: rules.ArrestDetails, now: datetime
) -> Occurrence:
    person = booking.detainee
    offences = booking.offences
    draft = EntryDraft(
        entry_type="ARREST",
        occurred_at=booking.arrested_at,
        place=details.place,
        narrative=_("Arrest of %(name)s: %(reason)s") % {"name": person.name, "reason": details.reason},
        details={
            "arrested_at": booking.arrested_at.astimezone(rules.NAIROBI).isoformat(timespec="minutes"),
            "arresting_officer": booking.arresting_officer,
            "reason_for_arrest": details.reason,
            **({"physical_condition": booking.physical_condition[:200]} if booking.physical_condition else {}),
        },
        parties=(_as_suspect(person),),
        offences=tuple(OffenceInput(section=o.section, description=o.description) for o in offences),
        late=booking.late,
        late_reason=booking.late_reason,
        # A refugee register document is a known identity, though not a Kenyan ID's format.
        confirm_unusual=identity.refugee_document_office(person.id_number) is not None,
    )
    return record_occurrence(actor=actor, station=station, draft=draft).entry


def book_in(
    *,
    actor: User,
    station: Station,
    booking: rules.Booking,
    arrest: Occurrence | None = None,
    arrest_details: rules.ArrestDetails | None = None,
    client_id: uuid.UUID | None = None,
    line: EntryDraft | None = None,
    line_id: uuid.UUID | None = None,
) -> Booked:
    """Books a person into the station's cells, from an ARREST entry or recording the arrest with it.

    The booking's OB line (a CELLS entry) is written in the same transaction: ``line`` as the desk
    typed it at New entry (with ``line_id``, its client id), or else written here from the booking.
    The court deadline (Art. 49) is computed now and stored with the record.
    """
    scope = scope_of(actor)
    if not can_book_into_cells(scope, station_code=station.code):
        raise _refusal(scope, station)
    ledger.ensure_recorded_here(station)
    now = timezone.now()
    cleaned, errors = rules.clean_booking(
        booking,
        now=now,
        late_after=timedelta(hours=settings.DAFTARI_LATE_ENTRY_HOURS),
        refugee_document=identity.refugee_document_office(booking.detainee.id_number) is not None,
    )
    if (arrest is None) == (arrest_details is None):
        errors["occurrence"] = _("Give the ARREST entry, or the details of the arrest, but not both.")
    elif arrest is not None:
        if arrest.entry_type != "ARREST":
            errors["occurrence"] = _("Book in from an ARREST entry.")
        elif arrest.station_id != station.pk:
            errors["occurrence"] = _("The ARREST entry is in another station's book.")
    elif arrest_details is not None:
        arrest_details = rules.clean_arrest_details(arrest_details, errors)
    if line is not None:
        errors.update(prepare_entry(actor=actor, station=station, draft=line, now=now).errors)
    digest = _digest(
        {
            "booking": _without_new_defaults(_without_late_when_on_time(asdict(cleaned))),
            "arrest": str(arrest.pk) if arrest is not None else None,
            "arrest_details": asdict(arrest_details) if arrest_details is not None else None,
            # Only a booking typed at New entry carries its line, so earlier retries still match.
            **({"line": book.content_hash(line)} if line is not None else {}),
        }
    )
    replay = _replay_booking(client_id, station, digest)
    if replay is not None:
        return Booked(replay, created=False)
    if arrest is not None and not errors:
        held = _already_held(arrest, cleaned.detainee)
        if held is not None:
            errors["occurrence"] = _("%(name)s is already in the cells from this arrest (booked in %(at)s).") % {
                "name": held.detainee_name,
                "at": _shown(held.booked_in_at),
            }
    if errors:
        raise InvalidInput(fields=dict(errors))
    try:
        with transaction.atomic():
            replay = _replay_booking(client_id, station, digest)
            if replay is not None:
                return Booked(replay, created=False)
            _hold_cells(station)
            _separation_check(station, cleaned.cell, immigration_only=cleaned.immigration_only, key="cell")
            if arrest is None:
                assert arrest_details is not None
                arrest = _arrest_entry(actor=actor, station=station, booking=cleaned, details=arrest_details, now=now)
            deadline = rules.court_deadline(cleaned.arrested_at, court_calendar(cleaned.arrested_at))
            entry = write_entry(
                actor=actor,
                station=station,
                draft=line or _cells_line(station, cleaned, arrest, deadline, now),
                client_id=line_id,
            ).entry
            record = _create_booking(actor, station, cleaned, arrest, entry, deadline, client_id, digest, now)
            # Refugees Act 2021: the Department of Refugee Services learns of the arrest of an asylum
            # seeker or refugee; the SMS is queued with this transaction and goes only if it commits.
            alerts.notify_refugee_services(record)
            return Booked(record, created=True)
    except IntegrityError:
        replay = _replay_booking(client_id, station, digest)
        if replay is None:
            raise
        return Booked(replay, created=False)


def _hold_cells(station: Station) -> None:
    """Places into the station's cells one after the other: the separation rule reads who is in a
    cell, so two bookings at once must not both find it empty (PostgreSQL; SQLite writes one at a time)."""
    list(Station.objects.select_for_update().filter(pk=station.pk).values_list("pk", flat=True))


def _separation_check(
    station: Station, cell: str, *, immigration_only: bool, key: str, moving: CustodyRecord | None = None
) -> None:
    """Refugees Regulations 2024: nobody held only on an immigration matter shares a cell with
    criminal detainees. Call it with the station's cells held (_hold_cells)."""
    held = CustodyState.objects.filter(current_station=station, current_cell=cell, state=State.IN_CUSTODY)
    if moving is not None:
        held = held.exclude(custody=moving)
    refusal = rules.separation_refusal(
        immigration_only=immigration_only,
        held_immigration_only=held.values_list("custody__immigration_only", flat=True),
    )
    if refusal is not None:
        raise InvalidInput(fields={key: refusal})


def _shown(moment: datetime) -> str:
    return moment.astimezone(rules.NAIROBI).strftime("%d %b %Y, %H:%M").lstrip("0")


def _already_held(arrest: Occurrence, person: rules.DetaineeInput) -> CustodyRecord | None:
    """The open booking of this person from this arrest, if there is one: a second would be a second clock."""
    for record in CustodyRecord.objects.filter(arrest=arrest, projection__state=State.IN_CUSTODY):
        same_id = bool(person.id_number) and record.detainee_id_number == person.id_number
        if same_id or record.detainee_name.casefold() == person.name.casefold():
            return record
    return None


def _cells_line(
    station: Station, booking: rules.Booking, arrest: Occurrence, deadline: datetime, now: datetime
) -> EntryDraft:
    """The OB line of a booking made from the custody screens or the API."""
    person = booking.detainee
    details: dict[str, Any] = {
        "cell": booking.cell,
        "booked_in_at": now.astimezone(rules.NAIROBI).isoformat(timespec="minutes"),
        "next_of_kin_informed": booking.next_of_kin.informed,
    }
    if booking.physical_condition:
        details["physical_appearance"] = booking.physical_condition[:200]
    if booking.asylum_seeker_or_refugee:
        details["asylum_seeker_or_refugee"] = True
    if booking.interpreter_language:
        details["interpreter_language"] = rules.interpreter_language_name(booking.interpreter_language)
    if booking.immigration_only:
        details["immigration_only"] = True
    return EntryDraft(
        entry_type="CELLS",
        occurred_at=now,
        place=station.name,
        narrative=_("%(name)s booked into the %(cell)s. Art. 49: before a court by %(deadline)s.")
        % {
            "name": person.name,
            "cell": str(rules.CELL_LABELS[rules.Cell(booking.cell)]).lower(),
            "deadline": _shown(deadline),
        },
        details=details,
        parties=(_as_suspect(person),),
        # The property inventory stays with the booking (its receipt, its return), not in the line.
        offences=tuple(OffenceInput(section=o.section, description=o.description) for o in booking.offences),
        refers_to=str(arrest.pk),
        # The booking took the ID number as given; an unusual one is flagged on the line, not refused twice.
        confirm_unusual=True,
    )


def _create_booking(
    actor: User,
    station: Station,
    booking: rules.Booking,
    arrest: Occurrence,
    entry: Occurrence,
    deadline: datetime,
    client_id: uuid.UUID | None,
    digest: str,
    now: datetime,
) -> CustodyRecord:
    person = booking.detainee
    record = CustodyRecord.objects.create(
        id=client_id or uuid.uuid4(),
        station=station,
        arrest=arrest,
        cells_entry=entry,
        detainee_name=person.name,
        detainee_id_number=person.id_number,
        detainee_sex=person.sex,
        detainee_age=person.age,
        detainee_date_of_birth=person.date_of_birth,
        detainee_phone=person.phone,
        offences=[asdict(o) for o in booking.offences],
        arresting_officer=booking.arresting_officer,
        arrested_at=booking.arrested_at,
        booked_in_at=now,
        cell=booking.cell,
        court_deadline=deadline,
        physical_condition=booking.physical_condition,
        health=asdict(booking.health),
        next_of_kin_informed=booking.next_of_kin.informed,
        next_of_kin_name=booking.next_of_kin.name,
        next_of_kin_informed_at=booking.next_of_kin.informed_at,
        remand_warning=rules.remand_warning(booking.offences),
        late=booking.late,
        late_reason=booking.late_reason,
        asylum_seeker_or_refugee=booking.asylum_seeker_or_refugee,
        interpreter_language=booking.interpreter_language,
        immigration_only=booking.immigration_only,
        recorded_by=_officer(actor),
        content_hash=digest,
    )
    items = PropertyItem.objects.bulk_create(
        PropertyItem(custody=record, position=i, description=p.description, quantity=p.quantity, value_kes=p.value_kes)
        for i, p in enumerate(booking.property_items)
    )
    CustodyState.objects.create(custody=record, current_cell=record.cell, current_station=station)
    # Read back so the ledger commits to the values as the database stores them (e.g. microseconds).
    record = CustodyRecord.objects.select_related("station", "recorded_by", "arrest").get(pk=record.pk)
    arrest_leaf = ledger.leaf_for(str(arrest.pk))
    ledger.append(
        station=station,
        kind=records.KIND_CUSTODY,
        record_id=str(record.pk),
        record=records.booking_record(record, items),
        by=record.recorded_by.service_number,
        ob=arrest.ob_number,
        prev=arrest_leaf.index if arrest_leaf is not None and arrest_leaf.log.station_id == station.pk else None,
        at=now,
    )
    return record


# --- Custody events -------------------------------------------------------------------------


class Moment(NamedTuple):
    """When an event happened as typed, and the moment it counts for Art. 49 (see rules.counted_at)."""

    at: datetime
    counts_at: datetime


Apply = Callable[[CustodyRecord, CustodyState, dict[str, Any], Moment], None]


def _close(state: CustodyState, to: str, when: Moment, record: CustodyRecord, *, court_or_release: bool) -> None:
    state.state = to
    state.closed_at = when.at
    if court_or_release:
        state.brought_within_deadline = when.counts_at <= record.court_deadline


def _apply_release(record: CustodyRecord, state: CustodyState, details: dict[str, Any], when: Moment) -> None:
    _close(state, State.RELEASED, when, record, court_or_release=True)


_COURT_STATES = {"remanded": State.REMANDED, "released": State.RELEASED, "charged": State.CHARGED}


def _apply_court(record: CustodyRecord, state: CustodyState, details: dict[str, Any], when: Moment) -> None:
    _close(state, _COURT_STATES[details["outcome"]], when, record, court_or_release=True)


def _cell_check(record: CustodyRecord, cell: str, at: datetime) -> None:
    age = rules.age_on(
        at.astimezone(rules.NAIROBI).date(), age=record.detainee_age, date_of_birth=record.detainee_date_of_birth
    )
    refusals = rules.cell_refusals(cell, sex=record.detainee_sex, age=age)
    if refusals:
        raise InvalidInput(fields={"details.to_cell": " ".join(refusals)})


def _apply_cell(record: CustodyRecord, state: CustodyState, details: dict[str, Any], when: Moment) -> None:
    _cell_check(record, details["to_cell"], when.at)
    _hold_cells(state.current_station)
    _separation_check(
        state.current_station,
        details["to_cell"],
        immigration_only=record.immigration_only,
        key="details.to_cell",
        moving=record,
    )
    state.current_cell = details["to_cell"]


def _apply_station(record: CustodyRecord, state: CustodyState, details: dict[str, Any], when: Moment) -> None:
    target = Station.objects.filter(code=details["to_station"]).first()
    if target is None:
        raise InvalidInput(fields={"details.to_station": _("No station with that code.")})
    if target.pk == state.current_station_id:
        raise InvalidInput(fields={"details.to_station": _("The person is already held at this station.")})
    _cell_check(record, details["to_cell"], when.at)
    _hold_cells(target)
    _separation_check(
        target, details["to_cell"], immigration_only=record.immigration_only, key="details.to_cell", moving=record
    )
    state.current_station = target
    state.current_cell = details["to_cell"]


def _apply_continued(record: CustodyRecord, state: CustodyState, details: dict[str, Any], when: Moment) -> None:
    state.continued_detention_recorded_at = when.at


def _apply_property(record: CustodyRecord, state: CustodyState, details: dict[str, Any], when: Moment) -> None:
    held = set(record.property_items.values_list("position", flat=True))
    done = set()
    for event in record.events.filter(kind=EventKind.PROPERTY_RETURNED):
        done |= {item["position"] for item in event.details.get("items", [])}
    for i, item in enumerate(details["items"]):
        if item["position"] not in held:
            raise InvalidInput(fields={f"details.items.{i}.position": _("No such item in the inventory.")})
        if item["position"] in done:
            raise InvalidInput(
                fields={f"details.items.{i}.position": _("This item was already returned or disposed of.")}
            )


def _nothing(record: CustodyRecord, state: CustodyState, details: dict[str, Any], when: Moment) -> None:
    return None


APPLY: dict[EventKind, Apply] = {
    EventKind.MEAL: _nothing,
    EventKind.VISIT: _nothing,
    EventKind.HEALTH: _nothing,
    EventKind.SERIOUS_INJURY: _nothing,
    EventKind.CELL_TRANSFER: _apply_cell,
    EventKind.CONTINUED_DETENTION: _apply_continued,
    EventKind.RELEASE: _apply_release,
    EventKind.TO_COURT: _apply_court,
    EventKind.STATION_TRANSFER: _apply_station,
    EventKind.ESCAPE: lambda r, s, d, when: _close(s, State.ESCAPED, when, r, court_or_release=False),
    EventKind.DEATH: lambda r, s, d, when: _close(s, State.DIED, when, r, court_or_release=False),
    EventKind.PROPERTY_RETURNED: _apply_property,
    # Out of police custody: the Art. 49 figure counts whether it was within the deadline, as a release does.
    EventKind.HANDED_FOR_REMOVAL: lambda r, s, d, when: _close(s, State.HANDED_OVER, when, r, court_or_release=True),
}


def _line(
    record: CustodyRecord,
    station: Station,
    entry_type: str,
    narrative: str,
    details: dict[str, Any],
    moment: datetime,
    late_reason: str,
) -> EntryDraft:
    return EntryDraft(
        entry_type=entry_type,
        occurred_at=moment,
        place=station.name,
        narrative=narrative,
        details=details,
        parties=(_as_suspect(record),),
        refers_to=str(record.cells_entry_id or record.arrest_id),
        late=bool(late_reason),
        late_reason=late_reason,
        confirm_unusual=True,
    )


RELEASED_ON = {
    "police_bond": gettext_lazy("police bond"),
    "cash_bail": gettext_lazy("cash bail"),
    "free": gettext_lazy("no bail (released free)"),
}


def _release_line(
    record: CustodyRecord, station: Station, details: dict[str, Any], moment: datetime, late_reason: str
) -> EntryDraft:
    """A release from the cells is a RELEASE_BAIL line: the book's one type for leaving police custody
    on bail, on bond or free."""
    line: dict[str, Any] = {"release_kind": details["release_on"]}
    if details.get("amount_kes"):
        line["bail_amount_kes"] = details["amount_kes"]
    if details.get("receipt_number"):
        line["receipt_number"] = details["receipt_number"]
    narrative = _("%(name)s released from the cells on %(how)s.") % {
        "name": record.detainee_name,
        "how": RELEASED_ON[details["release_on"]],
    }
    return _line(record, station, "RELEASE_BAIL", narrative, line, moment, late_reason)


def _court_line(
    record: CustodyRecord, station: Station, details: dict[str, Any], moment: datetime, late_reason: str
) -> EntryDraft:
    """Taken from the cells to court is a COURT_PRODUCTION line, with the court's outcome."""
    narrative = _("%(name)s taken from the cells to %(court)s.") % {
        "name": record.detainee_name,
        "court": details["court"],
    }
    line = {"destination": details["court"][:200], "outcome": details["outcome"]}
    return _line(record, station, "COURT_PRODUCTION", narrative, line, moment, late_reason)


def _removal_line(
    record: CustodyRecord, station: Station, details: dict[str, Any], moment: datetime, late_reason: str
) -> EntryDraft:
    """Handed to immigration for removal is an escort line (COURT_PRODUCTION: court, hospital or station)."""
    narrative = _("%(name)s handed from the cells to %(received_by)s for removal from Kenya (%(authority)s).") % {
        "name": record.detainee_name,
        "received_by": details["received_by"],
        "authority": details["authority"],
    }
    line = {"destination": details["received_by"][:200]}
    return _line(record, station, "COURT_PRODUCTION", narrative, line, moment, late_reason)


OB_LINES: dict[EventKind, Callable[[CustodyRecord, Station, dict[str, Any], datetime, str], EntryDraft]] = {
    EventKind.RELEASE: _release_line,
    EventKind.TO_COURT: _court_line,
    EventKind.HANDED_FOR_REMOVAL: _removal_line,
}


def _replay_event(client_id: uuid.UUID | None, custody: CustodyRecord, digest: str) -> CustodyEvent | None:
    if client_id is None:
        return None
    existing = CustodyEvent.objects.filter(pk=client_id).first()
    if existing is None:
        return None
    if existing.custody_id != custody.pk or existing.content_hash != digest:
        raise DuplicateWithDifferentContent()
    return existing


def record_event(
    *,
    actor: User,
    custody: CustodyRecord,
    kind: str,
    details: dict[str, Any],
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
    client_id: uuid.UUID | None = None,
    line: EntryDraft | None = None,
    line_id: uuid.UUID | None = None,
) -> Recorded:
    """Records one custody event against the booking; the verbs below are the named ways in.

    ``at`` (when it happened) is bounded by the recording: see rules.event_time_problems. An event
    flagged late counts at its recording time for Art. 49. An event the book records too (a release,
    court) writes its OB line in the same transaction: ``line`` as typed at New entry, or else
    written here from the event.
    """
    now = timezone.now()
    cleaned, errors = rules.clean_event(kind, details)
    errors.update(
        rules.event_time_problems(
            at,
            now=now,
            arrested_at=custody.arrested_at,
            booked_in_at=custody.booked_in_at,
            late=late,
            late_reason=late_reason,
        )
    )
    if errors:
        raise InvalidInput(fields=dict(errors))
    late_reason = " ".join((late_reason or "").split())
    late = bool(late_reason)
    event_kind = EventKind(kind)
    # A retry without a time of its own must not differ from the first try only by "now".
    fields: dict[str, Any] = {
        "custody": str(custody.pk),
        "kind": kind,
        "details": cleaned,
        "at": at,
        "late_reason": late_reason,
    }
    if line is not None:
        fields["line"] = book.content_hash(line)
    digest = _digest(_without_late_when_on_time(fields))
    try:
        with transaction.atomic():
            replay = _replay_event(client_id, custody, digest)
            if replay is not None:
                return Recorded(replay, created=False)
            state = CustodyState.objects.select_for_update().select_related("current_station").get(custody=custody)
            station = state.current_station
            scope = scope_of(actor)
            if not can_record_custody_event(scope, station_code=station.code):
                raise _refusal(scope, station)
            if event_kind in rules.REMOVAL_KINDS and not can_hand_over_for_removal(scope, station_code=station.code):
                raise NotPermitted(
                    _("Only the OCS records a handover for removal from Kenya (Refugees Act 2021, s.18).")
                )
            if state.state != State.IN_CUSTODY and event_kind not in rules.AFTER_CLOSE:
                raise NotInCustody()
            moment = at or now
            APPLY[event_kind](
                custody, state, cleaned, Moment(moment, rules.counted_at(at=moment, recorded_at=now, late=late))
            )
            state.save()
            entry = None
            if line is not None or event_kind in OB_LINES:
                draft = line or OB_LINES[event_kind](custody, station, cleaned, moment, late_reason)
                entry = write_entry(actor=actor, station=station, draft=draft, client_id=line_id).entry
            event = CustodyEvent.objects.create(
                id=client_id or uuid.uuid4(),
                custody=custody,
                station=station,
                kind=kind,
                at=moment,
                recorded_at=now,
                late=late,
                late_reason=late_reason,
                recorded_by=_officer(actor),
                details=cleaned,
                entry=entry,
                content_hash=digest,
            )
            event = CustodyEvent.objects.select_related("station", "recorded_by").get(pk=event.pk)
            booking_leaf = ledger.leaf_for(str(custody.pk))
            # prev points within the same log: a detainee transferred in has the booking in another book.
            same_log = booking_leaf is not None and booking_leaf.log.station_id == station.pk
            ledger.append(
                station=station,
                kind=records.KIND_CUSTODY,
                record_id=str(event.pk),
                record=records.event_record(event),
                by=event.recorded_by.service_number,
                ob=custody.arrest.ob_number,
                prev=booking_leaf.index if same_log and booking_leaf is not None else None,
                at=now,
            )
            # A death or serious injury in the cells reaches the OCS, the commander and oversight
            # at once; the SMS are queued with this transaction and go out only if it commits.
            alerts.notify_death_or_serious_injury(event)
            return Recorded(event, created=True)
    except IntegrityError:
        replay = _replay_event(client_id, custody, digest)
        if replay is None:
            raise
        return Recorded(replay, created=False)


def record_care(
    *,
    actor: User,
    custody: CustodyRecord,
    kind: str,
    details: dict[str, Any],
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
    client_id: uuid.UUID | None = None,
) -> Recorded:
    """A meal, a visit or a health event."""
    if kind not in (EventKind.MEAL, EventKind.VISIT, EventKind.HEALTH):
        raise InvalidInput(fields={"kind": _("Choose meal, visit or health.")})
    return record_event(
        actor=actor,
        custody=custody,
        kind=kind,
        details=details,
        at=at,
        late=late,
        late_reason=late_reason,
        client_id=client_id,
    )


def move_cell(
    *,
    actor: User,
    custody: CustodyRecord,
    to_cell: str,
    reason: str = "",
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
) -> Recorded:
    return record_event(
        actor=actor,
        custody=custody,
        kind=EventKind.CELL_TRANSFER,
        details={"to_cell": to_cell, "reason": reason},
        at=at,
        late=late,
        late_reason=late_reason,
    )


def record_continued_detention(
    *,
    actor: User,
    custody: CustodyRecord,
    reason: str,
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
) -> Recorded:
    """The red-ink rule: detention beyond the first 24 hours is recorded separately, with its reason."""
    return record_event(
        actor=actor,
        custody=custody,
        kind=EventKind.CONTINUED_DETENTION,
        details={"reason": reason},
        at=at,
        late=late,
        late_reason=late_reason,
    )


def release(
    *,
    actor: User,
    custody: CustodyRecord,
    on: str,
    amount_kes: int | None = None,
    receipt_number: str = "",
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
) -> Recorded:
    """Release on police bond, on cash bail (amount and receipt) or free."""
    details: dict[str, Any] = {"release_on": on, "receipt_number": receipt_number}
    if amount_kes is not None:
        details["amount_kes"] = amount_kes
    return record_event(
        actor=actor, custody=custody, kind=EventKind.RELEASE, details=details, at=at, late=late, late_reason=late_reason
    )


def take_to_court(
    *,
    actor: User,
    custody: CustodyRecord,
    court: str,
    outcome: str,
    case_number: str = "",
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
) -> Recorded:
    return record_event(
        actor=actor,
        custody=custody,
        kind=EventKind.TO_COURT,
        details={"court": court, "case_number": case_number, "outcome": outcome},
        at=at,
        late=late,
        late_reason=late_reason,
    )


def transfer_to_station(
    *,
    actor: User,
    custody: CustodyRecord,
    to_station: Station,
    to_cell: str,
    reason: str = "",
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
) -> Recorded:
    """The receiving station sees the person arrive in its cells; the Art. 49 clock keeps running."""
    return record_event(
        actor=actor,
        custody=custody,
        kind=EventKind.STATION_TRANSFER,
        details={"to_station": to_station.code, "to_cell": to_cell, "reason": reason},
        at=at,
        late=late,
        late_reason=late_reason,
    )


def record_escape(
    *,
    actor: User,
    custody: CustodyRecord,
    note: str,
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
) -> Recorded:
    return record_event(
        actor=actor,
        custody=custody,
        kind=EventKind.ESCAPE,
        details={"note": note},
        at=at,
        late=late,
        late_reason=late_reason,
    )


def record_death_or_serious_injury(
    *,
    actor: User,
    custody: CustodyRecord,
    kind: str,
    note: str,
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
) -> Recorded:
    if kind not in (EventKind.DEATH, EventKind.SERIOUS_INJURY):
        raise InvalidInput(fields={"kind": _("Choose death or serious_injury.")})
    return record_event(
        actor=actor, custody=custody, kind=kind, details={"note": note}, at=at, late=late, late_reason=late_reason
    )


def hand_over_for_removal(
    *,
    actor: User,
    custody: CustodyRecord,
    received_by: str,
    authority: str,
    note: str = "",
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
) -> Recorded:
    """Handed to immigration for removal from Kenya: the OCS only (Refugees Act 2021, s.18)."""
    details = {"received_by": received_by, "authority": authority}
    if note:
        details["note"] = note
    return record_event(
        actor=actor,
        custody=custody,
        kind=EventKind.HANDED_FOR_REMOVAL,
        details=details,
        at=at,
        late=late,
        late_reason=late_reason,
    )


def return_property(
    *,
    actor: User,
    custody: CustodyRecord,
    items: list[dict[str, Any]],
    at: datetime | None = None,
    late: bool = False,
    late_reason: str = "",
) -> Recorded:
    """Each item returned and acknowledged, or its disposal recorded."""
    return record_event(
        actor=actor,
        custody=custody,
        kind=EventKind.PROPERTY_RETURNED,
        details={"items": items},
        at=at,
        late=late,
        late_reason=late_reason,
    )


# --- The same state changes, begun at New entry -----------------------------------------------
# The book hands the CELLS and RELEASE_BAIL entry types over to these (see apps.py): whichever
# screen it starts from, putting someone in the cells or releasing them writes both the OB line
# and the cell register, once.

LINE_NAMESPACE = uuid.UUID("0c3f1d8e-7a52-4b6e-9e1f-5d2a4c8b7e90")


def _derived_id(client_id: uuid.UUID | None, what: str) -> uuid.UUID | None:
    """The booking or event id of a line typed at New entry: a retry of the line finds it again."""
    return uuid.uuid5(LINE_NAMESPACE, f"{what}:{client_id}") if client_id is not None else None


def _suspect_row(draft: EntryDraft) -> int | None:
    return next((i for i, p in enumerate(draft.parties) if p.role == "suspect"), None)


def _detainee(draft: EntryDraft, arrest: Occurrence) -> rules.DetaineeInput:
    """The person from the line's suspect, what it leaves out from the ARREST entry's suspect."""
    row = _suspect_row(draft)
    typed = draft.parties[row] if row is not None else PartyInput(role="suspect")
    suspects = list(arrest.parties.filter(role="suspect"))
    known = next((p for p in suspects if p.name.casefold() == typed.name.casefold()), None)
    known = known or (suspects[0] if len(suspects) == 1 and not typed.name else None)
    return rules.DetaineeInput(
        name=typed.name or (known.name if known else ""),
        sex=typed.sex or (known.sex if known else ""),
        id_number=typed.id_number or (known.id_number if known else ""),
        phone=typed.phone or (known.phone if known else ""),
        age=typed.age if typed.age is not None else (known.age if known else None),
        date_of_birth=typed.date_of_birth or (known.date_of_birth if known else None),
    )


def _arrested_at(arrest: Occurrence) -> datetime:
    try:
        return datetime.fromisoformat(arrest.details["arrested_at"])
    except (KeyError, TypeError, ValueError):
        return arrest.occurred_at


def booking_from_line(draft: EntryDraft, arrest: Occurrence) -> rules.Booking:
    """What the cell register records of a CELLS line: the person, cell and offences from the line,
    the arrest's time and officer from the ARREST entry it follows (the Art. 49 clock runs from there)."""
    offences = draft.offences or tuple(
        OffenceInput(section=o.section, description=o.description) for o in arrest.offences.all()
    )
    return rules.Booking(
        detainee=_detainee(draft, arrest),
        arresting_officer=book.typed_service_number(arrest.details.get("arresting_officer")),
        arrested_at=_arrested_at(arrest),
        cell=str(draft.details.get("cell") or ""),
        offences=tuple(rules.OffenceInput(section=o.section, description=o.description) for o in offences),
        physical_condition=str(draft.details.get("physical_appearance") or ""),
        late=draft.late,
        late_reason=draft.late_reason,
        asylum_seeker_or_refugee=draft.details.get("asylum_seeker_or_refugee") is True,
        interpreter_language=str(draft.details.get("interpreter_language") or ""),
        immigration_only=draft.details.get("immigration_only") is True,
    )


def _as_line_errors(errors: dict[str, str], draft: EntryDraft) -> dict[str, str]:
    """The cell register's error keys where the New entry form shows them."""
    row = _suspect_row(draft)
    placed: dict[str, str] = {}
    for key, message in errors.items():
        head, _sep, rest = key.partition(".")
        if head == "detainee":
            target = f"parties.{row}.{rest}" if row is not None else "parties"
        elif key in ("cell", "interpreter_language"):
            target = f"details.{key}"
        elif head in ("arrested_at", "late_reason"):
            # The arrest's time is the ARREST entry's: a long-ago arrest is booked in only flagged late.
            target = "late_reason"
        elif head in ("arresting_officer", "occurrence"):
            target = "refers_to"
        elif head == "offences":
            target = "offences"
        else:
            target = key
        placed.setdefault(target, str(message))
    return placed


def book_in_from_line(
    *, actor: User, station: Station, draft: EntryDraft, client_id: uuid.UUID | None = None
) -> EntryRecorded:
    """A CELLS entry typed at New entry (desk or API): the booking, its clock and the line, via book_in."""
    scope = scope_of(actor)
    if not can_book_into_cells(scope, station_code=station.code):
        raise _refusal(scope, station)
    now = timezone.now()
    prepared = prepare_entry(actor=actor, station=station, draft=draft, now=now)
    errors = dict(prepared.errors)
    arrest = prepared.refers_to
    if arrest is None or arrest.entry_type != "ARREST":
        errors.setdefault(
            "refers_to", _("Enter the OB number of the ARREST entry: the Art. 49 clock runs from the arrest")
        )
        raise InvalidInput(fields=errors)
    booking = booking_from_line(prepared.draft, arrest)
    _cleaned, problems = rules.clean_booking(
        booking,
        now=now,
        late_after=timedelta(hours=settings.DAFTARI_LATE_ENTRY_HOURS),
        refugee_document=identity.refugee_document_office(booking.detainee.id_number) is not None,
    )
    errors.update({k: v for k, v in _as_line_errors(problems, draft).items() if k not in errors})
    if errors:
        raise InvalidInput(fields=errors)
    try:
        booked = book_in(
            actor=actor,
            station=station,
            booking=booking,
            arrest=arrest,
            client_id=_derived_id(client_id, "booking"),
            line=draft,
            line_id=client_id,
        )
    except InvalidInput as refused:
        raise InvalidInput(fields=_as_line_errors(refused.fields, draft)) from None
    assert booked.record.cells_entry is not None
    return EntryRecorded(booked.record.cells_entry, created=booked.created)


def _held_for(line: Occurrence, draft: EntryDraft) -> list[CustodyRecord]:
    """The bookings a release line may close: the booking of the CELLS line it follows, or those of the arrest."""
    found = CustodyRecord.objects.filter(cells_entry=line) if line.entry_type == "CELLS" else None
    if not found:
        found = CustodyRecord.objects.filter(arrest=line)
    names = {p.name.casefold() for p in draft.parties if p.name}
    records = list(found.select_related("projection", "arrest", "station"))
    if names and len(records) > 1:
        records = [r for r in records if r.detainee_name.casefold() in names]
    return records


RELEASE_FIELDS = {"release_on": "release_kind", "amount_kes": "bail_amount_kes", "receipt_number": "receipt_number"}


def release_from_line(
    *, actor: User, station: Station, draft: EntryDraft, client_id: uuid.UUID | None = None
) -> EntryRecorded:
    """A RELEASE_BAIL entry typed at New entry: when it follows a booking still in the cells, the
    custody release is recorded with it (and the clock stops); a release straight from an arrest,
    never in the cells, is only the line."""
    now = timezone.now()
    prepared = prepare_entry(actor=actor, station=station, draft=draft, now=now)
    earlier = prepared.refers_to
    records = _held_for(earlier, draft) if earlier is not None else []
    if not records:
        return write_entry(actor=actor, station=station, draft=draft, client_id=client_id)
    errors = dict(prepared.errors)
    event_id = _derived_id(client_id, "release")
    replay = CustodyEvent.objects.filter(pk=event_id).select_related("entry").first() if event_id else None
    open_records = [r for r in records if r.projection.state == State.IN_CUSTODY]
    if replay is not None and replay.entry is not None:
        custody = replay.custody
    elif len(open_records) > 1:
        errors["parties"] = _("Several people are in the cells from that arrest: name the one released.")
        raise InvalidInput(fields=errors)
    elif not open_records:
        errors["refers_to"] = _("%(name)s is no longer in the cells: there is nothing to release.") % {
            "name": records[0].detainee_name
        }
        raise InvalidInput(fields=errors)
    else:
        custody = open_records[0]
    kind = draft.details.get("release_kind")
    if kind == "to_court":
        errors["details.release_kind"] = _(
            "Someone in the cells taken to court is recorded on their custody page (Taken to court), "
            "which writes the escort-to-court line."
        )
        raise InvalidInput(fields=errors)
    details = {
        "release_on": kind,
        "amount_kes": draft.details.get("bail_amount_kes"),
        "receipt_number": draft.details.get("receipt_number") or "",
    }
    details = {k: v for k, v in details.items() if v not in (None, "")}
    _cleaned, problems = rules.clean_event(EventKind.RELEASE, details)
    problems.update(
        rules.event_time_problems(
            draft.occurred_at,
            now=now,
            arrested_at=custody.arrested_at,
            booked_in_at=custody.booked_in_at,
            late=draft.late,
            late_reason=draft.late_reason,
        )
    )
    for key, message in problems.items():
        name = key.removeprefix("details.")
        target = f"details.{RELEASE_FIELDS[name]}" if name in RELEASE_FIELDS else key
        target = "occurred_at" if target == "at" else target
        errors.setdefault(target, str(message))
    if errors:
        raise InvalidInput(fields=errors)
    recorded = record_event(
        actor=actor,
        custody=custody,
        kind=EventKind.RELEASE,
        details=details,
        at=draft.occurred_at,
        late=draft.late,
        late_reason=draft.late_reason,
        client_id=_derived_id(client_id, "release"),
        line=draft,
        line_id=client_id,
    )
    assert recorded.event.entry is not None
    return EntryRecorded(recorded.event.entry, created=recorded.created)
