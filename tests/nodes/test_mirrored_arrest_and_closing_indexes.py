"""At the hub, the custody figures find a node station's arrests of a day, and the events that ended its
bookings, through indexes that match their filters on both engines; the refugee figures find the document
numbers a mirrored entry names by their prefix through the mention index whatever PostgreSQL's collation,
not by reading every row (issue 13)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from daftari.nodes import figures, mirror, rules
from daftari.nodes.models import MirroredEntry, MirroredLeaf, MirroredMention
from daftari.occurrences.rules import NAIROBI
from daftari.stations.models import Station
from tests.nodes.test_node_station_figures import join

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)
CLOSINGS = sorted(rules.CUSTODY_CLOSINGS)


def a_long_book(station: Station) -> None:
    """A node's book of 4,000 leaves over 80 days: complaints, an arrest every few hours, a booking after it
    and the booking's release; each complaint's entry indexed with the ID number it names."""
    node, _book = join(station)
    leaves = []
    start = datetime.combine(DAY - timedelta(days=60), time(8), tzinfo=NAIROBI)
    for index in range(4000):
        at = (start + timedelta(minutes=30 * index)).isoformat()
        kind = "occurrence"
        if index % 10 == 0:
            record = {"id": f"a{index}", "entry_type": "ARREST", "occurred_at": at, "recorded_at": at}
        elif index % 10 == 1:
            kind, record = "custody", {"id": f"b{index}", "type": "book_in", "booked_in_at": at}
        elif index % 10 == 2:
            kind, record = "custody", {"id": f"r{index}", "type": "release", "custody": f"b{index - 1}", "at": at}
        else:
            record = {"id": f"o{index}", "entry_type": "COMPLAINT", "occurred_at": at, "recorded_at": at}
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
    stored = MirroredLeaf.objects.bulk_create(leaves)
    entries = MirroredEntry.objects.bulk_create(
        MirroredEntry(
            leaf=leaf,
            station=station,
            entry_id=f"00000000-0000-4000-8000-{leaf.index:012d}",
            entry_type=leaf.record["entry_type"],
            recorded_at=datetime.fromisoformat(leaf.record["recorded_at"]),
        )
        for leaf in stored
        if leaf.kind == "occurrence"
    )
    MirroredMention.objects.bulk_create(
        MirroredMention(entry=entry, kind="id_number", value=("RID" if n % 97 == 0 else "") + f"{n:08d}")
        for n, entry in enumerate(entries)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_the_arrests_day_filter_finds_the_days_arrests_through_the_index_of_their_moments(station: Station) -> None:
    a_long_book(station)
    arrests = figures.arrests_on([(station.pk, DAY)])
    plan = arrests.explain()
    assert "mirrored_arrest_moment" in plan, plan
    found = sorted(r["occurred_at"] for r in arrests.values_list("record", flat=True))
    # The day with a day's margin either side, as the figures then keep the day itself.
    margin = [(DAY + timedelta(days=d)).isoformat() for d in (-1, 0, 1)]
    held = MirroredLeaf.objects.filter(kind="occurrence", record__entry_type="ARREST").values_list("record", flat=True)
    assert found == sorted(r["occurred_at"] for r in held if r["occurred_at"][:10] in margin) != []


def test_the_arrests_day_filter_counts_no_complaint_and_no_day_of_another_station(
    station: Station, other_station: Station
) -> None:
    a_long_book(station)
    found = figures.arrests_on([(station.pk, DAY)]).values_list("record", flat=True)
    assert {r["entry_type"] for r in found} == {"ARREST"}
    assert not figures.arrests_on([(other_station.pk, DAY)]).exists()


def test_the_events_that_ended_bookings_are_found_through_the_index_of_their_types_and_bookings(
    station: Station,
) -> None:
    a_long_book(station)
    bookings = ["b1001", "b2001", "b9"]  # b9: no such booking, nothing ended it
    closings = figures.custody_events_of(CLOSINGS, bookings)
    plan = closings.explain()
    assert "mirrored_custody_event" in plan, plan
    assert sorted(r["id"] for r in closings.values_list("record", flat=True)) == ["r1002", "r2002"]
    assert not figures.custody_events_of(["death"], bookings).exists()


def test_a_document_number_prefix_is_read_from_the_mention_index_whatever_the_collation(station: Station) -> None:
    a_long_book(station)
    naming = mirror.id_mentions({"00000005"}, ("RID",))
    if connection.vendor == "postgresql":
        # The prefix is a range of the index in pattern (byte) order, not a filter over every id_number row.
        plan = naming.explain()
        assert "mirrored_mention" in plan and "~>=~" in plan and "~<~" in plan, plan
    values = sorted(naming.values_list("value", flat=True))
    assert values[0] == "00000005" and len(values) == 1 + len(range(0, MirroredEntry.objects.count(), 97))
    assert all(v.startswith("RID") for v in values[1:])
