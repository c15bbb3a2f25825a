"""Crime figures read from the rollup only (issue 12): never names, never a GROUP BY over the book.

Every figure names its counting rule and says it counts crimes *recorded by the police*; counts from
1 to ``DAFTARI_SMALL_NUMBER_THRESHOLD - 1`` are shown suppressed ("<5"), rates too when their count is.
"""

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum

from daftari.occurrences.rules import COUNTING_RULE, crime_rules
from daftari.reports.models import CrimeCount, CrimeCountyDay, CrimeCountyHour, CrimeStationDay
from daftari.stations.models import County, Station

POPULATION_CSV = Path(__file__).resolve().parent / "data" / "kenya_county_population_2019.csv"


@cache
def county_population() -> dict[int, int]:
    with POPULATION_CSV.open(encoding="utf-8") as f:
        return {int(row["county_code"]): int(row["population_2019"]) for row in csv.DictReader(f)}


def shown(count: int) -> str:
    """A count as it may be shown: small numbers (but not 0) suppressed."""
    threshold = int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD)
    return f"<{threshold}" if 0 < count < threshold else str(count)


def rate_shown(count: int, population: int) -> str:
    if population <= 0:
        return ""
    if 0 < count < int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD):
        return "—"
    return f"{count * 100000 / population:.1f}"


def previous_period(start: date, end: date) -> tuple[date, date]:
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def same_period_last_year(start: date, end: date) -> tuple[date, date]:
    def back(d: date) -> date:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:  # 29 February
            return d.replace(year=d.year - 1, day=28)

    return back(start), back(end)


def station_codes(level: str, code: str) -> list[str] | None:
    """The stations a level covers; None for national (every station)."""
    if level == "national":
        return None
    if level == "county":
        return list(Station.objects.filter(county_id=int(code)).values_list("code", flat=True))
    return [code]


def counted(level: str, code: str, start: date, end: date, by: str) -> QuerySet[Any]:
    """The period's rollup rows at the level, from the narrowest table that answers ``by``: a station's
    own cells, else the county and station sums (a few thousand rows a month for the whole country)."""
    if level == "station":
        return CrimeCount.objects.filter(day__gte=start, day__lte=end, station_code=code)
    rows: QuerySet[Any]
    if by == "station":
        rows = CrimeStationDay.objects.filter(day__gte=start, day__lte=end)
    elif by == "hour":
        rows = CrimeCountyHour.objects.filter(day__gte=start, day__lte=end)
    else:
        rows = CrimeCountyDay.objects.filter(day__gte=start, day__lte=end)
    return rows.filter(county_code=int(code)) if level == "county" else rows


def counts_by_category(level: str, code: str, start: date, end: date) -> Counter[str]:
    rows = counted(level, code, start, end, "category")
    return Counter({r["category"]: r["n"] or 0 for r in rows.values("category").annotate(n=Sum("count"))})


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    now: int
    previous: int
    last_year: int

    @property
    def now_shown(self) -> str:
        return shown(self.now)

    @property
    def previous_shown(self) -> str:
        return shown(self.previous)

    @property
    def last_year_shown(self) -> str:
        return shown(self.last_year)


@dataclass(frozen=True)
class CrimeTable:
    level: str
    code: str
    start: date
    end: date
    rows: tuple[CategoryRow, ...]
    counting_rule: str = COUNTING_RULE

    @property
    def total(self) -> CategoryRow:
        return CategoryRow(
            "TOTAL",
            "Total",
            sum(r.now for r in self.rows),
            sum(r.previous for r in self.rows),
            sum(r.last_year for r in self.rows),
        )


def crime_table(level: str, code: str, start: date, end: date) -> CrimeTable:
    """Crimes recorded by category, in the published order, against the previous period and last year."""
    now = counts_by_category(level, code, start, end)
    previous = counts_by_category(level, code, *previous_period(start, end))
    last_year = counts_by_category(level, code, *same_period_last_year(start, end))
    rows = tuple(
        CategoryRow(cat, name, now[cat], previous[cat], last_year[cat]) for cat, name in crime_rules().categories
    )
    return CrimeTable(level, code, start, end, rows)


BREAKDOWNS = ("category", "station", "day", "hour", "weekday")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def counts_by(level: str, code: str, start: date, end: date, by: str) -> list[tuple[str, int]]:
    """The period's count split by category (published order), station, day, hour of day or day of week."""
    if by == "category":
        table = crime_table(level, code, start, end)
        return [(row.code, row.now) for row in table.rows]
    if by == "weekday":  # from the daily counts: a day decides its weekday
        by_day = counts_by(level, code, start, end, "day")
        totals: Counter[str] = Counter(dict.fromkeys(WEEKDAYS, 0))
        for key, n in by_day:
            totals[WEEKDAYS[date.fromisoformat(key).weekday()]] += n
        return [(name, totals[name]) for name in WEEKDAYS]
    field = {"station": "station_code", "day": "day", "hour": "hour"}[by]
    rows = counted(level, code, start, end, by)
    found = {str(r[field]): r["n"] or 0 for r in rows.values(field).annotate(n=Sum("count")).order_by(field)}
    if by == "hour":
        return [(str(h), found.get(str(h), 0)) for h in range(24)]
    return sorted(found.items())


@dataclass(frozen=True)
class CountyRate:
    code: int
    name: str
    count: int
    population: int

    @property
    def count_shown(self) -> str:
        return shown(self.count)

    @property
    def rate_shown(self) -> str:
        return rate_shown(self.count, self.population)


def county_rates(start: date, end: date) -> list[CountyRate]:
    """Every county's crimes recorded in the period and the rate per 100,000 people (KNBS 2019)."""
    rows = counted("national", "", start, end, "category").values("county_code").annotate(n=Sum("count"))
    by_county: Counter[int] = Counter({row["county_code"]: row["n"] or 0 for row in rows})
    names = dict(County.objects.values_list("code", "name"))
    population = county_population()
    return [
        CountyRate(code, names.get(code, str(code)), by_county[code], population[code]) for code in sorted(population)
    ]
