"""``daftari payments reconcile STATEMENT.csv``: an M-Pesa statement export against Daftari's payments.

Lists every mismatch in a table and exits 1 when there is any, so that a scheduled run can alert.
"""

import sys
from argparse import ArgumentParser
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from daftari.payments import reconciliation
from daftari.payments.rules import NAIROBI


def _day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=NAIROBI)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = "M-Pesa payments: reconcile STATEMENT.csv (an org portal statement export)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reconcile = sub.add_parser("reconcile", help="List every difference between a statement and Daftari.")
        reconcile.add_argument("statement", type=Path)
        reconcile.add_argument("--since", type=_day, default=None, help="first day (default: the statement's)")
        reconcile.add_argument("--until", type=_day, default=None, help="day after the last (default: the statement's)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["statement"]
        try:
            report = reconciliation.reconcile_file(path, since=options["since"], until=options["until"])
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        except reconciliation.StatementError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        console = Console(file=self.stdout, width=140, highlight=False)  # type: ignore[arg-type]
        period = (
            f"{report.since:%Y-%m-%d} – {report.until:%Y-%m-%d}" if report.since and report.until else _("no period")
        )
        console.print(
            _("%(lines)d statement lines, %(recorded)d confirmed payments in Daftari (%(period)s)")
            % {"lines": len(report.lines), "recorded": len(report.recorded), "period": period}
        )
        if not report.mismatches:
            console.print(_("No mismatch."))
            return
        labels = {
            reconciliation.Problem.NOT_IN_DAFTARI: _("in the statement, not in Daftari"),
            reconciliation.Problem.NOT_IN_STATEMENT: _("in Daftari, not in the statement"),
            reconciliation.Problem.AMOUNT_DIFFERS: _("amount differs"),
            reconciliation.Problem.UNKNOWN_REFERENCE: _("account reference unknown"),
        }
        table = Table(title=_("%(count)d mismatches") % {"count": len(report.mismatches)})
        for column in (_("Problem"), _("Receipt"), _("Account"), _("Statement KES"), _("Daftari KES"), _("Time")):
            table.add_column(column)
        for m in report.mismatches:
            table.add_row(
                labels[m.problem],
                m.receipt or "-",
                m.account_reference or "-",
                "-" if m.statement_kes is None else f"{m.statement_kes:,}",
                "-" if m.daftari_kes is None else f"{m.daftari_kes:,}",
                m.at.astimezone(NAIROBI).strftime("%Y-%m-%d %H:%M:%S") if m.at else "-",
            )
        console.print(table)
        self.stdout.flush()
        sys.exit(1)
