"""The Africa's Talking backend, through the real SDK, against a local fake of the gateway's HTTP API."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from daftari.notifications.backends import AfricasTalkingBackend, SmsSendFailed
from daftari.notifications.services import send_sms
from tests.notifications.conftest import SettingsWrapper
from tests.notifications.support import CommitCallbacks, run_ready_jobs


@dataclass
class FakeGateway:
    url: str
    requests: list[dict[str, object]] = field(default_factory=list)
    status_code: int = 101
    status: str = "Success"


def accepted(gateway: FakeGateway, number: str) -> dict[str, object]:
    """The body the real API returns for one recipient (docs: SMS > Sending > Response)."""
    return {
        "SMSMessageData": {
            "Message": "Sent to 1/1 Total Cost: KES 0.8000",
            "Recipients": [
                {
                    "statusCode": gateway.status_code,
                    "number": number,
                    "status": gateway.status,
                    "cost": "KES 0.8000",
                    "messageId": f"ATXid_{len(gateway.requests)}",
                }
            ],
        }
    }


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            fake.requests.append({"path": self.path, "headers": dict(self.headers), "form": form})
            body = json.dumps(accepted(fake, form.get("to", ""))).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def africastalking(settings: SettingsWrapper, gateway: FakeGateway) -> AfricasTalkingBackend:
    settings.DAFTARI_SMS_BACKEND = "africastalking"
    settings.DAFTARI_AFRICASTALKING_USERNAME = "daftari"
    settings.DAFTARI_AFRICASTALKING_API_KEY = "atsk_test_key"
    settings.DAFTARI_AFRICASTALKING_SENDER_ID = "DAFTARI"
    settings.DAFTARI_AFRICASTALKING_BASE_URL = gateway.url
    return AfricasTalkingBackend()


def test_the_sdk_posts_the_message_to_the_gateway_and_returns_its_message_id(
    africastalking: AfricasTalkingBackend, gateway: FakeGateway
) -> None:
    message_id = africastalking.send("+254712345678", "Daftari: OB 1/2/3/2025")
    [request] = gateway.requests
    assert request["path"] == "/version1/messaging"
    assert request["form"] == {
        "username": "daftari",
        "to": "+254712345678",
        "message": "Daftari: OB 1/2/3/2025",
        "bulkSMSMode": "1",
        "from": "DAFTARI",
    }
    headers = request["headers"]
    assert isinstance(headers, dict)
    assert headers["apiKey"] == "atsk_test_key"
    assert message_id == "ATXid_1"


def test_a_recipient_the_gateway_does_not_accept_is_a_failed_send(
    africastalking: AfricasTalkingBackend, gateway: FakeGateway
) -> None:
    gateway.status_code, gateway.status = 405, "InsufficientBalance"
    with pytest.raises(SmsSendFailed, match="InsufficientBalance"):
        africastalking.send("+254712345678", "Daftari")


def test_a_gateway_that_cannot_be_reached_is_a_failed_send(settings: SettingsWrapper) -> None:
    settings.DAFTARI_AFRICASTALKING_BASE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(Exception):  # noqa: B017 - requests' ConnectionError; the job retries any error
        AfricasTalkingBackend().send("+254712345678", "Daftari")


@pytest.mark.django_db
def test_an_sms_sent_by_the_worker_goes_through_the_sdk_to_the_gateway(
    africastalking: AfricasTalkingBackend, gateway: FakeGateway, django_capture_on_commit_callbacks: CommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(
            to="0712345678",
            template="case_status",
            context={"ob_number": "OB 4/5/6/2025", "station": "Central", "status": "in court", "status_url": "u"},
            language="sw",
            event_key="case:1:in_court",
        )
    run_ready_jobs()
    message.refresh_from_db()
    [request] = gateway.requests
    form = request["form"]
    assert isinstance(form, dict)
    assert form["message"] == message.body
    assert (message.status, message.provider_message_id) == ("sent", "ATXid_1")
