"""The button on the notice page that sends the M-Pesa prompt to the driver's phone.

The payments service keeps its promises behind the button: one prompt per notice at a time, the
limits, never more than is due, never for a paid or cancelled notice. Real Daraja simulator.
"""

from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.fines import services
from daftari.fines.models import FineNotice
from daftari.payments.models import Payment
from daftari.stations.models import Station
from tests.fines.conftest import draft
from tests.payments.conftest import Paybill, Simulator

pytestmark = pytest.mark.django_db

LOST = "0712340003"  # the simulator's customer who never answers: the prompt stays pending


@pytest.fixture
def notice(traffic_officer: User, station: Station) -> FineNotice:
    return services.issue_notice(actor=traffic_officer, station=station, draft=draft(driver_phone=LOST)).notice


@pytest.fixture
def traffic_client(client: Client, traffic_officer: User) -> Client:
    client.force_login(traffic_officer)
    return client


def prompts_at_mpesa(simulator: Simulator, notice: FineNotice) -> list[dict[str, Any]]:
    answer = httpx.get(f"{simulator.url}/simulate/stk", params={"AccountReference": notice.number}, timeout=15)
    return list(answer.json()["transactions"])


def test_the_notice_page_offers_the_prompt_for_what_is_due_to_the_drivers_phone(
    traffic_client: Client, notice: FineNotice
) -> None:
    body = traffic_client.get(f"/fines/notices/{notice.number}").content.decode()
    assert "Send the M-Pesa prompt for KES 2500" in body
    assert f'value="{notice.driver_phone}"' in body


def test_the_button_sends_one_prompt_for_the_outstanding_amount(
    traffic_client: Client,
    notice: FineNotice,
    daraja_settings: SettingsWrapper,
    simulator: Simulator,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = traffic_client.post(f"/fines/notices/{notice.number}/prompt", {"phone": LOST}, follow=True)
    payment = Payment.objects.get(account_reference=notice.number)
    assert (payment.amount_kes, payment.phone, payment.state) == (2500, "+254712340003", "pending")
    assert [p["Amount"] for p in prompts_at_mpesa(simulator, notice)] == [2500]
    body = response.content.decode()
    assert "M-Pesa prompt for KES 2500 sent to +254712340003" in body
    assert "is waiting on +254712340003" in body
    # Nothing is paid until M-Pesa confirms the money.
    assert notice.projection.paid_kes == 0 and "Paid: KES 0" in body


def test_pressing_again_while_the_prompt_waits_sends_no_second_prompt(
    traffic_client: Client,
    notice: FineNotice,
    daraja_settings: SettingsWrapper,
    simulator: Simulator,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        traffic_client.post(f"/fines/notices/{notice.number}/prompt", {"phone": LOST})
        again = traffic_client.post(f"/fines/notices/{notice.number}/prompt", {"phone": "0722000111"}, follow=True)
    assert "already waiting on a phone: no new prompt was sent" in again.content.decode()
    assert Payment.objects.filter(account_reference=notice.number).count() == 1
    assert len(prompts_at_mpesa(simulator, notice)) == 1


def test_a_phone_that_is_not_kenyan_is_named_beside_the_field_and_nothing_is_sent(
    traffic_client: Client, notice: FineNotice
) -> None:
    response = traffic_client.post(f"/fines/notices/{notice.number}/prompt", {"phone": "hello"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter a Kenyan mobile number" in body and 'href="#id_prompt_phone"' in body
    assert 'value="hello"' in body
    assert not Payment.objects.exists()


def test_a_paid_notice_is_not_offered_a_prompt_and_a_forged_post_is_refused(
    traffic_client: Client, notice: FineNotice, paybill: Paybill
) -> None:
    paybill(notice.number, notice.total_kes)
    assert "Send the M-Pesa prompt" not in traffic_client.get(f"/fines/notices/{notice.number}").content.decode()
    response = traffic_client.post(f"/fines/notices/{notice.number}/prompt", {"phone": LOST})
    assert response.status_code == 409
    assert not Payment.objects.filter(method=Payment.Method.STK).exists()


def test_a_cancelled_notice_is_not_offered_a_prompt_and_a_forged_post_is_refused(
    traffic_client: Client, notice: FineNotice, ocs: User
) -> None:
    services.cancel_notice(actor=ocs, number=notice.number, reason="Wrong plate read at the roadside")
    assert "Send the M-Pesa prompt" not in traffic_client.get(f"/fines/notices/{notice.number}").content.decode()
    assert traffic_client.post(f"/fines/notices/{notice.number}/prompt", {"phone": LOST}).status_code == 409
    assert not Payment.objects.exists()


def test_too_many_prompts_for_a_notice_are_refused_with_429(
    traffic_client: Client, notice: FineNotice, settings: SettingsWrapper
) -> None:
    settings.DAFTARI_PAY_PROMPTS_PER_NOTICE = 1
    Payment.objects.create(
        account_reference=notice.number,
        amount_kes=2500,
        phone="+254712340003",
        method=Payment.Method.STK,
        state=Payment.State.FAILED,
    )
    response = traffic_client.post(f"/fines/notices/{notice.number}/prompt", {"phone": LOST})
    assert response.status_code == 429
    assert "Too many M-Pesa prompts" in response.content.decode()
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("persona", ["investigator", "commander"])
def test_officers_who_do_not_face_the_motorist_are_not_offered_the_button_and_cannot_press_it(
    client: Client, request: pytest.FixtureRequest, notice: FineNotice, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert "Send the M-Pesa prompt" not in client.get(f"/fines/notices/{notice.number}").content.decode()
    assert client.post(f"/fines/notices/{notice.number}/prompt", {"phone": LOST}).status_code == 403
    assert not Payment.objects.exists()


def test_an_officer_of_another_station_gets_404(client: Client, officer_elsewhere: User, notice: FineNotice) -> None:
    client.force_login(officer_elsewhere)
    assert client.post(f"/fines/notices/{notice.number}/prompt", {"phone": LOST}).status_code == 404
    assert not Payment.objects.exists()


def test_the_prompt_is_a_post_only(traffic_client: Client, notice: FineNotice) -> None:
    assert traffic_client.get(f"/fines/notices/{notice.number}/prompt").status_code == 405
