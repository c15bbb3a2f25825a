"""The public notice verify page answers a client only so often: numbers cannot be walked."""

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from daftari.fines import rules
from daftari.fines.models import FineNotice
from daftari.stations.models import PublicReadCount


def test_one_address_walking_notice_numbers_gets_429(client: Client, notice: FineNotice) -> None:
    # Within one minute (the clock held): a walk that crossed into the next would be counted afresh.
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(settings.DAFTARI_PUBLIC_VERIFY_PER_MINUTE):
            client.get(f"/verify/notice/{rules.make_notice_number(1000 + n)}", REMOTE_ADDR="10.9.1.1")
        assert client.get(f"/verify/notice/{notice.number}", REMOTE_ADDR="10.9.1.1").status_code == 429
        assert client.get(f"/verify/notice/{notice.number}", REMOTE_ADDR="10.9.1.2").status_code == 200


def test_anonymous_notice_look_ups_are_counted_by_answer(client: Client, notice: FineNotice) -> None:
    client.get(f"/verify/notice/{notice.number}")
    client.get(f"/verify/notice/{rules.make_notice_number(4242)}")
    client.get(f"/verify/notice/{notice.number}")
    counts = dict(PublicReadCount.objects.filter(record_type="fine_notice").values_list("outcome", "reads"))
    assert counts == {"shown": 2, "denied": 1}


def test_one_address_walking_notice_numbers_on_the_pay_page_gets_429(client: Client, notice: FineNotice) -> None:
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(settings.DAFTARI_PUBLIC_PAY_PER_MINUTE):
            client.get(f"/pay/notice/{rules.make_notice_number(2000 + n)}", REMOTE_ADDR="10.9.2.1")
        assert client.get(f"/pay/notice/{notice.number}", REMOTE_ADDR="10.9.2.1").status_code == 429
        assert client.get(f"/pay/notice/{notice.number}", REMOTE_ADDR="10.9.2.2").status_code == 200
        assert client.get("/pay/notice", REMOTE_ADDR="10.9.2.1").status_code == 200, "the empty form is not a look-up"
