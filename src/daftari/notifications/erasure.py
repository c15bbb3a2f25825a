"""Stored SMS erased with the record they were about (``daftari ledger redact``).

The apps' erasers name their messages by event key. The number and the text go; the template,
language, status and times stay, for the delivery figures. The SMS table is not append-only, so
no guard needs lifting for it.
"""

from django.db.models import Q

from daftari.notifications.models import SmsMessage

MARKER = "[redacted]"


def erase_sms(event_keys: Q) -> None:
    """Replaces the number and the text of every stored SMS whose event key matches."""
    SmsMessage.objects.filter(event_keys).update(to=MARKER, body=MARKER)
