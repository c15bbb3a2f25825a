"""Read-only questions about the cell register: who is in the cells, and was Art. 49 kept.

Every read of a booking goes through ``custody_for`` / ``view_custody``: the station scope, one
access event, and a ``CustodyView`` with what the reader may not see left out. The desk pages and
the API both render that view.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from daftari.core.errors import NotFound
from daftari.custody import rules
from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState
from daftari.notifications.models import SmsMessage
from daftari.occurrences.models import Party
from daftari.stations.models import AccessEvent, County, Station, scope_of
from daftari.stations.rules import Scope, sees_personal_data
from daftari.stations.services import log_accesses, log_refused, outcome_of

RECORD_TYPE = "custody"

State = CustodyState.State


def in_custody(station: Station | None = None) -> QuerySet[CustodyRecord]:
    """Everyone held in police cells now (at ``station`` when given), the most urgent deadline first."""
    held = CustodyRecord.objects.filter(projection__state=State.IN_CUSTODY)
    if station is not None:
        held = held.filter(projection__current_station=station)
    return held.select_related("projection", "projection__current_station", "station", "arrest").order_by(
        "court_deadline"
    )


@dataclass
class Compliance:
    """Art. 49 kept or not, for the bookings of a period."""

    decided: int = 0  # brought to court or released, or still held past the deadline
    within: int = 0
    breaches: list[CustodyRecord] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        """Share brought to court or released within the deadline; None when nothing was decided yet."""
        return self.within / self.decided if self.decided else None

    @property
    def percent(self) -> int | None:
        return round(self.share * 100) if self.share is not None else None


def kept_the_deadline() -> Q:
    """Bookings brought to court or released within the Art. 49 deadline."""
    return Q(projection__brought_within_deadline=True)


def past_the_deadline(now: datetime) -> Q:
    """Bookings brought to court or released after the deadline, or still held past it at ``now``."""
    return Q(projection__brought_within_deadline=False) | Q(projection__state=State.IN_CUSTODY, court_deadline__lt=now)


def held_within_the_deadline(now: datetime) -> Q:
    """Bookings still in custody whose deadline has not passed at ``now``."""
    return Q(projection__state=State.IN_CUSTODY, court_deadline__gte=now)


def compliance(
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    station: Station | None = None,
    county: County | None = None,
) -> Compliance:
    """Bookings from ``start`` (inclusive) to ``end`` (exclusive) at the station or in the county.

    A breach is a person brought to court or released after the deadline, or still held past it.
    Escapes and deaths are neither (they are reported on their own).
    """
    bookings = CustodyRecord.objects.filter(booked_in_at__gte=start, booked_in_at__lt=end)
    if station is not None:
        bookings = bookings.filter(station=station)
    if county is not None:
        bookings = bookings.filter(station__county=county)
    bookings = bookings.select_related("projection", "station", "arrest").order_by("court_deadline")
    result = Compliance()
    result.within = bookings.filter(kept_the_deadline()).count()
    result.breaches = list(bookings.filter(past_the_deadline(now)))
    result.decided = result.within + len(result.breaches)
    return result


CUSTODY_RELATED = (
    "station",
    "arrest__station",
    "cells_entry__station",
    "recorded_by__user",
    "projection",
    "projection__current_station",
)


def find_custody(*, scope: Scope, custody_id: str) -> CustodyRecord:
    """A booking the scope may see (its station's, or one transferred into it); NotFound otherwise."""
    try:
        key = uuid.UUID(str(custody_id))
    except ValueError:
        raise NotFound() from None
    found = (
        CustodyRecord.objects.visible_to(scope)
        .select_related(*CUSTODY_RELATED)
        .prefetch_related("property_items")
        .filter(pk=key)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def events_of(record: CustodyRecord) -> list[CustodyEvent]:
    return list(record.events.select_related("station", "recorded_by__user").order_by("recorded_at"))


def returned_positions(events: list[CustodyEvent]) -> dict[int, dict[str, object]]:
    """Which inventory items were returned or disposed of, by position."""
    done: dict[int, dict[str, object]] = {}
    for event in events:
        if event.kind == CustodyEvent.Kind.PROPERTY_RETURNED:
            for item in event.details.get("items", []):
                done[item["position"]] = item
    return done


# --- The read model ------------------------------------------------------------------------


@dataclass(frozen=True)
class DetaineeView:
    name: str | None
    sex: str
    id_number: str | None
    phone: str | None
    age: int | None
    date_of_birth: date | None

    @property
    def sex_label(self) -> str:
        """The sex in words, "Male" ("Mwanamume" in Kiswahili), never the stored letter."""
        return str(Party.Sex(self.sex).label) if self.sex in Party.Sex.values else self.sex


@dataclass(frozen=True)
class HeldItemView:
    position: int
    description: str | None
    quantity: int
    value_kes: int | None


@dataclass(frozen=True)
class CustodyEventView:
    id: uuid.UUID
    kind: str
    kind_label: str
    station_code: str
    at: datetime
    recorded_at: datetime
    late: bool  # typed long after it happened: it counts at recorded_at for Art. 49
    late_reason: str | None
    recorded_by: str
    recorded_by_name: str
    details: dict[str, Any]


@dataclass(frozen=True)
class CustodyView:
    """One booking as one reader may see it. Fields the reader may not see are None or empty."""

    id: uuid.UUID
    station_code: str
    station_name: str
    occurrence: uuid.UUID
    ob_number: str
    # The booking's own OB line (into the cells); None for bookings from before it was written.
    cells_entry: uuid.UUID | None
    cells_ob_number: str | None
    personal: bool
    detainee: DetaineeView
    offences: list[dict[str, Any]]
    arresting_officer: str
    arrested_at: datetime
    booked_in_at: datetime
    late: bool
    late_reason: str | None
    # None when the reader does not see personal data: being an asylum seeker is about the person.
    asylum_seeker_or_refugee: bool | None
    interpreter_language: str | None
    # Held only on an immigration matter: the basis of the detention, like the remand warning.
    immigration_only: bool
    cell: str
    court_deadline: datetime
    remand_warning: bool
    physical_condition: str | None
    health: dict[str, Any]
    next_of_kin_informed: bool
    next_of_kin_name: str | None
    next_of_kin_informed_at: datetime | None
    property_items: tuple[HeldItemView, ...]
    returned: dict[int, dict[str, Any]]
    state: str
    state_label: str
    current_station: str
    current_station_name: str
    current_cell: str
    current_cell_label: str
    closed_at: datetime | None
    brought_within_deadline: bool | None
    events: tuple[CustodyEventView, ...]
    recorded_by: str
    recorded_by_name: str

    @property
    def outcome(self) -> str:
        return outcome_of(withheld=not self.personal)


def _custody_view(record: CustodyRecord, *, personal: bool, events: list[CustodyEvent]) -> CustodyView:
    state = record.projection
    return CustodyView(
        id=record.pk,
        station_code=record.station.code,
        station_name=record.station.name,
        occurrence=record.arrest_id,
        ob_number=record.arrest.ob_number,
        cells_entry=record.cells_entry_id,
        cells_ob_number=record.cells_entry.ob_number if record.cells_entry is not None else None,
        personal=personal,
        detainee=DetaineeView(
            name=record.detainee_name if personal else None,
            sex=record.detainee_sex,
            id_number=record.detainee_id_number if personal else None,
            phone=record.detainee_phone if personal else None,
            age=record.detainee_age,
            date_of_birth=record.detainee_date_of_birth if personal else None,
        ),
        offences=record.offences,
        arresting_officer=record.arresting_officer,
        arrested_at=record.arrested_at.astimezone(rules.NAIROBI),
        booked_in_at=record.booked_in_at.astimezone(rules.NAIROBI),
        late=record.late,
        late_reason=record.late_reason if personal else None,
        asylum_seeker_or_refugee=record.asylum_seeker_or_refugee if personal else None,
        interpreter_language=record.interpreter_language if personal else None,
        immigration_only=record.immigration_only,
        cell=record.cell,
        court_deadline=record.court_deadline.astimezone(rules.NAIROBI),
        remand_warning=record.remand_warning,
        physical_condition=record.physical_condition if personal else None,
        health=record.health if personal else {},
        next_of_kin_informed=record.next_of_kin_informed,
        next_of_kin_name=record.next_of_kin_name if personal else None,
        next_of_kin_informed_at=record.next_of_kin_informed_at if personal else None,
        property_items=tuple(
            HeldItemView(
                position=i.position,
                description=i.description if personal else None,
                quantity=i.quantity,
                value_kes=i.value_kes,
            )
            for i in record.property_items.all()
        ),
        returned=returned_positions(events) if personal else {},
        state=state.state,
        state_label=str(state.get_state_display()),
        current_station=state.current_station.code,
        current_station_name=state.current_station.name,
        current_cell=state.current_cell,
        current_cell_label=str(state.get_current_cell_display()),
        closed_at=state.closed_at.astimezone(rules.NAIROBI) if state.closed_at else None,
        brought_within_deadline=state.brought_within_deadline,
        events=tuple(
            CustodyEventView(
                id=e.pk,
                kind=e.kind,
                kind_label=str(e.get_kind_display()),
                station_code=e.station.code,
                at=e.at.astimezone(rules.NAIROBI),
                recorded_at=e.recorded_at.astimezone(rules.NAIROBI),
                late=e.late,
                late_reason=e.late_reason if personal else None,
                recorded_by=e.recorded_by.service_number,
                recorded_by_name=e.recorded_by.display_name,
                details=e.details if personal else {},
            )
            for e in events
        ),
        recorded_by=record.recorded_by.service_number,
        recorded_by_name=record.recorded_by.display_name,
    )


def view_custodies(
    *,
    reader: User,
    records: Sequence[CustodyRecord],
    purpose: AccessEvent.Purpose,
    channel: str,
    with_events: bool = True,
) -> list[CustodyView]:
    """Views of bookings already found within the reader's scope, each read written to the access log."""
    personal = sees_personal_data(scope_of(reader))
    views = [
        _custody_view(record, personal=personal, events=events_of(record) if with_events else []) for record in records
    ]
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, str(r.pk), r.station_id, v.outcome) for r, v in zip(records, views, strict=True)],
        purpose=purpose,
        channel=channel,
    )
    return views


def view_custody(*, reader: User, record: CustodyRecord, purpose: AccessEvent.Purpose, channel: str) -> CustodyView:
    [view] = view_custodies(reader=reader, records=[record], purpose=purpose, channel=channel)
    return view


def visible_custody(
    *, reader: User, custody_id: uuid.UUID | str, purpose: AccessEvent.Purpose, channel: str
) -> CustodyRecord:
    """The booking if the reader's scope reaches it; otherwise the refusal is logged (denied) and NotFound raised.

    For the actions on a booking (record an event, return property); a read of it is ``custody_for``.
    """
    try:
        return find_custody(scope=scope_of(reader), custody_id=str(custody_id))
    except NotFound:
        log_refused(
            actor=reader,
            record_type=RECORD_TYPE,
            model=CustodyRecord,
            record_id=custody_id,
            purpose=purpose,
            channel=channel,
        )
        raise


def custody_for(
    *, reader: User, custody_id: uuid.UUID | str, purpose: AccessEvent.Purpose, channel: str
) -> CustodyView:
    """The one read of a booking: scoped (404 and a denied event outside the scope), logged, withheld as due."""
    record = visible_custody(reader=reader, custody_id=custody_id, purpose=purpose, channel=channel)
    return view_custody(reader=reader, record=record, purpose=purpose, channel=channel)


def evidence_custody(*, reader: User, custody_id: uuid.UUID, channel: str = "desk") -> CustodyView:
    """A booking read in full, whatever its station, as the evidence of a finding about an officer it
    names (a death or serious injury in custody), for a reader another app has already allowed to judge
    that officer (a vetting for a deployment abroad: deployments.queries.vetting_custody_evidence checks
    that the booking is one of the candidate's findings). Never for a search or a list; the read is
    logged as evidence."""
    record = (
        CustodyRecord.objects.select_related(*CUSTODY_RELATED)
        .prefetch_related("property_items")
        .filter(pk=custody_id)
        .first()
    )
    if record is None:
        raise NotFound()
    view = _custody_view(record, personal=True, events=events_of(record))
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, str(record.pk), record.station_id, AccessEvent.Outcome.SHOWN)],
        purpose=AccessEvent.Purpose.EVIDENCE,
        channel=channel,
    )
    return view


def refugee_services_told(view: CustodyView) -> list[SmsMessage]:
    """The SMS that told the Department of Refugee Services of this booking (alerts.notify_refugee_services),
    for a reader who sees that the person is an asylum seeker or refugee."""
    if not view.asylum_seeker_or_refugee:
        return []
    return list(SmsMessage.objects.filter(event_key__startswith=f"custody:{view.id}:drs:").order_by("created_at"))
