"""Lawful erasure of an entry's personal data (``daftari ledger redact``), registered with the ledger.

The ledger decides when and on what authority; this module knows which columns hold personal data.
Sex, age, offences, property and vehicles stay: they carry the book's statistics, not identities.
The SMS sent to the complainant about the entry (its OB number, each case status) lose their
number and text: the phone is the complainant's.
"""

from typing import Any

from django.db import connection
from django.db.models import Q

from daftari.notifications.erasure import erase_sms
from daftari.occurrences.models import CaseUpdate, Occurrence, Party, Person

MARKER = "[redacted]"
TABLES = ["occurrences_occurrence", "occurrences_party"]


def _details(details: Any) -> Any:
    if not isinstance(details, dict):
        return {}
    return {key: MARKER if isinstance(value, str) else value for key, value in details.items()}


def erase(record_id: str) -> None:
    """Replaces the entry's names, ID numbers, phones, dates of birth, narrative, free-text details
    and the reason it was recorded late (the late flag stays)."""
    entry = Occurrence.objects.get(pk=record_id)
    people = set(Party.objects.filter(occurrence=entry, person__isnull=False).values_list("person_id", flat=True))
    Party.objects.filter(occurrence=entry).update(name=MARKER, id_number="", phone="", date_of_birth=None, person=None)
    Occurrence.objects.filter(pk=entry.pk).update(
        narrative=MARKER,
        details=_details(entry.details),
        late_reason=MARKER if entry.late_reason else "",
        search_text=MARKER,
        content_hash=MARKER,
    )
    # The person index links parties across entries: a person still named elsewhere stays.
    Person.objects.filter(pk__in=people, parties__isnull=True).delete()
    # Keyed in casework.py: complainant_recorded_sms and notify_complainant_status.
    updates = CaseUpdate.objects.filter(occurrence=entry).values_list("pk", flat=True)
    erase_sms(Q(event_key=f"complaint_recorded:{entry.pk}") | Q(event_key__in=[f"case_status:{pk}" for pk in updates]))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE occurrences_fts SET body = %s WHERE occurrence_id = %s", [MARKER, entry.pk.hex])
            # FTS5 only marks the old terms deleted; they stay in occurrences_fts_data until the
            # segments are merged. 'optimize' merges them now, so the erased words leave the file.
            cursor.execute("INSERT INTO occurrences_fts (occurrences_fts) VALUES ('optimize')")
