"""``daftari hub enrol --station CODE``: a one-time code for a station node to join this hub;
``daftari hub hand-back --station CODE --reason TEXT``: the station's book comes back from its node."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from daftari.core.errors import DomainError
from daftari.nodes import handover, hub
from daftari.stations.models import Station


class Command(BaseCommand):
    help = "Operate the hub: enrol a station node, or take a station's book back from its node."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        enrol = actions.add_parser("enrol", help="Print a one-time enrolment code (valid 24 h) for a station node.")
        enrol.add_argument("--station", required=True, help="The station's code.")
        enrol.add_argument("--by", default="", help="Who asked for it (kept with the enrolment).")
        back = actions.add_parser(
            "hand-back",
            help="The station's book comes back to the hub; the node's pushes are refused from then on.",
        )
        back.add_argument("--station", required=True, help="The station's code.")
        back.add_argument("--reason", required=True, help="Why (the node retired, replaced, stolen...).")
        back.add_argument("--by", default="", help="Who ordered it (kept in the handover leaf).")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DAFTARI_ROLE != "hub":
            raise CommandError(_("This server runs as a station node; enrol nodes at the hub."))
        station = Station.objects.filter(code=options["station"]).first()
        if station is None:
            raise CommandError(_("No station has the code %(code)s.") % {"code": options["station"]})
        if options["action"] == "hand-back":
            self._hand_back(station, reason=options["reason"], by=options["by"])
            return
        node, code = hub.enrol(station=station, by=options["by"])
        expires = timezone.localtime(node.code_expires_at)
        self.stdout.write(
            _("Enrolment code for a node of %(station)s, valid once until %(expires)s. On the node run:")
            % {"station": station.code, "expires": f"{expires:%Y-%m-%d %H:%M}"}
        )
        self.stdout.write(f"  daftari node join --hub <this hub's address> --code {code}")
        self.stdout.write(code)

    def _hand_back(self, station: Station, *, reason: str, by: str) -> None:
        if not reason.strip():
            raise CommandError(_("Say why the book comes back, with --reason."))
        try:
            moved = handover.hand_back(station=station, by=by, reason=reason.strip())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            _(
                "The book of %(station)s is kept at the hub again; the hub holds %(size)d leaves of the "
                "node's book, and refuses whatever the node sends from now on."
            )
            % {"station": station.code, "size": moved.node_size}
        )
