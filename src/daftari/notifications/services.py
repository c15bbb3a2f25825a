"""Every change to SMS messages and recipients goes through here."""

import functools
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks.signals import task_enqueued
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

from daftari.core import prepared
from daftari.core.errors import InvalidInput
from daftari.core.phones import normalise_phone
from daftari.notifications import rules
from daftari.notifications.backends import get_backend
from daftari.notifications.models import Language, Recipient, SmsMessage


def render_sms(*, template: str, context: dict[str, object], language: str) -> str:
    """The message text from ``sms/<template>.<language>.txt``, unescaped: an SMS is not HTML."""
    compiled = get_template(f"sms/{template}.{language}.txt").template  # type: ignore[attr-defined]
    with translation.override(language):
        text: str = compiled.render(Context(context, autoescape=False))
    return " ".join(text.split())


def language_for(*, phone: str, language: str | None) -> str:
    """The language to write in: the one given now (and remember it), else the remembered one, else English."""
    if language:
        if language not in Language.values:
            raise InvalidInput(fields={"language": _("Choose English or Kiswahili.")})
        Recipient.objects.update_or_create(phone=phone, defaults={"language": language, "updated_at": timezone.now()})
        return language
    return remembered_language(phone=phone) or Language.ENGLISH


def remembered_language(*, phone: str) -> str | None:
    """The language this phone's owner last chose (any form of the number), or None when they never chose."""
    e164 = normalise_phone(phone)
    if e164 is None:
        return None
    found = prepared.first(_remembered_sql(), [e164])
    return str(found[0]) if found is not None else None


def remembered_language_query(*, phone: str) -> prepared.Query:
    """What ``remembered_language`` reads for the E.164 ``phone``, to be sent with other reads
    (``prepared.firsts``); ``language_in`` answers from the row it finds."""
    return prepared.Query(_remembered_sql(), [phone])


def language_in(found: tuple[object, ...] | None) -> str:
    """``language_for`` with no language given, from the row of ``remembered_language_query``."""
    return str(found[0]) if found is not None else Language.ENGLISH


@functools.cache
def _remembered_sql() -> str:
    # Asked in every recording that sends an SMS: written once, not compiled each time.
    phone, language = prepared.column(Recipient, "phone"), prepared.column(Recipient, "language")
    return f"SELECT {language} FROM {prepared.table(Recipient)} WHERE {phone} = %s"  # noqa: S608 - names only


def send_sms(
    *,
    to: str,
    template: str,
    context: dict[str, object],
    language: str | None = None,
    event_key: str,
) -> SmsMessage:
    """Stores the message for ``event_key`` and queues its delivery, both in one transaction.

    The same ``event_key`` again returns the stored message and queues nothing: an event never
    sends two messages, however often its caller retries.
    """
    phone = _phone(to)
    chosen = language_for(phone=phone, language=language)
    message = SmsMessage(
        to=phone,
        template=template,
        language=chosen,
        body=render_sms(template=template, context=context, language=chosen),
        event_key=event_key,
        created_at=timezone.now(),
    )
    try:
        # The unique event key, not a read before the insert, is what keeps an event to one message.
        with transaction.atomic():
            message.save(force_insert=True)
            _queue_delivery(message)
    except IntegrityError:
        return SmsMessage.objects.get(event_key=event_key)
    return message


def _phone(to: str) -> str:
    phone = normalise_phone(to)
    if phone is None:
        raise InvalidInput(fields={"to": _("Enter a valid phone number.")})
    return phone


# Stands in the text for the value a new event's SMS waits for: a private-use character, never typed.
_AWAITED = "\ue000"


class NewEventSms:
    """The SMS of an event being recorded, built before the one value its text still waits for.

    On the recording path that value is the OB number, which the station's counter gives under its
    lock: the text, the message and its delivery job are made before, so that what remains to do
    while the station's other desks wait is putting the number in.
    """

    def __init__(self, message: SmsMessage, job: DBTaskResult[..., object] | None) -> None:
        self.message = message
        self.job = job

    def send(self, value: str) -> SmsMessage:
        """Puts ``value`` in the text and stores the message with its delivery job, in the transaction
        that created the event (its key cannot be taken yet: no savepoint; a taken key fails loudly).
        On PostgreSQL inside ``prepared.together`` both rows go with the statements held there."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("a new event's SMS is sent inside the transaction that created the event")
        self.message.body = self.message.body.replace(_AWAITED, value)
        _store_and_queue(self.message, self.job)
        return self.message


def sms_for_new_event(
    *, to: str, template: str, context: dict[str, object], awaiting: str, language: str, event_key: str
) -> NewEventSms:
    """The SMS of an event being recorded now, its text waiting for the context's value ``awaiting``.

    ``language``: settled already in the event's transaction (``language_for``).
    """
    phone = _phone(to)
    body = render_sms(template=template, context={**context, awaiting: _AWAITED}, language=language)
    if _AWAITED not in body:
        raise ValueError(f"the SMS template {template!r} does not show {awaiting!r}")
    message = SmsMessage(
        to=phone, template=template, language=language, body=body, event_key=event_key, created_at=timezone.now()
    )
    return NewEventSms(message, _delivery_job(message))


def _queue_delivery(message: SmsMessage, *, after: datetime | None = None) -> None:
    """Queues the delivery job in the caller's transaction: stored together with the message, or not at all."""
    from daftari.notifications.tasks import deliver_sms

    job = deliver_sms.using(run_after=after) if after is not None else deliver_sms
    job.enqueue(str(message.pk))


def _delivery_job(message: SmsMessage) -> DBTaskResult[..., object] | None:
    """The row of the message's delivery job, as django_tasks_db's backend builds it in ``enqueue``
    (None with another task backend, which queues it the usual way)."""
    from daftari.notifications.tasks import deliver_sms

    backend = deliver_sms.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    backend.validate_task(deliver_sms)
    return DBTaskResult(
        args_kwargs=normalize_json({"args": (str(message.pk),), "kwargs": {}}),
        priority=deliver_sms.priority,
        task_path=deliver_sms.module_path,
        queue_name=deliver_sms.queue_name,
        run_after=deliver_sms.run_after or get_date_max(),  # as the backend's pre_save handler sets it
        backend_name=backend.alias,
    )


def _store_and_queue(message: SmsMessage, job: DBTaskResult[..., object] | None) -> None:
    """Stores the new message and its delivery job as ``_queue_delivery`` queues it, on PostgreSQL
    in one round trip."""
    if job is None:
        prepared.insert(message)
        _queue_delivery(message)
        return
    from daftari.notifications.tasks import deliver_sms

    prepared.insert_all([message, job])
    task_enqueued.send(type(deliver_sms.get_backend()), task_result=job.task_result)


def deliver(*, message_id: str) -> SmsMessage:
    """Hands a queued message to the backend once; on failure queues a retry with backoff.

    The claim is a conditional UPDATE (queued -> sending), so two jobs for the same message, or a
    job run twice, send it once. A message already sent, failed, delivered or withdrawn is never sent again.
    """
    claimed = SmsMessage.objects.filter(pk=message_id, status=SmsMessage.Status.QUEUED).update(
        status=SmsMessage.Status.SENDING, attempts=F("attempts") + 1
    )
    message = SmsMessage.objects.get(pk=message_id)
    if not claimed:
        return message
    # The gateway call is slow I/O: it happens outside any transaction.
    try:
        provider_message_id = get_backend().send(message.to, message.body)
    except Exception as error:
        return _record_failure(message, error)
    SmsMessage.objects.filter(pk=message.pk, status=SmsMessage.Status.SENDING).update(
        status=SmsMessage.Status.SENT, provider_message_id=provider_message_id, sent_at=timezone.now(), last_error=""
    )
    message.refresh_from_db()
    return message


def withdraw_queued(*, event_keys: list[str], reason: str) -> int:
    """Withdraws the messages for these events that are still waiting to be sent; returns how many.

    The same conditional UPDATE as the worker's claim (queued -> ...): a message the worker has already
    claimed is with the gateway and goes; one withdrawn here is never claimed, so never sent. A message
    waiting for a retry after a failure is queued too, and is withdrawn with the others.
    """
    return SmsMessage.objects.filter(event_key__in=event_keys, status=SmsMessage.Status.QUEUED).update(
        status=SmsMessage.Status.WITHDRAWN, withdrawn_at=timezone.now(), withdrawn_reason=reason[:200]
    )


def _record_failure(message: SmsMessage, error: Exception) -> SmsMessage:
    reason = f"{type(error).__name__}: {error}"[:1000]
    with transaction.atomic():
        if message.attempts >= rules.MAX_ATTEMPTS:
            SmsMessage.objects.filter(pk=message.pk).update(status=SmsMessage.Status.FAILED, last_error=reason)
        else:
            SmsMessage.objects.filter(pk=message.pk).update(status=SmsMessage.Status.QUEUED, last_error=reason)
            _queue_delivery(message, after=timezone.now() + rules.retry_delay(message.attempts))
    message.refresh_from_db()
    return message


def record_delivery_report(*, provider_message_id: str, status: str, failure_reason: str = "") -> SmsMessage | None:
    """Applies the gateway's delivery report. Reports for a message already settled change nothing."""
    if not provider_message_id:
        return None
    sent = SmsMessage.objects.filter(provider_message_id=provider_message_id, status=SmsMessage.Status.SENT)
    if status in rules.DELIVERED_STATUSES:
        sent.update(status=SmsMessage.Status.DELIVERED, delivered_at=timezone.now())
    elif status in rules.FAILED_STATUSES:
        sent.update(status=SmsMessage.Status.FAILED, last_error=(failure_reason or status)[:1000])
    return SmsMessage.objects.filter(provider_message_id=provider_message_id).first()
