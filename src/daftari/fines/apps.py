from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_database_objects(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.fines import database

    database.ensure(connections[using])


class FinesConfig(AppConfig):
    name = "daftari.fines"
    label = "fines"
    verbose_name = _("Instant fines")

    def ready(self) -> None:
        from daftari.core import periodic
        from daftari.fines import erasure, records, services
        from daftari.ledger import records as ledger_records

        post_migrate.connect(_ensure_database_objects, sender=self)
        ledger_records.register(records.KIND_NOTICE, records.stored_record)
        ledger_records.register(records.KIND_PAYMENT, records.stored_record)
        ledger_records.register_erasure(records.KIND_NOTICE, erasure.NOTICE_TABLES, erasure.erase)
        ledger_records.register_erasure(records.KIND_PAYMENT, erasure.PAYMENT_TABLES, erasure.erase_payment)
        # Reminders at the deadline, a Notice to Attend Court later; each notice once per step.
        periodic.register("fines.overdue", services.escalate_overdue_now)
        services.register_payment_handler()
        from daftari.core import demo
        from daftari.fines import demo as fines_demo

        demo.register("fines", fines_demo.issue_demo_notices)
