"""Pure rules of SMS delivery: retries and gateway delivery reports."""

from datetime import timedelta

MAX_ATTEMPTS = 5
FIRST_RETRY_AFTER = timedelta(seconds=30)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min, 4 min, ..."""
    return FIRST_RETRY_AFTER * (2 ** max(attempts - 1, 0))


# Africa's Talking delivery-report statuses. "Sent", "Submitted" and "Buffered" are on the way.
DELIVERED_STATUSES = frozenset({"Success"})
FAILED_STATUSES = frozenset({"Failed", "Rejected"})
