"""The register's desk pages and API: thin over the services, English and Kiswahili, errors all at once."""

import json
import uuid

from django.contrib.auth.models import User
from django.test import Client

from daftari.alerts.models import Alert, AlertWithdrawal
from daftari.ledger.models import Leaf
from daftari.stations.models import AccessEvent
from tests.occurrences.test_api import Api

NEW_ALERT = {
    "kind": "missing",
    "name": "Chebet Wanjiru",
    "id_number": "",
    "phone": "",
    "plate": "",
    "description": "Girl of 14, last seen at Kencom stage in a green school uniform.",
}


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_the_register_lists_active_alerts_and_each_one_shown_is_logged(
    client: Client, desk_officer: User, wanted_alert: Alert
) -> None:
    response = signed_in(client, desk_officer).get("/alerts")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Otieno Juma Baraka" in body and "29876543" in body
    assert "Issue an alert" not in body  # the desk reads the register, it does not issue
    logged = AccessEvent.objects.get(record_type="alert")
    assert (logged.record_id, logged.purpose, logged.outcome) == (str(wanted_alert.pk), "list", "shown")


def test_withdrawn_alerts_are_listed_only_when_asked(client: Client, ocs: User, wanted_alert: Alert) -> None:
    signed_in(client, ocs).post(f"/alerts/{wanted_alert.pk}/withdraw", {"reason": "Arrested."})
    assert "Otieno Juma Baraka" not in client.get("/alerts").content.decode()
    assert "Otieno Juma Baraka" in client.get("/alerts?show=all").content.decode()


def test_an_analyst_may_not_open_the_register(client: Client, analyst: User, wanted_alert: Alert) -> None:
    assert signed_in(client, analyst).get("/alerts").status_code == 403
    assert signed_in(client, analyst).get(f"/alerts/{wanted_alert.pk}").status_code == 403
    denied = AccessEvent.objects.get(record_type="alert")
    assert denied.outcome == "denied"


def test_the_desk_may_not_open_the_issue_form(client: Client, desk_officer: User) -> None:
    assert signed_in(client, desk_officer).get("/alerts/new").status_code == 403
    assert signed_in(client, desk_officer).post("/alerts/new", NEW_ALERT).status_code == 403
    assert not Alert.objects.exists()


def test_the_ocs_issues_an_alert_from_the_form(client: Client, ocs: User) -> None:
    form = signed_in(client, ocs).get("/alerts/new").content.decode()
    assert 'name="client_id"' in form
    response = client.post("/alerts/new", {**NEW_ALERT, "client_id": str(uuid.uuid4())}, follow=True)
    alert = Alert.objects.get()
    assert response.redirect_chain[-1][0] == f"/alerts/{alert.pk}"
    assert "Alert issued to every station." in response.content.decode()
    assert (alert.kind, alert.name_key) == ("missing", "chebet wanjiru")


def test_a_form_with_problems_comes_back_with_every_problem_in_the_summary(client: Client, ocs: User) -> None:
    response = signed_in(client, ocs).post("/alerts/new", {**NEW_ALERT, "name": "", "phone": "12", "description": ""})
    body = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in body
    for anchor in ('href="#id_name"', 'href="#id_phone"', 'href="#id_description"'):
        assert anchor in body
    assert not Alert.objects.exists()


def test_the_issue_form_is_in_kiswahili_when_asked(client: Client, ocs: User) -> None:
    signed_in(client, ocs)
    client.cookies["django_language"] = "sw"
    body = client.get("/alerts/new", headers={"accept-language": "sw"}).content.decode()
    assert "Toa tahadhari" in body
    assert "mtu anayetafutwa" in body.lower()


def test_the_issuing_ocs_withdraws_an_alert_from_its_page(client: Client, ocs: User, wanted_alert: Alert) -> None:
    page = signed_in(client, ocs).get(f"/alerts/{wanted_alert.pk}").content.decode()
    assert "Withdraw this alert" in page
    response = client.post(f"/alerts/{wanted_alert.pk}/withdraw", {"reason": "Arrested in Kisumu."}, follow=True)
    assert "Alert withdrawn." in response.content.decode()
    assert AlertWithdrawal.objects.get().reason == "Arrested in Kisumu."


def test_a_withdrawal_without_a_reason_comes_back_with_the_error(
    client: Client, ocs: User, wanted_alert: Alert
) -> None:
    response = signed_in(client, ocs).post(f"/alerts/{wanted_alert.pk}/withdraw", {"reason": ""})
    assert response.status_code == 422
    assert 'href="#id_reason"' in response.content.decode()
    assert not AlertWithdrawal.objects.exists()


def test_the_desk_sees_no_withdraw_form_and_may_not_post_one(
    client: Client, desk_officer: User, wanted_alert: Alert
) -> None:
    page = signed_in(client, desk_officer).get(f"/alerts/{wanted_alert.pk}").content.decode()
    assert "Withdraw this alert" not in page
    assert client.post(f"/alerts/{wanted_alert.pk}/withdraw", {"reason": "No."}).status_code == 403
    assert not AlertWithdrawal.objects.exists()


def test_an_unknown_alert_answers_404(client: Client, desk_officer: User) -> None:
    assert signed_in(client, desk_officer).get(f"/alerts/{uuid.uuid4()}").status_code == 404


# --- API ----------------------------------------------------------------------------------


def test_the_api_issues_lists_reads_and_withdraws_an_alert(client: Client, ocs: User) -> None:
    api = Api(client, ocs)
    client_id = str(uuid.uuid4())
    issued = api.post("/alerts", {**NEW_ALERT, "id": client_id})
    assert issued.status_code == 201, issued.content
    assert issued.json()["active"] is True and issued.json()["station"] == "CENTRAL-NBI"
    assert api.post("/alerts", {**NEW_ALERT, "id": client_id}).status_code == 200
    assert api.post("/alerts", {**NEW_ALERT, "id": client_id, "name": "Another Child"}).status_code == 409

    listed = api.get("/alerts").json()["results"]
    assert [a["id"] for a in listed] == [client_id]
    assert api.get(f"/alerts/{client_id}").json()["name"] == "Chebet Wanjiru"

    withdrawn = api.post(f"/alerts/{client_id}/withdraw", {"reason": "Found at her aunt's in Thika."})
    assert withdrawn.status_code == 200
    assert (withdrawn.json()["active"], withdrawn.json()["withdrawal_reason"]) == (
        False,
        "Found at her aunt's in Thika.",
    )
    assert api.post(f"/alerts/{client_id}/withdraw", {"reason": "Again."}).status_code == 409
    assert api.get("/alerts").json()["results"] == []
    assert len(api.get("/alerts", active="false").json()["results"]) == 1
    assert Leaf.objects.count() == 2


def test_the_api_refuses_the_desk_an_alert_and_names_every_bad_field(
    client: Client, desk_officer: User, ocs: User
) -> None:
    assert Api(client, desk_officer).post("/alerts", NEW_ALERT).status_code == 403
    refused = Api(client, ocs).post("/alerts", {**NEW_ALERT, "kind": "stolen_vehicle", "phone": "12"})
    assert refused.status_code == 422
    assert set(refused.json()["fields"]) == {"plate", "phone"}
    assert not Alert.objects.exists()


def test_the_api_refuses_an_analyst_the_register(client: Client, analyst: User) -> None:
    response = Api(client, analyst).get("/alerts")
    assert response.status_code == 403
    assert json.loads(response.content)["error"] == "not_permitted"


def test_an_alerts_page_says_in_how_many_earlier_entries_its_id_number_appears_and_logs_each(
    client: Client, ocs: User, desk_officer: User
) -> None:
    from daftari.alerts.rules import AlertDraft
    from daftari.alerts.services import issue_alert
    from daftari.occurrences.services import record_occurrence
    from tests.conftest import complaint

    entry = record_occurrence(actor=desk_officer, station=desk_officer.officer.station, draft=complaint()).entry
    alert = issue_alert(
        actor=ocs,
        draft=AlertDraft(kind="wanted", name="Wanjiku Kamau", id_number="12345678", description="Wanted for fraud."),
    ).alert

    body = signed_in(client, ocs).get(f"/alerts/{alert.pk}").content.decode()
    assert "appears in 1 earlier entry you may see" in body
    looked_up = AccessEvent.objects.get(record_type="occurrence", purpose="lookup")
    assert (looked_up.user, looked_up.record_id) == (ocs, str(entry.pk))


def test_an_alert_found_in_no_entry_says_nothing_of_earlier_entries(
    client: Client, ocs: User, wanted_alert: Alert
) -> None:
    body = signed_in(client, ocs).get(f"/alerts/{wanted_alert.pk}").content.decode()
    assert "earlier entr" not in body
