"""``daftari ledger verify|checkpoint|export|redact``: operating the stations' signed books."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from daftari.core.errors import DomainError
from daftari.ledger import services
from daftari.ledger.export import KEY_FILE, export_book
from daftari.ledger.models import Checkpoint
from daftari.ledger.redaction import redact
from daftari.ledger.verification import verify_book
from daftari.stations.models import Station


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


class Command(BaseCommand):
    help = "Verify, checkpoint, export or lawfully redact the stations' signed books (ledger)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="Rebuild every book from its leaves and check it all.")
        verify.add_argument("--station", help="Only this station's book (its code), or another log (hub, CODE/fines).")
        checkpoint = actions.add_parser("checkpoint", help="Sign a checkpoint now for each book that grew.")
        checkpoint.add_argument(
            "--station", help="Only this station's book (its code), or another log (hub, CODE/fines)."
        )
        export = actions.add_parser("export", help="Write a book in the layout daftari-verify audit reads.")
        export.add_argument(
            "--station", required=True, help="The station's code, or another log (CODE/fines: a node station's fines)."
        )
        export.add_argument(
            "--without-records",
            action="store_true",
            help="Leave out the records and salts (personal data), e.g. for an oversight body.",
        )
        export.add_argument("directory", type=Path)
        redaction = actions.add_parser("redact", help="Lawful erasure of one entry's personal data.")
        redaction.add_argument("--entry", required=True, help="The id (uuid) of the entry.")
        redaction.add_argument("--authority", required=True, help="The court order or ODPC decision reference.")
        redaction.add_argument("--by", required=True, help="Username of the administrator ordering it.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(**options)

    # --- verify ---------------------------------------------------------------------------

    def _verify(self, *, station: str | None, **_options: Any) -> None:
        if station is not None and services.log_named(station) is None:
            self._station(station)
        tasks: dict[str, TaskID] = {}
        with _progress() as bar:

            def advance(code: str, done: int, total: int) -> None:
                if code not in tasks:
                    tasks[code] = bar.add_task(code, total=total)
                bar.update(tasks[code], completed=done)

            report = verify_book(station, progress=advance)
        for code, index in report.redacted:
            self.stdout.write(
                _("%(station)s leaf %(index)d: redacted (lawful erasure)") % {"station": code, "index": index}
            )
        for problem in report.problems:
            self.stdout.write(str(problem))
        if not report.ok:
            raise CommandError(_("%(count)d problem(s) found in the signed books.") % {"count": len(report.problems)})
        self.stdout.write(
            _("Verified %(leaves)d leaves and %(checkpoints)d checkpoints: all is well.")
            % {"leaves": report.leaves, "checkpoints": report.checkpoints}
        )

    # --- checkpoint -----------------------------------------------------------------------

    def _checkpoint(self, *, station: str | None, **_options: Any) -> None:
        try:
            if station is not None:
                # A log of no station's book (the hub's, a node station's fines) by its name, as ``verify`` takes it.
                named = services.log_named(station)
                one = (
                    services.sign_log(named)
                    if named is not None
                    else services.sign_checkpoint(station=self._station(station))
                )
                signed = [one] if one is not None else []
            else:
                signed = services.sign_grown_logs()
        except services.InconsistentLog as exc:
            raise CommandError(_("Refused to sign: %(reason)s") % {"reason": exc}) from exc
        if not signed:
            self.stdout.write(_("Nothing to sign: no book grew since its last checkpoint."))
        for checkpoint in signed:
            self.stdout.write(self._describe(checkpoint))

    def _describe(self, checkpoint: Checkpoint) -> str:
        return _("Signed %(origin)s at size %(size)d, root %(root)s") % {
            "origin": checkpoint.log.origin,
            "size": checkpoint.size,
            "root": bytes(checkpoint.root).hex(),
        }

    # --- export ---------------------------------------------------------------------------

    def _export(self, *, station: str, directory: Path, without_records: bool, **_options: Any) -> None:
        log_ = services.log_named(station)
        if log_ is None:
            self._station(station)
            raise CommandError(_("Station %(code)s has no book yet.") % {"code": station})
        with _progress() as bar:
            task = bar.add_task(station, total=log_.size)
            count = export_book(
                log_,
                directory,
                with_records=not without_records,
                progress=lambda done, total: bar.update(task, completed=done),
            )
        self.stdout.write(
            _(
                "Wrote %(count)d leaves of %(origin)s to %(directory)s; "
                "check it with: daftari-verify audit %(directory)s --key %(key)s"
            )
            % {"count": count, "origin": log_.origin, "directory": directory, "key": directory / KEY_FILE}
        )

    # --- redact ---------------------------------------------------------------------------

    def _redact(self, *, entry: str, authority: str, by: str, **_options: Any) -> None:
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise CommandError(_("No user %(username)s.") % {"username": by})
        try:
            redaction = redact(actor=actor, record_id=entry, authority=authority)
        except DomainError as exc:
            details = "; ".join(str(v) for v in exc.fields.values())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(
            _("Erased the personal data of leaf %(index)d (%(record)s) on the authority of %(authority)s.")
            % {"index": redaction.leaf.index, "record": entry, "authority": redaction.authority}
        )

    def _station(self, code: str) -> Station:
        station = Station.objects.filter(code=code).first()
        if station is None:
            raise CommandError(_("No station %(code)s.") % {"code": code})
        return station
