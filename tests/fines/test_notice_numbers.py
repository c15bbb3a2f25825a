"""Notice numbers are not a sequence: from one notice's number nobody can work out the next."""

from itertools import pairwise

from django.contrib.auth.models import User

from daftari.fines import rules
from daftari.fines.services import issue_notice
from daftari.stations.models import Station
from tests.fines.conftest import draft


def serial_of(number: str) -> int:
    """Undoes make_notice_number: the serial a number was spread from."""
    value = 0
    for c in number[len(rules.PREFIX) : -1]:
        value = value * rules.BASE + rules.ALPHABET.index(c)
    return value * pow(rules._SPREAD, -1, rules._SERIAL_SPACE) % rules._SERIAL_SPACE


def test_consecutive_notices_do_not_follow_a_predictable_sequence(traffic_officer: User, station: Station) -> None:
    numbers = [issue_notice(actor=traffic_officer, station=station, draft=draft()).notice.number for _ in range(8)]
    assert all(rules.check_notice_number(n) for n in numbers)
    serials = [serial_of(n) for n in numbers]
    steps = {(b - a) % rules._SERIAL_SPACE for a, b in pairwise(serials)}
    # In sequence every step would be 1 (or any one constant): random serials share no step.
    assert len(steps) == len(serials) - 1
    assert 1 not in steps
