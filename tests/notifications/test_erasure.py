"""An erasure's SMS take the number's remembered language with them, unless the number is still in use."""

import pytest
from django.contrib.auth.models import User
from django.db.models import Q

from daftari.notifications.erasure import MARKER, erase_sms, in_use, phone_columns
from daftari.notifications.models import Recipient, SmsMessage
from daftari.notifications.services import send_sms
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.notifications.support import run_ready_jobs, sent_sms

PHONE = "+254722000111"


def sms(event_key: str, *, to: str = PHONE, language: str | None = None) -> SmsMessage:
    return send_sms(
        to=to,
        template="complaint_recorded",
        context={"ob_number": "OB/1/1/2026", "station": "Central", "status_url": "http://x"},
        language=language,
        event_key=event_key,
    )


@pytest.mark.django_db
def test_erasing_the_last_sms_to_a_number_deletes_the_language_remembered_for_it() -> None:
    sms("a", language="sw")
    sms("b")
    assert Recipient.objects.get(phone=PHONE).language == "sw"
    erase_sms(Q(event_key__in=["a", "b"]))
    assert not Recipient.objects.filter(phone=PHONE).exists()
    assert set(SmsMessage.objects.values_list("to", "body")) == {(MARKER, MARKER)}


@pytest.mark.django_db
def test_a_number_that_an_sms_not_erased_still_goes_to_keeps_its_language() -> None:
    sms("a", language="sw")
    sms("b")
    erase_sms(Q(event_key="a"))
    assert Recipient.objects.get(phone=PHONE).language == "sw"
    # Written to again about the record not erased: still in the language the person chose.
    assert sms("c").language == "sw"
    erase_sms(Q(event_key__in=["b", "c"]))
    assert not Recipient.objects.filter(phone=PHONE).exists()


@pytest.mark.django_db
def test_a_number_another_record_still_holds_keeps_its_language(desk_officer: User, station: Station) -> None:
    record_occurrence(actor=desk_officer, station=station, draft=complaint())  # the complainant's +254712345678
    sms("fine", to="0712345678", language="sw")
    erase_sms(Q(event_key="fine"))
    assert SmsMessage.objects.get(event_key="fine").to == MARKER
    assert in_use("+254712345678")
    assert Recipient.objects.get(phone="+254712345678").language == "sw"


@pytest.mark.django_db
def test_erasing_sms_leaves_the_languages_of_other_numbers_alone() -> None:
    sms("a", language="sw")
    sms("other", to="+254733000222", language="sw")
    erase_sms(Q(event_key="a"))
    assert list(Recipient.objects.values_list("phone", flat=True)) == ["+254733000222"]


@pytest.mark.django_db
def test_erasing_an_already_erased_sms_again_changes_nothing() -> None:
    sms("a", language="sw")
    erase_sms(Q(event_key="a"))
    erase_sms(Q(event_key="a"))
    assert not Recipient.objects.exists()
    assert SmsMessage.objects.get(event_key="a").to == MARKER


def test_every_phone_column_of_daftaris_models_counts_as_a_use_of_the_number() -> None:
    # A new phone column is found by its name; this list says which ones that is today.
    assert {(model._meta.label, column) for model, column in phone_columns()} == {
        ("stations.Officer", "phone"),
        ("payments.Payment", "phone"),
        ("occurrences.Person", "phone"),
        ("occurrences.Party", "phone"),
        ("custody.CustodyRecord", "detainee_phone"),
        ("fines.FineNotice", "driver_phone"),
        ("documents.DocumentFee", "phone"),
        ("alerts.Alert", "phone"),
        ("stations.Station", "phone"),
        ("refugees.Person", "phone"),
        ("nodes.MirroredMention", "value"),
    }


@pytest.mark.django_db
def test_an_sms_erased_before_the_worker_sends_it_is_never_sent() -> None:
    waiting = sms("a")
    erase_sms(Q(event_key="a"))
    run_ready_jobs()
    assert sent_sms() == []
    waiting.refresh_from_db()
    assert (waiting.status, waiting.to, waiting.attempts) == ("failed", MARKER, 0)
