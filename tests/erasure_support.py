"""What every erasure test asks: is the person anywhere in the database, and does the whole book still verify?"""

import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from daftari.ledger.models import Log
from daftari.ledger.verification import verify_book

ORDER = "High Court Misc. Application E123 of 2026"
VERIFY = Path(sys.executable).parent / "daftari-verify"


def _text(value: object) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def tables_holding(needle: str) -> list[str]:
    """Every table (of every app, the ledger's and the search index's included) with ``needle`` in any column."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names come from the database itself)
            if any(needle in _text(value) for row in cursor.fetchall() for value in row):
                found.append(table)
    return found


def assert_the_whole_book_verifies(tmp_path: Path) -> None:
    """``daftari ledger verify`` finds no problem, and each station's export passes ``daftari-verify audit``."""
    report = verify_book()
    assert report.problems == [], [str(p) for p in report.problems]
    call_command("ledger", "verify")
    call_command("ledger", "checkpoint")
    for code in Log.objects.values_list("station__code", flat=True):
        out = tmp_path / f"export-{code}"
        call_command("ledger", "export", "--station", code, str(out))
        result = subprocess.run(
            [str(VERIFY), "audit", str(out), "--key", str(out / "key.txt"), "--quiet"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
