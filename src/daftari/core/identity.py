"""What other registers say about an identity document typed at the desk (the OB's person index).

The Occurrence Book sits below the registers that issue identity documents (the refugee register),
so it cannot ask them directly: each registers a check here at start-up, and the desk's person hint
asks them all. A check answers a sentence for the officer, or None when the number is not its kind.
It never refuses anything: the desk records the report whatever a check says.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a type here: the pure rules (occurrences.rules) import this module
    from django.contrib.auth.models import User

Check = Callable[["User", str], str | None]

_checks: list[Check] = []


def register(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


def notes(reader: "User", id_number: str) -> list[str]:
    """Each registered check's sentence about ``id_number`` (as the desk normalised it)."""
    return [note for check in _checks if (note := check(reader, id_number)) is not None]


# --- Refugee register documents -----------------------------------------------------------------
# The cells treat a person whose identity is a refugee register document as an asylum seeker or
# refugee (an interpreter, the Department of Refugee Services told, no removal without the OCS).
# The register says which numbers are its own, and the DRS office that issued one, by their form
# alone: no register row is read, so no personal data.

DocumentOffice = Callable[[str], str | None]

_document_offices: list[DocumentOffice] = []


def register_refugee_document(office_of: DocumentOffice) -> None:
    if office_of not in _document_offices:
        _document_offices.append(office_of)


def refugee_document_office(id_number: str) -> str | None:
    """The code of the DRS office whose document number ``id_number`` is; None when it is no refugee document's."""
    for office_of in _document_offices:
        office = office_of(id_number)
        if office is not None:
            return office
    return None
