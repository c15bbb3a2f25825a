"""The hub's custody and follow-up figures count what station nodes recorded once the hub indexed it
(issues 12 and 13): a node station's arrests, bookings and their Art. 49 outcome, and its reports
from the public with their case updates, counted on the station-day as the hub's own are; indexing
again counts nothing again, and a recount from scratch gives what the worker counted."""

import uuid
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from daftari.nodes import mirror
from daftari.nodes.models import EnrolledNode
from daftari.occurrences.rules import NAIROBI
from daftari.occurrences.services import record_occurrence
from daftari.reports import custody_rollup, follow_up_rollup
from daftari.reports.models import CustodyDay, FollowUpCloseDays, FollowUpDay
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.custody.conftest import enrol_arresting_officer
from tests.nodes.test_hub import Book, send
from tests.nodes.test_national_search import node_record
from tests.nodes.test_node_station_figures import join, joined  # noqa: F401 - the fixture
from tests.reports.test_custody_figures import book

pytestmark = pytest.mark.django_db

# Yesterday at ten, Nairobi time: every record below counts on yesterday, whenever the test runs.
YESTERDAY = datetime.combine(timezone.now().astimezone(NAIROBI).date() - timedelta(days=1), time(10), tzinfo=NAIROBI)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def arrest(station: Station, suspects: int) -> dict[str, Any]:
    suspect = {"role": "suspect", "name": "Otieno Ouma", "id_number": "", "phone": "", "sex": "M", "age": 30}
    return node_record(
        station,
        ob="OB 1/5/12/2026",
        entry_type="ARREST",
        occurred_at=iso(YESTERDAY - timedelta(hours=1)),
        recorded_at=iso(YESTERDAY),
        parties=[{**suspect, "date_of_birth": None} for _ in range(suspects)],
    )


def booking(station: Station, of: dict[str, Any]) -> dict[str, Any]:
    """A booking into the cells as the node's cell register commits to it (custody.records.booking_record)."""
    return {
        "type": "book_in",
        "id": str(uuid.uuid4()),
        "station": station.code,
        "arrest": of["id"],
        "offences": ["Stealing"],
        "arrested_at": iso(YESTERDAY - timedelta(hours=1)),
        "booked_in_at": iso(YESTERDAY),
        "cell": "M1",
        "court_deadline": iso(YESTERDAY + timedelta(hours=24)),
        "recorded_by": "SN1001",
    }


def event(station: Station, of: dict[str, Any], kind: str, at: datetime, **extra: Any) -> dict[str, Any]:
    """A custody event as the node's cell register commits to it (custody.records.event_record)."""
    return {
        "type": kind,
        "id": str(uuid.uuid4()),
        "custody": of["id"],
        "station": station.code,
        "at": iso(at),
        "recorded_at": iso(at),
        "recorded_by": "SN1001",
        "details": {},
        **extra,
    }


def custody_figures(station: Station) -> list[tuple[Any, ...]]:
    return list(
        CustodyDay.objects.filter(station_code=station.code).values_list("day", *custody_rollup.FIELDS).order_by("day")
    )


def test_bookings_and_releases_recorded_at_a_node_count_in_the_hubs_custody_figures_once_indexed(
    joined: tuple[EnrolledNode, Book],  # noqa: F811 - the fixture
) -> None:
    node, book = joined
    station = node.station
    taken = arrest(station, suspects=2)
    released, late, held = booking(station, taken), booking(station, taken), booking(station, taken)
    book.record(record=taken)
    for record in (released, late, held):
        book.record(kind="custody", record=record)
    book.record(kind="custody", record=event(station, released, "release", YESTERDAY + timedelta(hours=4)))
    send(node, book.push(0, 5))
    assert custody_figures(station) == []  # held, not yet indexed: not yet counted
    mirror.index_new()
    day = YESTERDAY.date()
    # arrested, held, within, late, deaths, serious injuries
    assert custody_figures(station) == [(day, 2, 3, 1, 0, 0, 0)]
    # Released in time as typed, but typed a day late: it counts when recorded, after the deadline.
    release = event(station, late, "release", YESTERDAY + timedelta(hours=5), late=True, late_reason="Power cut")
    release["recorded_at"] = iso(YESTERDAY + timedelta(hours=25))
    book.record(kind="custody", record=release)
    book.record(kind="custody", record=event(station, held, "serious_injury", YESTERDAY + timedelta(hours=6)))
    send(node, book.push(5, 7))
    mirror.index_new()
    mirror.index_new()  # the worker again: nothing new, nothing counted again
    assert custody_figures(station) == [(day, 2, 3, 1, 1, 0, 1)]
    custody_rollup.catch_up()  # the hub's own register does not wipe the node station's day
    counted = custody_figures(station)
    custody_rollup.rebuild()
    assert custody_figures(station) == counted == [(day, 2, 3, 1, 1, 0, 1)]


def update(of: dict[str, Any], status: str, at: datetime, investigator: str | None = "SN2001") -> dict[str, Any]:
    """A case update as the node's desk commits to it (occurrences.casework.update_record)."""
    return {
        "type": "case_update",
        "id": str(uuid.uuid4()),
        "occurrence": of["id"],
        "status": status,
        "investigator": investigator,
        "note": "",
        "reason": "",
        "recorded_by": "SN1001",
        "recorded_at": iso(at),
    }


def follow_up_figures(station: Station) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    days = FollowUpDay.objects.filter(station_code=station.code).order_by("day")
    closings = FollowUpCloseDays.objects.filter(station_code=station.code).order_by("day", "days")
    return list(days.values_list("day", *follow_up_rollup.FIELDS)), list(closings.values_list("day", "days", "count"))


def test_reports_recorded_at_a_node_and_their_case_updates_count_in_the_hubs_follow_up_figures(
    joined: tuple[EnrolledNode, Book],  # noqa: F811 - the fixture
) -> None:
    node, book = joined
    station = node.station
    reports = [
        node_record(station, ob=f"OB {n}/5/12/2026", recorded_at=iso(YESTERDAY + timedelta(minutes=n)))
        for n in range(1, 5)
    ]
    for report in reports:
        book.record(record=report)
    assigned, in_court, closed, _not_yet_assigned = reports
    book.record(kind="case_update", record=update(assigned, "assigned", YESTERDAY + timedelta(hours=1)))
    book.record(kind="case_update", record=update(in_court, "assigned", YESTERDAY + timedelta(hours=1)))
    book.record(kind="case_update", record=update(closed, "assigned", YESTERDAY + timedelta(hours=1)))
    send(node, book.push(0, 7))
    mirror.index_new()
    day = YESTERDAY.date()
    assert follow_up_figures(station) == ([(day, 4, 3, 0, 0)], [])
    # Later pushes bring only updates: the reports' day is recounted, whatever chunk brought them.
    book.record(kind="case_update", record=update(in_court, "in_court", YESTERDAY + timedelta(hours=3)))
    book.record(kind="case_update", record=update(closed, "closed", YESTERDAY + timedelta(hours=30)))
    send(node, book.push(7, 9))
    mirror.index_new()
    mirror.index_new()  # the worker again: nothing new, nothing counted again
    # reports, assigned, charged, closed; closed after one whole day
    assert follow_up_figures(station) == ([(day, 4, 3, 1, 1)], [(day, 1, 1)])
    follow_up_rollup.catch_up()  # the hub's own book does not wipe the node station's day
    counted = follow_up_figures(station)
    follow_up_rollup.rebuild()
    assert follow_up_figures(station) == counted == ([(day, 4, 3, 1, 1)], [(day, 1, 1)])


def test_indexing_a_node_stations_custody_and_case_updates_costs_as_many_statements_whatever_how_much_is_new(
    joined: tuple[EnrolledNode, Book],  # noqa: F811 - the fixture
) -> None:
    node, book = joined
    station = node.station

    def a_case_and_a_booking(n: int) -> None:
        report = node_record(station, id=str(uuid.uuid4()), recorded_at=iso(YESTERDAY + timedelta(minutes=n)))
        taken = arrest(station, suspects=1) | {"id": str(uuid.uuid4())}
        held = booking(station, taken)
        book.record(record=report)
        book.record(record=taken)
        book.record(kind="custody", record=held)
        book.record(kind="custody", record=event(station, held, "release", YESTERDAY + timedelta(hours=2)))
        book.record(kind="case_update", record=update(report, "closed", YESTERDAY + timedelta(hours=30)))

    a_case_and_a_booking(0)
    send(node, book.push(0, 5))
    mirror.index_new()
    a_case_and_a_booking(1)
    send(node, book.push(5, 10))
    with CaptureQueriesContext(connection) as small:
        mirror.index_new()
    for n in range(2, 22):
        a_case_and_a_booking(n)
    send(node, book.push(10, 110))
    with CaptureQueriesContext(connection) as large:
        mirror.index_new()
    assert len(large.captured_queries) == len(small.captured_queries)
    # arrested, held, within, late, deaths, serious injuries; reports, assigned, charged, closed
    assert custody_figures(station) == [(YESTERDAY.date(), 22, 22, 22, 0, 0, 0)]
    assert follow_up_figures(station) == ([(YESTERDAY.date(), 22, 22, 0, 22)], [(YESTERDAY.date(), 1, 22)])


def test_a_report_recorded_at_the_hub_whose_case_went_on_at_the_node_counts_with_the_nodes_updates(
    desk_officer: User, station: Station
) -> None:
    report = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    follow_up_rollup.catch_up()
    day = report.recorded_at.astimezone(NAIROBI).date()
    assert follow_up_figures(station) == ([(day, 1, 0, 0, 0)], [])
    node, book = join(station)
    of = {"id": str(report.pk)}
    book.record(kind="case_update", record=update(of, "assigned", report.recorded_at + timedelta(hours=1)))
    book.record(kind="case_update", record=update(of, "in_court", report.recorded_at + timedelta(hours=2)))
    book.record(kind="case_update", record=update(of, "closed", report.recorded_at + timedelta(hours=50)))
    send(node, book.push(0, 3))
    mirror.index_new()
    mirror.index_new()
    # reports, assigned, charged, closed; closed after two whole days
    assert follow_up_figures(station) == ([(day, 1, 1, 1, 1)], [(day, 2, 1)])
    follow_up_rollup.catch_up()
    follow_up_rollup.rebuild()
    assert follow_up_figures(station) == ([(day, 1, 1, 1, 1)], [(day, 2, 1)])


def test_a_person_booked_at_the_hub_and_released_at_the_node_counts_as_brought_within_the_deadline(
    desk_officer: User, station: Station
) -> None:
    enrol_arresting_officer(station)
    held = book(desk_officer, station, "Otieno Ouma")
    custody_rollup.catch_up()
    day = held.booked_in_at.astimezone(NAIROBI).date()

    def held_within_late() -> list[tuple[Any, ...]]:
        return [(row[0], *row[2:5]) for row in custody_figures(station) if row[0] == day]

    assert held_within_late() == [(day, 1, 0, 0)]  # held at the hub: neither in time nor late yet
    node, book_at_node = join(station)
    released = event(station, {"id": str(held.pk)}, "release", held.booked_in_at + timedelta(hours=3))
    book_at_node.record(kind="custody", record=released)
    send(node, book_at_node.push(0, 1))
    mirror.index_new()
    mirror.index_new()
    assert held_within_late() == [(day, 1, 1, 0)]
    custody_rollup.catch_up()
    custody_rollup.rebuild()
    assert held_within_late() == [(day, 1, 1, 0)]
