"""An abstract fee paid over real HTTP: the desk asks for the fee, Daftari (live_server) asks the Daraja
simulator (its own process) for an STK push, the simulator calls back, and the abstract is issued once."""

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.documents.models import DocumentFee, DocumentFeeState, IssuedDocument
from daftari.occurrences.models import Occurrence
from daftari.payments.models import DarajaCallback, Payment
from tests.payments.conftest import daraja_settings, simulator, wait_for  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def daftari(daraja_settings: SettingsWrapper, live_server: Any) -> SettingsWrapper:  # noqa: F811
    daraja_settings.DAFTARI_PUBLIC_BASE_URL = live_server.url
    daraja_settings.DAFTARI_ABSTRACT_FEE_KES = 150
    return daraja_settings


def fee_state_is(fee: DocumentFee, state: str) -> bool:
    # SQLite's test database may answer "table is locked" while the server thread writes.
    try:
        return DocumentFeeState.objects.get(fee=fee).state == state
    except OperationalError:
        return False


def ask(desk_client: Client, entry: Occurrence, phone: str) -> DocumentFee:
    response = desk_client.post(
        f"/entries/{entry.pk}/documents/new",
        {"kind": "abstract_lost_document", "applicant_name": "Wanjiku Kamau", "phone": phone},
    )
    fee = DocumentFee.objects.get()
    assert response["Location"] == f"/documents/fees/{fee.pk}"
    return fee


def test_the_applicant_pays_on_the_phone_and_the_abstract_is_issued_once_with_the_receipt(
    daftari: SettingsWrapper, desk_client: Client, lost_id: Occurrence
) -> None:
    fee = ask(desk_client, lost_id, "0712340002")  # the simulator calls back three times for this phone
    wait_for(lambda: fee_state_is(fee, "issued"))
    payment = Payment.objects.get(account_reference=fee.reference)
    wait_for(
        lambda: (
            # Only this payment's callbacks: the simulator outlives each test, and a late callback
            # for an earlier test's (flushed) payment may be stored here, unprocessed.
            DarajaCallback.objects.filter(kind="stk", key=checkout_id(payment)).count() >= 3
            and not DarajaCallback.objects.filter(key=checkout_id(payment), processed=False).exists()
        )
    )
    payment.refresh_from_db()
    document = IssuedDocument.objects.get()
    assert (payment.state, payment.amount_kes) == ("confirmed", 150)
    assert (document.fee_kes, document.details["mpesa_receipt"]) == (150, payment.mpesa_receipt)
    assert Occurrence.objects.filter(entry_type="ABSTRACT_ISSUED").count() == 1
    assert desk_client.get(f"/documents/fees/{fee.pk}")["Location"] == f"/documents/{document.pk}"


def test_a_prompt_cancelled_on_the_phone_issues_nothing(
    daftari: SettingsWrapper, desk_client: Client, lost_id: Occurrence
) -> None:
    fee = ask(desk_client, lost_id, "0712341032")
    payment = Payment.objects.get(account_reference=fee.reference)

    def cancelled() -> bool:
        try:
            return Payment.objects.get(pk=payment.pk).state == "cancelled"
        except OperationalError:
            return False

    wait_for(cancelled)
    assert fee_state_is(fee, "pending")
    assert not IssuedDocument.objects.exists()
    page = desk_client.get(f"/documents/fees/{fee.pk}").content.decode()
    assert "Waiting for M-Pesa payment of KES 150" in page


def test_paybill_with_the_reference_rejects_a_wrong_amount_and_issues_on_the_right_one(
    daftari: SettingsWrapper,
    desk_client: Client,
    lost_id: Occurrence,
    simulator: Any,  # noqa: F811
) -> None:
    import httpx

    from daftari.payments import services as payments

    payments.register_c2b_urls()
    fee = ask(desk_client, lost_id, "0712340003")  # the prompt is ignored; the applicant uses the paybill
    pay = {"BillRefNumber": fee.reference, "MSISDN": "254712340003"}
    wrong = httpx.post(f"{simulator.url}/simulate/c2b", json={**pay, "Amount": 100}, timeout=15).json()
    assert "C2B00013" in str(wrong)
    assert not IssuedDocument.objects.exists()
    httpx.post(f"{simulator.url}/simulate/c2b", json={**pay, "Amount": 150}, timeout=15)
    wait_for(lambda: fee_state_is(fee, "issued"))
    paybill = Payment.objects.get(account_reference=fee.reference, method="paybill")
    assert IssuedDocument.objects.get().details["mpesa_receipt"] == paybill.mpesa_receipt


def checkout_id(payment: Payment) -> str:
    """The payment's CheckoutRequestID as stored now (the push may store it after the call returns)."""
    return Payment.objects.get(pk=payment.pk).checkout_request_id or "-"
