"""``daftari hub enrol --station CODE``: a one-time code for a station node to join this hub."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from daftari.nodes import hub
from daftari.stations.models import Station


class Command(BaseCommand):
    help = "Operate the hub: enrol a station node."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        enrol = actions.add_parser("enrol", help="Print a one-time enrolment code (valid 24 h) for a station node.")
        enrol.add_argument("--station", required=True, help="The station's code.")
        enrol.add_argument("--by", default="", help="Who asked for it (kept with the enrolment).")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DAFTARI_ROLE != "hub":
            raise CommandError(_("This server runs as a station node; enrol nodes at the hub."))
        station = Station.objects.filter(code=options["station"]).first()
        if station is None:
            raise CommandError(_("No station has the code %(code)s.") % {"code": options["station"]})
        node, code = hub.enrol(station=station, by=options["by"])
        expires = timezone.localtime(node.code_expires_at)
        self.stdout.write(
            _("Enrolment code for a node of %(station)s, valid once until %(expires)s. On the node run:")
            % {"station": station.code, "expires": f"{expires:%Y-%m-%d %H:%M}"}
        )
        self.stdout.write(f"  daftari node join --hub <this hub's address> --code {code}")
        self.stdout.write(code)
