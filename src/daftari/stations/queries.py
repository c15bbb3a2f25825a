"""Reads of the access log, narrowed by the reader's reach and the filters asked; and the officers a
permission predicate allows (whom an alert reaches, to whom a case may go)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from daftari.stations.models import AccessEvent, Officer, Station, holding_role
from daftari.stations.rules import Reach, Scope, can_see_station, commands_a_county, reach_of, roles_that

NAIROBI = ZoneInfo("Africa/Nairobi")


@dataclass(frozen=True)
class AccessLogFilter:
    """What the access log is narrowed to; empty values narrow nothing. Days are Nairobi days."""

    station_code: str = ""
    officer: str = ""
    date_from: date | None = None
    date_to: date | None = None
    record: str = ""


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=NAIROBI)


def access_events(wanted: AccessLogFilter) -> QuerySet[AccessEvent]:
    """The access events matching ``wanted``, newest first (the caller has decided the station reach)."""
    events = AccessEvent.objects.select_related("record_station")
    if wanted.station_code:
        events = events.filter(record_station__code__iexact=wanted.station_code)
    if wanted.officer:
        who = wanted.officer.strip()
        events = events.filter(Q(username__iexact=who) | Q(user__officer__service_number__iexact=who))
    if wanted.date_from is not None:
        events = events.filter(at__gte=_start_of(wanted.date_from))
    if wanted.date_to is not None:
        events = events.filter(at__lt=_start_of(wanted.date_to + timedelta(days=1)))
    if wanted.record:
        record = wanted.record.strip()
        # A notice number is stored in capitals, an entry's or a booking's id in lower case.
        events = events.filter(record_id__in={record, record.lower(), record.upper()})
    return events.order_by("-at", "-pk")


def stations_to_switch_between(scope: Scope) -> list[Station]:
    """The stations a county commander switches between (the book, the cells board); [] for anyone else."""
    if not commands_a_county(scope) or scope.county_code is None:
        return []
    return [
        s
        for s in Station.objects.filter(county_id=scope.county_code).order_by("name")
        if can_see_station(scope, station_code=s.code, county_code=s.county_id)
    ]


def chosen_station(scope: Scope, own: Station | None, code: str) -> Station | None:
    """The station a page shows: the one asked (``?station=``) if the scope may switch to it, else the own.

    Returns None when a station was asked that the scope may not switch to (the page answers 404).
    """
    code = code.strip().upper()
    if not code or (own is not None and own.code == code):
        return own
    return next((s for s in stations_to_switch_between(scope) if s.code == code), None)


def officers_who(predicate: Callable[[Scope], bool], *, station: Station | None = None) -> QuerySet[Officer]:
    """The active officers ``predicate`` allows, found by their roles and where they serve.

    ``predicate`` is asked about ``station`` (the caller binds the station into it); without a
    station, only the roles it allows wherever they serve count."""
    served = {Reach.NATIONAL: Q()}
    if station is None:
        reach = dict.fromkeys(roles_that(predicate), Reach.NATIONAL)
    else:
        reach = reach_of(predicate, station_code=station.code, county_code=station.county_id)
        served |= {Reach.STATION: Q(station=station), Reach.COUNTY: Q(station__county_id=station.county_id)}
    allowed = Q(pk__in=[])  # nobody, when the predicate allows no role
    for role, where in reach.items():
        allowed |= holding_role(role) & served[where]
    # One filter, so one join of the groups serves every branch; an officer in two allowed roles is found once.
    return Officer.objects.filter(allowed, user__is_active=True).distinct()
