"""What other registers say about an identity document typed at the desk (the OB's person index).

The Occurrence Book sits below the registers that issue identity documents (the refugee register),
so it cannot ask them directly: each registers a check here at start-up, and the desk's person hint
asks them all. A check answers a sentence for the officer, or None when the number is not its kind.
It never refuses anything: the desk records the report whatever a check says.
"""

from collections.abc import Callable

from django.contrib.auth.models import User

Check = Callable[[User, str], str | None]

_checks: list[Check] = []


def register(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


def notes(reader: User, id_number: str) -> list[str]:
    """Each registered check's sentence about ``id_number`` (as the desk normalised it)."""
    return [note for check in _checks if (note := check(reader, id_number)) is not None]
