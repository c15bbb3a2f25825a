from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

APPEND_ONLY_TABLES = ["ledger_leaf", "ledger_treenode", "ledger_checkpoint", "ledger_redaction"]


def _ensure_guards(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.core import append_only

    append_only.install(connections[using], APPEND_ONLY_TABLES)


class LedgerConfig(AppConfig):
    name = "daftari.ledger"
    label = "ledger"
    verbose_name = _("Signed book (ledger)")

    def ready(self) -> None:
        from daftari.core import periodic
        from daftari.ledger import records, redaction, services

        post_migrate.connect(_ensure_guards, sender=self)
        records.register(redaction.KIND_REDACTION, redaction.stored_redaction)
        periodic.register("ledger.checkpoints", services.checkpoint_tick)
