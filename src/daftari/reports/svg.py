"""The geometry of the figures pages' SVG, pure (no Django, no database): a map projection fitted to a
box, compact path data, class breaks for the choropleth, and the scales of the trend and bar charts.

Coordinates are rounded to whole SVG units and written relative to the previous point, so the 47
county outlines (about 2,600 points in the source) come to a few tens of kilobytes of markup.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LonLat = tuple[float, float]
XY = tuple[float, float]

# ColorBrewer "OrRd" (5 classes), light to dark: the higher the rate, the darker the county.
SHADES = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")


@dataclass(frozen=True)
class Projection:
    """Equirectangular with longitudes shrunk by the cosine of the middle latitude (true shape near the
    equator, which is where Kenya is), scaled and shifted so the fitted area fills the box."""

    west: float
    north: float
    scale: float
    shrink: float
    left: float
    top: float

    def __call__(self, point: LonLat) -> XY:
        lon, lat = point
        return (self.left + (lon - self.west) * self.shrink * self.scale, self.top + (self.north - lat) * self.scale)


def fit(points: Iterable[LonLat], width: float, height: float, pad: float = 4) -> Projection:
    """The projection that fits every point into ``width`` x ``height`` less ``pad``, centred."""
    lons, lats = zip(*points, strict=True)
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    shrink = math.cos(math.radians((north + south) / 2))
    span_x = max((east - west) * shrink, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    left = (width - span_x * scale) / 2
    top = (height - span_y * scale) / 2
    return Projection(west, north, scale, shrink, left, top)


def ring_path(ring: Sequence[LonLat], project: Projection) -> str:
    """One closed ring as ``M x y l dx dy ... z`` in whole units; points that round onto the previous
    one are dropped. Relative steps are taken between rounded points, so no error accumulates."""
    rounded = [tuple(round(c) for c in project(p)) for p in ring]
    kept: list[tuple[int, ...]] = []
    for p in rounded:
        if not kept or p != kept[-1]:
            kept.append(p)
    if len(kept) > 1 and kept[-1] == kept[0]:
        kept.pop()
    if not kept:
        return ""
    (x0, y0), steps = kept[0], []
    px, py = x0, y0
    for x, y in kept[1:]:
        steps.append(f"{x - px} {y - py}")
        px, py = x, y
    return f"M{x0} {y0}" + ("l" + " ".join(steps) if steps else "") + "z"


def polygon_path(rings: Sequence[Sequence[LonLat]], project: Projection) -> str:
    """A polygon (outer ring, then holes) or the rings of several: one ``d`` attribute."""
    return "".join(ring_path(ring, project) for ring in rings)


def equal_breaks(values: Sequence[float], classes: int = len(SHADES)) -> tuple[float, ...]:
    """The upper bound of each class, equal steps from 0 to the largest value: a county is in the
    first class whose bound it does not exceed, so the largest value is always in the last class."""
    top = max(values, default=0.0)
    if top <= 0:
        return tuple(0.0 for _ in range(classes))
    return tuple(top * (i + 1) / classes for i in range(classes))


def class_of(value: float, breaks: Sequence[float]) -> int:
    for i, bound in enumerate(breaks):
        if value <= bound:
            return i
    return len(breaks) - 1


def nice_top(value: float) -> int:
    """The axis maximum: the smallest 1, 2 or 5 times a power of ten at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def ticks(top: int) -> tuple[int, ...]:
    """Whole-number axis ticks from 0 to ``top`` (a ``nice_top``) in at most six equal steps."""
    step = next((top // parts for parts in (5, 4, 2) if top % parts == 0 and top // parts >= 1), top)
    return tuple(range(0, top + 1, step))


def x_positions(n: int, left: float, width: float) -> tuple[float, ...]:
    """``n`` points spread evenly across ``width`` from ``left`` (one point sits in the middle)."""
    if n <= 1:
        return (left + width / 2,) * n
    return tuple(left + width * i / (n - 1) for i in range(n))


def y_of(value: float, top: int, bottom: float, height: float) -> float:
    return bottom - height * min(value, top) / top


def line_path(points: Sequence[XY | None]) -> str:
    """A polyline through the points, broken where a point is missing (a suppressed count): the line
    never passes through a value that may not be shown."""
    parts: list[str] = []
    pen_down = False
    for p in points:
        if p is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{p[0]:.1f} {p[1]:.1f}")
        pen_down = True
    return "".join(parts)


def bar_length(value: float, top: int, width: float) -> float:
    return width * min(value, top) / top if top > 0 else 0.0
