"""Read-only questions about the cell register: who is in the cells, and was Art. 49 kept."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

from daftari.core.errors import NotFound
from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState
from daftari.stations.models import County, Station
from daftari.stations.rules import Scope

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
    within_q = Q(projection__brought_within_deadline=True)
    late_q = Q(projection__brought_within_deadline=False) | Q(
        projection__state=State.IN_CUSTODY, court_deadline__lt=now
    )
    result.within = bookings.filter(within_q).count()
    result.breaches = list(bookings.filter(late_q))
    result.decided = result.within + len(result.breaches)
    return result


def find_custody(*, scope: Scope, custody_id: str) -> CustodyRecord:
    """A booking the scope may see (its station's, or one transferred into it); NotFound otherwise."""
    try:
        key = uuid.UUID(str(custody_id))
    except ValueError:
        raise NotFound() from None
    found = (
        CustodyRecord.objects.visible_to(scope)
        .select_related("station", "arrest", "recorded_by", "projection", "projection__current_station")
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
