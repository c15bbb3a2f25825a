"""At the hub, the custody figures recount a node station's day from the custody records of that day in
its mirrored book; that day filter is read through an index of the records' moments on both engines,
not by reading every leaf of the book (issues 12, 13)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from daftari.nodes import figures
from daftari.nodes.models import MirroredLeaf
from daftari.occurrences.rules import NAIROBI
from daftari.stations.models import Station
from tests.nodes.test_node_station_figures import join

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


def a_long_book(station: Station) -> None:
    """A node's book of 4,000 leaves: entries, and a booking and a death in custody every few hours."""
    node, _book = join(station)
    leaves = []
    start = datetime.combine(DAY - timedelta(days=60), time(8), tzinfo=NAIROBI)
    for index in range(4000):
        at = start + timedelta(minutes=30 * index)
        if index % 5 == 0:
            kind, record = "custody", {"id": f"b{index}", "type": "book_in", "booked_in_at": at.isoformat()}
        elif index % 401 == 0:
            kind, record = "custody", {"id": f"e{index}", "type": "death", "custody": "b0", "at": at.isoformat()}
        else:
            kind, record = "occurrence", {"id": f"o{index}", "entry_type": "COMPLAINT", "recorded_at": at.isoformat()}
        leaves.append(
            MirroredLeaf(
                node=node,
                index=index,
                kind=kind,
                record_id=record["id"],
                data=b"x",
                record=record,
                received_at=timezone.now(),
            )
        )
    MirroredLeaf.objects.bulk_create(leaves)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_the_custody_day_filter_finds_the_days_records_through_the_index_of_their_moments(station: Station) -> None:
    a_long_book(station)
    bookings = figures.custody_records_on([(station.pk, DAY)], ["book_in"])
    plan = bookings.explain()
    assert "mirrored_custody_moment" in plan, plan
    found = [r["booked_in_at"] for r in bookings.values_list("record", flat=True)]
    # The day with a day's margin either side, as the figures then keep the day itself.
    margin = [(DAY + timedelta(days=d)).isoformat() for d in (-1, 0, 1)]
    held = MirroredLeaf.objects.filter(kind="custody", record__type="book_in").values_list("record", flat=True)
    assert sorted(found) == sorted(r["booked_in_at"] for r in held if r["booked_in_at"][:10] in margin) != []
    deaths = figures.custody_records_on([(station.pk, DAY)], ["death"])
    assert "mirrored_custody_moment" in deaths.explain()


def test_a_day_of_another_station_reads_none_of_this_books_records(station: Station, other_station: Station) -> None:
    a_long_book(station)
    assert not figures.custody_records_on([(other_station.pk, DAY)], ["book_in"]).exists()
