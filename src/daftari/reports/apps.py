from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "daftari.reports"
    label = "reports"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from daftari.core import demo, periodic
        from daftari.custody import other_registers
        from daftari.occurrences import other_books
        from daftari.refugees import queries as refugee_queries
        from daftari.reports import custody_rollup, follow_up_rollup, refugee_incidents, rollup

        # Figures follow the book and the cell register within a minute, outside the recording transaction.
        periodic.register("reports.crime_rollup", rollup.catch_up)
        periodic.register("reports.custody_rollup", custody_rollup.catch_up)
        periodic.register("reports.follow_up_rollup", follow_up_rollup.catch_up)
        # The refugee register's figures count OB incidents involving refugees and hosts from the tally.
        refugee_queries.register_incident_counter(refugee_incidents.incident_counts)
        # At the hub, the node stations' entries count as the mirror indexes them.
        other_books.on_arrival(rollup.count_arrivals)
        # ... and their custody and follow-up figures, the station-days indexing touched recounted whole.
        other_registers.on_touched(custody_rollup.count_touched)
        other_books.on_reports_touched(follow_up_rollup.count_touched)
        # The demo's figures count at once, before the worker's first round.
        demo.register("figures", lambda stations, users, now: rollup.catch_up())
        demo.register("figures, custody", lambda stations, users, now: custody_rollup.catch_up())
        demo.register("figures, follow-up", lambda stations, users, now: follow_up_rollup.catch_up())
