"""Follow-up figures (issue 12, CompStat's "relentless follow-up"): counts only, never a name, small
numbers suppressed exactly as the crime figures are.

The cohort is the reports from the public (complaints and the other public-facing entries, each
with its case) *recorded* in the period at the level's stations; for each, where its case stands
now, from the case's append-only updates (occurrences.casework):

- assigned: the case has an investigator;
- charged: the case reached court (an update "in court": the suspect charged before a court);
- closed: the case is closed; and the median days from the report's recording to its closing, each
  case's days counted in whole days elapsed (``follow_up_rollup.whole_days``).

Read from the follow-up rollup (``follow_up_rollup``, kept by the worker): the figures summed over the
period's station-days, the median from their summed histogram of days to close;
``naive_follow_up_figures`` counts the same from the entries and their cases (the tests hold the two equal).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import F, Sum

from daftari.occurrences.models import CaseStatusChoice, CaseUpdate
from daftari.reports import figures, follow_up_rollup
from daftari.reports.custody_figures import period_bounds
from daftari.reports.models import FollowUpCloseDays, FollowUpDay


def median_of(histogram: tuple[tuple[int, int], ...]) -> float | None:
    """The median of the values a histogram counts ((value, how many), by value), as statistics.median
    of the values listed one by one would give: the middle one, or the mean of the middle two."""
    n = sum(count for _value, count in histogram)
    if n == 0:
        return None
    wanted = ((n - 1) // 2, n // 2)  # the middle positions, 0-based (the same one when n is odd)
    found: list[int] = []
    seen = 0
    for value, count in histogram:
        found.extend(value for position in wanted if seen <= position < seen + count)
        seen += count
    return (found[0] + found[1]) / 2


@dataclass(frozen=True)
class FollowUpFigures:
    reports: int
    assigned: int
    charged: int
    closed: int
    days_to_close: tuple[tuple[int, int], ...]  # (whole days, how many closed after them), by days

    @property
    def median_days_to_close(self) -> float | None:
        return median_of(self.days_to_close)

    def shown(self) -> dict[str, str]:
        """Every figure as it may be shown; the median is withheld ("—") when the closed count is
        suppressed (a median of two cases gives each case's time away), empty when none is closed."""
        threshold = int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD)
        median = self.median_days_to_close
        if median is None:
            median_shown = ""
        elif self.closed < threshold:
            median_shown = "—"
        else:
            median_shown = f"{median:.1f}"
        return {
            "reports": figures.shown(self.reports),
            "assigned": figures.shown(self.assigned),
            "charged": figures.shown(self.charged),
            "closed": figures.shown(self.closed),
            "median_days_to_close": median_shown,
        }


def naive_follow_up_figures(level: str, code: str, start: date, end: date) -> FollowUpFigures:
    """Counts the period's reports and their cases one view at a time: what the rollup must always equal."""
    lo, hi = period_bounds(start, end)
    reports = follow_up_rollup.public_reports().filter(recorded_at__gte=lo, recorded_at__lt=hi)
    codes = figures.station_codes(level, code)
    if codes is not None:
        reports = reports.filter(station__code__in=codes)
    closings = CaseUpdate.objects.filter(occurrence__in=reports, status=CaseStatusChoice.CLOSED).annotate(
        reported_at=F("occurrence__recorded_at")
    )
    # A closed case takes no more updates (casework._record), so each has one closing.
    days = Counter(
        follow_up_rollup.whole_days(reported_at, closed_at)
        for closed_at, reported_at in closings.values_list("recorded_at", "reported_at")
    )
    return FollowUpFigures(
        reports=reports.count(),
        assigned=reports.filter(case_status__investigator__isnull=False).count(),
        charged=reports.filter(follow_up_rollup.charged()).count(),
        closed=reports.filter(case_status__status=CaseStatusChoice.CLOSED).count(),
        days_to_close=tuple(sorted(days.items())),
    )


def follow_up_figures(level: str, code: str, start: date, end: date) -> FollowUpFigures:
    rows = FollowUpDay.objects.filter(day__gte=start, day__lte=end)
    closings = FollowUpCloseDays.objects.filter(day__gte=start, day__lte=end)
    if level == "county":
        rows = rows.filter(county_code=int(code))
        closings = closings.filter(county_code=int(code))
    elif level == "station":
        rows = rows.filter(station_code=code)
        closings = closings.filter(station_code=code)
    summed = {k: v or 0 for k, v in rows.aggregate(**{f: Sum(f) for f in follow_up_rollup.FIELDS}).items()}
    days = closings.order_by().values("days").annotate(n=Sum("count")).values_list("days", "n")
    return FollowUpFigures(
        reports=summed["reports"],
        assigned=summed["assigned"],
        charged=summed["charged"],
        closed=summed["closed"],
        days_to_close=tuple(sorted((d, n) for d, n in days if n)),
    )
