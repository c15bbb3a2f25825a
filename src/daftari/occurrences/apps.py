from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_database_objects(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.occurrences import database

    database.ensure(connections[using])


def _ensure_case_guards(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.occurrences import casework

    casework.ensure_guards(connections[using])


class OccurrencesConfig(AppConfig):
    name = "daftari.occurrences"
    label = "occurrences"
    verbose_name = _("Occurrence Book")

    def ready(self) -> None:
        from daftari.alerts import queries as alert_queries
        from daftari.ledger import records as ledger_records
        from daftari.occurrences import erasure, queries, records

        post_migrate.connect(_ensure_database_objects, sender=self)
        alert_queries.register_earlier_entries(queries.entries_naming)
        ledger_records.register(records.KIND_OCCURRENCE, records.stored_record)
        ledger_records.register(records.KIND_AMENDMENT, records.stored_record)
        ledger_records.register_erasure(records.KIND_OCCURRENCE, erasure.TABLES, erasure.erase)
        ledger_records.register_erasure(records.KIND_AMENDMENT, erasure.TABLES, erasure.erase)
        from daftari.occurrences import casework

        post_migrate.connect(_ensure_case_guards, sender=self)
        ledger_records.register(casework.KIND_CASE_UPDATE, casework.stored_record)
        ledger_records.register_erasure(casework.KIND_CASE_UPDATE, casework.APPEND_ONLY_TABLES, casework.erase_update)
