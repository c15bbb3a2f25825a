"""The append-only guards of the refugee register, (re)installed after every migrate like the book's."""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

APPEND_ONLY_TABLES = [
    "refugees_household",
    "refugees_person",
    "refugees_personnameword",
    "refugees_membership",
    "refugees_statusstep",
    "refugees_refugeedocument",
    "refugees_documentevent",
    "refugees_documentcode",
    "refugees_householdchange",
    "refugees_householdchangemove",
    "refugees_correctioncase",
    "refugees_correctiondecision",
    "refugees_dedupepass",
    "refugees_matchproposal",
    "refugees_documentcopy",
]


def ensure(connection: BaseDatabaseWrapper) -> None:
    append_only.install(connection, APPEND_ONLY_TABLES)
