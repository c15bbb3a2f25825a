"""The desk is told at once when an entry names someone or something on the alerts register, from local tables."""

import socket
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from daftari.alerts.models import Alert
from daftari.alerts.services import withdraw_alert
from daftari.stations.models import AccessEvent
from tests.occurrences.test_api import Api, complaint_body
from tests.occurrences.test_views import complaint_form

STRANGER = {
    "parties-0-name": "Akinyi Achieng",
    "parties-0-id_number": "23456789",
    "parties-0-phone": "0733000999",
    "vehicles-0-plate": "KMEA 123B",
}


def test_an_id_number_on_the_register_is_shown_with_the_alert_when_the_form_comes_back(
    desk_client: Client, wanted_alert: Alert
) -> None:
    data = complaint_form(place="", **{**STRANGER, "parties-0-id_number": "2987 6543"})
    response = desk_client.post("/entries/new", data)
    body = response.content.decode()
    assert response.status_code == 422
    assert "This ID number matches a WANTED PERSON alert issued" in body
    assert "Central Police Station" in body
    assert f'href="/alerts/{wanted_alert.pk}"' in body


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ({"parties-0-phone": "+254 722 000 111"}, "This phone number matches a WANTED PERSON alert"),
        ({"parties-0-name": "baraka OTIENO juma"}, "This name matches a WANTED PERSON alert"),
    ],
)
def test_a_phone_or_a_name_on_the_register_is_shown_too(
    desk_client: Client, wanted_alert: Alert, typed: dict[str, str], said: str
) -> None:
    response = desk_client.post("/entries/new", complaint_form(place="", **{**STRANGER, **typed}))
    assert said in response.content.decode()


def test_a_plate_on_the_register_is_shown_after_recording_on_the_entry_page(
    desk_client: Client, stolen_car: Alert
) -> None:
    response = desk_client.post(
        "/entries/new", complaint_form(**{**STRANGER, "vehicles-0-plate": "kda123b"}), follow=True
    )
    body = response.content.decode()
    assert "Recorded as OB" in body
    assert "This number plate matches a STOLEN VEHICLE alert issued" in body


def test_nothing_is_shown_for_an_entry_that_matches_no_alert(desk_client: Client, wanted_alert: Alert) -> None:
    response = desk_client.post("/entries/new", complaint_form(place="", **STRANGER))
    assert "alert-match" not in response.content.decode()
    assert not AccessEvent.objects.filter(record_type="alert").exists()


def test_a_withdrawn_alert_is_no_longer_shown(desk_client: Client, ocs: User, wanted_alert: Alert) -> None:
    withdraw_alert(actor=ocs, alert=wanted_alert, reason="Arrested on 4 Dec.")
    data = complaint_form(place="", **{**STRANGER, "parties-0-id_number": "29876543"})
    assert "alert-match" not in desk_client.post("/entries/new", data).content.decode()


def test_the_hint_beside_the_id_number_shows_the_alert_as_it_is_typed(
    desk_client: Client, desk_officer: User, wanted_alert: Alert
) -> None:
    body = desk_client.get("/entries/person-hint?parties-0-id_number=29876543").content.decode()
    assert "This ID number matches a WANTED PERSON alert" in body
    shown = AccessEvent.objects.get(record_type="alert")
    assert (shown.user, shown.record_id, shown.purpose) == (desk_officer, str(wanted_alert.pk), "lookup")


def test_the_match_is_read_from_the_local_register_alone_with_no_link(
    desk_client: Client, wanted_alert: Alert, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A node with its link down: no new connection of any kind can be made.
    def no_link(*args: Any, **kwargs: Any) -> None:
        raise OSError("the link is down")

    monkeypatch.setattr(socket.socket, "connect", no_link)
    body = desk_client.get("/entries/person-hint?parties-0-phone=0722000111").content.decode()
    assert "This phone number matches a WANTED PERSON alert" in body


@pytest.mark.parametrize(
    ("party", "vehicle", "matched_on", "kind"),
    [
        ({"id_number": "29876543"}, None, "id_number", "wanted"),
        ({"phone": "0722 000 111"}, None, "phone", "wanted"),
        ({"name": "Juma Baraka Otieno"}, None, "name", "wanted"),
        ({}, "KDA 123B", "plate", "stolen_vehicle"),
    ],
)
def test_the_api_answer_to_recording_lists_the_alerts_the_entry_matches(
    client: Client,
    desk_officer: User,
    wanted_alert: Alert,
    stolen_car: Alert,
    party: dict[str, str],
    vehicle: str | None,
    matched_on: str,
    kind: str,
) -> None:
    body = complaint_body()
    body["parties"][0].update({"name": "Akinyi Achieng", "id_number": "23456789", "phone": "0733000999", **party})
    body["vehicles"] = [{"plate": vehicle}] if vehicle else []
    response = Api(client, desk_officer).post("/occurrences", body)
    assert response.status_code == 201, response.content
    [match] = response.json()["alerts"]
    expected = wanted_alert if kind == "wanted" else stolen_car
    assert (match["alert"], match["kind"], match["matched_on"]) == (str(expected.pk), kind, matched_on)
    assert " matches a " in match["message"]


def test_the_api_answer_lists_no_alerts_for_an_entry_that_matches_none(
    client: Client, desk_officer: User, wanted_alert: Alert
) -> None:
    body = complaint_body()
    body["parties"][0].update({"name": "Akinyi Achieng", "id_number": "23456789", "phone": "0733000999"})
    response = Api(client, desk_officer).post("/occurrences", body)
    assert response.status_code == 201
    assert response.json()["alerts"] == []


def test_an_api_recording_asks_for_its_people_and_the_alerts_in_one_round_trip_before_the_number(
    client: Client, desk_officer: User, wanted_alert: Alert
) -> None:
    api = Api(client, desk_officer)
    assert api.post("/occurrences", complaint_body()).status_code == 201  # the station's log exists
    body = complaint_body()
    body["parties"][0].update({"id_number": "29876543"})
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/occurrences", body)
    assert response.status_code == 201, response.content
    assert [m["alert"] for m in response.json()["alerts"]] == [str(wanted_alert.pk)]
    statements = [q["sql"] for q in queries.captured_queries]
    counter = next(i for i, sql in enumerate(statements) if "occurrences_obcounter" in sql)
    asked = [sql for sql in statements if "alerts_alert" in sql]
    # Asked once, before the day's number is taken; on PostgreSQL in the people's own round trip.
    assert len(asked) == 1 and statements.index(asked[0]) < counter, asked
    assert ("occurrences_person" in asked[0]) == (connection.vendor == "postgresql"), asked[0]


def test_the_alert_shown_to_the_recorder_is_logged_once_and_only_with_a_stored_entry(
    client: Client, desk_officer: User, wanted_alert: Alert
) -> None:
    api = Api(client, desk_officer)
    body = complaint_body(id=str(uuid.uuid4()))
    body["parties"][0].update({"id_number": "29876543"})
    assert api.post("/occurrences", body).status_code == 201

    def lookups() -> list[tuple[str, str, str]]:
        found = AccessEvent.objects.filter(record_id=str(wanted_alert.pk), purpose=AccessEvent.Purpose.LOOKUP)
        return [(e.channel, e.outcome, e.username) for e in found]

    shown = ("api", "shown", desk_officer.username)
    assert lookups() == [shown]
    # The same id with another body is refused: its transaction, and the look-up in it, roll back.
    clash = {**body, "narrative": "Another account of the day altogether, not the one recorded."}
    assert api.post("/occurrences", clash).status_code == 409
    assert lookups() == [shown]
    # A retry of the stored entry answers with the alert again, and that showing is logged too.
    retried = api.post("/occurrences", body)
    assert retried.status_code == 200
    assert [m["alert"] for m in retried.json()["alerts"]] == [str(wanted_alert.pk)]
    assert lookups() == [shown, shown]
