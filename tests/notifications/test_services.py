from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.core.errors import InvalidInput
from daftari.notifications.backends import BaseSmsBackend, SmsSendFailed
from daftari.notifications.models import Recipient, SmsMessage
from daftari.notifications.services import deliver, send_sms
from tests.notifications.support import CommitCallbacks, run_ready_jobs, sent_sms

pytestmark = pytest.mark.django_db

RECORDED = {
    "station": "Central Police Station",
    "ob_number": "OB 12/3/6/2025",
    "status_url": "https://daftari.example/s/x",
}


def send_complaint_sms(
    capture: CommitCallbacks, *, event_key: str = "occurrence:1:recorded", **kwargs: object
) -> SmsMessage:
    with capture(execute=True):
        return send_sms(
            to=str(kwargs.pop("to", "0712 345 678")),
            template="complaint_recorded",
            context=RECORDED,
            event_key=event_key,
            **kwargs,  # type: ignore[arg-type]
        )


def test_an_sms_is_written_in_english_unless_asked_otherwise(
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    message = send_complaint_sms(django_capture_on_commit_callbacks)
    assert message.language == "en"
    assert message.body == (
        "Daftari: your report is recorded at Central Police Station, OB number OB 12/3/6/2025. "
        "Keep this number. Check its status: https://daftari.example/s/x"
    )


def test_an_sms_asked_for_in_kiswahili_uses_the_glossary_words(
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    message = send_complaint_sms(django_capture_on_commit_callbacks, language="sw")
    assert message.language == "sw"
    assert message.body.startswith("Daftari: ripoti yako imeandikwa katika Central Police Station, nambari ya OB")
    assert "OB 12/3/6/2025" in message.body


def test_the_phone_number_is_stored_in_e164(django_capture_on_commit_callbacks: CommitCallbacks) -> None:
    message = send_complaint_sms(django_capture_on_commit_callbacks, to="0712 345 678")
    assert message.to == "+254712345678"


def test_a_persons_language_is_remembered_for_their_next_sms(
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    send_complaint_sms(django_capture_on_commit_callbacks, to="0712345678", language="sw", event_key="a")
    later = send_complaint_sms(django_capture_on_commit_callbacks, to="+254712345678", event_key="b")
    assert later.language == "sw"
    assert Recipient.objects.get(phone="+254712345678").language == "sw"


def test_choosing_a_language_again_replaces_the_remembered_one(
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    send_complaint_sms(django_capture_on_commit_callbacks, language="sw", event_key="a")
    send_complaint_sms(django_capture_on_commit_callbacks, language="en", event_key="b")
    assert send_complaint_sms(django_capture_on_commit_callbacks, event_key="c").language == "en"


def test_an_invalid_phone_number_is_refused_and_nothing_is_stored(
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        send_complaint_sms(django_capture_on_commit_callbacks, to="0712")
    assert "to" in raised.value.fields
    assert not SmsMessage.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_an_unknown_language_is_refused(django_capture_on_commit_callbacks: CommitCallbacks) -> None:
    with pytest.raises(InvalidInput):
        send_complaint_sms(django_capture_on_commit_callbacks, language="fr")
    assert not SmsMessage.objects.exists()


def test_the_message_is_stored_queued_with_one_job(django_capture_on_commit_callbacks: CommitCallbacks) -> None:
    message = send_complaint_sms(django_capture_on_commit_callbacks)
    assert (message.status, message.attempts, message.template) == ("queued", 0, "complaint_recorded")
    job = DBTaskResult.objects.get()
    assert job.task_path == "daftari.notifications.tasks.deliver_sms"
    assert job.args_kwargs == {"args": [str(message.pk)], "kwargs": {}}


def test_a_second_send_for_the_same_event_returns_the_stored_message_and_queues_nothing(
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    first = send_complaint_sms(django_capture_on_commit_callbacks, event_key="occurrence:7:recorded")
    again = send_complaint_sms(django_capture_on_commit_callbacks, event_key="occurrence:7:recorded", language="sw")
    assert again.pk == first.pk
    assert again.language == "en"
    assert SmsMessage.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_the_job_is_stored_in_the_messages_own_transaction_so_no_crash_after_commit_can_lose_it(
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as waiting, transaction.atomic():
        message = send_sms(to="0712345678", template="complaint_recorded", context=RECORDED, event_key="e")
        assert DBTaskResult.objects.get().args_kwargs == {"args": [str(message.pk)], "kwargs": {}}
    assert waiting == []


def test_no_job_is_queued_when_the_callers_transaction_rolls_back(
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    def record_then_fail() -> None:
        with transaction.atomic():
            send_sms(to="0712345678", template="complaint_recorded", context=RECORDED, event_key="e")
            raise RuntimeError("the recording failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        record_then_fail()
    assert not SmsMessage.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_job_sends_the_message_and_records_the_gateway_id(
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    message = send_complaint_sms(django_capture_on_commit_callbacks)
    assert run_ready_jobs() == 1
    message.refresh_from_db()
    [sms] = sent_sms()
    assert (sms["to"], sms["body"]) == ("+254712345678", message.body)
    assert message.status == "sent"
    assert message.provider_message_id == sms["id"]
    assert message.attempts == 1
    assert message.sent_at is not None


def test_the_job_sends_once_even_when_run_twice(django_capture_on_commit_callbacks: CommitCallbacks) -> None:
    message = send_complaint_sms(django_capture_on_commit_callbacks)
    run_ready_jobs()
    assert deliver(message_id=str(message.pk)).status == "sent"
    assert len(sent_sms()) == 1
    message.refresh_from_db()
    assert message.attempts == 1


class FailingBackend(BaseSmsBackend):
    def send(self, to: str, body: str) -> str:
        raise SmsSendFailed("gateway down")


class FailsOnceBackend(BaseSmsBackend):
    calls = 0

    def send(self, to: str, body: str) -> str:
        FailsOnceBackend.calls += 1
        if FailsOnceBackend.calls == 1:
            raise SmsSendFailed("timeout")
        return "ok-id"


def test_a_failing_gateway_is_retried_with_exponential_backoff_then_given_up(
    django_capture_on_commit_callbacks: CommitCallbacks, settings: SettingsWrapper
) -> None:
    settings.DAFTARI_SMS_BACKEND = "tests.notifications.test_services.FailingBackend"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        message = send_complaint_sms(django_capture_on_commit_callbacks)
        waits = []
        for _attempt in range(5):
            with django_capture_on_commit_callbacks(execute=True):
                assert run_ready_jobs() == 1
            message.refresh_from_db()
            retry = DBTaskResult.objects.filter(status="READY").first()
            if retry is None:
                break
            waits.append(retry.run_after - timezone.now())
            assert run_ready_jobs() == 0  # not before its time
            clock.move_to(retry.run_after)
    assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert (message.status, message.attempts) == ("failed", 5)
    assert "gateway down" in message.last_error
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_retry_that_gets_through_marks_the_message_sent(
    django_capture_on_commit_callbacks: CommitCallbacks, settings: SettingsWrapper
) -> None:
    settings.DAFTARI_SMS_BACKEND = "tests.notifications.test_services.FailsOnceBackend"
    FailsOnceBackend.calls = 0
    with time_machine.travel(timezone.now(), tick=False) as clock:
        message = send_complaint_sms(django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            run_ready_jobs()
        message.refresh_from_db()
        assert (message.status, message.last_error) == ("queued", "SmsSendFailed: timeout")
        clock.shift(timedelta(seconds=30))
        run_ready_jobs()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_message_id) == ("sent", 2, "ok-id")
    assert FailsOnceBackend.calls == 2
