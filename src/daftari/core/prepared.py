"""Queries of the recording path written once as SQL, instead of compiled by the ORM on every request.

On that path compiling a queryset cost more Python time than running it (a profile of one
recording: about 30% of the time went to compiling SQL). The SQL here is plain and the same on
both engines; ``Columns`` names a model's columns in it and turns a row back into the instance
the ORM would have built (each field's converters of the engine applied).

On PostgreSQL these statements are prepared on the server, once per connection, and their values
bound there; statements sent together go in one pipeline (one round trip). A profile of the server
under the recording benchmark had 45% of its time in parsing, analysing and planning the same few
statements again, each with its values written into the text (which cost the client 8% of its time).
"""

import contextlib
import functools
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, models

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    return quoted(model._meta.db_table)


def column(model: type[models.Model], field: str) -> str:
    name = model._meta.get_field(field).column  # type: ignore[union-attr]
    assert name is not None, field
    return quoted(name)


@functools.cache
def _vendor() -> str:
    # The default database's engine is read from the settings once, at start: it never changes.
    # (Through the ``connection`` proxy each look costs a look-up in a thread's locals, 30 a recording.)
    return connections[DEFAULT_DB_ALIAS].vendor


def when(value: datetime) -> Any:
    """A time as a query parameter, as the engine stores it (SQLite: text in UTC)."""
    return connection.ops.adapt_datetimefield_value(value)


class Columns:
    """Every column of ``model`` under the table alias ``alias``: for a SELECT list, and back to instances."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = tuple(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self._pk = self.names.index(model._meta.pk.attname)
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}

    @property
    def sql(self) -> str:
        return ", ".join(f"{self.alias}.{quoted(f.column)}" for f in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def _converters_here(self) -> list[tuple[int, list[Converter], Any]]:
        vendor = _vendor()
        if vendor not in self._converters:
            found = []
            for i, field in enumerate(self.fields):
                expression = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
                if converters:
                    found.append((i, converters, expression))
            self._converters[vendor] = found
        return self._converters[vendor]

    def instance(self, row: Sequence[Any], start: int) -> Any:
        """The instance in ``row`` from position ``start`` on; None when a LEFT JOIN found none (no primary key)."""
        values = list(row[start : start + len(self.fields)])
        converting = self._converters_here()
        if converting:
            db = connections[DEFAULT_DB_ALIAS]
            for i, converters, expression in converting:
                for convert in converters:
                    values[i] = convert(values[i], expression, db)
        if values[self._pk] is None:
            return None
        return self.model.from_db(DEFAULT_DB_ALIAS, self.names, values)


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    if _vendor() == "postgresql":
        [prepared] = _on_server([(sql, params)])
        return list(prepared.fetchall())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def first(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    found = rows(sql, params)
    return found[0] if found else None


def _on_server(statements: Sequence[tuple[str, Sequence[Any]]]) -> list[psycopg.Cursor[Any]]:
    """Runs each statement prepared on the server (PostgreSQL), all in one round trip; their cursors.

    The connection is checked as Django checks it before a query (healthy, this thread's, its
    transaction not broken); errors come out as Django's, and each round trip is logged where
    Django logs queries.
    """
    db = connections[DEFAULT_DB_ALIAS]
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    raw: psycopg.Connection[Any] = db.connection
    cursors: list[psycopg.Cursor[Any]] = [psycopg.Cursor(raw) for _ in statements]
    started = time.monotonic()
    with db.wrap_database_errors:
        if len(statements) == 1:
            cursors[0].execute(statements[0][0], statements[0][1], prepare=True)
        else:
            with raw.pipeline():
                for cursor, (sql, params) in zip(cursors, statements, strict=True):
                    cursor.execute(sql, params, prepare=True)
    if db.queries_logged:
        compose = db.ops.compose_sql  # type: ignore[attr-defined] # PostgreSQL's operations
        text = "; ".join(compose(sql, params) for sql, params in statements)
        db.queries_log.append({"sql": text, "time": f"{time.monotonic() - started:.3f}"})
    return cursors


class Query(NamedTuple):
    sql: str
    params: Sequence[Any]


def all_rows(queries: Sequence[Query]) -> list[list[tuple[Any, ...]]]:
    """Every row of each query, in order; on PostgreSQL in one round trip, as ``insert_all`` sends its rows."""
    if _vendor() != "postgresql":
        return [rows(query.sql, query.params) for query in queries]
    if not queries:
        return []
    return [list(cursor.fetchall()) for cursor in _on_server(queries)]


def firsts(queries: Sequence[Query]) -> list[tuple[Any, ...] | None]:
    """The first row of each query (None when it finds none), in order; on PostgreSQL in one round trip."""
    return [found[0] if found else None for found in all_rows(queries)]


@functools.cache
def _insert_sql(model: type[models.Model], vendor: str) -> tuple[str, "Plan", Any]:
    """The INSERT of one ``model`` row, its fields' plan in order, and the field the database numbers (if any)."""
    numbered = (f for f in model._meta.concrete_fields if f.primary_key and getattr(f, "db_returning", False))
    returning = next(numbered, None)
    fields = tuple(f for f in model._meta.local_concrete_fields if f is not returning)
    sql = (
        f"INSERT INTO {table(model)} ({', '.join(quoted(f.column) for f in fields)})"  # noqa: S608 - names only
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if returning is not None and connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {quoted(returning.column)}"
    return sql, plan(fields, vendor), returning


def _values(obj: models.Model, fields: "Plan") -> list[Any]:
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: each field asks it several things
    values = []
    for field, attname, as_is, wrap in fields:
        if as_is:
            value = getattr(obj, attname)
            kind = type(value)
            # (A naive time goes through Django, which warns of it and makes it aware.)
            if kind in as_is and (kind is not datetime or value.utcoffset() is not None):
                values.append(value if wrap is None or value is None else wrap(value))
                continue
        values.append(field.get_db_prep_save(field.pre_save(obj, True), db))
    return values


_NONE = type(None)
# Field classes (exactly these: a subclass may convert) whose stored value is the attribute itself
# when it is of one of these types: Django's pre_save and get_db_prep_save give it back unchanged
# (to_python gives a str or None back, bool() a bool). These two calls for each field of each row
# were a tenth of a worker's time on the recording path.
_AS_IS: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: (str, _NONE),
    models.TextField: (str, _NONE),
    models.BooleanField: (bool, _NONE),
}
_INTEGERS: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.IntegerField: (int, _NONE),
    models.PositiveIntegerField: (int, _NONE),
    models.PositiveSmallIntegerField: (int, _NONE),
    models.SmallIntegerField: (int, _NONE),
    models.BigIntegerField: (int, _NONE),
}
# An automatic key's value (a foreign key's, mostly) is int() of itself on both engines.
_KEYS: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.AutoField: (int, _NONE),
    models.BigAutoField: (int, _NONE),
    models.SmallAutoField: (int, _NONE),
}
# PostgreSQL takes identifiers and times as they are (SQLite is given text); Django gives it each
# other integer in a wrapper of its column's size (``wrap``), so that the types a statement is
# prepared for hold.
_AS_IS_ON_POSTGRESQL: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    **_AS_IS,
    **_INTEGERS,
    **_KEYS,
    models.UUIDField: (uuid.UUID, _NONE),
    models.DateTimeField: (datetime, _NONE),
}
_AS_IS_ON_SQLITE: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {**_AS_IS, **_INTEGERS, **_KEYS}


class Column(NamedTuple):
    field: Any
    attname: str
    as_is: tuple[type, ...]  # the types of value stored as they are (none: ask Django)
    wrap: Callable[[Any], Any] | None  # what such a value (but None) is given to the engine in


Plan = tuple[Column, ...]


def plan(fields: Sequence[Any], vendor: str) -> Plan:
    """How each field's value is written (made once for each model, with its INSERT)."""
    return tuple(Column(field, field.attname, _as_is(field, vendor), _wrap(field, vendor)) for field in fields)


def _wrap(field: Any, vendor: str) -> Callable[[Any], Any] | None:
    if isinstance(field, models.ForeignKey):
        return _wrap(field.target_field, vendor)
    sized = getattr(connections[DEFAULT_DB_ALIAS].ops, "integerfield_type_map", {}) if vendor == "postgresql" else {}
    return sized.get(field.get_internal_type()) if type(field) in _INTEGERS else None


def _as_is(field: Any, vendor: str) -> tuple[type, ...]:
    if isinstance(field, models.ForeignKey):
        # A key's value is its target's (None stays None; an empty string is a value for text keys).
        return _as_is(field.target_field, vendor) if type(field) is models.ForeignKey else ()
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return ()  # pre_save gives the time now, not the attribute
    same = _AS_IS_ON_POSTGRESQL if vendor == "postgresql" else _AS_IS_ON_SQLITE if vendor == "sqlite" else {}
    return same.get(type(field), ())


def _stored(obj: models.Model) -> None:
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS


def insert(obj: models.Model) -> None:
    """Stores the new ``obj`` as ``obj.save(force_insert=True)`` would, its INSERT written once per model.

    For the plain append-only rows of the recording path: no parents, no signals are sent.
    """
    sql, fields, returning = _insert_sql(type(obj), _vendor())
    if _vendor() == "postgresql":
        _send([_Statement(sql, _values(obj, fields), functools.partial(_inserted, obj, returning))])
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(obj, fields))
        if returning is not None:
            numbered = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
            setattr(obj, returning.attname, numbered)
    _stored(obj)


class Counted(NamedTuple):
    """A column of a row whose value a statement run with its INSERT gives (PostgreSQL).

    ``counter`` is a statement returning one value (an upsert of a counter ``... RETURNING n``):
    it runs as a CTE of the rows' INSERT, which stores that value in ``field`` and reads it back.
    """

    field: str
    counter: str
    params: Sequence[Any]


@functools.cache
def _rows_sql(
    models_: tuple[type[models.Model], ...], counted_at: int | None, counted_field: str, counter: str, vendor: str
) -> tuple[str, tuple[Plan, ...], tuple[tuple[int, Any], ...]]:
    """One statement storing a row of each model in turn (PostgreSQL), each row's INSERT a CTE of it;
    each row's plan, and (row, field) for each value the statement returns, in order.

    Several INSERTs in one statement cost the client and the server about half what as many
    statements in one pipeline do. The rows' foreign keys are checked at the commit (Django
    makes them deferred), so a row may name another of the same statement.
    """
    ctes = [f"counted(n) AS ({counter})"] if counted_at is not None else []
    plans, returned, selected = [], [], []
    for i, model in enumerate(models_):
        sql, plan, returning = _insert_sql(model, vendor)
        if i == counted_at:
            assert returning is None, "a counted row has a key of its own"
            returning = model._meta.get_field(counted_field)
            values = ", ".join("(SELECT n FROM counted)" if c.field is returning else "%s" for c in plan)
            names = ", ".join(quoted(c.field.column) for c in plan)
            sql = (
                f"INSERT INTO {table(model)} ({names}) VALUES ({values})"  # noqa: S608 - names only
                f" RETURNING {column(model, counted_field)}"
            )
            plan = tuple(c for c in plan if c.field is not returning)
        ctes.append(f"row{i} AS ({sql})")
        plans.append(plan)
        if returning is not None:
            returned.append((i, returning))
            selected.append(f"(SELECT {quoted(returning.column)} FROM row{i})")  # noqa: S608 - names only
    statement = f"WITH {', '.join(ctes)} SELECT {', '.join(selected) or 'NULL'}"
    return statement, tuple(plans), tuple(returned)


def insert_all(objs: Sequence[models.Model], *, counted: Counted | None = None, counted_at: int = 0) -> None:
    """Stores new rows as ``insert`` would each, in order; on PostgreSQL in one statement.

    (SQLite has no round trip to save.)
    ``counted`` (PostgreSQL only): the ``counted.field`` of the row at ``counted_at`` is the value
    its counter statement returns, taken in the same statement.
    Inside ``together`` the statement is sent at its end, with the statements held there.
    """
    if _vendor() != "postgresql" or (len(objs) < 2 and counted is None and _held.statements is None):
        assert counted is None, "a counted insert is for PostgreSQL"
        for obj in objs:
            insert(obj)
        return
    if len(objs) == 1 and counted is None:
        sql, fields, returning = _insert_sql(type(objs[0]), _vendor())
        _hold(_Statement(sql, _values(objs[0], fields), functools.partial(_inserted, objs[0], returning)))
        return
    sql, plans, returned = _rows_sql(
        tuple(type(obj) for obj in objs),
        counted_at if counted is not None else None,
        counted.field if counted is not None else "",
        counted.counter if counted is not None else "",
        _vendor(),
    )
    params = list(counted.params) if counted is not None else []
    for obj, plan_ in zip(objs, plans, strict=True):
        params.extend(_values(obj, plan_))
    _hold(_Statement(sql, params, functools.partial(_all_inserted, objs, returned)))


def _all_inserted(objs: Sequence[models.Model], returned: tuple[tuple[int, Any], ...], row: Any) -> None:
    for value, (i, field) in zip(row, returned, strict=False):
        setattr(objs[i], field.attname, value)
    for obj in objs:
        _stored(obj)


def _inserted(obj: models.Model, returning: Any, row: tuple[Any, ...] | None) -> None:
    if returning is not None:
        assert row is not None
        setattr(obj, returning.attname, row[0])
    _stored(obj)


class _Statement(NamedTuple):
    sql: str
    params: Sequence[Any]
    then: Callable[[tuple[Any, ...] | None], object] | None  # given the first row it returns (None: none)


class _Held(threading.local):
    statements: list[_Statement] | None = None


_held = _Held()


@contextlib.contextmanager
def together() -> Iterator[None]:
    """The statements given to ``send`` (and the rows to ``insert_all``) inside are sent at its end,
    on PostgreSQL all in one round trip; then each one's first row goes to its ``then``.

    For statements of one transaction, none of which needs another's answer before it is sent (the
    recording's ledger leaf and its SMS, once the entry has its number). Elsewhere, and on SQLite,
    each statement runs when it is given.
    """
    if _vendor() != "postgresql" or _held.statements is not None:
        yield
        return
    _held.statements = []
    try:
        yield
        statements = _held.statements
    finally:
        _held.statements = None
    if statements:
        _send(statements)


def send(sql: str, params: Sequence[Any], then: Callable[[tuple[Any, ...] | None], object] | None = None) -> None:
    """Runs one statement and gives its first row (None: none) to ``then``; inside ``together``, at its end."""
    _hold(_Statement(sql, params, then))


def _hold(statement: _Statement) -> None:
    if _held.statements is not None:
        _held.statements.append(statement)
    else:
        _send([statement])


def _send(statements: list[_Statement]) -> None:
    if _vendor() != "postgresql":
        for statement in statements:
            with connection.cursor() as cursor:
                cursor.execute(statement.sql, statement.params)
                answer = cursor.fetchone() if cursor.description is not None else None
            if statement.then is not None:
                statement.then(answer)
        return
    cursors = _on_server([(s.sql, s.params) for s in statements])
    for statement, prepared in zip(statements, cursors, strict=True):
        if statement.then is not None:
            statement.then(prepared.fetchone() if prepared.description is not None else None)
