"""What the figures page draws, built from the same numbers as its tables (issue 12).

A count that the tables suppress is suppressed in the charts too: a county whose count is below the
threshold is hatched and not shaded by its rate, a suppressed bar has no length, and the trend line
breaks where a day's count may not be shown. The geometry itself is in ``svg``.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.dates import WEEKDAYS

from daftari.reports import figures, svg
from daftari.stations.models import Station

COUNTIES_GEOJSON = Path(__file__).resolve().parent / "data" / "kenya_counties_simplified.geojson"
MAP_WIDTH, MAP_HEIGHT = 460, 540
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"


def _threshold() -> int:
    return int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD)


def suppressed(count: int) -> bool:
    return 0 < count < _threshold()


@cache
def county_outlines() -> dict[int, tuple[str, tuple[tuple[svg.LonLat, ...], ...]]]:
    """Each county's name and rings (outer first) from the boundary file, by county code 1-47."""
    with COUNTIES_GEOJSON.open(encoding="utf-8") as f:
        collection: dict[str, Any] = json.load(f)
    outlines = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = tuple(tuple((float(x), float(y)) for x, y in ring) for polygon in polygons for ring in polygon)
        outlines[int(feature["properties"]["county_code"])] = (str(feature["properties"]["county_name"]), rings)
    return outlines


@dataclass(frozen=True)
class MapArea:
    code: int
    name: str
    d: str
    shade: int | None  # the rate class, None when the count is suppressed (hatched)
    fill: str
    count_shown: str
    rate_shown: str


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    name: str
    count_shown: str


@dataclass(frozen=True)
class LegendClass:
    fill: str
    low: str
    high: str


@dataclass(frozen=True)
class CountyMap:
    width: int
    height: int
    areas: tuple[MapArea, ...]
    points: tuple[MapPoint, ...]
    legend: tuple[LegendClass, ...]
    shaded: bool  # national: counties shaded by rate; a county's own map is an outline with its stations
    attribution: str = ATTRIBUTION


def _station_points(project: svg.Projection, stations: list[Station], counts: dict[str, int]) -> tuple[MapPoint, ...]:
    points = []
    for station in stations:
        if station.lat is None or station.lon is None:
            continue
        x, y = project((float(station.lon), float(station.lat)))
        points.append(MapPoint(round(x, 1), round(y, 1), station.name, figures.shown(counts.get(station.code, 0))))
    return tuple(points)


@cache
def _national_paths() -> tuple[svg.Projection, dict[int, str]]:
    """The country's projection and every county's outline as a path: the same on every request."""
    outlines = county_outlines()
    project = svg.fit((p for _name, rings in outlines.values() for p in rings[0]), MAP_WIDTH, MAP_HEIGHT)
    return project, {code: svg.polygon_path(rings, project) for code, (_name, rings) in outlines.items()}


def national_map(rates: list[figures.CountyRate], station_counts: dict[str, int]) -> CountyMap:
    """Every county shaded by its crimes per 100,000 people (equal classes from 0 to the highest rate
    shown), suppressed counties hatched, and the stations that have coordinates as points."""
    outlines = county_outlines()
    project, paths = _national_paths()
    by_code = {r.code: r for r in rates}
    shown_rates = {
        r.code: r.count * 100000 / r.population for r in rates if r.population > 0 and not suppressed(r.count)
    }
    breaks = svg.equal_breaks(list(shown_rates.values()))
    areas = []
    for code, (name, _rings) in sorted(outlines.items()):
        rate = by_code.get(code)
        shade = svg.class_of(shown_rates[code], breaks) if code in shown_rates else None
        areas.append(
            MapArea(
                code,
                rate.name if rate else name,
                paths[code],
                shade,
                svg.SHADES[shade] if shade is not None else "url(#suppressed)",
                rate.count_shown if rate else "0",
                rate.rate_shown if rate else "",
            )
        )
    lows = (0.0, *breaks[:-1])
    # Low rates (a short period) need two decimals to tell the classes apart; nothing recorded, one class.
    places = 2 if breaks[-1] < 10 else 1
    legend = tuple(
        LegendClass(shade, f"{low:.{places}f}", f"{high:.{places}f}")
        for shade, low, high in zip(svg.SHADES, lows, breaks, strict=True)
    )
    if breaks[-1] == 0:
        legend = legend[:1]
    stations = list(Station.objects.exclude(lat=None).exclude(lon=None))
    return CountyMap(
        MAP_WIDTH, MAP_HEIGHT, tuple(areas), _station_points(project, stations, station_counts), legend, shaded=True
    )


def county_map(county_code: int, station_counts: dict[str, int]) -> CountyMap:
    """One county's outline, drawn to fill the box, and its stations that have coordinates."""
    name, rings = county_outlines()[county_code]
    stations = list(Station.objects.filter(county_id=county_code).exclude(lat=None).exclude(lon=None))
    points = list(rings[0]) + [(float(s.lon), float(s.lat)) for s in stations]  # type: ignore[arg-type]
    project = svg.fit(points, MAP_WIDTH, MAP_HEIGHT, pad=12)
    area = MapArea(county_code, name, svg.polygon_path(rings, project), None, svg.SHADES[0], "", "")
    return CountyMap(
        MAP_WIDTH, MAP_HEIGHT, (area,), _station_points(project, stations, station_counts), (), shaded=False
    )


# --- Trend: crimes by day or month over the period, against the previous period ------------------

TREND_LEFT, TREND_TOP, TREND_WIDTH, TREND_HEIGHT = 40, 10, 560, 180


@dataclass(frozen=True)
class TrendRow:
    label: str
    start: date
    now_shown: str
    previous_shown: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    shown: str
    previous: bool


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class TrendChart:
    grain: str  # "day" or "month"
    rows: tuple[TrendRow, ...]
    now_path: str
    previous_path: str
    markers: tuple[Marker, ...]
    ticks: tuple[Tick, ...]
    band_y: float  # the top of the band where suppressed counts sit
    previous_start: date
    previous_end: date
    left: int = TREND_LEFT
    right: int = TREND_LEFT + TREND_WIDTH
    bottom: int = TREND_TOP + TREND_HEIGHT
    width: int = TREND_LEFT + TREND_WIDTH + 10
    height: int = TREND_TOP + TREND_HEIGHT + 24
    plot_width: int = TREND_WIDTH

    @property
    def band_height(self) -> float:
        return round(self.bottom - self.band_y, 1)


def buckets(start: date, end: date) -> list[tuple[date, date]]:
    """The period cut into days (up to 62 days) or calendar months (longer periods), first to last."""
    if (end - start).days < 62:
        return [(start + timedelta(days=i),) * 2 for i in range((end - start).days + 1)]
    cuts = []
    first = start
    while first <= end:
        next_month = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        cuts.append((first, min(end, next_month - timedelta(days=1))))
        first = next_month
    return cuts


def _sum_over(by_day: dict[str, int], first: date, last: date) -> int:
    return sum(by_day.get((first + timedelta(days=i)).isoformat(), 0) for i in range((last - first).days + 1))


def trend(level: str, code: str, start: date, end: date) -> TrendChart:
    """This period's crimes by day or month, and the previous period's over the same days counted from
    its start (both periods are as long)."""
    previous_start, previous_end = figures.previous_period(start, end)
    shift = start - previous_start
    now_by_day = dict(figures.counts_by(level, code, start, end, "day"))
    previous_by_day = dict(figures.counts_by(level, code, previous_start, previous_end, "day"))
    cuts = buckets(start, end)
    now = [_sum_over(now_by_day, a, b) for a, b in cuts]
    previous = [_sum_over(previous_by_day, a - shift, b - shift) for a, b in cuts]
    grain = "day" if all(a == b for a, b in cuts) else "month"
    top = svg.nice_top(max([n for n in now + previous if not suppressed(n)] + [_threshold()]))
    xs = svg.x_positions(len(cuts), TREND_LEFT, TREND_WIDTH)
    bottom = TREND_TOP + TREND_HEIGHT
    band_middle = svg.y_of(_threshold() / 2, top, bottom, TREND_HEIGHT)

    def points(series: list[int]) -> list[svg.XY | None]:
        return [
            None if suppressed(n) else (x, svg.y_of(n, top, bottom, TREND_HEIGHT))
            for x, n in zip(xs, series, strict=True)
        ]

    markers = [
        Marker(
            round(x, 1),
            round(band_middle if suppressed(n) else svg.y_of(n, top, bottom, TREND_HEIGHT), 1),
            figures.shown(n),
            is_previous,
        )
        for is_previous, series in ((False, now), (True, previous))
        for x, n in zip(xs, series, strict=True)
    ]
    rows = tuple(
        TrendRow(a.isoformat() if grain == "day" else a.strftime("%Y-%m"), a, figures.shown(n), figures.shown(p))
        for (a, _b), n, p in zip(cuts, now, previous, strict=True)
    )
    return TrendChart(
        grain,
        rows,
        svg.line_path(points(now)),
        svg.line_path(points(previous)),
        tuple(markers),
        # No axis label inside the band: a tick of 3 would read as a count that may not be shown.
        tuple(
            Tick(v, round(svg.y_of(v, top, bottom, TREND_HEIGHT), 1))
            for v in svg.ticks(top)
            if v == 0 or not suppressed(v)
        ),
        round(svg.y_of(_threshold(), top, bottom, TREND_HEIGHT), 1),
        previous_start,
        previous_end,
    )


# --- Bars: crimes by category, hour of day and day of the week ---------------------------------

BAR_LABEL_WIDTH, BAR_WIDTH, BAR_STEP = 250, 260, 20


@dataclass(frozen=True)
class Bar:
    name: str
    y: int
    length: float
    shown: str
    suppressed: bool
    value_x: float


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    top: int
    left: int
    step: int = BAR_STEP

    @property
    def width(self) -> int:
        return self.left + BAR_WIDTH + 50

    @property
    def height(self) -> int:
        return len(self.bars) * self.step + 4


def bar_chart(rows: list[tuple[str, int]], *, label_width: int) -> BarChart:
    """One bar per row, in order; a suppressed count draws no bar, only "<N", as in the table."""
    top = svg.nice_top(max([n for _name, n in rows if not suppressed(n)] + [1]))
    bars = []
    for i, (name, n) in enumerate(rows):
        length = 0.0 if suppressed(n) else round(svg.bar_length(n, top, BAR_WIDTH), 1)
        bars.append(
            Bar(name, i * BAR_STEP + 2, length, figures.shown(n), suppressed(n), round(label_width + length + 4, 1))
        )
    return BarChart(tuple(bars), top, label_width)


def category_bars(table: figures.CrimeTable) -> BarChart:
    """One bar per category in the published order."""
    return bar_chart([(row.name, row.now) for row in table.rows], label_width=BAR_LABEL_WIDTH)


def hour_bars(level: str, code: str, start: date, end: date) -> BarChart:
    """The period's crimes by the hour of day they happened (Nairobi time), 00:00 to 23:00."""
    rows = figures.counts_by(level, code, start, end, "hour")
    return bar_chart([(f"{int(hour):02d}:00", n) for hour, n in rows], label_width=60)


def weekday_bars(level: str, code: str, start: date, end: date) -> BarChart:
    """The period's crimes by day of the week, Monday first, named in the reader's language."""
    rows = figures.counts_by(level, code, start, end, "weekday")
    return bar_chart([(str(WEEKDAYS[i]), n) for i, (_key, n) in enumerate(rows)], label_width=110)
