"""Where an SMS goes, chosen by ``DAFTARI_SMS_BACKEND`` like Django's email backends."""

import fcntl
import json
import sys
import uuid
from typing import Any, TextIO

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsSendFailed(Exception):
    """The gateway did not accept the message; the job retries it later."""


class BaseSmsBackend:
    def send(self, to: str, body: str) -> str:
        """Hands one message to the gateway and returns the gateway's id for it."""
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Prints each message: the default for ``make run``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4()}"
        self.stream.write(f"SMS to {to} ({message_id}):\n{body}\n\n")
        self.stream.flush()
        return message_id


class FileBackend(BaseSmsBackend):
    """Appends each message as one JSON line to ``DAFTARI_SMS_FILE_PATH``: what the tests read."""

    def send(self, to: str, body: str) -> str:
        message_id = f"file-{uuid.uuid4()}"
        line = json.dumps({"id": message_id, "to": to, "body": body, "at": timezone.now().isoformat()})
        path = settings.DAFTARI_SMS_FILE_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            # Two workers may append at once: one whole line each.
            fcntl.flock(out, fcntl.LOCK_EX)
            out.write(line + "\n")
        return message_id


# Africa's Talking's per-recipient status codes that mean the message was accepted.
_ACCEPTED_CODES = {100, 101, 102}  # Processed, Sent, Queued


class AfricasTalkingBackend(BaseSmsBackend):
    """The real Africa's Talking SDK, with credentials from settings.

    The SDK hard-codes its host in the ``_baseUrl`` attribute each service builds in
    ``_init_service``; ``DAFTARI_AFRICASTALKING_BASE_URL`` replaces only that host, so every other
    part of the request (path, headers, form body, response handling) is the SDK's own.
    """

    def __init__(self) -> None:
        from africastalking.SMS import SMSService

        base_url = settings.DAFTARI_AFRICASTALKING_BASE_URL.rstrip("/")

        class _Service(SMSService):
            def _init_service(self) -> None:
                super()._init_service()
                if base_url:
                    self._baseUrl = base_url + "/version1"

        self.service = _Service(settings.DAFTARI_AFRICASTALKING_USERNAME, settings.DAFTARI_AFRICASTALKING_API_KEY)
        self.sender_id = settings.DAFTARI_AFRICASTALKING_SENDER_ID or None

    def send(self, to: str, body: str) -> str:
        from africastalking.Service import AfricasTalkingException

        try:
            response: Any = self.service.send(body, [to], self.sender_id)
        except AfricasTalkingException as error:
            raise SmsSendFailed(f"Africa's Talking refused the request: {error}") from error
        try:
            recipient = response["SMSMessageData"]["Recipients"][0]
        except (TypeError, KeyError, IndexError) as error:
            raise SmsSendFailed(f"Africa's Talking answered unexpectedly: {response!r}") from error
        if int(recipient.get("statusCode", 0)) not in _ACCEPTED_CODES:
            raise SmsSendFailed(f"Africa's Talking did not accept the message: {recipient.get('status')}")
        return str(recipient["messageId"])


BACKENDS = {
    "console": "daftari.notifications.backends.ConsoleBackend",
    "file": "daftari.notifications.backends.FileBackend",
    "africastalking": "daftari.notifications.backends.AfricasTalkingBackend",
}


def get_backend() -> BaseSmsBackend:
    name = settings.DAFTARI_SMS_BACKEND
    backend_class = import_string(BACKENDS.get(name, name))
    return backend_class()
