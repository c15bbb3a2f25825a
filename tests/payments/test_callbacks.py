"""Daraja's callbacks at the HTTP boundary: the source address, the token, the raw payload stored first,
Daraja's answers. A callback settles nothing on its own word: the simulator answers the queries."""

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.core import periodic
from daftari.core.errors import InvalidInput
from daftari.payments import services
from daftari.payments.daraja import DarajaClient
from daftari.payments.models import DarajaCallback, Payment
from tests.payments.conftest import CALLBACK_TOKEN, FakeFines, Paybill, Simulator, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def token(daraja_settings: SettingsWrapper) -> None:
    assert daraja_settings.DAFTARI_DARAJA_CALLBACK_TOKEN == CALLBACK_TOKEN


def url(kind: str, token: str = CALLBACK_TOKEN) -> str:
    return f"/payments/daraja/{token}/{kind}"


def pending(checkout: str = "ws_CO_1", reference: str = "TST1", amount: int = 500) -> Payment:
    return Payment.objects.create(
        account_reference=reference,
        amount_kes=amount,
        phone="+254712345678",
        method=Payment.Method.STK,
        checkout_request_id=checkout,
    )


def pushed(phone: str = "+254712345678", reference: str = "TST1", amount: int = 500) -> Payment:
    """A prompt M-Pesa really sent (the simulator), once the customer has answered it, pending in Daftari."""
    with DarajaClient.from_settings() as daraja:
        accepted = daraja.stk_push(
            phone=phone,
            amount_kes=amount,
            account_reference=reference,
            description="Fine",
            callback_url="http://127.0.0.1:9/nowhere",
        )
    payment = pending(accepted.checkout_request_id, reference, amount)
    wait_for(lambda: simulator_answered(accepted.checkout_request_id))
    return payment


def simulator_answered(checkout: str) -> bool:
    with DarajaClient.from_settings() as daraja:
        return daraja.stk_query(checkout).result_code is not None


def stk_body(checkout: str = "ws_CO_1", code: int = 0, receipt: str = "NE10MHGI7K", amount: float = 500.0) -> bytes:
    callback: dict[str, Any] = {
        "MerchantRequestID": "18046-1248485-2",
        "CheckoutRequestID": checkout,
        "ResultCode": code,
        "ResultDesc": "desc",
    }
    if code == 0:
        callback["CallbackMetadata"] = {
            "Item": [
                {"Name": "Amount", "Value": amount},
                {"Name": "MpesaReceiptNumber", "Value": receipt},
                {"Name": "Balance"},
                {"Name": "PhoneNumber", "Value": 254712345678},
            ]
        }
    return json.dumps({"Body": {"stkCallback": callback}}).encode()


def c2b_body(trans_id: str = "NLJ7RT61SV", ref: str = "TST9", amount: str = "500.00") -> bytes:
    return json.dumps(
        {
            "TransactionType": "Pay Bill",
            "TransID": trans_id,
            "TransTime": "20261129101500",
            "TransAmount": amount,
            "BusinessShortCode": "174379",
            "BillRefNumber": ref,
            "InvoiceNumber": "",
            "OrgAccountBalance": "49197.00",
            "ThirdPartyTransID": "",
            "MSISDN": "254712345678",
            "FirstName": "John",
        }
    ).encode()


def post(client: Client, kind: str, body: bytes, token: str = CALLBACK_TOKEN) -> Any:
    return client.post(url(kind, token), data=body, content_type="application/json")


def test_a_wrong_token_gets_404_and_nothing_is_stored(client: Client, fines: FakeFines) -> None:
    pending()
    assert post(client, "stk", stk_body(), token="guess").status_code == 404
    assert not DarajaCallback.objects.exists()
    assert Payment.objects.get().state == Payment.State.PENDING


def test_callbacks_are_off_when_no_token_is_configured(
    client: Client, settings: SettingsWrapper, fines: FakeFines
) -> None:
    settings.DAFTARI_DARAJA_CALLBACK_TOKEN = ""
    assert client.post("/payments/daraja/x/stk", data=stk_body(), content_type="application/json").status_code == 404


def test_a_malformed_body_is_stored_and_answered_with_a_daraja_error(client: Client) -> None:
    response = post(client, "stk", b"{not json")
    assert response.status_code == 400
    assert response.json()["ResultCode"] == 1
    stored = DarajaCallback.objects.get()
    assert (bytes(stored.raw), stored.kind, stored.processed) == (b"{not json", "stk", False)


def test_a_malformed_confirmation_is_stored_and_refused_without_a_500(client: Client) -> None:
    response = post(client, "c2b/confirmation", b'{"TransAmount": "10.00"}')
    assert response.status_code == 400
    assert DarajaCallback.objects.get().kind == "c2b_confirmation"
    assert not Payment.objects.exists()


def test_duplicate_callbacks_are_accepted_and_settle_once(client: Client, fines: FakeFines) -> None:
    payment = pushed()
    for _ in range(3):
        response = post(client, "stk", stk_body(payment.checkout_request_id or ""))
        assert response.json() == {"ResultCode": 0, "ResultDesc": "Accepted"}
    payment.refresh_from_db()
    assert (payment.state, payment.mpesa_receipt, payment.paid_kes) == ("confirmed", "NE10MHGI7K", 500)
    assert fines.confirmed == [("TST1", 500, "confirmed")]
    assert DarajaCallback.objects.filter(processed=True).count() == 3


def test_a_success_callback_settles_the_amount_asked_for_not_the_amount_it_names(
    client: Client, fines: FakeFines
) -> None:
    payment = pushed()
    post(client, "stk", stk_body(payment.checkout_request_id or "", amount=50_000.0))
    payment.refresh_from_db()
    # Daraja confirmed the prompt for 500: that is the money; the callback's other figure and receipt are ignored.
    assert (payment.state, payment.paid_kes, payment.mpesa_receipt) == ("confirmed", 500, None)
    assert fines.confirmed == [("TST1", 500, "confirmed")]


def test_a_failure_callback_does_not_cancel_a_payment_daraja_says_was_paid(client: Client, fines: FakeFines) -> None:
    payment = pushed()
    post(client, "stk", stk_body(payment.checkout_request_id or "", code=1032))
    payment.refresh_from_db()
    assert payment.state == Payment.State.CONFIRMED
    assert fines.confirmed == [("TST1", 500, "confirmed")]


def test_a_late_failure_callback_does_not_undo_a_confirmed_payment(client: Client, fines: FakeFines) -> None:
    payment = pushed()
    post(client, "stk", stk_body(payment.checkout_request_id or ""))
    post(client, "stk", stk_body(payment.checkout_request_id or "", code=1032))
    payment.refresh_from_db()
    assert payment.state == Payment.State.CONFIRMED


def test_when_the_app_fails_the_payment_stays_pending_and_the_next_delivery_settles_it(
    client: Client, fines: FakeFines
) -> None:
    payment = pushed()
    fines.fail_next = True
    assert post(client, "stk", stk_body(payment.checkout_request_id or "")).status_code == 503
    payment.refresh_from_db()
    assert payment.state == Payment.State.PENDING
    assert post(client, "stk", stk_body(payment.checkout_request_id or "")).status_code == 200
    payment.refresh_from_db()
    assert payment.state == Payment.State.CONFIRMED
    assert fines.confirmed == [("TST1", 500, "confirmed")]


def test_a_success_callback_for_a_prompt_daraja_does_not_know_settles_nothing(client: Client, fines: FakeFines) -> None:
    payment = pending("ws_CO_never_sent")
    assert post(client, "stk", stk_body("ws_CO_never_sent")).status_code == 200
    payment.refresh_from_db()
    assert payment.state == Payment.State.PENDING
    assert fines.confirmed == []
    assert not DarajaCallback.objects.get().processed


def test_a_callback_before_the_push_answer_is_kept_and_returns_no_payment(fines: FakeFines) -> None:
    assert services.record_stk_callback(raw=stk_body("ws_CO_unknown")) is None
    stored = DarajaCallback.objects.get()
    assert (stored.key, stored.processed) == ("ws_CO_unknown", False)


@pytest.mark.parametrize(
    ("ref", "amount", "answer"),
    [
        ("TST9", "500.00", {"ResultCode": "0", "ResultDesc": "Accepted"}),
        ("NOSUCH", "500.00", {"ResultCode": "C2B00012", "ResultDesc": "Invalid Account Number"}),
        ("TSTCLOSED", "500.00", {"ResultCode": "C2B00012", "ResultDesc": "Notice already paid"}),
        ("TST9", "200000.00", {"ResultCode": "C2B00013", "ResultDesc": "Invalid Amount"}),
        ("TST9", "10.50", {"ResultCode": "C2B00013", "ResultDesc": "Invalid Amount"}),
    ],
)
def test_c2b_validation_rejects_what_the_app_rejects(
    client: Client, fines: FakeFines, ref: str, amount: str, answer: dict[str, str]
) -> None:
    response = post(client, "c2b/validation", c2b_body(ref=ref, amount=amount))
    assert response.status_code == 200
    assert response.json() == answer
    assert DarajaCallback.objects.get().kind == "c2b_validation"
    assert not Payment.objects.exists()


def test_a_confirmation_is_recorded_pending_once_per_trans_id_and_settled_by_daraja_s_result(
    client: Client, fines: FakeFines, paybill: Paybill, simulator: Simulator, django_capture_on_commit_callbacks: Any
) -> None:
    raw = paybill.pay("TST9", 500, trans_id="NLJ7RT61SV")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert post(client, "c2b/confirmation", raw).json() == {"ResultCode": 0, "ResultDesc": "Accepted"}
    payment = Payment.objects.get()
    assert (payment.mpesa_receipt, payment.method, payment.state, payment.paid_kes) == (
        "NLJ7RT61SV",
        "paybill",
        "pending",
        None,
    )
    assert fines.confirmed == []
    result = httpx.get(f"{simulator.url}/simulate/results/{payment.conversation_id}", timeout=15).content
    for _ in range(2):  # Daraja may deliver its result twice too
        assert post(client, "status/result", result).json() == {"ResultCode": 0, "ResultDesc": "Accepted"}
    payment.refresh_from_db()
    assert (payment.state, payment.paid_kes) == ("confirmed", 500)
    assert fines.confirmed == [("TST9", 500, "confirmed")]
    assert fines.in_transaction == [True]


def test_a_confirmation_to_another_shortcode_is_stored_and_refused(client: Client, fines: FakeFines) -> None:
    body = json.loads(c2b_body())
    body["BusinessShortCode"] = "999999"
    response = post(client, "c2b/confirmation", json.dumps(body).encode())
    assert response.status_code == 400
    assert not Payment.objects.exists()
    assert DarajaCallback.objects.get().kind == "c2b_confirmation"


def test_a_transaction_status_timeout_is_kept_and_settles_nothing(client: Client, fines: FakeFines) -> None:
    body = json.dumps({"Result": {"ResultCode": 1, "ConversationID": "AG_1", "ResultDesc": "timeout"}}).encode()
    assert post(client, "status/timeout", body).status_code == 200
    assert DarajaCallback.objects.get().kind == "status_timeout"


@pytest.mark.parametrize("amount", [300, 700])
def test_partial_and_over_payments_are_recorded_and_passed_on(fines: FakeFines, paybill: Paybill, amount: int) -> None:
    paybill("TST9", amount)
    assert Payment.objects.get().paid_kes == amount
    assert fines.confirmed == [("TST9", amount, "confirmed")]


def test_money_for_a_reference_no_app_claims_is_still_recorded(fines: FakeFines, paybill: Paybill) -> None:
    payment = paybill("ZZZ123", 500)
    assert (payment.account_reference, payment.state) == ("ZZZ123", "confirmed")
    assert fines.confirmed == []


def test_a_callback_from_outside_safaricom_s_addresses_is_refused_before_anything_is_stored(
    client: Client, settings: SettingsWrapper, fines: FakeFines
) -> None:
    settings.DAFTARI_DARAJA_CALLBACK_ALLOWED_IPS = list(django_settings.SAFARICOM_CALLBACK_ADDRESSES)
    payment = pending()
    for kind, body in [("stk", stk_body()), ("c2b/confirmation", c2b_body()), ("c2b/validation", c2b_body())]:
        response = client.post(url(kind), data=body, content_type="application/json", REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 403
    # Even from this machine: loopback is allowed only in development.
    assert post(client, "stk", stk_body()).status_code == 403
    assert not DarajaCallback.objects.exists()
    assert Payment.objects.get() == payment and payment.state == Payment.State.PENDING
    from_safaricom = client.post(
        url("c2b/validation"), data=c2b_body(), content_type="application/json", REMOTE_ADDR="196.201.214.200"
    )
    assert from_safaricom.status_code == 200


def test_a_get_is_not_a_callback(client: Client) -> None:
    assert client.get(url("stk")).status_code == 405


def test_a_push_checks_the_phone_reference_and_amount() -> None:
    with pytest.raises(InvalidInput) as error:
        services.request_stk_push(account_reference="WAY-TOO-LONG-REF", amount_kes=0, phone="12", description="x")
    assert set(error.value.fields) == {"phone", "account_reference", "amount_kes"}
    assert not Payment.objects.exists()


def test_the_push_waits_for_the_commit_and_an_unreachable_daraja_fails_the_payment_with_the_reason(
    settings: SettingsWrapper, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DAFTARI_DARAJA_BASE_URL = "http://127.0.0.1:9"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        payment = services.request_stk_push(
            account_reference="TST1", amount_kes=500, phone="0712345678", description="Fine"
        )
    assert payment.state == Payment.State.PENDING
    callbacks[0]()
    payment.refresh_from_db()
    assert payment.state == Payment.State.FAILED
    assert "could not be reached" in payment.result_desc


def test_a_retried_push_with_the_same_client_id_returns_the_same_payment(settings: SettingsWrapper) -> None:
    settings.DAFTARI_DARAJA_BASE_URL = "http://127.0.0.1:9"
    client_id = uuid.uuid4()
    first = services.request_stk_push(
        account_reference="TST1", amount_kes=500, phone="0712345678", description="Fine", client_id=client_id
    )
    again = services.request_stk_push(
        account_reference="TST1", amount_kes=500, phone="0712345678", description="Fine", client_id=client_id
    )
    assert first.pk == again.pk
    assert Payment.objects.count() == 1


def test_the_worker_runs_the_pending_payments_query() -> None:
    assert "payments.query_pending" in periodic.names()


def test_the_admin_shows_payments_and_raw_callbacks_and_changes_nothing(client: Client, fines: FakeFines) -> None:
    from django.contrib.auth.models import User

    payment = pushed()
    post(client, "stk", stk_body(payment.checkout_request_id or ""))
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x" * 12))
    payments_page = client.get("/admin/payments/payment/")
    assert payments_page.status_code == 200
    assert b"NE10MHGI7K" in payments_page.content
    callback = DarajaCallback.objects.get()
    page = client.get(f"/admin/payments/darajacallback/{callback.pk}/change/")
    assert page.status_code == 200
    assert (payment.checkout_request_id or "-").encode() in page.content
    assert client.get("/admin/payments/payment/add/").status_code == 403


def test_a_paybill_payment_daraja_could_not_be_asked_about_is_asked_again_by_the_worker(
    fines: FakeFines,
    paybill: Paybill,
    simulator: Simulator,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: Any,
) -> None:
    raw = paybill.pay("TST9", 500)
    settings.DAFTARI_DARAJA_BASE_URL = "http://127.0.0.1:9"  # Daraja unreachable when the confirmation comes
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.record_c2b_confirmation(raw=raw)
    payment.refresh_from_db()
    assert (payment.state, payment.conversation_id) == ("pending", "")
    settings.DAFTARI_DARAJA_BASE_URL = simulator.url
    assert services.query_pending(older_than=timedelta(0)) == 0  # asked; the answer comes to the result URL
    payment.refresh_from_db()
    assert payment.conversation_id
    result = httpx.get(f"{simulator.url}/simulate/results/{payment.conversation_id}", timeout=15).content
    services.record_transaction_status_result(raw=result)
    payment.refresh_from_db()
    assert (payment.state, payment.paid_kes) == ("confirmed", 500)
    assert fines.confirmed == [("TST9", 500, "confirmed")]


def test_a_paybill_confirmation_daraja_never_confirms_fails_after_a_day_and_tells_the_app_nothing(
    fines: FakeFines, paybill: Paybill
) -> None:
    body = json.loads(c2b_body(trans_id="NEVERPAID1"))
    payment = paybill.confirm(json.dumps(body).encode())
    assert payment.state == Payment.State.PENDING
    with time_machine.travel(timezone.now() + services.PAYBILL_GIVE_UP_AFTER + timedelta(minutes=1)):
        services.query_pending()
    payment.refresh_from_db()
    assert payment.state == Payment.State.FAILED
    assert fines.confirmed == []
