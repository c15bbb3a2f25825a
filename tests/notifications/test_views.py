"""The delivery-report webhook Africa's Talking posts to."""

import pytest
from django.test import Client
from django.utils import timezone

from daftari.notifications.models import SmsMessage
from tests.notifications.conftest import SettingsWrapper

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-webhook-token"
URL = f"/sms/delivery-report/{TOKEN}/"


@pytest.fixture(autouse=True)
def webhook_token(settings: SettingsWrapper) -> None:
    settings.DAFTARI_SMS_WEBHOOK_TOKEN = TOKEN


@pytest.fixture
def sent_message() -> SmsMessage:
    return SmsMessage.objects.create(
        to="+254712345678",
        template="complaint_recorded",
        language="en",
        body="Daftari: ...",
        event_key="occurrence:1:recorded",
        status=SmsMessage.Status.SENT,
        attempts=1,
        provider_message_id="ATXid_42",
        created_at=timezone.now(),
        sent_at=timezone.now(),
    )


def report(status: str, *, message_id: str = "ATXid_42", url: str = URL, **extra: str) -> int:
    # The gateway posts a form, without a CSRF token.
    client = Client(enforce_csrf_checks=True)
    data = {"id": message_id, "status": status, "phoneNumber": "+254712345678", "networkCode": "63902", **extra}
    return client.post(url, data).status_code


def test_a_success_report_marks_the_message_delivered(sent_message: SmsMessage) -> None:
    assert report("Success") == 200
    sent_message.refresh_from_db()
    assert sent_message.status == "delivered"
    assert sent_message.delivered_at is not None


def test_a_failure_report_marks_the_message_failed_with_the_reason(sent_message: SmsMessage) -> None:
    assert report("Failed", failureReason="AbsentSubscriber") == 200
    sent_message.refresh_from_db()
    assert (sent_message.status, sent_message.last_error) == ("failed", "AbsentSubscriber")


def test_a_repeated_or_late_report_changes_nothing(sent_message: SmsMessage) -> None:
    report("Success")
    delivered_at = SmsMessage.objects.get().delivered_at
    assert report("Success") == 200
    assert report("Failed", failureReason="late") == 200
    sent_message.refresh_from_db()
    assert (sent_message.status, sent_message.delivered_at, sent_message.last_error) == ("delivered", delivered_at, "")


def test_an_in_between_report_leaves_the_message_sent(sent_message: SmsMessage) -> None:
    assert report("Buffered") == 200
    sent_message.refresh_from_db()
    assert sent_message.status == "sent"


def test_a_report_for_an_unknown_message_is_answered_and_changes_nothing(sent_message: SmsMessage) -> None:
    assert report("Success", message_id="ATXid_unknown") == 200
    sent_message.refresh_from_db()
    assert sent_message.status == "sent"


def test_a_wrong_token_gets_404_and_changes_nothing(sent_message: SmsMessage) -> None:
    assert report("Success", url="/sms/delivery-report/guess/") == 404
    sent_message.refresh_from_db()
    assert sent_message.status == "sent"


def test_the_webhook_is_off_while_no_token_is_configured(sent_message: SmsMessage, settings: SettingsWrapper) -> None:
    settings.DAFTARI_SMS_WEBHOOK_TOKEN = ""
    assert report("Success", url="/sms/delivery-report/x/") == 404
    sent_message.refresh_from_db()
    assert sent_message.status == "sent"


def test_only_post_is_accepted(client: Client) -> None:
    assert client.get(URL).status_code == 405
