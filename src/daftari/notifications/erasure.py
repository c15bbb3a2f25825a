"""Stored SMS erased with the record they were about (``daftari ledger redact``).

The apps' erasers name their messages by event key. The number and the text go; the template,
language, status and times stay, for the delivery figures. The SMS table is not append-only, so
no guard needs lifting for it.

The language remembered for a number (``Recipient``) goes with the last record that uses the
number. It stays while the number is still the ``to`` of an SMS not erased, or is still held by a
phone column of any other record (every ``phone`` or ``*_phone`` text column of Daftari's models:
a party, a person in the index, a notice's driver, a detainee, a payment, a fee request, an
officer; and at the hub, a phone number that an entry mirrored from a station node names). Each
call decides on what is stored at that moment, so an eraser blanks the record's own phone columns
before it erases the SMS about it. Free text (a narrative, an event's details) is not searched
for numbers.
"""

from django.apps import apps
from django.db import models
from django.db.models import Q

from daftari.notifications.models import Recipient, SmsMessage

MARKER = "[redacted]"


def phone_columns() -> list[tuple[type[models.Model], str]]:
    """Every model and column, outside notifications, that holds a phone number (E.164): found by its
    name (``phone``, ``*_phone``), or declared by a model whose column holds other values too, in its
    ``phone_rows`` (the column, and which of its rows are phone numbers)."""
    return [
        (model, column)
        for model in apps.get_models()
        if model.__module__.startswith("daftari.") and model not in (Recipient, SmsMessage)
        for column in _phone_columns_of(model)
    ]


def _phone_columns_of(model: type[models.Model]) -> list[str]:
    declared: tuple[str, Q] | None = getattr(model, "phone_rows", None)
    if declared is not None:
        return [declared[0]]
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField) and (field.name == "phone" or field.name.endswith("_phone"))
    ]


def _holding(model: type[models.Model], column: str, phone: str) -> models.QuerySet[models.Model]:
    rows = model._default_manager.filter(**{column: phone})
    declared: tuple[str, Q] | None = getattr(model, "phone_rows", None)
    return rows.filter(declared[1]) if declared is not None else rows


def in_use(phone: str) -> bool:
    """True while an SMS not erased, or any other record, still holds ``phone``."""
    if SmsMessage.objects.filter(to=phone).exists():
        return True
    return any(_holding(model, column, phone).exists() for model, column in phone_columns())


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
