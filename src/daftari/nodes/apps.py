from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# What the hub mirrored, accepted and refused is evidence: never changed, never deleted.
APPEND_ONLY_TABLES = [
    "nodes_mirroredleaf",
    "nodes_acceptedcheckpoint",
    "nodes_refusal",
    "nodes_cosignature",
    "nodes_handover",
]


def _ensure_guards(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from daftari.core import append_only

    append_only.install(connections[using], APPEND_ONLY_TABLES)


class NodesConfig(AppConfig):
    name = "daftari.nodes"
    label = "nodes"
    verbose_name = _("Station nodes and the hub")

    def ready(self) -> None:
        from django.conf import settings

        from daftari.core import periodic
        from daftari.custody import other_registers
        from daftari.ledger import records as ledger_records
        from daftari.nodes import figures, handover, mirror, public_status, tasks
        from daftari.occurrences import casework, other_books, search

        post_migrate.connect(_ensure_guards, sender=self)
        ledger_records.register(handover.KIND_HANDOVER, handover.stored_handover)
        # National search reads the books mirrored from nodes too (a no-op on a node).
        search.also_search(mirror.found_in_mirror)
        # "Check my report" answers for entries recorded at a node too, once they reached the hub.
        casework.also_find_cases(public_status.case_in_mirror)
        if settings.DAFTARI_ROLE == "hub":
            # National search over the mirrored books: what was accepted since the last run.
            periodic.register("nodes.index_mirrored", mirror.index_new)
            # The figures count the node stations' entries too: a recount from scratch reads them here.
            other_books.provide(mirror.every_mirrored_entry)
            # ... and their custody and follow-up figures, a station-day's rows read from the mirrored books.
            other_registers.provide(figures.custody_rows)
            other_registers.provide_ended(figures.hub_bookings_ended_here)
            other_books.provide_reports(figures.reports)
            other_books.provide_updates(figures.updates_of_hub_reports)
            # Vetting finds the officers suspected in node stations' entries, and opens them as evidence;
            # the refugee register's figures place node stations' incidents by their parties.
            other_books.provide_officer_suspected(mirror.officer_suspected_entries)
            other_books.provide_entry(mirror.mirrored_entry_with_corrections)
            other_books.provide_naming_ids(mirror.entries_naming_ids)
            # ... and the deaths and serious injuries in custody of node stations, their cell registers and books.
            other_registers.provide_harms(figures.custody_harms)
            other_books.provide_deaths_in_custody(mirror.death_in_custody_entries)
        if settings.DAFTARI_ROLE == "node":
            periodic.register_loop("nodes.sync", tasks.sync_loop)
