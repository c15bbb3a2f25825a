"""Database guards that make recorded tables append-only.

The application never issues UPDATE or DELETE on a record, but a guard in the database
itself means a bug, a console session or a bribed clerk cannot either.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

PREFIX = "daftari_append_only"
MESSAGE = "daftari: recorded entries are append-only"


def _sqlite(table: str, columns: list[str]) -> list[str]:
    # An UPDATE that writes back the values already there changes nothing and is let through:
    # Django's test-data restore (serialized rollback) saves existing rows that way.
    unchanged = " AND ".join(f'old."{c}" IS new."{c}"' for c in columns) or "1"
    return [
        f"DROP TRIGGER IF EXISTS {PREFIX}_{table}_update",
        f"CREATE TRIGGER {PREFIX}_{table}_update BEFORE UPDATE ON {table} WHEN NOT ({unchanged}) "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {PREFIX}_{table}_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ]


def _postgresql(table: str) -> list[str]:
    return [
        f"CREATE OR REPLACE FUNCTION {PREFIX}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME "
        "USING ERRCODE = 'insufficient_privilege'; END $$",
        f"DROP TRIGGER IF EXISTS {PREFIX}_{table}_row ON {table}",
        f"DROP TRIGGER IF EXISTS {PREFIX}_{table}_update ON {table}",
        # As on SQLite, writing back identical values is no change and is let through.
        f"CREATE TRIGGER {PREFIX}_{table}_update BEFORE UPDATE ON {table} "
        f"FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION {PREFIX}_refuse()",
        f"DROP TRIGGER IF EXISTS {PREFIX}_{table}_delete ON {table}",
        f"CREATE TRIGGER {PREFIX}_{table}_delete BEFORE DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}_refuse()",
        f"DROP TRIGGER IF EXISTS {PREFIX}_{table}_truncate ON {table}",
        f"CREATE TRIGGER {PREFIX}_{table}_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_refuse()",
    ]


def guard_statements(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        return _sqlite(table, columns)
    if connection.vendor == "postgresql":
        return _postgresql(table)
    raise NotImplementedError(f"append-only guards are not written for {connection.vendor}")


def install(connection: BaseDatabaseWrapper, tables: list[str]) -> None:
    for table in tables:
        statements = guard_statements(connection, table)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def guarded_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{PREFIX}%"],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE %s",
                [f"{PREFIX}%"],
            )
        return sorted(row[0] for row in cursor.fetchall())


def uninstall(connection: BaseDatabaseWrapper, tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {PREFIX}_{table}_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {PREFIX}_{table}_delete")
            else:
                for suffix in ("row", "update", "delete", "truncate"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {PREFIX}_{table}_{suffix} ON {table}")
