"""Secrets that ride in URLs never reach a log line.

Daraja calls back at a URL we register and cannot send a header, so its callback token is in the path.
Both gunicorn's access log (``AccessLogger``) and Django's own log lines ("Bad Request: /payments/...",
through ``MaskUrlSecrets`` on the console handler) print the path: both mask it.
"""

import logging
import traceback
from collections.abc import Callable
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
    """gunicorn's logger, whose access log atoms (request line, path, query, headers) are masked.

    Each atom is made when the line's format asks for it: gunicorn makes them all (every header and
    environment variable) for every request, which cost a worker as much as half a page's queries.
    """

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            self.access_log.info(self.cfg.access_log_format, _Atoms(self, resp, req, environ, request_time))
        except Exception:
            self.error(traceback.format_exc())


def _status(resp: Any) -> Any:
    status = resp.status
    return status.split(None, 1)[0] if isinstance(status, str) else status


# The atoms of gunicorn's default format (and a few more), each made as gunicorn makes it.
_MADE: dict[str, Callable[["_Atoms"], Any]] = {
    "h": lambda a: a.environ.get("REMOTE_ADDR", "-"),
    "l": lambda a: "-",
    "u": lambda a: a.logger._get_user(a.environ) or "-",
    "t": lambda a: a.logger.now(),
    "r": lambda a: f"{a.environ['REQUEST_METHOD']} {a.environ['RAW_URI']} {a.environ['SERVER_PROTOCOL']}",
    "s": lambda a: _status(a.resp),
    "m": lambda a: a.environ.get("REQUEST_METHOD"),
    "U": lambda a: a.environ.get("PATH_INFO"),
    "q": lambda a: a.environ.get("QUERY_STRING"),
    "H": lambda a: a.environ.get("SERVER_PROTOCOL"),
    "b": lambda a: (getattr(a.resp, "sent", None) is not None and str(a.resp.sent)) or "-",
    "B": lambda a: getattr(a.resp, "sent", None),
    "f": lambda a: a.environ.get("HTTP_REFERER", "-"),
    "a": lambda a: a.environ.get("HTTP_USER_AGENT", "-"),
}


class _Atoms(dict[str, Any]):
    """What gunicorn's ``SafeAtoms(atoms(...))`` gives for each key (quotes escaped, '-' for an
    unknown one), with the URL secrets masked, each made on first use."""

    logger: Logger
    resp: Any
    req: Any
    environ: dict[str, Any]
    request_time: Any

    def __init__(self, logger: Logger, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        super().__init__()
        self.logger = logger
        self.resp = resp
        self.req = req
        self.environ = environ
        self.request_time = request_time
        self._every: dict[str, Any] | None = None

    def __bool__(self) -> bool:
        return True  # logging takes a mapping's atoms only when it is not empty

    def __missing__(self, key: str) -> Any:
        made = _MADE.get(key)
        if made is not None:
            value = made(self)
        else:
            if self._every is None:
                self._every = Logger.atoms(self.logger, self.resp, self.req, self.environ, self.request_time)
            value = self._every.get(key.lower() if key.startswith("{") else key, "-")
        if isinstance(value, str):
            value = masked(value).replace('"', '\\"')
        self[key] = value
        return value
