"""Persons arrested and custody figures (issue 12): counts only, never a name, small numbers suppressed
exactly as the crime figures are.

- Persons arrested: the suspects named on the ARREST entries of the period (by when the arrest
  happened), one per suspect.
- Persons held: bookings into the cells in the period, and of them (Art. 49, as on the custody
  compliance page) those brought to court or released within the deadline, those brought or released
  after it or still held past it now, and those still held with time left.
- Deaths and serious injuries in custody: the custody events of those kinds in the period.

Counted per request from the period's entries and bookings at the level's stations (indexed by
station and time), not from the crime rollup.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings

from daftari.custody import queries as custody_queries
from daftari.custody.models import CustodyEvent, CustodyRecord
from daftari.occurrences.models import Party
from daftari.occurrences.rules import NAIROBI
from daftari.reports import figures


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period in Nairobi time: from the first day's midnight to the midnight after the last day."""
    return (
        datetime.combine(start, time.min, tzinfo=NAIROBI),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=NAIROBI),
    )


@dataclass(frozen=True)
class CustodyFigures:
    persons_arrested: int
    held: int
    within: int
    past_deadline: int
    awaiting: int
    deaths: int
    serious_injuries: int

    def shown(self) -> dict[str, str]:
        """Every figure as it may be shown, small numbers suppressed; the share within the deadline
        is withheld when either of its parts is (it would give the suppressed count away)."""
        return {
            "persons_arrested": figures.shown(self.persons_arrested),
            "persons_held": figures.shown(self.held),
            "within_deadline": figures.shown(self.within),
            "past_deadline": figures.shown(self.past_deadline),
            "held_with_time_left": figures.shown(self.awaiting),
            "deaths_in_custody": figures.shown(self.deaths),
            "serious_injuries_in_custody": figures.shown(self.serious_injuries),
            "within_deadline_percent": self.within_percent_shown,
        }

    @property
    def within_percent_shown(self) -> str:
        decided = self.within + self.past_deadline
        if decided == 0:
            return ""
        threshold = int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD)
        if 0 < self.within < threshold or 0 < self.past_deadline < threshold:
            return "—"
        return str(round(self.within * 100 / decided))


def custody_figures(level: str, code: str, start: date, end: date, *, now: datetime) -> CustodyFigures:
    lo, hi = period_bounds(start, end)
    codes = figures.station_codes(level, code)
    suspects = Party.objects.filter(
        role=Party.Role.SUSPECT,
        occurrence__entry_type="ARREST",
        occurrence__refers_to=None,
        occurrence__occurred_at__gte=lo,
        occurrence__occurred_at__lt=hi,
    )
    bookings = CustodyRecord.objects.filter(booked_in_at__gte=lo, booked_in_at__lt=hi)
    events = CustodyEvent.objects.filter(at__gte=lo, at__lt=hi)
    if codes is not None:
        suspects = suspects.filter(occurrence__station__code__in=codes)
        bookings = bookings.filter(station__code__in=codes)
        events = events.filter(station__code__in=codes)
    kinds = CustodyEvent.Kind
    return CustodyFigures(
        persons_arrested=suspects.count(),
        held=bookings.count(),
        within=bookings.filter(custody_queries.kept_the_deadline()).count(),
        past_deadline=bookings.filter(custody_queries.past_the_deadline(now)).count(),
        awaiting=bookings.filter(custody_queries.held_within_the_deadline(now)).count(),
        deaths=events.filter(kind=kinds.DEATH).count(),
        serious_injuries=events.filter(kind=kinds.SERIOUS_INJURY).count(),
    )
