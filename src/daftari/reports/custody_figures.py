"""Persons arrested and custody figures (issue 12): counts only, never a name, small numbers suppressed
exactly as the crime figures are.

- Persons arrested: the suspects named on the ARREST entries of the period (by when the arrest
  happened), one per suspect.
- Persons held: bookings into the cells in the period, and of them (Art. 49, as on the custody
  compliance page) those brought to court or released within the deadline, those brought or released
  after it or still held past it now, and those still held with time left.
- Deaths and serious injuries in custody: the custody events of those kinds in the period.

Read from the custody rollup (``custody_rollup``, kept by the worker), all but who is still held,
which is counted live from the few bookings in the cells now; ``naive_custody_figures`` counts the
same from the records themselves (the tests hold the two equal).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Sum

from daftari.custody import queries as custody_queries
from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState
from daftari.occurrences.models import Party
from daftari.occurrences.rules import NAIROBI
from daftari.reports import custody_rollup, figures
from daftari.reports.models import CustodyDay


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


def naive_custody_figures(level: str, code: str, start: date, end: date, *, now: datetime) -> CustodyFigures:
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


def custody_figures(level: str, code: str, start: date, end: date, *, now: datetime) -> CustodyFigures:
    rows = CustodyDay.objects.filter(day__gte=start, day__lte=end)
    lo, hi = period_bounds(start, end)
    held_now = CustodyRecord.objects.filter(
        projection__state=CustodyState.State.IN_CUSTODY, booked_in_at__gte=lo, booked_in_at__lt=hi
    )
    if level == "county":
        rows = rows.filter(county_code=int(code))
        held_now = held_now.filter(station__county_id=int(code))
    elif level == "station":
        rows = rows.filter(station_code=code)
        held_now = held_now.filter(station__code=code)
    summed = {k: v or 0 for k, v in rows.aggregate(**{f: Sum(f) for f in custody_rollup.FIELDS}).items()}
    # Still held past the deadline, unless already counted as brought late (held again after court).
    past_now = held_now.filter(court_deadline__lt=now).exclude(projection__brought_within_deadline=False).count()
    return CustodyFigures(
        persons_arrested=summed["arrested"],
        held=summed["held"],
        within=summed["within"],
        past_deadline=summed["late"] + past_now,
        awaiting=held_now.filter(custody_queries.held_within_the_deadline(now)).count(),
        deaths=summed["deaths"],
        serious_injuries=summed["serious_injuries"],
    )
