"""Follow-up figures (issue 12, CompStat's "relentless follow-up"): counts only, never a name, small
numbers suppressed exactly as the crime figures are.

The cohort is the reports from the public (complaints and the other public-facing entries, each
with its case) *recorded* in the period at the level's stations; for each, where its case stands
now, from the case's append-only updates (occurrences.casework):

- assigned: the case has an investigator;
- charged: the case reached court (an update "in court": the suspect charged before a court);
- closed: the case is closed; and the median days from the report's recording to its closing.

Counted per request from the period's entries and their case projection (indexed by station and
recording time), like the custody figures, not from the crime rollup.
"""

import statistics
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import F

from daftari.occurrences.models import CaseStatusChoice, CaseUpdate, Occurrence
from daftari.occurrences.queries import PUBLIC_FACING_TYPES
from daftari.reports import figures
from daftari.reports.custody_figures import period_bounds

DAY_SECONDS = 86400


@dataclass(frozen=True)
class FollowUpFigures:
    reports: int
    assigned: int
    charged: int
    closed: int
    days_to_close: tuple[float, ...]  # one per closed case

    @property
    def median_days_to_close(self) -> float | None:
        return statistics.median(self.days_to_close) if self.days_to_close else None

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


def follow_up_figures(level: str, code: str, start: date, end: date) -> FollowUpFigures:
    lo, hi = period_bounds(start, end)
    reports = Occurrence.objects.filter(
        entry_type__in=PUBLIC_FACING_TYPES, refers_to=None, recorded_at__gte=lo, recorded_at__lt=hi
    )
    codes = figures.station_codes(level, code)
    if codes is not None:
        reports = reports.filter(station__code__in=codes)
    closings = CaseUpdate.objects.filter(occurrence__in=reports, status=CaseStatusChoice.CLOSED).annotate(
        reported_at=F("occurrence__recorded_at")
    )
    # A closed case takes no more updates (casework._record), so each has one closing.
    days = tuple(
        (closed_at - reported_at).total_seconds() / DAY_SECONDS
        for closed_at, reported_at in closings.values_list("recorded_at", "reported_at")
    )
    return FollowUpFigures(
        reports=reports.count(),
        assigned=reports.filter(case_status__investigator__isnull=False).count(),
        charged=reports.filter(
            pk__in=CaseUpdate.objects.filter(status=CaseStatusChoice.IN_COURT).values("occurrence_id")
        ).count(),
        closed=reports.filter(case_status__status=CaseStatusChoice.CLOSED).count(),
        days_to_close=days,
    )
