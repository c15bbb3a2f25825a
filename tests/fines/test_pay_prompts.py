"""Paying a notice by M-Pesa prompt: one prompt per notice at a time, never for more than is still due,
never for a paid or cancelled notice, and a limit per phone and per notice."""

import re
import threading
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
from tests.payments.conftest import Paybill, Simulator, wait_for

LOST = "0712340003"  # the simulator's customer who never answers: the prompt stays pending


@pytest.fixture
def notice(traffic_officer: User, station: Station) -> FineNotice:
    return services.issue_notice(actor=traffic_officer, station=station, draft=draft()).notice


def prompts_at_mpesa(simulator: Simulator, notice: FineNotice) -> list[dict[str, Any]]:
    answer = httpx.get(f"{simulator.url}/simulate/stk", params={"AccountReference": notice.number}, timeout=15)
    return list(answer.json()["transactions"])


@pytest.mark.django_db
def test_a_second_request_while_a_prompt_waits_answers_with_it_and_sends_no_new_prompt(
    notice: FineNotice, daraja_settings: SettingsWrapper, simulator: Simulator, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = services.pay_notice(number=notice.number, phone=LOST)
        again = services.pay_notice(number=notice.number, phone="0722000111")
    assert (first.already_pending, again.already_pending) == (False, True)
    assert again.payment.pk == first.payment.pk
    assert Payment.objects.filter(account_reference=notice.number).count() == 1
    assert len(prompts_at_mpesa(simulator, notice)) == 1


@pytest.mark.django_db
def test_the_public_page_and_the_api_answer_with_the_waiting_prompt(
    notice: FineNotice,
    public_client: Client,
    traffic_officer: User,
    daraja_settings: SettingsWrapper,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tests.occurrences.test_api import Api

    with django_capture_on_commit_callbacks(execute=True):
        first = public_client.post("/pay/notice", {"number": notice.number, "phone": LOST})
        second = public_client.post("/pay/notice", {"number": notice.number, "phone": "0722000111"})
        api = Api(Client(), traffic_officer).post(f"/fines/notices/{notice.number}/pay", {"phone": "0733000222"})
    payment = Payment.objects.get(account_reference=notice.number)
    assert first["Location"].endswith(f"?payment={payment.pk}")
    assert second["Location"].endswith(f"?payment={payment.pk}&waiting=1")
    assert "already waiting on a phone" in public_client.get(second["Location"]).content.decode()
    assert (api.status_code, api.json()["id"]) == (200, str(payment.pk))


@pytest.mark.django_db
def test_the_prompt_asks_only_for_what_is_still_due(notice: FineNotice, paybill: Paybill) -> None:
    paybill(notice.number, 1000)
    prompt = services.pay_notice(number=notice.number, phone=LOST)
    assert prompt.payment.amount_kes == notice.total_kes - 1000 == 1500


@pytest.mark.django_db
def test_a_paid_or_cancelled_notice_is_never_prompted(
    notice: FineNotice, traffic_officer: User, station: Station, ocs: User, paybill: Paybill
) -> None:
    paybill(notice.number, notice.total_kes)
    cancelled = services.issue_notice(actor=traffic_officer, station=station, draft=draft(plate="KBB 222B")).notice
    services.cancel_notice(actor=ocs, number=cancelled.number, reason="Wrong vehicle")
    for number in (notice.number, cancelled.number):
        with pytest.raises(services.NotPayable):
            services.pay_notice(number=number, phone=LOST)
    assert not Payment.objects.filter(method=Payment.Method.STK).exists()


@pytest.fixture
def failing_daraja(settings: SettingsWrapper) -> SettingsWrapper:
    """Every prompt fails at once (Daraja unreachable), so none stays pending and each request is a new prompt."""
    settings.DAFTARI_DARAJA_BASE_URL = "http://127.0.0.1:9"
    settings.DAFTARI_PAY_PROMPTS_PER_PHONE = 2
    settings.DAFTARI_PAY_PROMPTS_PER_NOTICE = 3
    return settings


@pytest.mark.django_db
def test_one_phone_gets_at_most_its_limit_of_prompts_an_hour(
    failing_daraja: SettingsWrapper,
    traffic_officer: User,
    station: Station,
    public_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    notices = [
        services.issue_notice(actor=traffic_officer, station=station, draft=draft(plate=f"KBC {n}00C")).notice
        for n in range(1, 4)
    ]
    for notice in notices[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            services.pay_notice(number=notice.number, phone="0712345678")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(services.TooManyPrompts):
            services.pay_notice(number=notices[2].number, phone="+254 712 345 678")
        refused = public_client.post("/pay/notice", {"number": notices[2].number, "phone": "0712345678"})
        public_client.cookies["daftari_language"] = "sw"
        kiswahili = public_client.post("/pay/notice", {"number": notices[2].number, "phone": "0712345678"})
    assert refused.status_code == 429 and "Too many M-Pesa prompts" in refused.content.decode()
    assert kiswahili.status_code == 429 and "Maombi mengi mno ya M-Pesa" in kiswahili.content.decode()
    assert Payment.objects.count() == 2


@pytest.mark.django_db
def test_one_notice_gets_at_most_its_limit_of_prompts_an_hour(
    failing_daraja: SettingsWrapper, notice: FineNotice, traffic_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.occurrences.test_api import Api

    for phone in ("0711000001", "0711000002", "0711000003"):
        with django_capture_on_commit_callbacks(execute=True):
            services.pay_notice(number=notice.number, phone=phone)
    assert set(Payment.objects.values_list("state", flat=True)) == {"failed"}
    refused = Api(Client(), traffic_officer).post(f"/fines/notices/{notice.number}/pay", {"phone": "0711000004"})
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_prompts"
    assert Payment.objects.filter(account_reference=notice.number).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_five_people_paying_one_notice_at_once_get_one_prompt_between_them(
    live_server: Any, daraja_settings: SettingsWrapper, simulator: Simulator, notice: FineNotice
) -> None:
    """The reproduction: five prompts at once collected five times the fine. Now M-Pesa sends one."""
    daraja_settings.DAFTARI_PUBLIC_BASE_URL = live_server.url
    start = threading.Barrier(5)

    def pay(phone: str) -> str:
        with httpx.Client(base_url=live_server.url, timeout=30) as browser:
            form = browser.get(f"/pay/notice/{notice.number}").text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
            assert token is not None
            start.wait()
            for _ in range(50):
                # SQLite's shared test database answers a concurrent writer "table is locked": try again.
                answer = browser.post(
                    "/pay/notice",
                    data={"csrfmiddlewaretoken": token.group(1), "number": notice.number, "phone": phone},
                )
                if answer.status_code == 302:
                    return answer.headers["Location"]
            raise AssertionError(answer.status_code)

    phones = [f"07123{n}0003" for n in range(5)]  # all of them customers who never answer
    results: list[str] = []
    threads = [threading.Thread(target=lambda p=p: results.append(pay(p))) for p in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    payment = Payment.objects.get(account_reference=notice.number)
    assert len(results) == 5
    assert {r.split("?payment=")[1].split("&")[0] for r in results} == {str(payment.pk)}
    wait_for(lambda: Payment.objects.get(pk=payment.pk).checkout_request_id is not None)
    assert len(prompts_at_mpesa(simulator, notice)) == 1
    assert payment.amount_kes == notice.total_kes
