"""Rows written and read by the recording path's SQL are the rows the ORM writes and reads."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from daftari.core import prepared
from daftari.occurrences.models import Person
from daftari.stations.models import AccessEvent, Station
from daftari.stations.services import access_events, log_access

AT = datetime(2026, 12, 6, 3, 15, 42, 123456, tzinfo=UTC)


def test_a_row_inserted_once_written_reads_back_as_the_orm_reads_it(db: None) -> None:
    person = Person(name="Achieng Otieno", id_number="12345678", phone="+254712345678", first_seen_at=AT)
    prepared.insert(person)
    stored = Person.objects.get(pk=person.pk)
    assert (stored.name, stored.id_number, stored.phone, stored.first_seen_at) == (
        "Achieng Otieno",
        "12345678",
        "+254712345678",
        AT,
    )
    assert not person._state.adding


def test_a_row_the_database_numbers_gets_its_number(desk_officer: User, station: Station) -> None:
    def logged(record_id: str) -> AccessEvent:
        return log_access(
            actor=desk_officer,
            record_type="occurrence",
            record_id=record_id,
            record_station=station,
            purpose=AccessEvent.Purpose.DESK_VIEW,
            outcome=AccessEvent.Outcome.SHOWN,
        )

    first, second = logged("x"), logged("y")
    assert first.pk is not None and second.pk is not None and first.pk != second.pk
    assert AccessEvent.objects.get(pk=second.pk).record_id == "y"


def test_rows_inserted_together_are_each_stored_and_numbered(desk_officer: User, station: Station) -> None:
    people = [Person(name=f"Person {i}", id_number=f"1000000{i}", first_seen_at=AT) for i in range(2)]
    [read] = access_events(
        actor=desk_officer,
        reads=[("occurrence", "z", station.pk, AccessEvent.Outcome.SHOWN)],
        purpose=AccessEvent.Purpose.RECORD,
        channel="api",
    )
    prepared.insert_all([*people, read])
    assert read.pk is not None and AccessEvent.objects.get(pk=read.pk).record_id == "z"
    assert sorted(Person.objects.values_list("id_number", flat=True)) == ["10000000", "10000001"]


def test_rows_inserted_together_one_of_whose_keys_is_taken_are_refused_all_together(db: None) -> None:
    person = Person(name="Achieng Otieno", id_number="12345678", first_seen_at=AT)
    prepared.insert(person)
    newcomer = Person(name="Juma Omondi", id_number="23456789", first_seen_at=AT)
    again = Person(id=person.pk, name="Someone else", first_seen_at=AT)
    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.insert_all([newcomer, again])
    assert list(Person.objects.values_list("name", flat=True)) == ["Achieng Otieno"]


def test_a_row_whose_key_is_taken_is_refused_as_save_would_be(db: None) -> None:
    person = Person(name="Achieng Otieno", id_number="12345678", first_seen_at=AT)
    prepared.insert(person)
    again = Person(id=person.pk, name="Someone else", first_seen_at=AT)
    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.insert(again)
    assert Person.objects.get(pk=person.pk).name == "Achieng Otieno"


def test_columns_turn_a_row_into_the_instance_the_orm_builds(db: None) -> None:
    person = Person.objects.create(name="Wanjiru Kamau", phone="+254722000000", first_seen_at=AT)
    columns = prepared.Columns(Person, "p")
    row = prepared.first(f"SELECT {columns.sql} FROM {prepared.table(Person)} p", [])  # noqa: S608
    assert row is not None
    read = columns.instance(row, 0)
    assert [getattr(read, f.attname) for f in Person._meta.concrete_fields] == [
        getattr(person, f.attname) for f in Person._meta.concrete_fields
    ]
    assert read.first_seen_at == AT and read.first_seen_at.tzinfo is not None


def test_statements_held_together_run_at_the_end_each_given_its_first_row(desk_officer: User, station: Station) -> None:
    [read] = access_events(
        actor=desk_officer,
        reads=[("occurrence", "held", station.pk, AccessEvent.Outcome.SHOWN)],
        purpose=AccessEvent.Purpose.RECORD,
        channel="api",
    )
    answers: list[object] = []
    person = Person(name="Wanjiru Kamau", id_number="20000001", first_seen_at=AT)
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), prepared.together():
        prepared.insert_all([person])
        prepared.send("SELECT COUNT(*) FROM occurrences_person", [], then=answers.append)
        prepared.insert_all([read])
        held = len(queries.captured_queries)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # On PostgreSQL nothing is sent until the end, then all at once; the count sees the row before it.
    assert held - 1 == (0 if connection.vendor == "postgresql" else 3), statements  # (the atomic's SAVEPOINT)
    assert len(statements) == (1 if connection.vendor == "postgresql" else 3), statements
    assert answers == [(1,)]
    assert read.pk is not None and AccessEvent.objects.get(pk=read.pk).record_id == "held"
    assert not person._state.adding and Person.objects.filter(id_number="20000001").exists()


def test_nothing_held_together_is_sent_when_the_block_fails(db: None) -> None:
    person = Person(name="Wanjiru Kamau", id_number="20000002", first_seen_at=AT)
    with pytest.raises(ValueError), transaction.atomic(), prepared.together():
        prepared.insert_all([person])
        raise ValueError("the caller gave up")
    assert not Person.objects.filter(id_number="20000002").exists()


def test_a_statement_in_a_transaction_already_marked_for_rollback_is_refused_as_the_orms_would_be(db: None) -> None:
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            prepared.rows(f"SELECT 1 FROM {prepared.table(Person)}", [])  # noqa: S608 - names only
        with pytest.raises(TransactionManagementError):
            Person.objects.exists()


def _samples(kind: type) -> list[object]:
    return {
        str: ["Juma Omondi", "", "O'Brien; DROP TABLE"],
        int: [0, 7, 2_147_483_000],
        bool: [True, False],
        uuid.UUID: [uuid.uuid4()],
        datetime: [AT, datetime(2026, 12, 6, 9, 0, tzinfo=timezone(timedelta(hours=3)))],
        type(None): [None],
    }[kind]


def _fields_stored_as_they_are() -> list[tuple[str, object]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            for kind in prepared._as_is(field, connection.vendor):
                for value in _samples(kind):
                    found.append((f"{model._meta.label}.{field.name}", value))
    return found


def test_every_value_written_as_it_is_is_the_value_djangos_own_save_would_write(db: None) -> None:
    checked = _fields_stored_as_they_are()
    # Text, numbers, flags and keys on both engines; identifiers and times too on PostgreSQL.
    assert len({label for label, _ in checked}) > 200
    for label, value in checked:
        model = apps.get_model(label.rsplit(".", 1)[0])
        field = model._meta.get_field(label.rsplit(".", 1)[1])
        obj = model()
        setattr(obj, field.attname, value)
        django_writes = field.get_db_prep_save(field.pre_save(obj, True), connection)
        [written] = prepared._values(obj, prepared.plan([field], connection.vendor))
        assert (written, type(written)) == (django_writes, type(django_writes)), label


def test_a_time_without_its_zone_is_written_as_django_writes_it_not_as_it_is(db: None) -> None:
    person = Person(name="Achieng Otieno", first_seen_at=datetime(2026, 12, 6, 9, 0))
    field = Person._meta.get_field("first_seen_at")
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        [written] = prepared._values(person, prepared.plan([field], connection.vendor))
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        assert written == field.get_db_prep_save(person.first_seen_at, connection)


def test_a_field_that_sets_itself_on_save_is_given_its_own_value_not_the_attribute(db: None) -> None:
    fields = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    assert fields, "no model has a field that sets itself"
    model, field = fields[0]
    obj = model()
    setattr(obj, field.attname, AT)
    [written] = prepared._values(obj, prepared.plan([field], connection.vendor))
    assert written != AT
    assert getattr(obj, field.attname) != AT
