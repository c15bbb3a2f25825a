"""A recording inserts rows into these tables, and so an entry into each of their indexes. None of them
keeps an index that no query needs: one whose columns lead another index, or one in pattern order
(PostgreSQL's twin of a text index, for LIKE) on a column nothing reads by prefix (issue 10)."""

from dataclasses import dataclass

import pytest
from django.db import connection

from daftari.ledger.models import Commitment, Leaf
from daftari.notifications.models import SmsMessage
from daftari.occurrences.models import Occurrence, Party, Person
from daftari.stations.models import AccessEvent

pytestmark = pytest.mark.django_db

RECORDING_WRITES = [Occurrence, Party, Person, AccessEvent, Leaf, Commitment, SmsMessage]

# The columns the code reads by prefix (``event_key__startswith`` in custody/queries.py and the erasures).
READ_BY_PREFIX = {(SmsMessage._meta.db_table, "event_key")}

PATTERN_OPCLASSES = {"varchar_pattern_ops", "text_pattern_ops", "bpchar_pattern_ops"}


@dataclass(frozen=True)
class Index:
    table: str
    name: str
    keys: tuple[tuple[str, str], ...]  # (column, operator class); SQLite has no operator classes
    unique: bool
    partial: bool
    on_expressions: bool

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.keys)

    def led_by(self, other: "Index") -> bool:
        """True if ``other`` serves every read this one does: an index that enforces nothing and
        covers all rows, whose keys are the first keys of ``other`` (itself covering all rows)."""
        plain = not (self.unique or self.partial or self.on_expressions)
        whole = not (other.partial or other.on_expressions)
        return other is not self and plain and whole and other.keys[: len(self.keys)] == self.keys


def _postgresql_indexes(table: str) -> list[Index]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, x.indisunique, x.indpred IS NOT NULL, x.indexprs IS NOT NULL,"
            " array(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n)"
            "  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n),"
            " array(SELECT o.opcname FROM unnest(x.indclass::oid[]) WITH ORDINALITY c(oid, n)"
            "  JOIN pg_opclass o ON o.oid = c.oid ORDER BY c.n)"
            " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relname = %s AND pg_table_is_visible(t.oid)",
            [table],
        )
        return [
            Index(table, name, tuple(zip(columns, opclasses, strict=False)), unique, partial, expressions)
            for name, unique, partial, expressions, columns, opclasses in cursor.fetchall()
        ]


def _sqlite_indexes(table: str) -> list[Index]:
    indexes = []
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA index_list({table})")
        for _seq, name, unique, _origin, partial in cursor.fetchall():
            cursor.execute(f'PRAGMA index_info("{name}")')
            columns = [column for _n, _cid, column in sorted(cursor.fetchall())]
            keys = tuple((column, "") for column in columns if column is not None)
            indexes.append(Index(table, name, keys, bool(unique), bool(partial), None in columns))
    return indexes


def indexes_of(model: type) -> list[Index]:
    table = model._meta.db_table  # type: ignore[attr-defined]
    return _postgresql_indexes(table) if connection.vendor == "postgresql" else _sqlite_indexes(table)


def test_no_index_a_recording_writes_is_led_by_the_same_columns_as_another_index() -> None:
    covered = []
    for model in RECORDING_WRITES:
        indexes = indexes_of(model)
        covered += [(index.name, other.name) for index in indexes for other in indexes if index.led_by(other)]
    assert covered == [], covered


def test_the_indexes_are_read_as_the_database_keeps_them() -> None:
    # The test above passes on an empty answer too: it must see the indexes that are there.
    seen = {(index.columns, index.unique, index.partial) for index in indexes_of(Occurrence)}
    assert (("station_id", "ob_date", "ob_seq"), True, False) in seen  # one_ob_number_per_station_day
    assert (("station_id", "recorded_at"), False, False) in seen  # occ_station_recorded
    assert (("refers_to_id",), False, True) in seen  # occ_corrects_suspected_officer


if connection.vendor == "postgresql":
    # SQLite has no operator classes: its one index on a column serves equality and prefix alike.

    def test_only_a_column_read_by_prefix_has_an_index_in_pattern_order() -> None:
        in_pattern_order = {
            (index.table, column)
            for model in RECORDING_WRITES
            for index in indexes_of(model)
            for column, opclass in index.keys
            if opclass in PATTERN_OPCLASSES
        }
        assert in_pattern_order == READ_BY_PREFIX, in_pattern_order
