"""The append-only guards of the deployment records, (re)installed after every migrate like the book's."""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

APPEND_ONLY_TABLES = [
    "deployments_mission",
    "deployments_contingent",
    "deployments_candidate",
    "deployments_criterionresult",
    "deployments_vettingdecision",
    "deployments_trainingresult",
    "deployments_trainingcertificate",
    "deployments_candidatedocument",
    "deployments_certificationletter",
    "deployments_contingentletter",
    "deployments_allegation",
    "deployments_allegationevent",
    "deployments_tourrecord",
    "deployments_disciplinarymatter",
    "deployments_disciplinarystep",
]


def ensure(connection: BaseDatabaseWrapper) -> None:
    append_only.install(connection, APPEND_ONLY_TABLES)
