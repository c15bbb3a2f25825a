from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate


def _grant_app_role(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After the last app's post_migrate (every table and guard in place), grant the app's DB role."""
    role = settings.DAFTARI_APP_DB_ROLE
    connection = connections[using]
    if not role or connection.vendor != "postgresql":
        return
    # post_migrate is sent once per app that has models; the last of them comes after every guard.
    if sender is not [config for config in apps.get_app_configs() if config.models_module is not None][-1]:
        return
    from daftari.core import db_roles

    db_roles.ensure_app_role(connection, role)


class CoreConfig(AppConfig):
    name = "daftari.core"
    label = "core"

    def ready(self) -> None:
        post_migrate.connect(_grant_app_role)
