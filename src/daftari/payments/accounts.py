"""Who a payment is for: the upper apps (fines, ...) register a handler for their account references.

Payments is a lower layer: it never imports the apps that own the references. Each upper app
registers an ``AccountHandler`` in its ``AppConfig.ready()``; payments asks ``handler_for(reference)``
when Daraja validates or confirms money for that reference.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from daftari.payments.models import Payment

# Daraja's C2B validation rejection codes. A handler's ``validate`` may return one of them as its
# reason; any other text is sent as "invalid account number" with the text as the description.
REJECT_INVALID_MSISDN = "C2B00011"
REJECT_INVALID_ACCOUNT = "C2B00012"
REJECT_INVALID_AMOUNT = "C2B00013"
REJECT_OTHER = "C2B00016"


class AccountHandler(Protocol):
    def prefix_matches(self, reference: str) -> bool:
        """True when ``reference`` is one of this app's references (e.g. a notice number whose check is ok)."""
        ...

    def validate(self, reference: str, amount_kes: int) -> str | None:
        """None accepts the paybill payment; otherwise a short reason (or a C2B000xx code) rejects it."""
        ...

    def on_confirmed(self, payment: Payment) -> None:
        """Called once per confirmed payment, inside the transaction that confirms it."""
        ...


_lock = threading.Lock()
_handlers: list[AccountHandler] = []


def register(handler: AccountHandler) -> None:
    with _lock:
        if handler not in _handlers:
            _handlers.append(handler)


def unregister(handler: AccountHandler) -> None:
    with _lock:
        if handler in _handlers:
            _handlers.remove(handler)


def handler_for(reference: str) -> AccountHandler | None:
    with _lock:
        handlers = list(_handlers)
    for handler in handlers:
        if handler.prefix_matches(reference):
            return handler
    return None
