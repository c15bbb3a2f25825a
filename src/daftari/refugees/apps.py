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
        from daftari.core import identity
        from daftari.ledger import records as ledger_records
        from daftari.refugees import demo, erasure, queries, records, rules

        post_migrate.connect(_ensure_database_objects, sender=self)
        # The OB desk's person hint tells the officer a refugee document's state in the register.
        identity.register(queries.identity_note)
        # The cells know an asylum seeker or refugee by a register document given as identity.
        identity.register_refugee_document(rules.office_of_number)
        core_demo.register("refugees", demo.register_demo_households)
        # `daftari ledger verify` re-reads each step and document against its leaf in the register's log.
        ledger_records.register(records.KIND_STATUS_STEP, records.stored_status_step)
        ledger_records.register(records.KIND_DOCUMENT, records.stored_document)
        ledger_records.register(records.KIND_DOCUMENT_EVENT, records.stored_document_event)
        ledger_records.register(records.KIND_HOUSEHOLD_CHANGE, records.stored_household_change)
        ledger_records.register(records.KIND_CORRECTION_CASE, records.stored_correction_case)
        ledger_records.register(records.KIND_CORRECTION_DECISION, records.stored_correction_decision)
        # `daftari ledger redact`: the redaction leaf goes into the register's own log (refugees/erasure.py).
        # Erasing a registration also blanks the person's merges, splits and cases: their leaves go with it.
        ledger_records.register_erasure(
            records.KIND_STATUS_STEP, erasure.STEP_TABLES, erasure.erase_step, also=erasure.followers_of_step
        )
        ledger_records.register_erasure(records.KIND_DOCUMENT, erasure.DOCUMENT_TABLES, erasure.erase_document)
        ledger_records.register_erasure(records.KIND_DOCUMENT_EVENT, erasure.EVENT_TABLES, erasure.erase_event)
        ledger_records.register_erasure(records.KIND_HOUSEHOLD_CHANGE, erasure.CHANGE_TABLES, erasure.erase_change)
        ledger_records.register_erasure(records.KIND_CORRECTION_CASE, erasure.CASE_TABLES, erasure.erase_case)
        ledger_records.register_erasure(
            records.KIND_CORRECTION_DECISION, erasure.DECISION_TABLES, erasure.erase_decision
        )
