"""The hub's crime figures count the entries recorded at station nodes once the hub holds them (issues
12 and 13): a node station is in the county and national figures like any other, a correction at the
node moves its count without counting it twice, indexing again counts nothing again, and a recount
from scratch gives what the worker counted."""

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.nodes import hub, mirror
from daftari.nodes.models import EnrolledNode
from daftari.occurrences.rules import NAIROBI, OffenceInput
from daftari.occurrences.services import record_occurrence
from daftari.reports import rollup
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.nodes.test_hub import Book, send
from tests.nodes.test_national_search import node_record
from tests.occurrences.test_api import Api

pytestmark = pytest.mark.django_db


def join(station: Station) -> tuple[EnrolledNode, Book]:
    """The station's node joins: from now its book is kept there, and the hub mirrors it."""
    _node, code = hub.enrol(station=station)
    book = Book(origin=f"daftari.local/ob/{station.code}")
    return hub.join(code=code, public_key=str(book.signer.verifier())), book


@pytest.fixture
def joined(station: Station) -> tuple[EnrolledNode, Book]:
    return join(station)


def crime(station: Station, section: str, n: int) -> dict[str, Any]:
    return node_record(station, ob=f"OB {n}/6/12/2026", offences=[{"section": section, "description": "as reported"}])


def amendment(station: Station, of: dict[str, Any], n: int, details: dict[str, Any], **rows: Any) -> dict[str, Any]:
    """A correction of an entry as the node's desk records it (occurrences.services.amend_occurrence):
    ``details`` its reason, changes and parts map, ``rows`` its own parties, offences... (none by default)."""
    return node_record(
        station,
        id=str(uuid.uuid4()),
        ob=f"OB {n}/6/12/2026",
        entry_type="AMENDMENT",
        refers_to=of["id"],
        recorded_at=(timezone.now() + timedelta(minutes=n)).isoformat(),
        details=details,
        **{"parties": [], "property_items": [], "vehicles": [], "offences": [], **rows},
    )


def correction(station: Station, of: dict[str, Any], section: str, n: int) -> dict[str, Any]:
    """A correction of an entry's offence."""
    details = {"reason": "Offence corrected after the statement", "changes": {}, "parts": {"offences": [{"row": 0}]}}
    return amendment(station, of, n, details, offences=[{"section": section, "description": "corrected"}])


def held_at_hub(node: EnrolledNode, book: Book, *records: dict[str, Any]) -> None:
    """The node records these, pushes them, and the hub's worker indexes them."""
    start = len(book.leaves)
    for record in records:
        book.record(record=record)
    send(node, book.push(start, len(book.leaves)))
    mirror.index_new()


def by_category(station: Station) -> dict[str, int]:
    counted: Counter[str] = Counter()
    for cell, n in rollup.rolled_up_counts().items():
        if cell.station_code == station.code:
            counted[cell.category] += n
    return {category: n for category, n in counted.items() if n}


def test_crimes_recorded_at_a_node_count_at_the_hub_under_their_station_once_indexed(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    for n, section in enumerate(["Penal Code s.268", "Penal Code s.268", "Penal Code s.296"], start=1):
        book.record(record=crime(node.station, section, n))
    book.record(record=node_record(node.station, ob="OB 4/6/12/2026", entry_type="LOST_DOC", offences=[]))
    send(node, book.push(0, 4))
    assert by_category(node.station) == {}  # held, not yet indexed: not yet counted
    mirror.index_new()
    assert by_category(node.station) == {"STEALING": 2, "ROBBERY": 1}
    assert rollup.rolled_up_counts() == rollup.naive_counts()


def test_a_correction_at_the_node_moves_the_count_and_never_counts_the_entry_twice(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    theft = crime(node.station, "Penal Code s.268", 1)
    book.record(record=theft)
    send(node, book.push(0, 1))
    mirror.index_new()
    assert by_category(node.station) == {"STEALING": 1}
    book.record(record=correction(node.station, theft, "Penal Code s.296", 2))  # robbery now the principal offence
    book.record(record=crime(node.station, "Penal Code s.268", 3))
    send(node, book.push(1, 3))
    mirror.index_new()
    mirror.index_new()  # the worker again: nothing new, nothing counted again
    assert by_category(node.station) == {"ROBBERY": 1, "STEALING": 1}
    assert rollup.rolled_up_counts() == rollup.naive_counts()


def test_a_correction_that_arrives_with_its_entry_places_the_entry_as_corrected(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    theft = crime(node.station, "Penal Code s.268", 1)
    book.record(record=theft)
    book.record(record=correction(node.station, theft, "Penal Code s.296", 2))
    send(node, book.push(0, 2))
    mirror.index_new()
    assert by_category(node.station) == {"ROBBERY": 1}


def test_a_recount_from_scratch_counts_the_node_books_and_the_hubs_own_alike(
    desk_officer: User, station: Station
) -> None:
    # The station's own book at the hub, from before the node took it.
    draft = complaint(offences=(OffenceInput("Penal Code s.268", "as reported"),))
    record_occurrence(actor=desk_officer, station=station, draft=draft)
    node, book = join(station)
    theft = crime(node.station, "Penal Code s.268", 1)
    book.record(record=theft)
    book.record(record=correction(node.station, theft, "Penal Code s.296", 2))
    book.record(record=crime(node.station, "Penal Code s.268", 3))
    send(node, book.push(0, 3))
    mirror.index_new()
    rollup.catch_up()
    counted = rollup.rolled_up_counts()
    assert by_category(station) == {"STEALING": 2, "ROBBERY": 1}
    assert rollup.rebuild() == 3
    assert rollup.rolled_up_counts() == counted == rollup.naive_counts()


def test_the_analyst_reads_a_node_stations_crimes_in_the_national_figures_by_station(
    client: Client,
    analyst: User,
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    for n in range(1, 7):
        book.record(record=crime(node.station, "Penal Code s.268", n))
    send(node, book.push(0, 6))
    mirror.index_new()
    day = (timezone.now() - timedelta(hours=2)).astimezone(NAIROBI).date().isoformat()
    api = Api(client, analyst)
    body = api.get("/stats/crimes", level="national", by="station", **{"from": day, "to": day}).json()
    assert body["rows"] == [{"key": node.station.code, "count": "6"}]
