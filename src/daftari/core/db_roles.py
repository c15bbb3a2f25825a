"""PostgreSQL: the role the application connects as, which cannot rewrite the book.

Migrations run as the owner of the tables; after each ``migrate`` the owner (re)grants the
application role (``DAFTARI_APP_DB_ROLE``) SELECT and INSERT everywhere, UPDATE and DELETE only
where rows legitimately change (sessions, login attempts, token revocation, the ledger's log head,
the OB counters, job results, ...), and never UPDATE, DELETE or TRUNCATE on the records and leaves.
This is the first wall; the append-only triggers (core/append_only.py) are the second, and they
also stop the owner. A lawful erasure (``daftari ledger redact``) lifts the triggers, so it runs as
the owner, like a migration.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

# The tables of the book; any other table that carries the append-only guards is added to these.
GUARDED_TABLES = [
    "occurrences_occurrence",
    "occurrences_party",
    "occurrences_offence",
    "occurrences_propertyitem",
    "occurrences_vehicle",
    "ledger_leaf",
    "ledger_treenode",
    "ledger_checkpoint",
    "ledger_commitment",  # deleted only by a lawful erasure, which runs as the owner
    "ledger_redaction",
]
READ_ONLY_TABLES = ["django_migrations"]


def _tables(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return {row[0] for row in cursor.fetchall()}


def ensure_app_role(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """Creates ``role`` if missing (NOLOGIN: a deployment gives it LOGIN and a password) and sets its
    privileges on every table of the current schema. Returns the tables it may not change."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("database roles are managed on PostgreSQL only")
    q = connection.ops.quote_name
    existing = _tables(connection)
    guarded = sorted((set(GUARDED_TABLES) | set(append_only.guarded_tables(connection))) & existing)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
        if owner == role:
            raise ValueError(f"DAFTARI_APP_DB_ROLE {role!r} is the role migrations run as; it must be another role")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {q(role)} NOLOGIN")
        cursor.execute(f"GRANT CONNECT ON DATABASE {q(database)} TO {q(role)}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {q(schema)} TO {q(role)}")
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {q(schema)} FROM {q(role)}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {q(schema)} TO {q(role)}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q(schema)} TO {q(role)}")
        for table in guarded:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {q(table)} FROM {q(role)}")
        for table in sorted(set(READ_ONLY_TABLES) & existing):
            cursor.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {q(table)} FROM {q(role)}")
    return guarded
