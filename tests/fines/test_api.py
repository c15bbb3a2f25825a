"""Instant fines on the API: the catalogue, issuing, reading, paying and cancelling notices."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.fines import rules
from daftari.fines.models import FineNotice, NoticeState
from daftari.payments import services as payments
from daftari.stations.models import Station
from tests.occurrences.test_api import Api


def notice_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "offences": [{"code": "MO28"}, {"code": "MO07", "measured_speed": 92, "speed_limit": 80}],
        "plate": "KDA 456B",
        "driver": {"name": "Achieng Otieno", "id_number": "34567890", "licence": "DL7654321", "phone": "0722000111"},
        "place": "Mombasa Road, Mlolongo",
        "issued_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
    }
    body.update(overrides)
    return body


@pytest.fixture
def traffic_api(client: Client, traffic_officer: User) -> Api:
    return Api(client, traffic_officer)


def test_the_catalogue_lists_every_offence_in_force(traffic_api: Api) -> None:
    response = traffic_api.get("/fines/offences")
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.json()}
    assert len(rows) == 43
    assert rows["MO07C"]["fine_kes"] == 3000 and rows["MO20"]["status"] == "uncertain"


def test_issuing_answers_201_with_number_total_deadline_and_state(traffic_api: Api) -> None:
    response = traffic_api.post("/fines/notices", notice_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert rules.check_notice_number(body["number"])
    assert body["total_kes"] == 500 + 3000
    assert [o["code"] for o in body["offences"]] == ["MO28", "MO07C"]
    assert body["state"] == "issued"
    assert body["due_at"].startswith((timezone.now() + timedelta(days=7)).astimezone(rules.NAIROBI).date().isoformat())


def test_speeding_far_over_the_limit_answers_422_charge_in_court(traffic_api: Api) -> None:
    response = traffic_api.post(
        "/fines/notices", notice_body(offences=[{"code": "MO08", "measured_speed": 90, "speed_limit": 50}])
    )
    assert response.status_code == 422
    assert "charge in court" in response.json()["fields"]["offences.0.measured_speed"]


def test_a_desk_officer_cannot_issue(client: Client, desk_officer: User) -> None:
    response = Api(client, desk_officer).post("/fines/notices", notice_body())
    assert response.status_code == 403
    assert not FineNotice.objects.exists()


def test_a_mistyped_number_is_404_saying_the_check_character_is_wrong(traffic_api: Api) -> None:
    number = traffic_api.post("/fines/notices", notice_body()).json()["number"]
    typo = number[:4] + ("X" if number[4] != "X" else "Y") + number[5:]
    response = traffic_api.get(f"/fines/notices/{typo}")
    assert response.status_code == 404
    assert response.json()["error"] == "wrong_check_character"
    assert "check character" in response.json()["message"]
    assert traffic_api.get(f"/fines/notices/{number}").json()["number"] == number


def test_another_stations_notice_is_404(traffic_api: Api, client: Client, make_officer, other_station: Station) -> None:  # type: ignore[no-untyped-def]
    from daftari.stations.rules import Role

    number = traffic_api.post("/fines/notices", notice_body()).json()["number"]
    elsewhere = Api(client, make_officer("traffic-ksm", [Role.TRAFFIC], other_station))
    assert elsewhere.get(f"/fines/notices/{number}").status_code == 404


def test_listing_by_plate_and_state(traffic_api: Api) -> None:
    traffic_api.post("/fines/notices", notice_body())
    traffic_api.post("/fines/notices", notice_body(plate="KBZ 999C"))
    found = traffic_api.get("/fines/notices", plate="kda456b", state="issued").json()["results"]
    assert [n["plate"] for n in found] == ["KDA456B"]
    assert traffic_api.get("/fines/notices", state="paid").json()["results"] == []


def test_paying_answers_the_pending_payment_for_the_outstanding_amount(traffic_api: Api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(payments, "_push", lambda payment_id, description: None)
    number = traffic_api.post("/fines/notices", notice_body()).json()["number"]
    response = traffic_api.post(f"/fines/notices/{number}/pay", {"phone": "0722000111"})
    assert response.status_code == 201, response.content
    assert (response.json()["amount_kes"], response.json()["state"]) == (3500, "pending")


def test_the_ocs_cancels_and_then_the_notice_cannot_be_paid(traffic_api: Api, client: Client, ocs: User) -> None:
    number = traffic_api.post("/fines/notices", notice_body()).json()["number"]
    assert traffic_api.post(f"/fines/notices/{number}/cancel", {"reason": "Not me"}).status_code == 403
    ocs_api = Api(client, ocs)
    response = ocs_api.post(f"/fines/notices/{number}/cancel", {"reason": "Plate misread at the roadside"})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert NoticeState.objects.get(notice__number=number).state == "cancelled"
    refused = ocs_api.post(f"/fines/notices/{number}/pay", {"phone": "0722000111"})
    assert refused.status_code == 409 and "cancelled" in refused.json()["message"]


def test_a_plate_that_is_no_kenyan_plate_is_refused_until_the_officer_confirms_it(traffic_api: Api) -> None:
    refused = traffic_api.post("/fines/notices", notice_body(plate="hello"))
    assert refused.status_code == 422
    assert "not a Kenyan number plate" in refused.json()["fields"]["plate"]
    issued = traffic_api.post("/fines/notices", notice_body(plate="hello", confirm_unusual=True))
    assert issued.status_code == 201, issued.content
    assert issued.json()["plate"] == "HELLO" and issued.json()["plate_unusual"] is True
