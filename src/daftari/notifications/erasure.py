"""Stored SMS erased with the record they were about (``daftari ledger redact``).

The apps' erasers name their messages by event key. The number and the text go; the template,
language, status and times stay, for the delivery figures. The SMS table is not append-only, so
no guard needs lifting for it.

The language remembered for a number (``Recipient``) goes with the last record that uses the
number. It stays while the number is still the ``to`` of an SMS not erased, or is still held by a
phone column of any other record (every ``phone`` or ``*_phone`` text column of Daftari's models:
a party, a person in the index, a notice's driver, a detainee, a payment, a fee request, an
officer). Each call decides on what is stored at that moment, so an eraser blanks the record's
own phone columns before it erases the SMS about it. Free text (a narrative, an event's details)
is not searched for numbers.
"""

from django.apps import apps
from django.db import models
from django.db.models import Q

from daftari.notifications.models import Recipient, SmsMessage

MARKER = "[redacted]"


def phone_columns() -> list[tuple[type[models.Model], str]]:
    """Every model and column, outside notifications, that holds a phone number (E.164)."""
    return [
        (model, field.name)
        for model in apps.get_models()
        if model.__module__.startswith("daftari.") and model not in (Recipient, SmsMessage)
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField) and (field.name == "phone" or field.name.endswith("_phone"))
    ]


def in_use(phone: str) -> bool:
    """True while an SMS not erased, or any other record, still holds ``phone``."""
    if SmsMessage.objects.filter(to=phone).exists():
        return True
    return any(model._default_manager.filter(**{column: phone}).exists() for model, column in phone_columns())


def erase_sms(event_keys: Q) -> None:
    """Replaces the number and the text of every stored SMS whose event key matches.

    The remembered language of each number those SMS went to is deleted too, unless the number is
    still in use (see ``in_use``): a person with other, un-erased records is still written to in
    the language they chose.
    """
    messages = SmsMessage.objects.filter(event_keys)
    phones = set(messages.exclude(to=MARKER).values_list("to", flat=True))
    # One still waiting for the worker is never sent: its delivery claims only a queued message.
    messages.filter(status=SmsMessage.Status.QUEUED).update(
        status=SmsMessage.Status.FAILED, last_error="erased by lawful order before it was sent"
    )
    messages.update(to=MARKER, body=MARKER)
    Recipient.objects.filter(phone__in=[phone for phone in phones if not in_use(phone)]).delete()
