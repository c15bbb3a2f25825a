from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_database_objects(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.refugees import database

    database.ensure(connections[using])


class RefugeesConfig(AppConfig):
    name = "daftari.refugees"
    label = "refugees"
    verbose_name = _("Refugee register")

    def ready(self) -> None:
        from daftari.core import demo as core_demo
        from daftari.ledger import records as ledger_records
        from daftari.refugees import demo, records

        post_migrate.connect(_ensure_database_objects, sender=self)
        core_demo.register("refugees", demo.register_demo_households)
        # `daftari ledger verify` re-reads each step and document against its leaf in the register's log.
        ledger_records.register(records.KIND_STATUS_STEP, records.stored_status_step)
        ledger_records.register(records.KIND_DOCUMENT, records.stored_document)
        ledger_records.register(records.KIND_DOCUMENT_EVENT, records.stored_document_event)
        # No eraser yet: `ledger redact` appends its redaction leaf to the hub's log for any log that
        # is not a station's, which would misplace it; erasing a register record waits for the ledger
        # to append the redaction to the redacted leaf's own log (a ledger change, not made here).
