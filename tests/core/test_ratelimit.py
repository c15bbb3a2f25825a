"""A client's count on a public page's limit is per minute: over the limit within a minute, and
counted afresh when the next minute begins."""

from datetime import UTC, datetime

import time_machine

from daftari.core import ratelimit

LAST_SECOND_OF_A_MINUTE = datetime(2026, 12, 7, 3, 15, 59, 500000, tzinfo=UTC)


def test_a_clients_count_starts_again_when_the_next_minute_begins(db: None) -> None:
    with time_machine.travel(LAST_SECOND_OF_A_MINUTE, tick=False) as clock:
        assert not any(ratelimit.over_limit(scope="verify", client="10.0.0.1", limit=3) for _ in range(3))
        assert ratelimit.over_limit(scope="verify", client="10.0.0.1", limit=3)
        assert not ratelimit.over_limit(scope="verify", client="10.0.0.2", limit=3), "another client counts apart"
        assert not ratelimit.over_limit(scope="pay", client="10.0.0.1", limit=3), "another page counts apart"
        clock.shift(0.5)
        assert not any(ratelimit.over_limit(scope="verify", client="10.0.0.1", limit=3) for _ in range(3))
        assert ratelimit.over_limit(scope="verify", client="10.0.0.1", limit=3)
