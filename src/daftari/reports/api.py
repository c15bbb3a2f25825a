"""Crime figures on the API: the same numbers as the page, from the rollup only (issue 12)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from daftari.core.api_errors import ErrorOut
from daftari.core.errors import InvalidInput, NotPermitted
from daftari.occurrences.rules import COUNTING_RULE
from daftari.reports import figures
from daftari.reports.forms import CrimeFiguresForm
from daftari.stations.models import Station, scope_of
from daftari.stations.rules import sees_crime_figures

router = Router(tags=["stats"])


class CrimeStatsQuery(Schema):
    level: str = Field("national", description="station, county or national")
    code: str = Field("", description="the station code (station) or the county number 1-47 (county)")
    start: str = Field("", alias="from", description="first day, YYYY-MM-DD")
    end: str = Field("", alias="to", description="last day, YYYY-MM-DD (at most a year after from)")
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


def crime_stats(scope_user: Any, query: dict[str, str]) -> dict[str, Any]:
    """Validates the question (every field message at once), checks the reach, and answers from the rollup."""
    form = CrimeFiguresForm(
        {"level": query["level"], "code": query["code"], "start": query["start"], "end": query["end"]}
    )
    errors: dict[str, str] = {}
    if query["by"] not in figures.BREAKDOWNS:
        errors["by"] = _("Choose category, station, day, hour or weekday.")
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
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
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
