"""The figures pages' SVG geometry, without a database: projection, paths, classes and scales."""

import re

import pytest

from daftari.reports import svg

SQUARE = ((36.0, 0.0), (37.0, 0.0), (37.0, -1.0), (36.0, -1.0), (36.0, 0.0))


def test_the_fitted_projection_puts_the_north_west_corner_top_left_and_keeps_everything_inside_the_box() -> None:
    project = svg.fit(SQUARE, 200, 100, pad=0)
    xs, ys = zip(*(project(p) for p in SQUARE), strict=True)
    assert min(xs) >= 0 and max(xs) <= 200 and min(ys) >= 0 and max(ys) <= 100
    assert project((36.0, 0.0))[1] == pytest.approx(0) and project((36.0, -1.0))[1] == pytest.approx(100)
    # North is up and east is right.
    assert project((36.0, 0.0))[0] < project((37.0, 0.0))[0]
    assert project((36.0, 0.0))[1] < project((36.0, -1.0))[1]


def test_a_degree_of_longitude_is_shorter_than_a_degree_of_latitude_away_from_the_equator() -> None:
    north = ((36.0, 60.0), (37.0, 60.0), (37.0, 59.0))
    project = svg.fit(north, 1000, 1000, pad=0)
    width = project((37.0, 60.0))[0] - project((36.0, 60.0))[0]
    height = project((37.0, 59.0))[1] - project((37.0, 60.0))[1]
    assert width / height == pytest.approx(0.5, abs=0.01)  # cos 59.5° ≈ 0.51


def test_a_ring_becomes_a_closed_path_of_whole_relative_steps() -> None:
    project = svg.fit(SQUARE, 104, 104, pad=2)
    assert svg.ring_path(SQUARE, project) == "M2 2l100 0 0 100 -100 0z"


def test_points_that_round_onto_the_previous_one_are_dropped() -> None:
    project = svg.fit(SQUARE, 104, 104, pad=2)
    crowded = ((36.0, 0.0), (36.001, 0.0), (37.0, 0.0), (37.0, -1.0), (36.0, 0.0))
    assert svg.ring_path(crowded, project) == "M2 2l100 0 0 100z"


def test_relative_steps_add_up_to_the_rounded_points_so_no_error_accumulates() -> None:
    ring = [(36.0 + i * 0.0137, (i % 3) * 0.0071) for i in range(200)]
    project = svg.fit(ring, 500, 300)
    d = svg.ring_path(ring, project)
    numbers = [int(n) for n in re.findall(r"-?\d+", d)]
    x, y = numbers[0], numbers[1]
    for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
        x, y = x + dx, y + dy
    last = tuple(round(c) for c in project(ring[-1]))
    assert (x, y) == last


def test_a_polygon_with_a_hole_is_one_path_of_two_rings() -> None:
    hole = ((36.4, -0.4), (36.6, -0.4), (36.6, -0.6), (36.4, -0.6), (36.4, -0.4))
    project = svg.fit(SQUARE, 104, 104, pad=2)
    assert svg.polygon_path((SQUARE, hole), project).count("M") == 2


def test_equal_classes_run_from_zero_to_the_highest_value_which_is_always_in_the_darkest_class() -> None:
    breaks = svg.equal_breaks([0.0, 3.0, 10.0])
    assert breaks == (2.0, 4.0, 6.0, 8.0, 10.0)
    assert [svg.class_of(v, breaks) for v in (0.0, 2.0, 2.1, 10.0)] == [0, 0, 1, 4]
    assert svg.class_of(max([0.3, 7.7, 1.9]), svg.equal_breaks([0.3, 7.7, 1.9])) == len(svg.SHADES) - 1


def test_with_nothing_recorded_every_county_is_in_the_lightest_class() -> None:
    breaks = svg.equal_breaks([0.0, 0.0])
    assert svg.class_of(0.0, breaks) == 0
    assert svg.equal_breaks([]) == (0.0,) * 5


def test_the_axis_top_is_a_round_number_at_or_above_the_largest_value() -> None:
    assert [svg.nice_top(v) for v in (0, 1, 3, 7, 10, 11, 180, 501)] == [1, 1, 5, 10, 10, 20, 200, 1000]
    assert svg.ticks(10) == (0, 2, 4, 6, 8, 10)
    assert svg.ticks(5) == (0, 1, 2, 3, 4, 5)
    assert svg.ticks(1) == (0, 1)
    assert svg.ticks(200) == (0, 40, 80, 120, 160, 200)


def test_a_line_breaks_where_a_value_may_not_be_shown() -> None:
    path = svg.line_path([(0, 10), (5, 8), None, (15, 2), (20, 1)])
    assert path == "M0.0 10.0L5.0 8.0M15.0 2.0L20.0 1.0"
    assert svg.line_path([None, None]) == ""


def test_points_spread_evenly_and_values_scale_up_from_the_bottom() -> None:
    assert svg.x_positions(3, 40, 100) == (40, 90, 140)
    assert svg.x_positions(1, 40, 100) == (90,)
    assert svg.y_of(0, 10, 200, 100) == 200 and svg.y_of(10, 10, 200, 100) == 100
    assert svg.bar_length(5, 10, 260) == 130 and svg.bar_length(50, 10, 260) == 260
