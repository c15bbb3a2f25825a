"""An httpx client for Safaricom's M-Pesa Daraja API (and ``daftari daraja-sim``, which speaks the same).

Secrets (consumer secret, passkey, password, token) are never logged or put into an error message.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from daftari.payments import rules

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# Renew the token this long before Daraja says it expires.
TOKEN_MARGIN_SECONDS = 60
# The query's answer while the customer has not finished yet (HTTP 500 with this errorCode).
STILL_PROCESSING = "500.001.1001"


class DarajaError(Exception):
    """Daraja could not be reached or refused the request; ``code`` is Daraja's errorCode when it gave one."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class StkPushAccepted:
    merchant_request_id: str
    checkout_request_id: str
    response_code: str
    customer_message: str


@dataclass(frozen=True)
class StkQueryResult:
    """``result_code`` is None while Daraja says the transaction is still being processed."""

    result_code: str | None
    result_desc: str


@dataclass(frozen=True)
class StatusQueryAccepted:
    """Daraja took the Transaction Status query; its answer comes later to the ResultURL, naming this conversation."""

    conversation_id: str
    originator_conversation_id: str


_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def clear_token_cache() -> None:
    with _tokens_lock:
        _tokens.clear()


class DarajaClient:
    def __init__(
        self,
        *,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        shortcode: str,
        passkey: str,
        initiator: str = "",
        security_credential: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.shortcode = shortcode
        self.passkey = passkey
        self.initiator = initiator
        self.security_credential = security_credential
        self._http = httpx.Client(base_url=self.base_url, timeout=TIMEOUT, transport=transport)

    @classmethod
    def from_settings(cls) -> DarajaClient:
        return cls(
            base_url=settings.DAFTARI_DARAJA_BASE_URL,
            consumer_key=settings.DAFTARI_DARAJA_CONSUMER_KEY,
            consumer_secret=settings.DAFTARI_DARAJA_CONSUMER_SECRET,
            shortcode=settings.DAFTARI_DARAJA_SHORTCODE,
            passkey=settings.DAFTARI_DARAJA_PASSKEY,
            initiator=settings.DAFTARI_DARAJA_INITIATOR,
            security_credential=settings.DAFTARI_DARAJA_SECURITY_CREDENTIAL,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DarajaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the token -----------------------------------------------------------------------------------

    def token(self) -> str:
        """The OAuth access token, cached (per host and consumer key) until shortly before it expires."""
        if not (self.consumer_key and self.consumer_secret):
            raise DarajaError("Daraja consumer key and secret are not configured")
        cache_key = (self.base_url, self.consumer_key)
        with _tokens_lock:
            cached = _tokens.get(cache_key)
            if cached and cached[1] > time.monotonic():
                return cached[0]
        data = self._send(
            "GET",
            "/oauth/v1/generate",
            params={"grant_type": "client_credentials"},
            auth=(self.consumer_key, self.consumer_secret),
        )
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise DarajaError("Daraja answered the token request without an access_token")
        try:
            lifetime = int(data.get("expires_in", 3599))
        except (TypeError, ValueError):
            lifetime = 3599
        with _tokens_lock:
            _tokens[cache_key] = (token, time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, 1))
        return token

    # -- the calls -----------------------------------------------------------------------------------

    def _credentials(self, now: datetime | None = None) -> dict[str, str]:
        if not self.passkey:
            raise DarajaError("Daraja passkey is not configured")
        stamp = rules.timestamp(now or timezone.now())
        return {
            "BusinessShortCode": self.shortcode,
            "Password": rules.password(self.shortcode, self.passkey, stamp),
            "Timestamp": stamp,
        }

    def stk_push(
        self, *, phone: str, amount_kes: int, account_reference: str, description: str, callback_url: str
    ) -> StkPushAccepted:
        """Asks M-Pesa to prompt ``phone`` (E.164) for ``amount_kes``; accepted is not paid."""
        party = rules.msisdn(phone)
        body = {
            **self._credentials(),
            "TransactionType": "CustomerPayBillOnline",
            "Amount": int(amount_kes),
            "PartyA": party,
            "PartyB": self.shortcode,
            "PhoneNumber": party,
            "CallBackURL": callback_url,
            "AccountReference": rules.clean_text(account_reference, rules.ACCOUNT_REFERENCE_MAX),
            "TransactionDesc": rules.clean_text(description, rules.TRANSACTION_DESC_MAX) or "Payment",
        }
        data = self._authorised("/mpesa/stkpush/v1/processrequest", body)
        code = str(data.get("ResponseCode", ""))
        checkout = data.get("CheckoutRequestID")
        if code != "0" or not isinstance(checkout, str) or not checkout:
            raise DarajaError(f"Daraja did not accept the STK push: {data.get('ResponseDescription', '')}", code=code)
        return StkPushAccepted(
            merchant_request_id=str(data.get("MerchantRequestID", "")),
            checkout_request_id=checkout,
            response_code=code,
            customer_message=str(data.get("CustomerMessage", "")),
        )

    def stk_query(self, checkout_request_id: str) -> StkQueryResult:
        body = {**self._credentials(), "CheckoutRequestID": checkout_request_id}
        try:
            data = self._authorised("/mpesa/stkpushquery/v1/query", body)
        except DarajaError as exc:
            if exc.code == STILL_PROCESSING:
                return StkQueryResult(result_code=None, result_desc=str(exc))
            raise
        if "ResultCode" not in data:
            return StkQueryResult(result_code=None, result_desc=str(data.get("ResponseDescription", "")))
        return StkQueryResult(result_code=str(data["ResultCode"]).strip(), result_desc=str(data.get("ResultDesc", "")))

    def transaction_status(self, *, trans_id: str, result_url: str, timeout_url: str) -> StatusQueryAccepted:
        """Asks Daraja about the M-Pesa transaction ``trans_id`` received on our shortcode.

        Accepted is not answered: Daraja posts the result to ``result_url`` (or ``timeout_url`` when its
        queue times out), naming the conversation returned here.
        """
        if not (self.initiator and self.security_credential):
            raise DarajaError("Daraja initiator and security credential are not configured")
        body = {
            "Initiator": self.initiator,
            "SecurityCredential": self.security_credential,
            "CommandID": "TransactionStatusQuery",
            "TransactionID": trans_id,
            "PartyA": self.shortcode,
            "IdentifierType": "4",  # an organisation's shortcode
            "ResultURL": result_url,
            "QueueTimeOutURL": timeout_url,
            "Remarks": "Confirm paybill payment",
            "Occasion": "",
        }
        data = self._authorised("/mpesa/transactionstatus/v1/query", body)
        code = str(data.get("ResponseCode", ""))
        conversation = data.get("ConversationID")
        if code != "0" or not isinstance(conversation, str) or not conversation:
            raise DarajaError(
                f"Daraja did not accept the status query: {data.get('ResponseDescription', '')}", code=code
            )
        return StatusQueryAccepted(
            conversation_id=conversation[:64],
            originator_conversation_id=str(data.get("OriginatorConversationID", ""))[:64],
        )

    def register_c2b_urls(
        self, *, confirmation_url: str, validation_url: str, response_type: str = "Cancelled"
    ) -> dict[str, Any]:
        """``response_type`` is what M-Pesa does when the validation URL cannot be reached."""
        body = {
            "ShortCode": self.shortcode,
            "ResponseType": response_type,
            "ConfirmationURL": confirmation_url,
            "ValidationURL": validation_url,
        }
        data = self._authorised("/mpesa/c2b/v1/registerurl", body)
        if str(data.get("ResponseCode", "0")) != "0":
            raise DarajaError("Daraja did not register the C2B URLs", code=str(data.get("ResponseCode")))
        return data

    # -- HTTP ----------------------------------------------------------------------------------------

    def _authorised(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        token = self.token()
        try:
            return self._send("POST", path, json=body, headers={"Authorization": f"Bearer {token}"})
        except DarajaError as exc:
            if exc.status == 401:
                # A token revoked early: forget it so the next call fetches a new one.
                with _tokens_lock:
                    _tokens.pop((self.base_url, self.consumer_key), None)
            raise

    def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            log.warning("Daraja %s %s failed: %s", method, path, type(exc).__name__)
            raise DarajaError(f"Daraja could not be reached ({type(exc).__name__})") from exc
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise DarajaError(
                f"Daraja answered {response.status_code} without a JSON object", status=response.status_code
            )
        if response.status_code >= 400:
            code = str(data.get("errorCode", ""))
            message = str(data.get("errorMessage", "")) or f"HTTP {response.status_code}"
            log.warning("Daraja %s %s refused: %s %s", method, path, response.status_code, code)
            raise DarajaError(f"Daraja refused the request: {message}", code=code, status=response.status_code)
        return data
