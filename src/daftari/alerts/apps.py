from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_database_objects(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.alerts import database

    database.ensure(connections[using])


class AlertsConfig(AppConfig):
    name = "daftari.alerts"
    label = "alerts"
    verbose_name = _("National alerts register")

    def ready(self) -> None:
        from daftari.alerts import demo, erasure, records
        from daftari.core import demo as core_demo
        from daftari.ledger import records as ledger_records

        post_migrate.connect(_ensure_database_objects, sender=self)
        core_demo.register("alerts", demo.issue_demo_alerts)
        # `daftari ledger verify --station hub` re-reads each alert against its leaf in the hub's log.
        ledger_records.register(records.KIND_ALERT, records.stored_alert)
        ledger_records.register(records.KIND_WITHDRAWAL, records.stored_withdrawal)
        ledger_records.register_erasure(records.KIND_ALERT, erasure.TABLES, erasure.erase)
        ledger_records.register_erasure(records.KIND_WITHDRAWAL, erasure.WITHDRAWAL_TABLES, erasure.erase_withdrawal)
