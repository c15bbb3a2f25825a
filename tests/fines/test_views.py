"""The officer's pages, the printable notice with its QR code, the public verify page and the figures."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.fines import rules
from daftari.fines.models import FineNotice
from daftari.stations.models import AccessEvent, Station
from daftari.stations.rules import Role


@pytest.fixture
def traffic_client(client: Client, traffic_officer: User) -> Client:
    client.force_login(traffic_officer)
    return client


FORM = {
    "plate": "KCB 321X",
    "offence_0": "MO34",
    "offence_1": "MO07",
    "measured_speed": "88",
    "speed_limit": "80",
    "driver_name": "Mwangi Kariuki",
    "driver_licence": "DL555",
    "driver_phone": "0733111222",
    "language": "en",
    "place": "Waiyaki Way",
}


def test_a_traffic_officer_issues_from_the_phone_page(traffic_client: Client) -> None:
    page = traffic_client.get("/fines/issue")
    assert page.status_code == 200 and b"MO34" in page.content
    response = traffic_client.post("/fines/issue", FORM)
    notice = FineNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/fines/notices/{notice.number}"
    assert notice.total_kes == 2000 + 500


def test_a_form_with_mistakes_is_shown_again_with_them(traffic_client: Client) -> None:
    response = traffic_client.post("/fines/issue", {**FORM, "measured_speed": "120"})
    assert response.status_code == 422
    assert b"charge in court" in response.content
    assert not FineNotice.objects.exists()


def test_a_desk_officer_has_no_issue_page(desk_client: Client) -> None:
    assert desk_client.get("/fines/issue").status_code == 403


def test_the_notice_page_is_printable_with_a_qr_code_to_the_verify_page(
    traffic_client: Client, notice: FineNotice
) -> None:
    page = traffic_client.get(f"/fines/notices/{notice.number}").content.decode()
    assert "<svg" in page and f"/verify/notice/{notice.number}" in page
    assert "KES 2,500" in page and "Kamau Njoroge" in page


def test_the_public_verify_page_shows_no_personal_data(public_client: Client, notice: FineNotice) -> None:
    page = public_client.get(f"/verify/notice/{notice.number}")
    body = page.content.decode()
    assert page.status_code == 200 and "is genuine" in body and notice.station.name in body
    assert "Kamau" not in body and "0712345678" not in body and "+254712345678" not in body


def test_the_verify_page_says_when_the_check_character_is_wrong(public_client: Client, notice: FineNotice) -> None:
    typo = notice.number[:-1] + ("2" if notice.number[-1] != "2" else "3")
    page = public_client.get(f"/verify/notice/{typo}")
    assert page.status_code == 404 and b"check character" in page.content
    unknown = public_client.get(f"/verify/notice/{rules.make_notice_number(777)}")
    assert unknown.status_code == 404 and b"No notice" in unknown.content


def test_the_ocs_sees_figures_per_officer_and_cancels_from_the_notice_page(
    client: Client, ocs: User, notice: FineNotice, station: Station
) -> None:
    client.force_login(ocs)
    figures = client.get("/fines/figures").content.decode()
    assert notice.officer.service_number in figures and station.code in figures and "2,500" in figures
    client.post(f"/fines/notices/{notice.number}/cancel", {"reason": "Issued to the wrong car"})
    assert FineNotice.objects.get(pk=notice.pk).projection.state == "cancelled"


def test_a_traffic_officer_finds_repeat_offenders_by_plate_and_licence(
    traffic_client: Client, notice: FineNotice, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_FINES_DEMERIT_POINTS = True
    page = traffic_client.get("/fines/repeat", {"plate": "kca 123a", "licence": "DL1234567"}).content.decode()
    assert page.count(notice.number) >= 2
    assert "Demerit points" in page


def test_each_notice_a_repeat_offender_look_up_finds_is_logged_once(
    traffic_client: Client, traffic_officer: User, notice: FineNotice
) -> None:
    traffic_client.get("/fines/repeat", {"plate": "KCA 123A", "licence": "DL1234567"})
    logged = AccessEvent.objects.filter(username=traffic_officer.username)
    assert [(e.record_id, e.purpose, e.outcome) for e in logged] == [(notice.number, "lookup", "shown")]


def test_a_licence_look_up_answers_only_within_the_officers_reach(
    client: Client, notice: FineNotice, make_officer, other_station: Station
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_officer("traffic-ksm", [Role.TRAFFIC], other_station))
    page = client.get("/fines/repeat", {"licence": "DL1234567"}).content.decode()
    assert notice.number not in page
    assert not AccessEvent.objects.filter(record_id=notice.number).exists()


def test_an_analyst_cannot_look_up_a_licence_or_a_plate(client: Client, analyst: User, notice: FineNotice) -> None:
    client.force_login(analyst)
    response = client.get("/fines/repeat", {"licence": "DL1234567", "plate": "KCA 123A"})
    assert response.status_code == 403 and notice.number not in response.content.decode()


def test_demerit_points_are_not_shown_by_default(traffic_client: Client, notice: FineNotice) -> None:
    page = traffic_client.get("/fines/repeat", {"licence": "DL1234567"}).content.decode()
    assert notice.number in page and "Demerit points" not in page


def test_the_public_pays_with_the_number_and_a_phone_and_sees_the_receipt_only_once_confirmed(
    public_client: Client, notice: FineNotice, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from daftari.payments import services as payments
    from daftari.payments.models import Payment

    monkeypatch.setattr(payments, "_push", lambda payment_id, description: None)
    response = public_client.post("/pay/notice", {"number": notice.number.lower(), "phone": "0712345678"})
    assert response.status_code == 302
    payment = Payment.objects.get(account_reference=notice.number)
    assert payment.amount_kes == 2500
    pending = public_client.get(response["Location"]).content.decode()
    assert "enter your M-Pesa PIN" in pending and "Receipt" not in pending
    Payment.objects.filter(pk=payment.pk).update(state="confirmed", paid_kes=2500, mpesa_receipt="TKZ9")
    assert "M-Pesa TKZ9" in public_client.get(response["Location"]).content.decode()


def test_paying_a_mistyped_number_says_so(public_client: Client, notice: FineNotice) -> None:
    typo = notice.number[:-1] + ("2" if notice.number[-1] != "2" else "3")
    response = public_client.post("/pay/notice", {"number": typo, "phone": "0712345678"})
    assert response.status_code == 404 and b"check character" in response.content


def test_the_fines_link_takes_a_traffic_officer_to_the_issue_page_and_the_ocs_to_the_figures(
    traffic_client: Client, client: Client, ocs: User, desk_officer: User
) -> None:
    assert 'href="/fines/issue"' in traffic_client.get("/fines/repeat").content.decode()
    client.force_login(ocs)
    assert 'href="/fines/figures"' in client.get("/fines/figures").content.decode()
    client.force_login(desk_officer)
    assert "/fines/" not in client.get("/verify/notice/FN").content.decode()


def test_reading_a_notice_at_the_desk_is_in_the_access_log(traffic_client: Client, notice: FineNotice) -> None:
    from daftari.stations.models import AccessEvent

    traffic_client.get(f"/fines/notices/{notice.number}")
    assert AccessEvent.objects.filter(record_type="fine_notice", record_id=notice.number, outcome="shown").exists()
