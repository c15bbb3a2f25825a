"""A local fake of Safaricom's Daraja, for development, the demo and the tests: ``daftari daraja-sim``.

It knows nothing of Daftari's database: like Safaricom, it only speaks the HTTP contract (OAuth token,
STK push and query, C2B register, Transaction Status) and calls back the URLs it was given. Scenarios follow the last
digits of the phone number (or ``--scenario`` for every number):

    …1032 cancelled by the user       …1037 a 1037 timeout callback; the query then answers success
    …2001 wrong PIN                    …0001 insufficient funds (result code 1)
    …0002 the success callback 3 times …0003 no callback at all; the query answers success
    anything else: success, one callback

``POST /simulate/c2b {"BillRefNumber", "Amount", "MSISDN"}`` pays by paybill: the registered
validation URL is called, then (if it accepts) the confirmation URL; the answer reports both, and the
confirmation body as ``payment``. With ``"Deliver": false`` nobody is called: the payment is only made
(a test then hands the confirmation to Daftari itself). Transaction Status knows every payment made so.

Test helpers, as Safaricom has none: ``GET /simulate/results/<ConversationID>`` is the Transaction Status
result the simulator posts (or tried to post) to the ResultURL; ``GET /simulate/stk?AccountReference=X``
lists the STK prompts sent for an account.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx

log = logging.getLogger(__name__)

NAIROBI = ZoneInfo("Africa/Nairobi")
SANDBOX_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"


@dataclass(frozen=True)
class Scenario:
    result_code: int
    result_desc: str
    callbacks: int = 1
    # What the STK query answers once the transaction is over; the first query may answer otherwise.
    query_code: int | None = None
    first_query_code: int | None = None

    @property
    def final_query_code(self) -> int:
        return self.result_code if self.query_code is None else self.query_code


SCENARIOS: dict[str, Scenario] = {
    "success": Scenario(0, "The service request is processed successfully."),
    "cancelled": Scenario(1032, "Request cancelled by user"),
    # The query right after the 1037 callback still says 1037; a later one finds the customer paid.
    "timeout": Scenario(1037, "DS timeout user cannot be reached", query_code=0, first_query_code=1037),
    "wrong_pin": Scenario(2001, "The initiator information is invalid."),
    "insufficient_funds": Scenario(1, "The balance is insufficient for the transaction."),
    "duplicate": Scenario(0, "The service request is processed successfully.", callbacks=3),
    "lost": Scenario(0, "The service request is processed successfully.", callbacks=0),
}
BY_PHONE_SUFFIX = {
    "1032": "cancelled",
    "1037": "timeout",
    "2001": "wrong_pin",
    "0001": "insufficient_funds",
    "0002": "duplicate",
    "0003": "lost",
}
QUERY_DESCS = {0: "The service request is processed successfully."}


def scenario_for(phone: str, forced: str | None) -> str:
    if forced:
        return forced
    for suffix, name in BY_PHONE_SUFFIX.items():
        if phone.endswith(suffix):
            return name
    return "success"


def _id(prefix: str, length: int = 20) -> str:
    return prefix + "".join(secrets.choice(string.digits) for _ in range(length))


def receipt_number() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(10))


def _timestamp() -> str:
    return datetime.now(NAIROBI).strftime("%Y%m%d%H%M%S")


@dataclass
class StkTransaction:
    merchant_request_id: str
    checkout_request_id: str
    phone: str
    amount: int
    account_reference: str
    callback_url: str
    scenario: str
    done: bool = False
    queries: int = 0


@dataclass(frozen=True)
class C2BTransaction:
    """A paybill payment M-Pesa completed: what Transaction Status reports about it."""

    trans_id: str
    shortcode: str
    amount: int
    bill_ref: str
    msisdn: str
    name: str


@dataclass
class State:
    consumer_key: str | None
    consumer_secret: str | None
    passkey: str
    forced_scenario: str | None
    delay: float
    tokens: set[str] = field(default_factory=set)
    stk: dict[str, StkTransaction] = field(default_factory=dict)
    c2b_urls: dict[str, dict[str, str]] = field(default_factory=dict)
    c2b: dict[str, C2BTransaction] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    initiator: str | None = None
    security_credential: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post_json(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    try:
        response = httpx.post(url, json=body, timeout=30)
    except httpx.HTTPError as exc:
        log.warning("callback to %s failed: %s", url, type(exc).__name__)
        return 0, None
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


def stk_callback_body(tx: StkTransaction, scenario: Scenario, receipt: str) -> dict[str, Any]:
    callback: dict[str, Any] = {
        "MerchantRequestID": tx.merchant_request_id,
        "CheckoutRequestID": tx.checkout_request_id,
        "ResultCode": scenario.result_code,
        "ResultDesc": scenario.result_desc,
    }
    if scenario.result_code == 0:
        callback["CallbackMetadata"] = {
            "Item": [
                {"Name": "Amount", "Value": float(tx.amount)},
                {"Name": "MpesaReceiptNumber", "Value": receipt},
                {"Name": "Balance"},
                {"Name": "TransactionDate", "Value": int(_timestamp())},
                {"Name": "PhoneNumber", "Value": int(tx.phone)},
            ]
        }
    return {"Body": {"stkCallback": callback}}


def complete(state: State, tx: StkTransaction) -> None:
    """After the delay: the customer has answered (or not); send the callback(s) the scenario calls for."""
    time.sleep(state.delay)
    scenario = SCENARIOS[tx.scenario]
    body = stk_callback_body(tx, scenario, receipt_number())
    with state.lock:
        tx.done = True
    for _ in range(scenario.callbacks):
        status = deliver(tx.callback_url, body)
        log.info("STK callback %s for %s -> %s", scenario.result_code, tx.checkout_request_id, status)


def deliver(url: str, body: dict[str, Any], attempts: int = 5) -> int:
    """Like Safaricom, a callback that was not answered 200 is sent again, a little later."""
    status = 0
    for attempt in range(attempts):
        status, _answer = _post_json(url, body)
        if status == 200:
            break
        time.sleep(0.2 * (attempt + 1))
    return status


class Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    # -- plumbing ------------------------------------------------------------------------------------

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str) -> None:
        self._answer(status, {"requestId": _id("", 8), "errorCode": code, "errorMessage": message})

    def _json(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            data = json.loads(self.rfile.read(length) or b"null")
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        with self.server.state.lock:
            valid = header.startswith("Bearer ") and token in self.server.state.tokens
        if not valid:
            self._error(401, "404.001.03", "Invalid Access Token")
        return valid

    def _password_ok(self, body: dict[str, Any]) -> bool:
        stamp = str(body.get("Timestamp", ""))
        shortcode = str(body.get("BusinessShortCode", ""))
        expected = base64.b64encode(f"{shortcode}{self.server.state.passkey}{stamp}".encode()).decode()
        if len(stamp) != 14 or not stamp.isdigit() or body.get("Password") != expected:
            self._error(400, "400.002.02", "Bad Request - Invalid Password")
            return False
        return True

    # -- routes --------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._answer(200, {"status": "ok"})
        elif url.path == "/oauth/v1/generate":
            self.token(parse_qs(url.query))
        elif url.path.startswith("/simulate/results/"):
            with self.server.state.lock:
                result = self.server.state.results.get(url.path.removeprefix("/simulate/results/"))
            if result is None:
                self._error(404, "404.001.01", "No such conversation")
            else:
                self._answer(200, result)
        elif url.path == "/simulate/stk":
            reference = parse_qs(url.query).get("AccountReference", [""])[0]
            with self.server.state.lock:
                found = [
                    {"CheckoutRequestID": tx.checkout_request_id, "PhoneNumber": tx.phone, "Amount": tx.amount}
                    for tx in self.server.state.stk.values()
                    if tx.account_reference == reference
                ]
            self._answer(200, {"transactions": found})
        else:
            self._error(404, "404.001.01", "Resource not found")

    def do_POST(self) -> None:
        routes = {
            "/mpesa/stkpush/v1/processrequest": self.stk_push,
            "/mpesa/stkpushquery/v1/query": self.stk_query,
            "/mpesa/c2b/v1/registerurl": self.register_urls,
            "/mpesa/transactionstatus/v1/query": self.transaction_status,
            "/simulate/c2b": self.simulate_c2b,
        }
        route = routes.get(urlsplit(self.path).path)
        if route is None:
            self._error(404, "404.001.01", "Resource not found")
            return
        body = self._json()
        if body is None:
            self._error(400, "400.002.05", "Invalid Request Payload")
            return
        route(body)

    def token(self, query: dict[str, list[str]]) -> None:
        state = self.server.state
        header = self.headers.get("Authorization", "")
        try:
            key, _, secret = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
        except ValueError:
            key = secret = ""
        if query.get("grant_type") != ["client_credentials"]:
            self._error(400, "400.008.02", "Invalid grant type passed")
            return
        wrong = (state.consumer_key is not None and key != state.consumer_key) or (
            state.consumer_secret is not None and secret != state.consumer_secret
        )
        if not header.startswith("Basic ") or not key or not secret or wrong:
            self._error(400, "400.008.01", "Invalid Authentication passed")
            return
        token = secrets.token_urlsafe(21)
        with state.lock:
            state.tokens.add(token)
        self._answer(200, {"access_token": token, "expires_in": "3599"})

    def stk_push(self, body: dict[str, Any]) -> None:
        if not self._authorised() or not self._password_ok(body):
            return
        phone = str(body.get("PhoneNumber", ""))
        amount = body.get("Amount")
        reference = str(body.get("AccountReference", ""))
        callback_url = str(body.get("CallBackURL", ""))
        if body.get("TransactionType") not in ("CustomerPayBillOnline", "CustomerBuyGoodsOnline"):
            self._error(400, "400.002.02", "Bad Request - Invalid TransactionType")
        elif not (len(phone) == 12 and phone.startswith("254") and phone.isdigit()) or body.get("PartyA") != phone:
            self._error(400, "400.002.02", "Bad Request - Invalid PhoneNumber")
        elif isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 1 or amount != int(amount):
            self._error(400, "400.002.02", "Bad Request - Invalid Amount")
        elif not reference or len(reference) > 12:
            self._error(400, "400.002.02", "Bad Request - Invalid AccountReference")
        elif not callback_url.startswith(("http://", "https://")) or " " in callback_url:
            self._error(400, "400.002.02", "Bad Request - Invalid CallBackURL")
        else:
            tx = StkTransaction(
                merchant_request_id=f"{secrets.randbelow(90000) + 10000}-{_id('', 8)}-1",
                checkout_request_id=_id("ws_CO_", 22),
                phone=phone,
                amount=int(amount),
                account_reference=reference,
                callback_url=callback_url,
                scenario=scenario_for(phone, self.server.state.forced_scenario),
            )
            with self.server.state.lock:
                self.server.state.stk[tx.checkout_request_id] = tx
            threading.Thread(target=complete, args=(self.server.state, tx), daemon=True).start()
            self._answer(
                200,
                {
                    "MerchantRequestID": tx.merchant_request_id,
                    "CheckoutRequestID": tx.checkout_request_id,
                    "ResponseCode": "0",
                    "ResponseDescription": "Success. Request accepted for processing",
                    "CustomerMessage": "Success. Request accepted for processing",
                },
            )

    def stk_query(self, body: dict[str, Any]) -> None:
        if not self._authorised() or not self._password_ok(body):
            return
        with self.server.state.lock:
            tx = self.server.state.stk.get(str(body.get("CheckoutRequestID", "")))
            done = tx.done if tx else False
            if tx is not None and done:
                tx.queries += 1
        if tx is None:
            self._error(400, "400.002.02", "Bad Request - Invalid CheckoutRequestID")
            return
        if not done:
            self._error(500, "500.001.1001", "The transaction is being processed")
            return
        scenario = SCENARIOS[tx.scenario]
        code = scenario.final_query_code
        if tx.queries == 1 and scenario.first_query_code is not None:
            code = scenario.first_query_code
        self._answer(
            200,
            {
                "ResponseCode": "0",
                "ResponseDescription": "The service request has been accepted successsfully",
                "MerchantRequestID": tx.merchant_request_id,
                "CheckoutRequestID": tx.checkout_request_id,
                "ResultCode": str(code),
                "ResultDesc": QUERY_DESCS.get(code, scenario.result_desc),
            },
        )

    def register_urls(self, body: dict[str, Any]) -> None:
        if not self._authorised():
            return
        shortcode = str(body.get("ShortCode", ""))
        urls = {k: str(body.get(k, "")) for k in ("ValidationURL", "ConfirmationURL", "ResponseType")}
        if not shortcode or not urls["ConfirmationURL"].startswith(("http://", "https://")):
            self._error(400, "400.002.02", "Bad Request - Invalid ConfirmationURL")
            return
        with self.server.state.lock:
            self.server.state.c2b_urls[shortcode] = urls
        self._answer(
            200,
            {"OriginatorCoversationID": _id("", 12), "ResponseCode": "0", "ResponseDescription": "Success"},
        )

    def simulate_c2b(self, body: dict[str, Any]) -> None:
        """A customer pays the paybill: validation first, then (if accepted) the confirmation."""
        with self.server.state.lock:
            registered = dict(self.server.state.c2b_urls)
        shortcode = str(body.get("ShortCode") or (next(reversed(registered)) if registered else ""))
        deliver_callbacks = body.get("Deliver", True) is not False
        urls = registered.get(shortcode, {})
        if not shortcode or (deliver_callbacks and not urls):
            self._error(400, "400.002.02", "Bad Request - No URLs registered for this ShortCode")
            return
        payment = {
            "TransactionType": "Pay Bill",
            "TransID": str(body.get("TransID") or receipt_number()),
            "TransTime": _timestamp(),
            "TransAmount": f"{float(body.get('Amount', 0)):.2f}",
            "BusinessShortCode": shortcode,
            "BillRefNumber": str(body.get("BillRefNumber", "")),
            "InvoiceNumber": "",
            "OrgAccountBalance": "49197.00",
            "ThirdPartyTransID": "",
            "MSISDN": str(body.get("MSISDN", "254708374149")),
            "FirstName": str(body.get("FirstName", "John")),
            "MiddleName": str(body.get("MiddleName", "")),
            "LastName": str(body.get("LastName", "Doe")),
        }
        names = " ".join(str(payment[k]) for k in ("FirstName", "MiddleName", "LastName") if payment[k])
        paid = C2BTransaction(
            trans_id=payment["TransID"],
            shortcode=shortcode,
            amount=int(float(body.get("Amount", 0))),
            bill_ref=payment["BillRefNumber"],
            msisdn=payment["MSISDN"],
            name=names,
        )
        if not deliver_callbacks:
            with self.server.state.lock:
                self.server.state.c2b[paid.trans_id] = paid
            self._answer(200, {"TransID": payment["TransID"], "payment": payment})
            return
        validation: Any = None
        accepted = True
        if urls.get("ValidationURL"):
            status, validation = _post_json(urls["ValidationURL"], payment)
            if status == 200 and isinstance(validation, dict):
                accepted = str(validation.get("ResultCode")) == "0"
            else:
                accepted = urls.get("ResponseType") == "Completed"
        confirmations: list[Any] = []
        if accepted:
            # The money moved: from now on Transaction Status knows this payment.
            with self.server.state.lock:
                self.server.state.c2b[paid.trans_id] = paid
            for _ in range(max(1, int(body.get("Repeat", 1)))):
                status, answer = _post_json(urls["ConfirmationURL"], payment)
                confirmations.append({"status": status, "body": answer})
        self._answer(
            200,
            {
                "TransID": payment["TransID"],
                "validation": validation,
                "confirmations": confirmations,
                "payment": payment,
            },
        )

    def transaction_status(self, body: dict[str, Any]) -> None:
        """Accepted at once; the result goes to the ResultURL a moment later (and stays readable)."""
        state = self.server.state
        if not self._authorised():
            return
        result_url = str(body.get("ResultURL", ""))
        wrong_initiator = (state.initiator is not None and body.get("Initiator") != state.initiator) or (
            state.security_credential is not None and body.get("SecurityCredential") != state.security_credential
        )
        if not body.get("Initiator") or not body.get("SecurityCredential") or wrong_initiator:
            self._error(400, "400.002.02", "Bad Request - Invalid Initiator or SecurityCredential")
        elif body.get("CommandID") != "TransactionStatusQuery":
            self._error(400, "400.002.02", "Bad Request - Invalid CommandID")
        elif not body.get("TransactionID") or not body.get("PartyA"):
            self._error(400, "400.002.02", "Bad Request - Invalid TransactionID")
        elif not result_url.startswith(("http://", "https://")):
            self._error(400, "400.002.02", "Bad Request - Invalid ResultURL")
        else:
            originator = f"{secrets.randbelow(90000) + 10000}-{_id('', 8)}-1"
            conversation = _id("AG_", 24)
            result = transaction_status_result(
                state, str(body["TransactionID"]), str(body["PartyA"]), conversation, originator
            )
            with state.lock:
                state.results[conversation] = result
            threading.Thread(target=_send_result, args=(state, result_url, result), daemon=True).start()
            self._answer(
                200,
                {
                    "OriginatorConversationID": originator,
                    "ConversationID": conversation,
                    "ResponseCode": "0",
                    "ResponseDescription": "Accept the service request successfully.",
                },
            )


def transaction_status_result(
    state: State, trans_id: str, party: str, conversation: str, originator: str
) -> dict[str, Any]:
    """What Daraja answers about ``trans_id``: the payment as M-Pesa made it, or that there is none."""
    with state.lock:
        found = state.c2b.get(trans_id)
    result: dict[str, Any] = {
        "ResultType": 0,
        "OriginatorConversationID": originator,
        "ConversationID": conversation,
        "TransactionID": receipt_number(),
    }
    if found is None or found.shortcode != party:
        return {"Result": {**result, "ResultCode": 1, "ResultDesc": "The transaction could not be found."}}
    stamp = int(_timestamp())
    parameters = [
        {"Key": "DebitPartyName", "Value": f"{found.msisdn} - {found.name}".strip(" -")},
        {"Key": "CreditPartyName", "Value": f"{found.shortcode} - Daftari"},
        {"Key": "OriginatorConversationID", "Value": originator},
        {"Key": "InitiatedTime", "Value": stamp},
        {"Key": "DebitAccountType", "Value": "MMF Account For Customer"},
        {"Key": "DebitPartyCharges"},
        {"Key": "TransactionReason"},
        {"Key": "ReasonType", "Value": "Pay Bill Online"},
        {"Key": "TransactionStatus", "Value": "Completed"},
        {"Key": "FinalisedTime", "Value": stamp},
        {"Key": "Amount", "Value": float(found.amount)},
        {"Key": "ConversationID", "Value": _id("AG_", 24)},
        {"Key": "ReceiptNo", "Value": found.trans_id},
    ]
    return {
        "Result": {
            **result,
            "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "ResultParameters": {"ResultParameter": parameters},
            "ReferenceData": {"ReferenceItem": {"Key": "Occasion"}},
        }
    }


def _send_result(state: State, url: str, result: dict[str, Any]) -> None:
    time.sleep(state.delay)
    status = deliver(url, result)
    log.info("Transaction Status result %s -> %s", result["Result"]["ConversationID"], status)


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: State) -> None:
        self.state = state
        super().__init__(address, Handler)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    scenario: str | None = None,
    delay: float = 1.0,
    passkey: str = SANDBOX_PASSKEY,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
    initiator: str | None = None,
    security_credential: str | None = None,
) -> SimulatorServer:
    if scenario is not None and scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
    state = State(
        consumer_key=consumer_key,
        consumer_secret=consumer_secret,
        passkey=passkey,
        forced_scenario=scenario,
        delay=delay,
        initiator=initiator,
        security_credential=security_credential,
    )
    return SimulatorServer((host, port), state)
