"""``daftari refugees dedupe --national-ids FILE.csv``: the de-duplication pass against a national ID list."""

import getpass
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from daftari.refugees import dedupe, rules
from daftari.refugees.models import Person


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _rows_in(path: Path) -> int:
    """The list's rows after the header, counted first so the bar has an end."""
    with path.open("rb") as raw:
        return max(0, sum(1 for _line in raw) - 1)


class Command(BaseCommand):
    help = "The refugee register: compare it with a national ID list and propose matches for DRS review."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser(
            "dedupe", help="Propose the registered people who match a national ID holder (no case is opened)."
        )
        run.add_argument(
            "--national-ids", required=True, type=Path, help="CSV: id_number,names,sex,date_of_birth (YYYY-MM-DD)."
        )
        run.add_argument("--by", default=None, help="Who runs the pass (default: the system user).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["national_ids"]
        by = options["by"] or getpass.getuser()
        try:
            total = _rows_in(path)
            stream = path.open(encoding="utf-8", newline="")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        with stream, _progress() as bar:
            try:
                rows = dedupe.read_national_ids(stream)
            except rules.NationalIdFileError as error:
                raise CommandError(f"{path.name}: {error}") from error

            people = bar.add_task(_("Reading the register"), total=Person.objects.count())
            index = dedupe.index_register(progress=lambda done: bar.update(people, completed=done))
            compared = bar.add_task(_("Comparing national IDs"), total=total)
            done = dedupe.run_pass(
                rows=rows,
                source=path.name,
                run_by=by,
                index=index,
                progress=lambda n: bar.update(compared, completed=n),
            )
        seconds = (done.finished_at - done.started_at).total_seconds()
        self.stdout.write(
            _(
                "%(ids)d national IDs (%(skipped)d rows skipped) against %(people)d people in %(seconds).0f s: "
                "%(proposed)d proposals for review, %(earlier)d proposed before, %(ambiguous)d left out as ambiguous."
            )
            % {
                "ids": done.national_ids,
                "skipped": done.skipped_rows,
                "people": done.people,
                "seconds": seconds,
                "proposed": done.proposed,
                "earlier": done.already_proposed,
                "ambiguous": done.ambiguous,
            }
        )
        # A real list carries no truth to measure against: the reviewer is told what the pass is worth.
        self.stdout.write(
            _(
                "Precision on the seeded test set: at least %(precision).2f of the proposals are true matches "
                "(older national IDs and Maisha Namba alike). Each proposal is for a DRS officer to review, "
                "not a finding."
            )
            % {"precision": dedupe.SEEDED_PRECISION}
        )
