"""The Daraja protocol's pure parts: the password, the timestamp, reading callbacks, what a result code means.

No ORM and no HTTP here, so each rule is tested on its own.
"""

import base64
import enum
import ipaddress
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

NAIROBI = ZoneInfo("Africa/Nairobi")
ACCOUNT_REFERENCE_MAX = 12
TRANSACTION_DESC_MAX = 13
# Daraja refuses or silently drops requests carrying these.
_UNSAFE = re.compile(r"[^A-Za-z0-9 .\-/]")


class Outcome(enum.Enum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    FAILED = "failed"
    # Not final: ask Daraja again later (1037, or the query says it is still processing).
    UNKNOWN = "unknown"


SUCCESS = "0"
CANCELLED_BY_USER = "1032"
DS_TIMEOUT = "1037"


def outcome_of(result_code: str) -> Outcome:
    """What an STK result code means for the payment. 1037 is never final: the user may still have paid."""
    if result_code == SUCCESS:
        return Outcome.CONFIRMED
    if result_code == CANCELLED_BY_USER:
        return Outcome.CANCELLED
    if result_code == DS_TIMEOUT:
        return Outcome.UNKNOWN
    return Outcome.FAILED


def timestamp(moment: datetime) -> str:
    """Daraja's Timestamp: YYYYMMDDHHMMSS in Nairobi time."""
    return moment.astimezone(NAIROBI).strftime("%Y%m%d%H%M%S")


def password(shortcode: str, passkey: str, stamp: str) -> str:
    """Daraja's Password: base64(Shortcode + Passkey + Timestamp)."""
    return base64.b64encode(f"{shortcode}{passkey}{stamp}".encode()).decode("ascii")


def msisdn(e164: str) -> str:
    """A Kenyan E.164 number (+2547…, +2541…) as Daraja wants it: 2547XXXXXXXX."""
    digits = e164.removeprefix("+")
    if not re.fullmatch(r"254[17]\d{8}", digits):
        raise ValueError("not a Kenyan mobile number")
    return digits


def clean_text(text: str, limit: int) -> str:
    return _UNSAFE.sub("", text).strip()[:limit]


def whole_shillings(value: Any) -> int | None:
    """An M-Pesa amount (1.00, "10.00", 10) as whole shillings; None when it is not a whole positive amount."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount <= 0 or amount != amount.to_integral_value():
        return None
    return int(amount)


class MalformedPayload(ValueError):
    pass


@dataclass(frozen=True)
class StkResult:
    merchant_request_id: str
    checkout_request_id: str
    result_code: str
    result_desc: str
    amount_kes: int | None = None
    receipt: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class C2BPayment:
    trans_id: str
    bill_ref: str
    amount_kes: int | None
    msisdn: str
    shortcode: str
    trans_time: str
    raw_amount: str


def _load(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPayload("not JSON") from exc
    if not isinstance(data, dict):
        raise MalformedPayload("not a JSON object")
    return data


def _code(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        raise MalformedPayload("missing ResultCode")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_stk_callback(raw: bytes) -> StkResult:
    """The STK callback body ``{"Body": {"stkCallback": {...}}}``; metadata items are read by Name."""
    data = _load(raw)
    body = data.get("Body")
    callback = body.get("stkCallback") if isinstance(body, dict) else None
    if not isinstance(callback, dict):
        raise MalformedPayload("no Body.stkCallback")
    checkout = callback.get("CheckoutRequestID")
    if not isinstance(checkout, str) or not checkout or len(checkout) > 64:
        raise MalformedPayload("no CheckoutRequestID")
    items: dict[str, Any] = {}
    metadata = callback.get("CallbackMetadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("Item"), list):
        for item in metadata["Item"]:
            if isinstance(item, dict) and isinstance(item.get("Name"), str) and "Value" in item:
                items[item["Name"]] = item["Value"]
    receipt = items.get("MpesaReceiptNumber")
    phone = items.get("PhoneNumber")
    return StkResult(
        merchant_request_id=str(callback.get("MerchantRequestID") or "")[:64],
        checkout_request_id=checkout,
        result_code=_code(callback.get("ResultCode")),
        result_desc=str(callback.get("ResultDesc") or "")[:255],
        amount_kes=whole_shillings(items["Amount"]) if "Amount" in items else None,
        receipt=str(receipt)[:32] if receipt else None,
        phone=str(phone) if phone else None,
    )


def parse_c2b(raw: bytes) -> C2BPayment:
    """A C2B validation or confirmation body (TransID, TransAmount, BillRefNumber, MSISDN, ...)."""
    data = _load(raw)
    trans_id = data.get("TransID")
    if not isinstance(trans_id, str) or not trans_id.strip() or len(trans_id) > 32:
        raise MalformedPayload("no TransID")
    if "TransAmount" not in data:
        raise MalformedPayload("no TransAmount")
    return C2BPayment(
        trans_id=trans_id.strip(),
        bill_ref=str(data.get("BillRefNumber") or "").strip().upper(),
        amount_kes=whole_shillings(data.get("TransAmount")),
        msisdn=str(data.get("MSISDN") or "")[:32],
        shortcode=str(data.get("BusinessShortCode") or ""),
        trans_time=str(data.get("TransTime") or ""),
        raw_amount=str(data.get("TransAmount")),
    )


def e164_from_msisdn(value: str) -> str:
    """2547XXXXXXXX → +2547XXXXXXXX; anything else (Daraja masks some MSISDNs) is kept as given."""
    digits = value.strip()
    return f"+{digits}" if re.fullmatch(r"254\d{9}", digits) else digits[:32]


# -- Transaction Status (asking Daraja whether a paybill payment is real) ------------------------


@dataclass(frozen=True)
class TransactionStatusResult:
    """Daraja's answer to a Transaction Status query, posted to our ResultURL.

    ``parameters`` are the ResultParameters by Key (ReceiptNo, Amount, TransactionStatus, CreditPartyName, ...).
    """

    conversation_id: str
    originator_conversation_id: str
    result_code: str
    result_desc: str
    parameters: dict[str, str]


def parse_transaction_status_result(raw: bytes) -> TransactionStatusResult:
    """The body ``{"Result": {"ResultCode", "ConversationID", "ResultParameters": {"ResultParameter": [...]}}}``."""
    data = _load(raw)
    result = data.get("Result")
    if not isinstance(result, dict):
        raise MalformedPayload("no Result")
    conversation = result.get("ConversationID")
    if not isinstance(conversation, str) or not conversation or len(conversation) > 64:
        raise MalformedPayload("no ConversationID")
    parameters: dict[str, str] = {}
    block = result.get("ResultParameters")
    items = block.get("ResultParameter") if isinstance(block, dict) else None
    if isinstance(items, dict):  # a single parameter comes as an object, not a list
        items = [items]
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("Key"), str) and item.get("Value") is not None:
                parameters[item["Key"]] = str(item["Value"]).strip()
    return TransactionStatusResult(
        conversation_id=conversation,
        originator_conversation_id=str(result.get("OriginatorConversationID") or "")[:64],
        result_code=_code(result.get("ResultCode")),
        result_desc=str(result.get("ResultDesc") or "")[:255],
        parameters=parameters,
    )


@dataclass(frozen=True)
class PaybillVerdict:
    """What Daraja's Transaction Status says of a claimed paybill payment: ``amount_kes`` is Daraja's figure.

    Not ``final`` when Daraja could not answer (a result code other than success): ask again later.
    """

    confirmed: bool
    final: bool
    reason: str
    amount_kes: int | None = None


def paybill_verdict(result: TransactionStatusResult, *, trans_id: str, shortcode: str) -> PaybillVerdict:
    """Confirmed only when Daraja says the receipt ``trans_id`` completed and credited ``shortcode``.

    The amount is Daraja's, never the confirmation's: the caller compares the two.
    """
    if result.result_code != SUCCESS:
        return PaybillVerdict(False, False, f"Daraja: {result.result_code} {result.result_desc}".strip())
    params = result.parameters
    if params.get("ReceiptNo", "").upper() != trans_id.upper():
        return PaybillVerdict(False, True, "Daraja reported another receipt")
    if params.get("TransactionStatus", "").lower() != "completed":
        return PaybillVerdict(False, True, f"Daraja: transaction {params.get('TransactionStatus') or 'not completed'}")
    # "174379 - Daftari": the party credited is the organisation, named by its shortcode first.
    credited = params.get("CreditPartyName", "").split("-", 1)[0].strip()
    if credited != shortcode:
        return PaybillVerdict(False, True, "Daraja: the money did not go to this paybill")
    amount = whole_shillings(params.get("Amount"))
    if amount is None:
        return PaybillVerdict(False, True, "Daraja reported no whole amount")
    return PaybillVerdict(True, True, "Confirmed by Daraja (Transaction Status)", amount)


def address_allowed(address: str, allowed: Sequence[str]) -> bool:
    """True when ``address`` (an IPv4 or IPv6 address) is one of ``allowed`` (addresses or CIDR networks)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    for entry in allowed:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            continue
        if ip.version == network.version and ip in network:
            return True
    return False
