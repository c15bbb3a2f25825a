from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_database_objects(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.documents import database

    database.ensure(connections[using])


class DocumentsConfig(AppConfig):
    name = "daftari.documents"
    label = "documents"
    verbose_name = _("Abstracts, P3 forms and extracts")

    def ready(self) -> None:
        from daftari.documents import erasure, records, services
        from daftari.ledger import records as ledger_records

        post_migrate.connect(_ensure_database_objects, sender=self)
        ledger_records.register(records.KIND_DOCUMENT, records.stored_document)
        ledger_records.register(records.KIND_REVOCATION, records.stored_revocation)
        ledger_records.register_erasure(records.KIND_DOCUMENT, erasure.DOCUMENT_TABLES, erasure.erase)
        ledger_records.register_erasure(records.KIND_REVOCATION, erasure.REVOCATION_TABLES, erasure.erase_revocation)
        # Abstract fees ("AB..." references) paid by M-Pesa issue the abstract on confirmation.
        services.register_payment_handler()
