"""``daftari daraja-sim [--port P] [--scenario NAME]``: the local Daraja simulator (payments/simulator.py).

A separate process on loopback; it never touches Daftari's database.
"""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from daftari.payments import simulator


class Command(BaseCommand):
    help = "Run a local fake of M-Pesa Daraja (token, STK push and query, C2B, Transaction Status) that calls back."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--scenario", choices=sorted(simulator.SCENARIOS), default=None)
        parser.add_argument("--delay", type=float, default=1.0, help="seconds before the customer 'answers'")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            server = simulator.serve(
                host=options["host"],
                port=options["port"],
                scenario=options["scenario"],
                delay=options["delay"],
                # The simulator checks what Daftari is configured to send: the passkey and credentials.
                passkey=settings.DAFTARI_DARAJA_PASSKEY or simulator.SANDBOX_PASSKEY,
                consumer_key=settings.DAFTARI_DARAJA_CONSUMER_KEY or None,
                consumer_secret=settings.DAFTARI_DARAJA_CONSUMER_SECRET or None,
                initiator=settings.DAFTARI_DARAJA_INITIATOR or None,
                security_credential=settings.DAFTARI_DARAJA_SECURITY_CREDENTIAL or None,
            )
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {exc}") from exc
        # As if Daftari had registered its C2B URLs (``services.register_c2b_urls``), so that a paybill
        # payment can be simulated at once; a later registration replaces them.
        from daftari.payments.services import callback_url

        server.state.c2b_urls[settings.DAFTARI_DARAJA_SHORTCODE] = {
            "ValidationURL": callback_url("daraja_c2b_validation"),
            "ConfirmationURL": callback_url("daraja_c2b_confirmation"),
            "ResponseType": "Cancelled",
        }
        self.stdout.write(f"Daraja simulator listening on http://{options['host']}:{server.server_port}")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
