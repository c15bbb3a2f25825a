"""Lawful erasure of a certification letter (``daftari ledger redact``).

Nothing in the letter's row names the officer but the candidacy it points at and the service number
in its numbers, which the officer's own record answers for (its eraser is the officer's). The
letter stays, so its verify page still answers for the code; its redaction deletes the salt, so
the record can no longer be reopened against its leaf.
"""

LETTER_TABLES: list[str] = []


def erase_letter(record_id: str) -> None:
    """Nothing to replace in the row; the redaction itself removes the salt."""


CONTINGENT_LETTER_TABLES = ["deployments_contingentletter"]


def erase_contingent_letter(record_id: str) -> None:
    """The contingent's letter lists the officers by name: the names are replaced, the service
    numbers, ranks, units and certificates stay (the officers' own records answer for those)."""
    from daftari.deployments.models import ContingentLetter

    letter = ContingentLetter.objects.filter(pk=record_id).first()
    if letter is None:
        return
    erased = [{**entry, "name": "[erased]"} for entry in letter.certified]
    ContingentLetter.objects.filter(pk=record_id).update(certified=erased)
