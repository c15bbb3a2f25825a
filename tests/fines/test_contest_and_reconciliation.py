"""Contesting a notice and the court's outcome (API and notice page); the supervisors' daily reconciliation."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.fines import rules
from daftari.fines.models import FineNotice, NoticeEvent, NoticeState
from daftari.fines.services import cancel_notice, issue_notice
from daftari.stations.models import Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory
from tests.fines.conftest import draft
from tests.occurrences.test_api import Api
from tests.payments.conftest import Paybill


@pytest.fixture
def traffic_api(client: Client, traffic_officer: User) -> Api:
    return Api(client, traffic_officer)


def test_an_officer_of_the_station_contests_then_records_the_court_outcome(
    traffic_api: Api, notice: FineNotice
) -> None:
    contested = traffic_api.post(f"/fines/notices/{notice.number}/contest", {"note": "Denies; Milimani TR 12/2026"})
    assert contested.status_code == 200, contested.content
    assert contested.json()["state"] == "contested"
    refused = traffic_api.post(f"/fines/notices/{notice.number}/pay", {"phone": "0722000111"})
    assert refused.status_code == 409
    closed = traffic_api.post(f"/fines/notices/{notice.number}/court-outcome", {"outcome": "acquitted"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert closed.json()["events"][-1]["details"] == {"outcome": "acquitted"}
    assert NoticeState.objects.get(notice=notice).state == "closed"


def test_a_court_outcome_for_a_notice_not_contested_is_409(traffic_api: Api, notice: FineNotice) -> None:
    response = traffic_api.post(f"/fines/notices/{notice.number}/court-outcome", {"outcome": "withdrawn"})
    assert response.status_code == 409
    assert NoticeState.objects.get(notice=notice).state == "issued"


def test_an_unknown_court_outcome_is_422(traffic_api: Api, notice: FineNotice) -> None:
    traffic_api.post(f"/fines/notices/{notice.number}/contest", {})
    response = traffic_api.post(f"/fines/notices/{notice.number}/court-outcome", {"outcome": "pardoned"})
    assert response.status_code == 422 and "outcome" in response.json()["fields"]
    assert NoticeState.objects.get(notice=notice).state == "contested"


def test_a_paid_notice_cannot_be_contested(traffic_api: Api, notice: FineNotice, paybill: Paybill) -> None:
    paybill(notice.number, notice.total_kes)
    response = traffic_api.post(f"/fines/notices/{notice.number}/contest", {})
    assert response.status_code == 409
    assert NoticeState.objects.get(notice=notice).state == "paid"


def test_an_officer_of_another_station_gets_404_contesting(
    client: Client, make_officer: OfficerFactory, other_station: Station, notice: FineNotice
) -> None:
    elsewhere = Api(client, make_officer("traffic-ksm", [Role.TRAFFIC], other_station))
    assert elsewhere.post(f"/fines/notices/{notice.number}/contest", {}).status_code == 404
    assert NoticeState.objects.get(notice=notice).state == "issued"


def test_the_notice_page_contests_and_then_offers_the_court_outcome(
    client: Client, traffic_officer: User, notice: FineNotice
) -> None:
    client.force_login(traffic_officer)
    page = client.get(f"/fines/notices/{notice.number}").content.decode()
    assert f"/fines/notices/{notice.number}/contest" in page and "court-outcome" not in page
    asked = client.post(f"/fines/notices/{notice.number}/contest", {"note": "Denies"})
    assert asked.status_code == 200 and "Are you sure?" in asked.content.decode()
    assert NoticeState.objects.get(notice=notice).state == "issued", "the notice page's button only asks"
    response = client.post(f"/fines/notices/{notice.number}/contest", {"note": "Denies", "confirmed": "1"})
    assert response.status_code == 302
    page = client.get(f"/fines/notices/{notice.number}").content.decode()
    assert f"/fines/notices/{notice.number}/court-outcome" in page and "/contest" not in page
    client.post(f"/fines/notices/{notice.number}/court-outcome", {"outcome": "convicted_and_paid", "confirmed": "1"})
    event = NoticeEvent.objects.filter(notice=notice).latest("at")
    assert (event.kind, event.details) == ("court_outcome", {"outcome": "convicted_and_paid"})


# --- Daily reconciliation -------------------------------------------------------------------


@pytest.fixture
def day_of_payments(traffic_officer: User, ocs: User, station: Station, paybill: Paybill) -> dict[str, FineNotice]:
    """Four notices of KES 2,500: paid in full, paid in part, over-paid, and paid after it was cancelled;
    and KES 300 for a reference no notice carries."""
    notices = {
        name: issue_notice(actor=traffic_officer, station=station, draft=draft(plate=plate)).notice
        for name, plate in (("paid", "KCA 001A"), ("part", "KCA 002A"), ("over", "KCA 003A"), ("gone", "KCA 004A"))
    }
    cancel_notice(actor=ocs, number=notices["gone"].number, reason="Wrong plate")
    paybill(notices["paid"].number, 2500, trans_id="TKA0000001")
    paybill(notices["part"].number, 1000, trans_id="TKA0000002")
    paybill(notices["over"].number, 3000, trans_id="TKA0000003")
    paybill(notices["gone"].number, 2500, trans_id="TKA0000004")
    paybill("NOBODY42", 300, trans_id="TKA0000005")
    return notices


def test_the_ocs_sees_the_days_money_against_the_notices_it_settled(
    client: Client, ocs: User, day_of_payments: dict[str, FineNotice]
) -> None:
    client.force_login(ocs)
    today = timezone.now().astimezone(rules.NAIROBI).date()
    response = client.get("/fines/reconciliation", {"day": today.isoformat()})
    assert response.status_code == 200
    found = response.context["found"]
    assert (len(found.payments), found.confirmed_kes) == (5, 2500 + 1000 + 3000 + 2500 + 300)
    assert found.notices_settled == 2
    assert [r.reference for r in found.partial] == [day_of_payments["part"].number]
    assert [r.reference for r in found.over] == [day_of_payments["over"].number]
    assert [r.reference for r in found.refunds] == [day_of_payments["gone"].number]
    assert [r.reference for r in found.unknown] == ["NOBODY42"]
    # Revenue is only what the notices owed: the 500 over is its own line, as is the money to refund.
    assert (found.settled_kes, found.over_kes, found.refunds_kes, found.unknown_kes, found.unsettled_kes) == (
        2500 + 1000 + 2500,
        500,
        2500,
        300,
        0,
    )
    page = response.content.decode()
    assert "TKA0000004" in page and "awaiting refund" in page and "unknown reference" in page
    assert "KES 6,000" in page and "1 · KES 500" in page


def test_five_prompts_paid_on_one_notice_count_one_fine_and_four_over_payments(
    client: Client, ocs: User, traffic_officer: User, station: Station, paybill: Paybill
) -> None:
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    for n in range(5):
        paybill(notice.number, notice.total_kes, trans_id=f"TKF000000{n}")
    client.force_login(ocs)
    response = client.get("/fines/reconciliation")
    found = response.context["found"]
    assert (found.confirmed_kes, found.settled_kes, found.notices_settled) == (5 * 2500, 2500, 1)
    assert (len(found.over), found.over_kes, found.refunds) == (4, 4 * 2500, [])
    page = response.content.decode()
    assert "KES 2,500</td>" in page and "4 · KES 10,000" in page


def test_another_day_shows_no_payment(client: Client, ocs: User, day_of_payments: dict[str, FineNotice]) -> None:
    client.force_login(ocs)
    response = client.get("/fines/reconciliation", {"day": "2020-01-01"})
    assert response.context["found"].payments == []
    assert "No payment was confirmed on this day." in response.content.decode()


def test_another_stations_ocs_sees_only_the_money_no_notice_carries(
    client: Client, make_officer: OfficerFactory, other_station: Station, day_of_payments: dict[str, FineNotice]
) -> None:
    client.force_login(make_officer("ocs-ksm", [Role.OCS], other_station))
    found = client.get("/fines/reconciliation").context["found"]
    assert [r.reference for r in found.payments] == ["NOBODY42"]


def test_oversight_sees_every_station(client: Client, oversight: User, day_of_payments: dict[str, FineNotice]) -> None:
    client.force_login(oversight)
    assert len(client.get("/fines/reconciliation").context["found"].payments) == 5


def test_desk_and_traffic_officers_have_no_reconciliation_page(
    client: Client, desk_officer: User, traffic_officer: User
) -> None:
    for user in (desk_officer, traffic_officer):
        client.force_login(user)
        assert client.get("/fines/reconciliation").status_code == 403


def test_the_reconciliation_page_is_in_kiswahili(client: Client, ocs: User) -> None:
    client.force_login(ocs)
    page = client.get("/fines/reconciliation", HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Fines: daily reconciliation" not in page


def test_the_court_outcome_starts_unchosen_and_an_empty_submit_records_nothing(
    client: Client, traffic_officer: User, notice: FineNotice
) -> None:
    client.force_login(traffic_officer)
    client.post(f"/fines/notices/{notice.number}/contest", {"note": "Denies", "confirmed": "1"})
    page = client.get(f"/fines/notices/{notice.number}").content.decode()
    assert '<select id="id_outcome" name="outcome" required><option value="">Choose the court outcome</option>' in page
    response = client.post(f"/fines/notices/{notice.number}/court-outcome", {"outcome": ""}, follow=True)
    assert "Choose convicted and paid, acquitted or withdrawn." in response.content.decode()
    assert not NoticeEvent.objects.filter(notice=notice, kind="court_outcome").exists()
    assert NoticeState.objects.get(notice=notice).state == "contested"
