"""``daftari fines import-catalogue FILE [--effective-from DATE]``: a new version of the offence catalogue."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import track

from daftari.core.errors import InvalidInput
from daftari.fines import rules, services


class Command(BaseCommand):
    help = "Instant fines: import a new version of the offence catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-catalogue", help="Create a new catalogue version from a CSV file.")
        imp.add_argument("file", type=Path)
        imp.add_argument("--effective-from", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
        imp.add_argument("--effective-to", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: open)")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        try:
            rows = rules.parse_catalogue(text)
        except rules.CatalogueFileError as error:
            for problem in error.problems:
                console.print(f"[red]✗[/red] {problem}")
            raise CommandError(f"{path.name}: {len(error.problems)} problem(s); nothing imported") from error
        checked = list(track(rows, description="Checking offences", console=console))
        effective_from = options["effective_from"] or date.today()
        try:
            catalogue = services.import_catalogue(
                rows=checked, effective_from=effective_from, effective_to=options["effective_to"], source_file=path.name
            )
        except InvalidInput as error:
            raise CommandError("; ".join(str(v) for v in error.fields.values())) from error
        uncertain = sum(1 for row in rows if row.status == rules.RowStatus.UNCERTAIN)
        console.print(
            f"[green]✓[/green] catalogue v{catalogue.version}: {len(rows)} offences "
            f"({uncertain} uncertain), in force from {effective_from:%Y-%m-%d}"
        )
