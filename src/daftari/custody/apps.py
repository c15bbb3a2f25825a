from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_database_objects(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.custody import database

    database.ensure(connections[using])


class CustodyConfig(AppConfig):
    name = "daftari.custody"
    label = "custody"
    verbose_name = _("Cell register")

    def ready(self) -> None:
        from daftari.core import periodic
        from daftari.custody import alerts, erasure, records
        from daftari.ledger import records as ledger_records

        post_migrate.connect(_ensure_database_objects, sender=self)
        ledger_records.register(records.KIND_CUSTODY, records.stored_record)
        ledger_records.register_erasure(records.KIND_CUSTODY, erasure.TABLES, erasure.erase)
        # The OCS is told 4 h before each Art. 49 deadline and at breach; claims make ticks idempotent.
        periodic.register("custody.alerts", alerts.send_due_alerts)
        from daftari.core import demo
        from daftari.custody import demo as custody_demo

        demo.register("cells", custody_demo.book_in_demo_detainee)
        # Into the cells and out of them is one path, whichever screen it starts from.
        from daftari.custody import day_close, services
        from daftari.occurrences.queries import register_book_figures
        from daftari.occurrences.services import hand_over

        hand_over("CELLS", services.book_in_from_line)
        hand_over("RELEASE_BAIL", services.release_from_line)
        hand_over("DAILY_CLOSE", day_close.close_day_from_line)
        # The day close's form shows the book's figures for the officer to confirm or explain.
        register_book_figures("DAILY_CLOSE", day_close.book_figures)
