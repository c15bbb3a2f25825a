from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_database_objects(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.deployments import database

    database.ensure(connections[using])


class DeploymentsConfig(AppConfig):
    name = "daftari.deployments"
    label = "deployments"
    verbose_name = _("Deployments abroad")

    def ready(self) -> None:
        from daftari.core import demo as core_demo
        from daftari.core import periodic
        from daftari.deployments import alerts, demo, erasure, records
        from daftari.ledger import records as ledger_records

        post_migrate.connect(_ensure_database_objects, sender=self)
        core_demo.register("deployments", demo.register_demo_deployments)
        # An officer whose document lapses before departure or during the deployment is told by SMS, once.
        periodic.register("deployments.document_alerts", alerts.send_document_alerts)
        # `daftari ledger verify` re-reads each certification letter against its leaf in the deployments' log.
        ledger_records.register(records.KIND_LETTER, records.stored_letter)
        ledger_records.register_erasure(records.KIND_LETTER, erasure.LETTER_TABLES, erasure.erase_letter)
        ledger_records.register(records.KIND_CONTINGENT_LETTER, records.stored_contingent_letter)
        ledger_records.register_erasure(
            records.KIND_CONTINGENT_LETTER, erasure.CONTINGENT_LETTER_TABLES, erasure.erase_contingent_letter
        )
