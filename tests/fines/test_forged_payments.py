"""Nothing that moves money is believed on a caller's word: a forged Daraja callback settles nothing."""

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.fines.models import FineNotice, NoticeEvent, NoticeState
from daftari.fines.services import issue_notice, pay_notice
from daftari.notifications.models import SmsMessage
from daftari.payments.models import DarajaCallback, Payment
from daftari.stations.models import Station
from tests.fines.conftest import draft
from tests.payments.conftest import Paybill, wait_for

pytestmark = pytest.mark.django_db
TOKEN = "test-callback-token-0123456789"


@pytest.fixture(autouse=True)
def callback_token(settings: SettingsWrapper) -> None:
    settings.DAFTARI_DARAJA_CALLBACK_TOKEN = TOKEN


@pytest.fixture
def notice(traffic_officer: User, station: Station) -> FineNotice:
    return issue_notice(actor=traffic_officer, station=station, draft=draft()).notice


def forged_confirmation(reference: str, amount: int, *, shortcode: str, trans_id: str = "FORGED0001") -> bytes:
    return json.dumps(
        {
            "TransactionType": "Pay Bill",
            "TransID": trans_id,
            "TransTime": "20261129101500",
            "TransAmount": f"{amount}.00",
            "BusinessShortCode": shortcode,
            "BillRefNumber": reference,
            "MSISDN": "254712345678",
            "FirstName": "MALLORY",
        }
    ).encode()


def untouched(notice: FineNotice) -> None:
    state = NoticeState.objects.get(notice=notice)
    assert (state.state, state.paid_kes) == ("issued", 0)
    assert not NoticeEvent.objects.filter(notice=notice, payment_id__isnull=False).exists()
    assert not SmsMessage.objects.filter(template="fine_receipt").exists()
    assert not Payment.objects.filter(state=Payment.State.CONFIRMED).exists()


def test_a_forged_paybill_confirmation_for_another_shortcode_never_marks_a_notice_paid_nor_sends_a_receipt(
    client: Client, notice: FineNotice
) -> None:
    response = client.post(
        f"/payments/daraja/{TOKEN}/c2b/confirmation",
        data=forged_confirmation(notice.number, 999_999, shortcode="999999"),
        content_type="application/json",
    )
    assert response.status_code == 400
    untouched(notice)
    # The payload is kept as evidence all the same.
    assert DarajaCallback.objects.get().kind == "c2b_confirmation"


def test_a_forged_confirmation_to_our_paybill_with_a_receipt_mpesa_never_issued_settles_nothing(
    client: Client, notice: FineNotice, paybill: Paybill
) -> None:
    raw = forged_confirmation(notice.number, notice.total_kes, shortcode=paybill.shortcode, trans_id="FORGED0002")
    payment = paybill.confirm(raw)
    assert payment.state == Payment.State.PENDING
    assert payment.conversation_id  # Daraja was asked, and answered that there is no such payment
    untouched(notice)


def test_a_paybill_payment_settles_on_the_amount_daraja_reports_not_the_amount_the_confirmation_claims(
    notice: FineNotice, paybill: Paybill
) -> None:
    raw = json.loads(paybill.pay(notice.number, 500, trans_id="TKREAL0001"))
    raw["TransAmount"] = f"{notice.total_kes}.00"
    payment = paybill.confirm(json.dumps(raw).encode())
    assert (payment.state, payment.paid_kes) == (Payment.State.CONFIRMED, 500)
    state = NoticeState.objects.get(notice=notice)
    assert (state.state, state.paid_kes) == ("issued", 500)


def test_a_transaction_status_result_for_a_conversation_we_never_had_settles_nothing(
    client: Client, notice: FineNotice, paybill: Paybill
) -> None:
    forged = paybill.confirm(forged_confirmation(notice.number, 2500, shortcode=paybill.shortcode, trans_id="FAKE3"))
    result = {
        "Result": {
            "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "ConversationID": "AG_20261129_guessed",
            "OriginatorConversationID": "1-2-3",
            "ResultParameters": {
                "ResultParameter": [
                    {"Key": "ReceiptNo", "Value": "FAKE3"},
                    {"Key": "TransactionStatus", "Value": "Completed"},
                    {"Key": "Amount", "Value": 2500},
                    {"Key": "CreditPartyName", "Value": f"{paybill.shortcode} - Daftari"},
                ]
            },
        }
    }
    response = client.post(f"/payments/daraja/{TOKEN}/status/result", data=result, content_type="application/json")
    assert response.status_code == 200
    forged.refresh_from_db()
    assert forged.state == Payment.State.PENDING
    untouched(notice)


def test_a_forged_stk_success_callback_does_not_pay_a_notice_the_customer_cancelled(
    client: Client, notice: FineNotice, daraja_settings: SettingsWrapper, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_notice(number=notice.number, phone="0712341032").payment  # the simulator's "cancelled" phone
    payment.refresh_from_db()
    forged = {
        "Body": {
            "stkCallback": {
                "MerchantRequestID": "1-2-3",
                "CheckoutRequestID": payment.checkout_request_id,
                "ResultCode": 0,
                "ResultDesc": "The service request is processed successfully.",
                "CallbackMetadata": {
                    "Item": [
                        {"Name": "Amount", "Value": float(notice.total_kes)},
                        {"Name": "MpesaReceiptNumber", "Value": "FORGED0003"},
                    ]
                },
            }
        }
    }

    def forge() -> bool:
        response = client.post(f"/payments/daraja/{TOKEN}/stk", data=forged, content_type="application/json")
        assert response.status_code == 200
        return Payment.objects.get(pk=payment.pk).state != Payment.State.PENDING

    # Until the customer has answered, Daraja's query says "still processing": the forger tries again.
    wait_for(forge)
    payment.refresh_from_db()
    assert (payment.state, payment.mpesa_receipt) == (Payment.State.CANCELLED, None)
    untouched(notice)
