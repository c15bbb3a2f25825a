"""Each simulator scenario end to end over real HTTP: Daftari (live_server) asks the simulator (its own
process) for an STK push; the simulator calls Daftari back at DAFTARI_PUBLIC_BASE_URL."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.payments import services
from daftari.payments.daraja import DarajaClient
from daftari.payments.models import DarajaCallback, Payment
from tests.payments.conftest import FakeFines, wait_for

# The live server's thread commits: a transactional test. Serialized rollback restores the rows data
# migrations loaded (counties, the fines catalogue) after each flush, for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def daftari(daraja_settings: SettingsWrapper, live_server: Any) -> SettingsWrapper:
    daraja_settings.DAFTARI_PUBLIC_BASE_URL = live_server.url
    return daraja_settings


def push(phone: str, reference: str = "TST1001") -> Payment:
    payment = services.request_stk_push(
        account_reference=reference, amount_kes=500, phone=phone, description="Traffic fine"
    )
    assert payment.state == Payment.State.PENDING
    assert payment.checkout_request_id
    return payment


def settled(payment: Payment) -> bool:
    payment.refresh_from_db()
    return payment.state != Payment.State.PENDING


def callbacks_for(payment: Payment) -> int:
    return DarajaCallback.objects.filter(kind="stk", key=payment.checkout_request_id).count()


def unprocessed_for(payment: Payment) -> bool:
    # Only this payment's: the simulator outlives each test and may deliver a late callback for an
    # earlier test's (flushed) payment, which is stored here and never processed.
    return DarajaCallback.objects.filter(key=payment.checkout_request_id, processed=False).exists()


def test_a_successful_payment_settles_once_with_the_receipt(daftari: SettingsWrapper, fines: FakeFines) -> None:
    payment = push("0712345678")
    wait_for(lambda: settled(payment))
    assert payment.state == Payment.State.CONFIRMED
    assert (payment.paid_kes, payment.result_code) == (500, "0")
    assert payment.mpesa_receipt and len(payment.mpesa_receipt) == 10
    assert payment.confirmed_at is not None
    assert fines.confirmed == [("TST1001", 500, "confirmed")]
    assert fines.in_transaction == [True]


def test_three_duplicate_callbacks_confirm_one_payment_and_tell_the_app_once(
    daftari: SettingsWrapper, fines: FakeFines
) -> None:
    payment = push("0712340002")
    wait_for(lambda: callbacks_for(payment) == 3 and not unprocessed_for(payment))
    payment.refresh_from_db()
    assert payment.state == Payment.State.CONFIRMED
    assert Payment.objects.filter(state=Payment.State.CONFIRMED).count() == 1
    assert fines.confirmed == [("TST1001", 500, "confirmed")]


def test_a_1037_timeout_stays_pending_until_the_query_confirms_it(daftari: SettingsWrapper, fines: FakeFines) -> None:
    payment = push("0712341037")
    wait_for(lambda: callbacks_for(payment) == 1 and not unprocessed_for(payment))
    payment.refresh_from_db()
    assert (payment.state, payment.result_code) == (Payment.State.PENDING, "1037")
    assert fines.confirmed == []
    assert services.query_pending(older_than=timedelta(0)) == 1
    payment.refresh_from_db()
    assert payment.state == Payment.State.CONFIRMED
    assert fines.confirmed == [("TST1001", 500, "confirmed")]


def test_a_lost_callback_is_resolved_by_the_worker_query(daftari: SettingsWrapper, fines: FakeFines) -> None:
    payment = push("0712340003")
    # Younger than two minutes: the worker leaves it alone.
    assert services.query_pending() == 0
    wait_for(lambda: services.query_pending(older_than=timedelta(0)) == 1)
    payment.refresh_from_db()
    assert payment.state == Payment.State.CONFIRMED
    assert callbacks_for(payment) == 0
    assert fines.confirmed == [("TST1001", 500, "confirmed")]
    # Another tick finds nothing left to do and tells the app nothing more.
    assert services.query_pending(older_than=timedelta(0)) == 0
    assert len(fines.confirmed) == 1


@pytest.mark.parametrize(
    ("phone", "state", "code"),
    [
        ("0712341032", Payment.State.CANCELLED, "1032"),
        ("0712342001", Payment.State.FAILED, "2001"),
        ("0712340001", Payment.State.FAILED, "1"),
    ],
)
def test_cancelled_wrong_pin_and_insufficient_funds_are_final(
    daftari: SettingsWrapper, fines: FakeFines, phone: str, state: str, code: str
) -> None:
    payment = push(phone)
    wait_for(lambda: settled(payment))
    assert (payment.state, payment.result_code, payment.paid_kes) == (state, code, None)
    assert fines.confirmed == []
    # The query agrees; a final payment is not queried again.
    assert services.query_pending(older_than=timedelta(0)) == 0
    payment.refresh_from_db()
    assert payment.state == state


def test_a_paybill_payment_is_validated_then_confirmed_by_transaction_status_once(
    daftari: SettingsWrapper, fines: FakeFines
) -> None:
    services.register_c2b_urls()
    answer = httpx.post(
        f"{daftari.DAFTARI_DARAJA_BASE_URL}/simulate/c2b",
        json={"BillRefNumber": "tst2002", "Amount": 300, "MSISDN": "254712345678", "Repeat": 2},
        timeout=30,
    ).json()
    assert answer["validation"] == {"ResultCode": "0", "ResultDesc": "Accepted"}
    assert [c["body"] for c in answer["confirmations"]] == [{"ResultCode": 0, "ResultDesc": "Accepted"}] * 2
    payment = Payment.objects.get()
    # Daftari asked Daraja (Transaction Status); the result comes to the result URL a moment later.
    wait_for(lambda: settled(payment))
    assert (payment.method, payment.state, payment.paid_kes) == ("paybill", "confirmed", 300)
    assert (payment.account_reference, payment.mpesa_receipt, payment.phone) == (
        "TST2002",
        answer["TransID"],
        "+254712345678",
    )
    assert DarajaCallback.objects.filter(kind="status_result", key=payment.conversation_id, processed=True).exists()
    assert fines.confirmed == [("TST2002", 300, "confirmed")]


def test_a_paybill_payment_the_app_rejects_never_reaches_confirmation(
    daftari: SettingsWrapper, fines: FakeFines
) -> None:
    services.register_c2b_urls()
    answer = httpx.post(
        f"{daftari.DAFTARI_DARAJA_BASE_URL}/simulate/c2b",
        json={"BillRefNumber": "NOSUCH1", "Amount": 300, "MSISDN": "254712345678"},
        timeout=30,
    ).json()
    assert answer["validation"] == {"ResultCode": "C2B00012", "ResultDesc": "Invalid Account Number"}
    assert answer["confirmations"] == []
    assert not Payment.objects.exists()


def test_concurrent_deliveries_of_one_callback_confirm_once(daftari: SettingsWrapper, fines: FakeFines) -> None:
    payment = push("0712360003")  # the simulator sends no callback for this one: the test delivers it
    wait_for(lambda: query_answers(payment))
    body = {
        "Body": {
            "stkCallback": {
                "MerchantRequestID": "1-2-3",
                "CheckoutRequestID": payment.checkout_request_id,
                "ResultCode": 0,
                "ResultDesc": "The service request is processed successfully.",
                "CallbackMetadata": {
                    "Item": [{"Name": "Amount", "Value": 500.0}, {"Name": "MpesaReceiptNumber", "Value": "QWE123RTY9"}]
                },
            }
        }
    }
    url = services.callback_url("daraja_stk")

    def deliver() -> int:
        # As Safaricom does, a delivery that was not answered 200 is retried (SQLite's in-memory test
        # database answers a concurrent writer "table is locked" at once).
        for _ in range(20):
            status = httpx.post(url, json=body, timeout=30).status_code
            if status == 200:
                break
            time.sleep(0.1)
        return status

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: deliver(), range(6)))
    assert statuses == [200] * 6
    payment.refresh_from_db()
    assert (payment.state, payment.mpesa_receipt) == ("confirmed", "QWE123RTY9")
    assert fines.confirmed == [("TST1001", 500, "confirmed")]


def query_answers(payment: Payment) -> bool:
    with DarajaClient.from_settings() as daraja:
        return daraja.stk_query(payment.checkout_request_id or "").result_code is not None


def test_a_tick_that_fails_while_settling_leaves_the_payment_for_the_next_tick(
    daftari: SettingsWrapper, fines: FakeFines
) -> None:
    payment = push("0712350003")
    fines.fail_next = True
    wait_for(lambda: fines.fail_next is False or services.query_pending(older_than=timedelta(0)) > 0)
    payment.refresh_from_db()
    assert payment.state == Payment.State.PENDING
    assert fines.confirmed == []
    assert services.query_pending(older_than=timedelta(0)) == 1
    payment.refresh_from_db()
    assert payment.state == Payment.State.CONFIRMED
    assert fines.confirmed == [("TST1001", 500, "confirmed")]
