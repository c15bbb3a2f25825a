"""Crime figures on the API: the same numbers as the page, from the rollup only (issue 12)."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from daftari.core.api_errors import ErrorOut
from daftari.core.errors import InvalidInput, NotPermitted
from daftari.occurrences.rules import COUNTING_RULE
from daftari.reports import custody_figures, figures, follow_up_figures
from daftari.reports.forms import CrimeFiguresForm
from daftari.stations.models import Station, scope_of
from daftari.stations.rules import sees_crime_figures

router = Router(tags=["stats"])


class FiguresQuery(Schema):
    """A level, its code and a period: what every figure is asked for."""

    level: str = Field("national", description="station, county or national")
    code: str = Field("", description="the station code (station) or the county number 1-47 (county)")
    start: str = Field("", alias="from", description="first day, YYYY-MM-DD")
    end: str = Field("", alias="to", description="last day, YYYY-MM-DD (at most a year after from)")


class CrimeStatsQuery(FiguresQuery):
    by: str = Field("category", description="category, station, day, hour or weekday")


class CrimeStatsRow(Schema):
    key: str
    count: str = Field(description="the count, or '<N' when 1 to N-1 (small numbers suppressed)")


class CrimeStatsOut(Schema):
    level: str
    code: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    by: str
    counting_rule: str
    recorded_by: str
    suppressed_below: int
    rows: list[CrimeStatsRow]


def _asked(scope_user: Any, query: dict[str, str], errors: dict[str, str]) -> tuple[str, str, date, date]:
    """Validates a level, code and period (every field message at once, with ``errors`` found before)
    and checks the reader holds that level."""
    form = CrimeFiguresForm(
        {"level": query["level"], "code": query["code"], "start": query["start"], "end": query["end"]}
    )
    if not form.is_valid():
        names = {"start": "from", "end": "to"}
        errors.update({names.get(k, k): str(v[0]) for k, v in form.errors.items()})
    if errors:
        raise InvalidInput(fields=errors)
    level, code = form.cleaned_data["level"], form.cleaned_data["code"]
    station = Station.objects.filter(code=code).first() if level == "station" else None
    county_code = station.county_id if station else None
    if not sees_crime_figures(scope_of(scope_user), level=level, code=code, county_code=county_code):
        raise NotPermitted()
    return level, code, form.cleaned_data["start"], form.cleaned_data["end"]


def crime_stats(scope_user: Any, query: dict[str, str]) -> dict[str, Any]:
    """Validates the question (every field message at once), checks the reach, and answers from the rollup."""
    errors: dict[str, str] = {}
    if query["by"] not in figures.BREAKDOWNS:
        errors["by"] = _("Choose category, station, day, hour or weekday.")
    level, code, start, end = _asked(scope_user, query, errors)
    rows = figures.counts_by(level, code, start, end, query["by"])
    return {
        "level": level,
        "code": code,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "by": query["by"],
        "counting_rule": COUNTING_RULE,
        "recorded_by": "police",
        "suppressed_below": int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD),
        "rows": [{"key": key, "count": figures.shown(n)} for key, n in rows],
    }


@router.get(
    "/stats/crimes",
    response={200: CrimeStatsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Crimes recorded by the police, by category, station, day, hour or day of week",
    description="Counted one per entry under its principal offence, from the rollup the worker keeps "
    "within a minute of the book; counts from 1 to suppressed_below-1 read '<N'. Nothing personal.",
    by_alias=True,
)
def stats_crimes(request: HttpRequest, query: Query[CrimeStatsQuery]) -> dict[str, Any]:
    asked = {"level": query.level, "code": query.code, "start": query.start, "end": query.end, "by": query.by}
    return crime_stats(request.auth, asked)  # type: ignore[attr-defined]


SUPPRESSED = "the count, or '<N' when 1 to N-1 (small numbers suppressed)"


class CountsOut(Schema):
    """What every answer of counts says first: the question as understood, and how it is counted."""

    level: str
    code: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    recorded_by: str
    suppressed_below: int


class CustodyStatsOut(CountsOut):
    persons_arrested: str = Field(description=f"suspects named on the period's ARREST entries: {SUPPRESSED}")
    persons_held: str = Field(description=f"bookings into the cells in the period: {SUPPRESSED}")
    within_deadline: str = Field(description=f"of them, to court or released within Art. 49: {SUPPRESSED}")
    past_deadline: str = Field(description=f"to court or released after the deadline, or held past it: {SUPPRESSED}")
    held_with_time_left: str = Field(description=f"still held, the deadline not passed: {SUPPRESSED}")
    within_deadline_percent: str = Field(
        description="within_deadline as a share of those decided, in whole per cent; '—' when either count is "
        "suppressed, empty when none is decided yet"
    )
    deaths_in_custody: str = Field(description=SUPPRESSED)
    serious_injuries_in_custody: str = Field(description=SUPPRESSED)


def _counts(scope_user: Any, query: dict[str, str], count: Callable[..., dict[str, str]]) -> dict[str, Any]:
    """Checks the question and the reach, then answers with ``count(level, code, start, end)`` as shown."""
    level, code, start, end = _asked(scope_user, query, {})
    return {
        "level": level,
        "code": code,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "recorded_by": "police",
        "suppressed_below": int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD),
        **count(level, code, start, end),
    }


def custody_stats(scope_user: Any, query: dict[str, str]) -> dict[str, Any]:
    now = timezone.now()
    return _counts(scope_user, query, lambda *asked: custody_figures.custody_figures(*asked, now=now).shown())


@router.get(
    "/stats/custody",
    response={200: CustodyStatsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Persons arrested, held in police cells, Art. 49 compliance, deaths and serious injuries in custody",
    description="The same numbers as the figures page: counts only, nothing personal; counts from 1 to "
    "suppressed_below-1 read '<N'.",
    by_alias=True,
)
def stats_custody(request: HttpRequest, query: Query[FiguresQuery]) -> dict[str, Any]:
    asked = {"level": query.level, "code": query.code, "start": query.start, "end": query.end}
    return custody_stats(request.auth, asked)  # type: ignore[attr-defined]


class FollowUpStatsOut(CountsOut):
    reports: str = Field(
        description=f"reports from the public (each with its case) recorded in the period: {SUPPRESSED}"
    )
    assigned: str = Field(description=f"of them, assigned to an investigator now: {SUPPRESSED}")
    charged: str = Field(description=f"of them, whose case reached court (the suspect charged): {SUPPRESSED}")
    closed: str = Field(description=f"of them, closed: {SUPPRESSED}")
    median_days_to_close: str = Field(
        description="median days from the report's recording to its case's closing, one decimal; '—' when "
        "closed is suppressed, empty when none is closed"
    )


def follow_up_stats(scope_user: Any, query: dict[str, str]) -> dict[str, Any]:
    return _counts(scope_user, query, lambda *asked: follow_up_figures.follow_up_figures(*asked).shown())


@router.get(
    "/stats/follow-up",
    response={200: FollowUpStatsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Follow-up of the reports from the public: assigned, charged, closed and median days to close",
    description="The same numbers as the figures page: the reports recorded in the period and where their "
    "cases stand now; counts only, nothing personal; counts from 1 to suppressed_below-1 read '<N'.",
    by_alias=True,
)
def stats_follow_up(request: HttpRequest, query: Query[FiguresQuery]) -> dict[str, Any]:
    asked = {"level": query.level, "code": query.code, "start": query.start, "end": query.end}
    return follow_up_stats(request.auth, asked)  # type: ignore[attr-defined]
