"""Pure rules of the link between a node and the hub: enrolment codes, retry delays, exit codes."""

import hashlib
import secrets
from datetime import timedelta
from enum import IntEnum

ENROLMENT_VALID_FOR = timedelta(hours=24)
# Crockford's base32 without I, L, O, U: read aloud over a phone, typed at a station, no mix-ups.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 5


def new_enrolment_code() -> str:
    """Twenty-five random characters (125 bits) in groups of five: ``7KQ2M-9XA4F-...``."""
    groups = ("".join(secrets.choice(_CODE_ALPHABET) for _ in range(5)) for _ in range(CODE_GROUPS))
    return "-".join(groups)


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


class SyncOutcome(IntEnum):
    """``daftari node sync``'s exit code (NODES.md)."""

    UP_TO_DATE = 0
    REFUSED = 1
    UNREACHABLE = 2


# A pull of the hub's data is signed with the node's clock; a captured request is good for this long only.
REQUEST_GRACE = timedelta(minutes=5)


def request_is_fresh(signed_at: int, *, now: float) -> bool:
    """A node's signed read, made within the grace of the hub's clock (either side: clocks drift)."""
    return abs(now - signed_at) <= REQUEST_GRACE.total_seconds()


def retry_delay(failures: int, *, interval: float) -> float:
    """Seconds until the next try: the interval while the hub answers, doubling to 5 minutes while it does not."""
    if failures <= 0:
        return interval
    return min(interval * 2**failures, 300.0)
