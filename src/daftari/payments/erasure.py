"""A payer's phone and names, erased where payments keeps them (``daftari ledger redact``).

Payments has no leaves of its own: the apps whose records a payment settles (a fine notice, an
abstract's fee) call this from their erasers. The amount, the M-Pesa receipt number, the account
reference and the times stay, so the money still reconciles against Safaricom's statement.
"""

import json
from typing import Any

from daftari.payments.models import DarajaCallback, Payment

MARKER = "[redacted]"

# Keys of Daraja's callbacks (STK and C2B) that carry the payer's phone or names.
PAYER_KEYS = frozenset({"MSISDN", "PhoneNumber", "PartyA", "FirstName", "MiddleName", "LastName"})
# Transaction Status results name the payer as "2547XXXXXXXX - NAME" in this result parameter.
PAYER_PARAMETERS = frozenset({"DebitPartyName"})


def _scrubbed(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get("Name") in PAYER_KEYS and "Value" in value:  # STK's CallbackMetadata items
            return {**value, "Value": MARKER}
        if value.get("Key") in PAYER_PARAMETERS and "Value" in value:  # Transaction Status ResultParameters
            return {**value, "Value": MARKER}
        return {k: MARKER if k in PAYER_KEYS and v not in ("", None) else _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def scrubbed_callback(raw: bytes) -> bytes:
    """Daraja's payload without the payer; the rest (amount, reference, receipt) as it came."""
    try:
        body = json.loads(raw)
    except ValueError:
        return MARKER.encode()  # unreadable, so the payer cannot be told apart: the whole payload goes
    return json.dumps(_scrubbed(body), separators=(",", ":")).encode()


def erase_payer(payment: Payment) -> None:
    """Blanks the payment's phone and scrubs the payer from Daraja's stored callbacks for it."""
    keys = [k for k in (payment.checkout_request_id, payment.mpesa_receipt, payment.conversation_id) if k]
    for callback in DarajaCallback.objects.filter(key__in=keys):
        DarajaCallback.objects.filter(pk=callback.pk).update(raw=scrubbed_callback(bytes(callback.raw)))
    Payment.objects.filter(pk=payment.pk).update(phone="")
