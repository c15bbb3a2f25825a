"""``daftari node join --hub URL --code CODE`` and ``daftari node sync`` (exit 0 up to date,
1 when the hub refused something, 2 when the hub cannot be reached)."""

import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from daftari.core.errors import DomainError
from daftari.nodes import node
from daftari.nodes.rules import SyncOutcome


class Command(BaseCommand):
    help = "Operate a station node: join a hub, push the book to it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        join = actions.add_parser("join", help="Make the node key, register it with the hub, pull the station.")
        join.add_argument("--hub", default="", help="The hub's address (default DAFTARI_HUB_URL).")
        join.add_argument("--code", required=True, help="The one-time code from daftari hub enrol.")
        actions.add_parser("sync", help="Push what the hub does not hold yet; exit 0, 1 refused, 2 unreachable.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(**options)

    def _join(self, *, hub: str, code: str, **_options: Any) -> None:
        hub_url = hub or settings.DAFTARI_HUB_URL
        if not hub_url:
            raise CommandError(_("Give the hub's address with --hub or DAFTARI_HUB_URL."))
        call_command("migrate", verbosity=0)  # a fresh node: join is its first command
        try:
            joined = node.join(hub_url=hub_url, code=code)
        except node.HubUnreachable as exc:
            self.stderr.write(exc.message)
            sys.exit(SyncOutcome.UNREACHABLE)
        except DomainError as exc:
            messages = [exc.message, *(f"{field}: {text}" for field, text in exc.fields.items())]
            raise CommandError("\n".join(messages)) from None
        officers = joined.station.officers.count()
        self.stdout.write(
            _("Joined %(hub)s as the node of %(station)s; %(officers)d officer(s) can sign in here.")
            % {"hub": joined.hub_url, "station": joined.station.code, "officers": officers}
        )

    def _sync(self, **_options: Any) -> None:
        try:
            result = node.sync()
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if result.outcome == SyncOutcome.UP_TO_DATE:
            self.stdout.write(
                _("Sent %(sent)d leaves; %(pending)d waiting.") % {"sent": result.sent, "pending": result.pending}
            )
        else:
            self.stderr.write(result.message)
            sys.exit(result.outcome)
