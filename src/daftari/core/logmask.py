"""Secrets that ride in URLs never reach a log line.

Daraja calls back at a URL we register and cannot send a header, so its callback token is in the path.
Both gunicorn's access log (``AccessLogger``) and Django's own log lines ("Bad Request: /payments/...",
through ``MaskUrlSecrets`` on the console handler) print the path: both mask it.
"""

import logging
from typing import Any

from django.conf import settings
from gunicorn.glogging import Logger

MASK = "[masked]"


def url_secrets() -> list[str]:
    token = getattr(settings, "DAFTARI_DARAJA_CALLBACK_TOKEN", "")
    return [token] if token else []


def masked(text: str) -> str:
    for secret in url_secrets():
        text = text.replace(secret, MASK)
    return text


class MaskUrlSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        secrets = url_secrets()
        if secrets:
            message = record.getMessage()
            if any(secret in message for secret in secrets):
                record.msg, record.args = masked(message), None
        return True


class AccessLogger(Logger):
    """gunicorn's logger, whose access log atoms (request line, path, query, headers) are masked."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        if not url_secrets():
            return atoms
        return {key: masked(value) if isinstance(value, str) else value for key, value in atoms.items()}
