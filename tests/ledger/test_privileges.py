"""PostgreSQL: the application's role cannot rewrite the book, whatever the triggers say.

Defined only on PostgreSQL (SQLite has no roles; its guard is the triggers, tested elsewhere).
"""

import os

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_migrate

from daftari.core import db_roles
from daftari.ledger import keys
from daftari.ledger.models import Leaf
from daftari.ledger.services import leaf_for
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint

BOOK_TABLES = [
    "occurrences_occurrence",
    "occurrences_party",
    "occurrences_offence",
    "occurrences_propertyitem",
    "occurrences_vehicle",
    "ledger_leaf",
    "ledger_treenode",
    "ledger_checkpoint",
]


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


def role_name() -> str:
    # Roles belong to the whole cluster: a name of this run's own, created inside the test's
    # transaction, so parallel runs neither collide nor leave a role behind.
    return f"daftari_app_test_{os.getpid()}"


def as_role(role: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")


def refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(caught.value)


if connection.vendor == "postgresql":

    def test_the_app_role_may_not_update_delete_or_truncate_the_book(desk_officer: User, station: Station) -> None:
        record_occurrence(actor=desk_officer, station=station, draft=complaint())
        role = role_name()
        guarded = db_roles.ensure_app_role(connection, role)
        assert set(BOOK_TABLES) <= set(guarded)
        as_role(role)
        for table in BOOK_TABLES:
            assert "permission denied" in refused(f"UPDATE {table} SET id = id")  # noqa: S608 (names from the list above)
            assert "permission denied" in refused(f"DELETE FROM {table}")  # noqa: S608
            assert "permission denied" in refused(f"TRUNCATE {table}")

    def test_the_app_role_records_entries_and_appends_leaves(desk_officer: User, station: Station) -> None:
        role = role_name()
        db_roles.ensure_app_role(connection, role)
        as_role(role)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == role
        entries = [record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry for _ in range(2)]
        assert [leaf_for(str(e.pk)).index for e in entries] == [0, 1]  # type: ignore[union-attr]
        assert Leaf.objects.count() == 2

    def test_migrate_grants_the_configured_role(db: None, settings) -> None:  # type: ignore[no-untyped-def]
        settings.DAFTARI_APP_DB_ROLE = role_name()
        last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.send(sender=last, app_config=last, verbosity=0, interactive=False, using="default", plan=[])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT has_table_privilege(%s, 'occurrences_party', 'INSERT'),"
                " has_table_privilege(%s, 'occurrences_party', 'UPDATE'),"
                " has_table_privilege(%s, 'ledger_log', 'UPDATE')",
                [settings.DAFTARI_APP_DB_ROLE] * 3,
            )
            assert cursor.fetchone() == (True, False, True)
