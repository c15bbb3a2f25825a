"""The public verify page answers a client only so often, and counts anonymous look-ups instead of logging each."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from daftari.documents.models import IssuedDocument
from daftari.stations.models import AccessEvent, PublicReadCount


def test_one_address_gets_429_after_its_limit_and_others_are_still_answered(
    client: Client, abstract: IssuedDocument
) -> None:
    limit = settings.DAFTARI_PUBLIC_VERIFY_PER_MINUTE
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(limit):
            assert client.get(f"/verify/ZZZZZ-{n:05d}", REMOTE_ADDR="10.9.0.1").status_code == 404
        refused = client.get(f"/verify/{abstract.code}", REMOTE_ADDR="10.9.0.1")
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
        assert client.get(f"/verify/{abstract.code}", REMOTE_ADDR="10.9.0.2").status_code == 200
        clock.shift(timedelta(minutes=1))
        assert client.get(f"/verify/{abstract.code}", REMOTE_ADDR="10.9.0.1").status_code == 200


def test_anonymous_look_ups_are_a_daily_count_not_access_events(client: Client, abstract: IssuedDocument) -> None:
    before = AccessEvent.objects.count()
    for _ in range(4):
        client.get(f"/verify/{abstract.code}")
    assert AccessEvent.objects.count() == before
    assert PublicReadCount.objects.get(record_type="document", outcome="shown").reads == 4
