"""``daftari createofficer``: registers an officer with a login, a station and roles."""

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from daftari.core.errors import InvalidInput
from daftari.stations.models import Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer


class Command(BaseCommand):
    help = "Register an officer: login, service number, rank, station and roles."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--service-number", required=True)
        parser.add_argument(
            "--rank",
            required=True,
            type=str.upper,
            choices=Officer.Rank.values,
            help=", ".join(f"{value} = {label}" for value, label in Officer.Rank.choices),
        )
        parser.add_argument("--station", default="", help="Station code, e.g. CENTRAL-NBI.")
        parser.add_argument(
            "--role",
            dest="roles",
            action="append",
            required=True,
            choices=[role.value for role in Role],
            help="Repeat for several roles.",
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from the first line of stdin."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        station = None
        if options["station"]:
            station = Station.objects.filter(code__iexact=options["station"]).first()
            if station is None:
                raise CommandError(_("No station has the code %(code)s.") % {"code": options["station"]})
        password = self._password(options)
        candidate = User(username=options["username"], first_name=options["first_name"], last_name=options["last_name"])
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise CommandError(_("password: %(problems)s") % {"problems": " ".join(error.messages)}) from None
        try:
            officer = create_officer(
                username=options["username"],
                password=password,
                service_number=options["service_number"],
                rank=options["rank"],
                station=station,
                roles=[Role(role) for role in options["roles"]],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except InvalidInput as error:
            problems = "; ".join(f"{field}: {message}" for field, message in error.fields.items())
            raise CommandError(problems or error.message) from None
        self.stdout.write(
            _("Registered %(officer)s at %(station)s with roles %(roles)s.")
            % {
                "officer": officer,
                "station": station.code if station else _("no station"),
                "roles": ", ".join(options["roles"]),
            }
        )

    def _password(self, options: dict[str, Any]) -> str:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass(_("Password: "))
            if getpass.getpass(_("Password (again): ")) != password:
                raise CommandError(_("password: the two passwords differ."))
        if not password:
            raise CommandError(_("password: a password is required."))
        return password
