from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_database_objects(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.hubfeed import database

    database.ensure(connections[using])


class HubFeedConfig(AppConfig):
    name = "daftari.hubfeed"
    label = "hubfeed"
    verbose_name = _("Hub data for station nodes")

    def ready(self) -> None:
        from daftari.core import hub_copy, periodic
        from daftari.hubfeed import apply, erasure, publish
        from daftari.ledger import records as ledger_records

        post_migrate.connect(_ensure_database_objects, sender=self)
        periodic.register("hubfeed.publish", publish.publish_tick)
        # A station node's registers say how old their copy is (the refugee documents' states).
        hub_copy.register(apply.hub_data_as_of)
        # `daftari ledger verify --station hub` re-reads each published record against its leaf.
        for kind in publish.KINDS:
            ledger_records.register(kind, publish.stored_record)
        ledger_records.register_erasure("officer", erasure.TABLES, erasure.erase_officer)
