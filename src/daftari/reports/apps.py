from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "daftari.reports"
    label = "reports"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from daftari.core import periodic
        from daftari.reports import rollup

        # Figures follow the book within a minute, outside the recording transaction.
        periodic.register("reports.crime_rollup", rollup.catch_up)
