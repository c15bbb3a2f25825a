"""The notice page's prompt button over real HTTP: Daftari (live_server) asks the Daraja simulator (its own
process) for an STK push; the simulated driver enters the PIN; the notice is settled once, on Daraja's
STK Push Query, and only then does the page show it paid and stop offering the prompt."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.fines import services
from daftari.fines.models import FineNotice, NoticeEvent, NoticeState
from daftari.payments.models import Payment
from daftari.stations.models import Station
from tests.fines.conftest import draft
from tests.payments.conftest import daraja_settings, simulator, wait_for  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def daftari(daraja_settings: SettingsWrapper, live_server: Any) -> SettingsWrapper:  # noqa: F811
    daraja_settings.DAFTARI_PUBLIC_BASE_URL = live_server.url
    return daraja_settings


def paid(notice: FineNotice) -> bool:
    # SQLite's shared-cache test database answers "table is locked" while the server thread writes.
    try:
        return NoticeState.objects.get(notice=notice).state == "paid"
    except OperationalError:
        return False


def test_the_button_prompts_the_driver_and_the_notice_is_settled_once_when_mpesa_confirms(
    daftari: SettingsWrapper, client: Client, traffic_officer: User, station: Station
) -> None:
    notice = services.issue_notice(
        actor=traffic_officer, station=station, draft=draft(driver_phone="0712345678")
    ).notice
    client.force_login(traffic_officer)
    sent = client.post(f"/fines/notices/{notice.number}/prompt", {"phone": "0712345678"})
    assert sent.status_code == 302
    wait_for(lambda: paid(notice))
    payment = Payment.objects.get(account_reference=notice.number)
    assert (payment.state, payment.amount_kes) == ("confirmed", 2500)
    event = NoticeEvent.objects.get(notice=notice)
    assert (event.kind, event.amount_kes, event.mpesa_receipt) == ("paid", 2500, payment.mpesa_receipt)
    page = client.get(f"/fines/notices/{notice.number}").content.decode()
    assert "Send the M-Pesa prompt" not in page and payment.mpesa_receipt in page
    # Pressing again on a stale page sends nothing: the notice is paid.
    assert client.post(f"/fines/notices/{notice.number}/prompt", {"phone": "0712345678"}).status_code == 409
    assert Payment.objects.filter(account_reference=notice.number).count() == 1
