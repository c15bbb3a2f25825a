from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "daftari.core"
    label = "core"
