"""A notice paid over real HTTP: Daftari (live_server) asks the Daraja simulator (its own process) for an
STK push for the outstanding amount; the simulator calls back; the notice is settled exactly once."""

from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.db import OperationalError
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.fines import services
from daftari.fines.models import FineNotice, NoticeEvent, NoticeState
from daftari.notifications.models import SmsMessage
from daftari.payments.models import DarajaCallback, Payment
from daftari.stations.models import Station
from tests.fines.conftest import draft
from tests.payments.conftest import daraja_settings, simulator, wait_for  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def daftari(daraja_settings: SettingsWrapper, live_server: Any) -> SettingsWrapper:  # noqa: F811
    daraja_settings.DAFTARI_PUBLIC_BASE_URL = live_server.url
    return daraja_settings


@pytest.fixture
def issued(traffic_officer: User, station: Station) -> FineNotice:
    return services.issue_notice(actor=traffic_officer, station=station, draft=draft()).notice


def state_of(notice: FineNotice) -> NoticeState:
    return NoticeState.objects.get(notice=notice)


def settled_as(notice: FineNotice, state: str) -> bool:
    # SQLite's shared-cache test database answers "table is locked" while the server thread writes.
    try:
        return state_of(notice).state == state
    except OperationalError:
        return False


def payment_is(payment: Payment, state: str) -> bool:
    try:
        return Payment.objects.get(pk=payment.pk).state == state
    except OperationalError:
        return False


def test_an_stk_payment_settles_the_notice_and_only_then_sends_the_receipt(
    daftari: SettingsWrapper, issued: FineNotice
) -> None:
    payment = services.pay_notice(number=issued.number, phone="0712345678").payment
    assert (payment.amount_kes, payment.account_reference) == (2500, issued.number)

    def receipted() -> bool:
        try:
            return settled_as(issued, "paid") and SmsMessage.objects.filter(template="fine_receipt").exists()
        except OperationalError:
            return False

    wait_for(receipted)
    payment.refresh_from_db()
    event = NoticeEvent.objects.get(notice=issued)
    assert (event.kind, event.amount_kes, event.mpesa_receipt) == ("paid", 2500, payment.mpesa_receipt)
    assert payment.mpesa_receipt in SmsMessage.objects.get(template="fine_receipt").body


def test_three_duplicate_callbacks_settle_the_notice_once(daftari: SettingsWrapper, issued: FineNotice) -> None:
    payment = services.pay_notice(number=issued.number, phone="0712340002").payment
    wait_for(
        lambda: (
            # Only this payment's callbacks: the simulator outlives each test, and a late callback
            # for an earlier test's (flushed) payment may be stored here, unprocessed.
            DarajaCallback.objects.filter(kind="stk", key=checkout_id(payment)).count() >= 3
            and not DarajaCallback.objects.filter(key=checkout_id(payment), processed=False).exists()
        )
    )
    assert Payment.objects.filter(state="confirmed").count() == 1
    assert NoticeEvent.objects.filter(notice=issued).count() == 1
    assert (state_of(issued).state, state_of(issued).paid_kes) == ("paid", 2500)
    assert SmsMessage.objects.filter(template="fine_receipt").count() == 1


def test_a_payment_cancelled_on_the_phone_leaves_the_notice_unpaid_and_sends_no_receipt(
    daftari: SettingsWrapper, issued: FineNotice
) -> None:
    payment = services.pay_notice(number=issued.number, phone="0712341032").payment
    wait_for(lambda: payment_is(payment, "cancelled"))
    wait_for(lambda: not DarajaCallback.objects.filter(key=checkout_id(payment), processed=False).exists())
    assert (state_of(issued).state, state_of(issued).paid_kes) == ("issued", 0)
    assert not SmsMessage.objects.filter(template="fine_receipt").exists()


def test_a_paybill_payment_to_a_cancelled_notice_is_rejected_at_validation(
    daftari: SettingsWrapper,
    issued: FineNotice,
    ocs: User,
    simulator: Any,  # noqa: F811
) -> None:
    from daftari.payments import services as payments

    payments.register_c2b_urls()
    services.cancel_notice(actor=ocs, number=issued.number, reason="Issued in error")
    answer = httpx.post(
        f"{simulator.url}/simulate/c2b",
        json={"BillRefNumber": issued.number, "Amount": 2500, "MSISDN": "254712345678"},
        timeout=15,
    ).json()
    assert "cancelled" in str(answer)
    assert not Payment.objects.filter(account_reference=issued.number).exists()
    assert state_of(issued).paid_kes == 0


def checkout_id(payment: Payment) -> str:
    """The payment's CheckoutRequestID as stored now (the push may store it after the call returns)."""
    return Payment.objects.get(pk=payment.pk).checkout_request_id or "-"
