"""Every recording looks up each party in the person index by ID number (or phone) and takes the first
person stored under it. That look-up is one step down an index on both engines, however large the
index and however often a number repeats in it (issue 10)."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection

from daftari.core import prepared
from daftari.occurrences.models import Person
from daftari.occurrences.services import _person_sql

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


def a_large_index_where_numbers_repeat() -> None:
    """6,000 people; each ID number and phone stored for 30 of them, as a number typed for every
    member of a household, or a placeholder typed by habit, would leave it."""
    Person.objects.bulk_create(
        Person(
            id=uuid.uuid4(),
            name=f"Person {i}",
            id_number=f"{20000000 + i % 200}",
            phone=f"+2547{10000000 + i % 200}",
            first_seen_at=AT,
        )
        for i in range(6000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def plan_of(sql: str, value: str) -> str:
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    rows = prepared.rows(explain + sql, [value])
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


@pytest.mark.parametrize(
    ("by", "value", "index"),
    [
        ("id_number", "20000123", "person_id_number_first"),
        ("phone", "+254710000123", "person_phone_first"),
    ],
)
def test_the_first_person_under_a_number_is_found_through_the_index_of_number_then_key(
    by: str, value: str, index: str
) -> None:
    a_large_index_where_numbers_repeat()
    plan = plan_of(_person_sql(by), value)
    assert index in plan, plan
    # Neither a walk of the key index filtering on the number, nor a sort of the number's people.
    assert "Filter" not in plan and "TEMP B-TREE" not in plan, plan
    row = prepared.first(_person_sql(by), [value])
    assert row is not None
    first = Person.objects.filter(**{by: value}).order_by("id").first()
    assert first is not None and uuid.UUID(str(row[0])) == first.pk
