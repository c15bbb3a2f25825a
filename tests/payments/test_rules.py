import base64
import json
from datetime import UTC, datetime

import pytest

from daftari.payments import rules


def test_the_timestamp_is_nairobi_time_to_the_second() -> None:
    assert rules.timestamp(datetime(2019, 5, 1, 18, 28, 34, tzinfo=UTC)) == "20190501212834"


def test_the_password_is_base64_of_shortcode_passkey_and_timestamp() -> None:
    passkey = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
    password = rules.password("174379", passkey, "20160216165627")
    assert base64.b64decode(password).decode() == f"174379{passkey}20160216165627"
    # Safaricom's published sample request carries this password for the sandbox shortcode.
    assert password.startswith(
        "MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMTYwMjE2MTY1NjI3"
    )


def test_a_kenyan_number_is_sent_as_254_without_the_plus() -> None:
    assert rules.msisdn("+254712345678") == "254712345678"
    assert rules.msisdn("+254112345678") == "254112345678"
    with pytest.raises(ValueError):
        rules.msisdn("+447700900123")


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("0", rules.Outcome.CONFIRMED),
        ("1032", rules.Outcome.CANCELLED),
        ("1037", rules.Outcome.UNKNOWN),
        ("2001", rules.Outcome.FAILED),
        ("1", rules.Outcome.FAILED),
    ],
)
def test_result_codes_and_what_they_mean(code: str, outcome: rules.Outcome) -> None:
    assert rules.outcome_of(code) is outcome


def test_a_success_callback_is_read_by_item_name() -> None:
    raw = json.dumps(
        {
            "Body": {
                "stkCallback": {
                    "MerchantRequestID": "18046-1248485-2",
                    "CheckoutRequestID": "ws_CO_DMZ_464152318_01052019212834424",
                    "ResultCode": 0,
                    "ResultDesc": "The service request is processed successfully.",
                    "CallbackMetadata": {
                        "Item": [
                            {"Name": "MpesaReceiptNumber", "Value": "NE10MHGI7K"},
                            {"Name": "Balance"},
                            {"Name": "Amount", "Value": 1.00},
                            {"Name": "TransactionDate", "Value": 20190501212916},
                            {"Name": "PhoneNumber", "Value": 254708374149},
                        ]
                    },
                }
            }
        }
    ).encode()
    result = rules.parse_stk_callback(raw)
    assert (result.result_code, result.amount_kes, result.receipt) == ("0", 1, "NE10MHGI7K")
    assert result.checkout_request_id == "ws_CO_DMZ_464152318_01052019212834424"


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"Body": {}}', b'{"Body": {"stkCallback": {"ResultCode": 0}}}'])
def test_a_callback_without_its_fields_is_malformed(raw: bytes) -> None:
    with pytest.raises(rules.MalformedPayload):
        rules.parse_stk_callback(raw)


@pytest.mark.parametrize(
    ("value", "expected"), [("10.00", 10), (1.0, 1), (500, 500), ("10.50", None), ("x", None), (0, None)]
)
def test_mpesa_amounts_are_whole_shillings(value: object, expected: int | None) -> None:
    assert rules.whole_shillings(value) == expected


def status_result(code: int = 0, **parameters: object) -> bytes:
    params = {
        "ReceiptNo": "TK1ABCDEF1",
        "TransactionStatus": "Completed",
        "Amount": 2500.0,
        "CreditPartyName": "174379 - Daftari",
        "DebitPartyName": "254712345678 - John Doe",
        **parameters,
    }
    return json.dumps(
        {
            "Result": {
                "ResultType": 0,
                "ResultCode": code,
                "ResultDesc": "desc",
                "OriginatorConversationID": "1-2-3",
                "ConversationID": "AG_20261129_0001",
                "ResultParameters": {"ResultParameter": [{"Key": k, "Value": v} for k, v in params.items()]},
            }
        }
    ).encode()


def verdict(raw: bytes, trans_id: str = "TK1ABCDEF1") -> rules.PaybillVerdict:
    return rules.paybill_verdict(rules.parse_transaction_status_result(raw), trans_id=trans_id, shortcode="174379")


def test_daraja_confirms_a_paybill_payment_that_completed_to_our_shortcode_with_its_own_amount() -> None:
    assert verdict(status_result()) == rules.PaybillVerdict(
        True, True, "Confirmed by Daraja (Transaction Status)", 2500
    )


@pytest.mark.parametrize(
    ("raw", "trans_id"),
    [
        (status_result(ReceiptNo="OTHER00001"), "TK1ABCDEF1"),
        (status_result(), "FORGED0001"),
        (status_result(TransactionStatus="Failed"), "TK1ABCDEF1"),
        (status_result(CreditPartyName="999999 - Someone Else"), "TK1ABCDEF1"),
        (status_result(Amount="ten"), "TK1ABCDEF1"),
    ],
)
def test_a_result_that_contradicts_the_claim_fails_it_for_good(raw: bytes, trans_id: str) -> None:
    found = verdict(raw, trans_id)
    assert (found.confirmed, found.final) == (False, True)


def test_a_result_code_other_than_success_is_asked_again_later() -> None:
    found = verdict(status_result(code=1))
    assert (found.confirmed, found.final) == (False, False)


def test_a_result_without_a_conversation_is_malformed() -> None:
    with pytest.raises(rules.MalformedPayload):
        rules.parse_transaction_status_result(b'{"Result": {"ResultCode": 0}}')


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("196.201.214.200", True),
        ("196.201.212.69", True),
        ("196.201.214.201", False),
        ("10.1.2.3", True),
        ("2001:db8::5", True),
        ("127.0.0.1", False),
        ("not an address", False),
        ("", False),
    ],
)
def test_a_callback_address_is_allowed_by_address_or_network(address: str, allowed: bool) -> None:
    listed = ["196.201.214.200", "196.201.212.69", "10.0.0.0/8", "2001:db8::/32", "garbage"]
    assert rules.address_allowed(address, listed) is allowed
