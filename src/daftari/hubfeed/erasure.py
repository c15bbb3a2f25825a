"""Lawful erasure of an officer's record in the hub's down-log. Field by field:

- username, first and last name, phone, password hash -> "[redacted]" (or blank): they identify the
  officer or open their account.
- service number, rank, station, roles, active and removed flags: kept; they are the station's
  establishment, not the person.

Stations, the offence schedule and court holidays hold no personal data and have no eraser.
"""

from daftari.hubfeed.models import PublishedRecord

MARKER = "[redacted]"
TABLES = ["hubfeed_publishedrecord"]


def erase_officer(record_id: str) -> None:
    published = PublishedRecord.objects.get(pk=record_id.rpartition("/")[2], kind=PublishedRecord.Kind.OFFICER)
    record = {**published.record, "username": MARKER, "first_name": MARKER, "last_name": MARKER}
    record.update(phone="", password="")
    PublishedRecord.objects.filter(pk=published.pk).update(record=record)
