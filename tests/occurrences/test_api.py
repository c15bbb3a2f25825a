import json
import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone

from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent, Station
from tests.conftest import PASSWORD

OB_NUMBER = re.compile(r"^OB \d+/\d{1,2}/\d{1,2}/\d{4}$")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; these tests are about the API, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Api:
    """A device talking to the API with its bearer token."""

    def __init__(self, client: Client, user: User) -> None:
        self.client = client
        response = client.post(
            "/api/v1/auth/token",
            data=json.dumps({"username": user.username, "password": PASSWORD}),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            f"/api/v1{path}", data=json.dumps(body), content_type="application/json", headers=self.headers
        )


def complaint_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "entry_type": "COMPLAINT",
        "occurred_at": (timezone.now() - timezone.timedelta(hours=1)).isoformat(),
        "place": "Moi Avenue, near the bus stage",
        "narrative": "Complainant reports that her phone was snatched by a man on a motorcycle.",
        "lat": None,
        "lon": None,
        "refers_to": None,
        "parties": [
            {
                "role": "complainant",
                "name": "Wanjiku Kamau",
                "id_number": "12345678",
                "phone": "+254712345678",
                "sex": "F",
                "age": 34,
                "date_of_birth": None,
            }
        ],
        "offences": [{"section": "s.268 Penal Code", "description": "Stealing"}],
        "property_items": [{"description": "Tecno phone", "serial_number": "", "quantity": 1, "value_kes": 25000}],
        "vehicles": [{"plate": "KCR 442X", "make_model": "Boxer motorcycle", "colour": "red"}],
        "details": {"action_taken": "Advised to block the SIM card."},
    }
    body.update(overrides)
    return body


@pytest.fixture
def desk_api(client: Client, desk_officer: User) -> Api:
    return Api(client, desk_officer)


@pytest.fixture
def recorded(desk_api: Api) -> dict[str, Any]:
    response = desk_api.post("/occurrences", complaint_body())
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


# --- Recording -----------------------------------------------------------------------------


def test_recording_a_complaint_answers_201_with_its_ob_number(desk_api: Api, station: Station) -> None:
    response = desk_api.post("/occurrences", complaint_body())
    assert response.status_code == 201
    entry = response.json()
    today = timezone.localdate()
    assert entry["ob_number"] == f"OB 1/{today.day}/{today.month}/{today.year}"
    assert OB_NUMBER.match(entry["ob_number"])
    assert entry["station"] == "CENTRAL-NBI"
    assert entry["recorded_by"] == station.officers.get().service_number
    assert entry["parties"][0]["phone"] == "+254712345678"
    assert entry["vehicles"][0]["plate"] == "KCR442X"
    assert entry["property_items"][0]["value_kes"] == 25000
    assert entry["details"] == {"action_taken": "Advised to block the SIM card."}
    assert entry["corrections"] == [] and entry["is_late"] is False
    assert Occurrence.objects.get().pk == uuid.UUID(entry["id"])


def test_the_answer_to_a_create_is_the_entry_exactly_as_a_later_read_returns_it(desk_api: Api) -> None:
    created = desk_api.post("/occurrences", complaint_body()).json()
    # The answer to recording adds the national alerts the entry matches (none here).
    assert created.pop("alerts") == []
    assert desk_api.get(f"/occurrences/{created['id']}").json() == created


def test_recording_does_not_read_the_entry_back_to_answer(desk_api: Api, django_assert_max_num_queries: Any) -> None:
    desk_api.post("/occurrences", complaint_body())  # the station's log is created, the token touched
    # Nothing is read back. SQLite, one statement each: token, person, access event, SMS language, counter,
    # entry, party, offence, item, vehicle, ledger (4), SMS message and job, savepoints. PostgreSQL asks
    # for the people with the SMS's language at once, sends the new people, the access event, the entry
    # with its number and parts at once, the ledger's head, leaf and salt at once, the SMS with its job;
    # the book kept at a node is refused by the ledger's statement, not asked first.
    with django_assert_max_num_queries(19 if connection.vendor == "sqlite" else 8):
        assert desk_api.post("/occurrences", complaint_body()).status_code == 201


def test_a_retry_with_the_same_id_and_body_answers_200_with_the_stored_entry(desk_api: Api) -> None:
    body = complaint_body(id=str(uuid.uuid4()))
    first = desk_api.post("/occurrences", body)
    again = desk_api.post("/occurrences", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ob_number"] == first.json()["ob_number"]
    assert Occurrence.objects.count() == 1


def test_the_same_id_with_a_different_body_is_409(desk_api: Api) -> None:
    client_id = str(uuid.uuid4())
    desk_api.post("/occurrences", complaint_body(id=client_id))
    response = desk_api.post("/occurrences", complaint_body(id=client_id, place="Kencom"))
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"


def test_invalid_input_is_422_with_a_message_per_dotted_field(desk_api: Api) -> None:
    parties = [{"role": "complainant", "name": "Wanjiku", "phone": "12"}]
    response = desk_api.post("/occurrences", complaint_body(place="", parties=parties))
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert {"place", "parties.0.phone"} <= set(body["fields"])
    assert not Occurrence.objects.exists()


def test_an_entry_days_old_is_422_until_flagged_late_with_its_reason(desk_api: Api) -> None:
    three_days_ago = (timezone.now() - timezone.timedelta(days=3)).isoformat()
    refused = desk_api.post("/occurrences", complaint_body(occurred_at=three_days_ago))
    assert refused.status_code == 422
    assert set(refused.json()["fields"]) == {"occurred_at"}
    flag_only = desk_api.post("/occurrences", complaint_body(occurred_at=three_days_ago, late=True))
    assert flag_only.status_code == 422
    assert set(flag_only.json()["fields"]) == {"late_reason"}
    reason = "The complainant was upcountry and reported on return."
    accepted = desk_api.post("/occurrences", complaint_body(occurred_at=three_days_ago, late=True, late_reason=reason))
    assert accepted.status_code == 201, accepted.content
    assert (accepted.json()["is_late"], accepted.json()["late_reason"]) == (True, reason)


def test_an_entry_in_the_future_is_422(desk_api: Api) -> None:
    tomorrow = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    response = desk_api.post("/occurrences", complaint_body(occurred_at=tomorrow, late=True, late_reason="Typed ahead"))
    assert response.status_code == 422
    assert response.json()["fields"] == {"occurred_at": "This time is in the future."}


def test_a_wrongly_typed_value_is_422_at_its_path(desk_api: Api) -> None:
    parties = [{"role": "complainant", "name": "Wanjiku", "age": "thirty"}]
    response = desk_api.post("/occurrences", complaint_body(parties=parties))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"parties.0.age"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"narrative": "Stolen\x00phone"}, "narrative"),
        ({"details": {"action_taken": "block\x00"}}, "details"),
        ({"occurred_at": "not a time"}, "occurred_at"),
        ({"lat": 1e400}, "lat"),
        ({"property_items": [{"description": "gold", "value_kes": 10**30}]}, "property_items.0.value_kes"),
        ({"parties": [{"role": "complainant", "name": "W", "date_of_birth": "0001-01-01"}]}, "parties.0.date_of_birth"),
    ],
)
def test_values_the_database_could_not_store_are_422(desk_api: Api, change: dict[str, Any], field: str) -> None:
    response = desk_api.post("/occurrences", complaint_body(**change))
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_a_missing_body_is_422(desk_api: Api) -> None:
    response = desk_api.client.post("/api/v1/occurrences", content_type="application/json", headers=desk_api.headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


def test_an_officer_without_a_station_cannot_record(client: Client, oversight: User) -> None:
    response = Api(client, oversight).post("/occurrences", complaint_body())
    assert response.status_code == 403
    assert not Occurrence.objects.exists()


def test_recording_writes_an_access_event_for_the_echoed_personal_data(desk_api: Api, desk_officer: User) -> None:
    entry = desk_api.post("/occurrences", complaint_body()).json()
    event = AccessEvent.objects.get(record_id=entry["id"])
    assert (event.user, event.channel, event.outcome) == (desk_officer, "api", "shown")


# --- Reading -------------------------------------------------------------------------------


def test_reading_an_entry_returns_it_and_logs_the_read(
    desk_api: Api, desk_officer: User, recorded: dict[str, Any]
) -> None:
    response = desk_api.get(f"/occurrences/{recorded['id']}")
    assert response.status_code == 200
    assert response.json()["parties"][0]["name"] == "Wanjiku Kamau"
    event = AccessEvent.objects.get(purpose=AccessEvent.Purpose.API_READ)
    assert (event.user, event.record_id, event.outcome, event.channel) == (desk_officer, recorded["id"], "shown", "api")


def test_an_officer_from_another_station_gets_404_and_the_refusal_is_logged(
    client: Client, officer_elsewhere: User, recorded: dict[str, Any]
) -> None:
    response = Api(client, officer_elsewhere).get(f"/occurrences/{recorded['id']}")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "Not found.", "fields": {}}
    assert AccessEvent.objects.get(user=officer_elsewhere).outcome == "denied"


def test_an_unknown_id_is_404_and_a_malformed_id_is_422(desk_api: Api) -> None:
    assert desk_api.get(f"/occurrences/{uuid.uuid4()}").status_code == 404
    assert desk_api.get("/occurrences/not-a-uuid").status_code == 422


def test_an_analyst_gets_the_entry_with_personal_data_withheld(
    client: Client, analyst: User, recorded: dict[str, Any]
) -> None:
    response = Api(client, analyst).get(f"/occurrences/{recorded['id']}")
    assert response.status_code == 200
    entry = response.json()
    assert entry["personal_data_withheld"] is True
    assert entry["parties"] == [] and entry["narrative"] is None
    assert "action_taken" not in entry["details"]
    assert "narrative" not in entry["as_corrected"]
    assert entry["ob_number"] == recorded["ob_number"]
    assert AccessEvent.objects.get(user=analyst).outcome == "withheld"


def test_a_commander_reads_entries_of_stations_in_the_county(
    client: Client, commander: User, recorded: dict[str, Any]
) -> None:
    assert Api(client, commander).get(f"/occurrences/{recorded['id']}").status_code == 200


# --- Search --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "motorcycle"},
        {"id_number": "12345678"},
        {"phone": "0712 345 678"},
        {"plate": "kcr 442x"},
        {"name": "wanjiku"},
        {"type": "COMPLAINT"},
    ],
)
def test_search_finds_the_entry(desk_api: Api, recorded: dict[str, Any], params: dict[str, str]) -> None:
    response = desk_api.get("/occurrences", **params)
    assert response.status_code == 200
    body = response.json()
    assert [e["id"] for e in body["results"]] == [recorded["id"]]
    assert (body["page"], body["has_next"]) == (1, False)


def test_search_by_ob_number_finds_the_entry(desk_api: Api, recorded: dict[str, Any]) -> None:
    body = desk_api.get("/occurrences", ob_number=recorded["ob_number"].lower()).json()
    assert [e["ob_number"] for e in body["results"]] == [recorded["ob_number"]]


def test_search_that_matches_nothing_is_an_empty_page(desk_api: Api, recorded: dict[str, Any]) -> None:
    body = desk_api.get("/occurrences", id_number="99999999").json()
    assert body["results"] == []


def test_search_results_are_paginated(desk_api: Api) -> None:
    for _ in range(3):
        desk_api.post("/occurrences", complaint_body())
    first = desk_api.get("/occurrences", per_page=2).json()
    second = desk_api.get("/occurrences", per_page=2, page=2).json()
    assert (len(first["results"]), first["has_next"]) == (2, True)
    assert (len(second["results"]), second["has_next"]) == (1, False)


def test_a_malformed_ob_number_or_a_reversed_date_range_is_422(desk_api: Api) -> None:
    assert "ob_number" in desk_api.get("/occurrences", ob_number="OB 12").json()["fields"]
    response = desk_api.get("/occurrences", **{"from": "2026-02-02", "to": "2026-01-01"})
    assert response.status_code == 422


def test_search_does_not_show_another_stations_entries(
    client: Client, officer_elsewhere: User, recorded: dict[str, Any]
) -> None:
    assert Api(client, officer_elsewhere).get("/occurrences", q="motorcycle").json()["results"] == []


def test_each_search_result_shown_writes_an_access_event(
    desk_api: Api, desk_officer: User, recorded: dict[str, Any]
) -> None:
    desk_api.get("/occurrences", q="motorcycle")
    event = AccessEvent.objects.get(purpose=AccessEvent.Purpose.SEARCH)
    assert (event.record_id, event.outcome) == (recorded["id"], "shown")


def test_an_analyst_may_not_search_by_person(client: Client, analyst: User, recorded: dict[str, Any]) -> None:
    api = Api(client, analyst)
    refused = api.get("/occurrences", id_number="12345678")
    assert refused.status_code == 403
    assert "id_number" in refused.json()["fields"]
    counted = api.get("/occurrences", type="COMPLAINT").json()["results"]
    assert [e["parties"] for e in counted] == [[]]


# --- Corrections ---------------------------------------------------------------------------


def test_a_correction_is_recorded_as_a_new_entry_and_shown_on_the_original(
    desk_api: Api, recorded: dict[str, Any]
) -> None:
    response = desk_api.post(
        f"/occurrences/{recorded['id']}/amendments",
        {"reason": "The complainant gave the wrong street.", "changes": {"place": "Tom Mboya Street"}},
    )
    assert response.status_code == 201
    correction = response.json()
    assert correction["entry_type"] == "AMENDMENT"
    assert correction["refers_to"] == recorded["id"]
    assert OB_NUMBER.match(correction["ob_number"])
    original = desk_api.get(f"/occurrences/{recorded['id']}").json()
    assert original["place"] == "Moi Avenue, near the bus stage"
    assert original["as_corrected"]["place"] == "Tom Mboya Street"
    assert [c["changes"] for c in original["corrections"]] == [{"place": "Tom Mboya Street"}]


def test_a_correction_retried_with_the_same_id_is_recorded_once(desk_api: Api, recorded: dict[str, Any]) -> None:
    body = {"id": str(uuid.uuid4()), "reason": "Typo.", "changes": {"place": "Kencom"}}
    first = desk_api.post(f"/occurrences/{recorded['id']}/amendments", body)
    again = desk_api.post(f"/occurrences/{recorded['id']}/amendments", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert Occurrence.objects.filter(entry_type="AMENDMENT").count() == 1


def test_a_correction_without_a_reason_is_422(desk_api: Api, recorded: dict[str, Any]) -> None:
    response = desk_api.post(f"/occurrences/{recorded['id']}/amendments", {"reason": " ", "changes": {"place": "X"}})
    assert response.status_code == 422
    assert "reason" in response.json()["fields"]


def test_a_correction_to_an_impossible_time_is_422(desk_api: Api, recorded: dict[str, Any]) -> None:
    body = {"reason": "Wrong time.", "changes": {"occurred_at": "0001-01-01T00:00:00+05:00"}}
    response = desk_api.post(f"/occurrences/{recorded['id']}/amendments", body)
    assert response.status_code == 422
    assert "changes.occurred_at" in response.json()["fields"]


def test_another_station_cannot_correct_an_entry(
    client: Client, officer_elsewhere: User, recorded: dict[str, Any]
) -> None:
    body = {"reason": "Typo.", "changes": {"place": "Kencom"}}
    assert Api(client, officer_elsewhere).post(f"/occurrences/{recorded['id']}/amendments", body).status_code == 404
    assert not Occurrence.objects.filter(entry_type="AMENDMENT").exists()


# --- Entry types and the desk session --------------------------------------------------------


def test_entry_types_lists_all_26_with_their_fields(desk_api: Api) -> None:
    types = desk_api.get("/entry-types").json()
    assert len(types) == 26
    arrest = next(t for t in types if t["code"] == "ARREST")
    assert arrest["required_roles"] == ["suspect"]
    assert {"name": "arrested_at", "kind": "datetime", "required": True}.items() <= arrest["fields"][0].items()
    assert next(t for t in types if t["code"] == "AMENDMENT")["direct"] is False


def test_the_desk_session_must_send_the_csrf_token_to_record(desk_officer: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(desk_officer)
    body = json.dumps(complaint_body())
    refused = browser.post("/api/v1/occurrences", data=body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf_failed"
    assert not Occurrence.objects.exists()

    secret = "k3y" * 10 + "ok"  # a CSRF secret is 32 letters and digits
    browser.cookies["csrftoken"] = secret
    accepted = browser.post(
        "/api/v1/occurrences", data=body, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert accepted.status_code == 201


def test_a_device_token_needs_no_csrf_token(client: Client, desk_officer: User) -> None:
    device = Client(enforce_csrf_checks=True)
    api = Api(device, desk_officer)
    assert api.post("/occurrences", complaint_body()).status_code == 201


@pytest.mark.parametrize("words", ["a_b", "___", "ñandú", "1:2 & !x", "'quoted' \"both\"", "OR NOT *", "motor*"])
def test_search_words_of_any_shape_are_searched_not_refused(
    desk_api: Api, recorded: dict[str, Any], words: str
) -> None:
    assert desk_api.get("/occurrences", q=words).status_code == 200
    assert desk_api.get("/occurrences", name=words).status_code == 200


def test_the_earliest_and_latest_days_are_searchable(desk_api: Api, recorded: dict[str, Any]) -> None:
    response = desk_api.get("/occurrences", **{"from": "1900-01-01", "to": "2999-12-31"})
    assert [e["id"] for e in response.json()["results"]] == [recorded["id"]]


def test_an_out_of_range_value_is_explained_with_its_bound(desk_api: Api) -> None:
    parties = [{"role": "complainant", "name": "Wanjiku", "age": -1}]
    response = desk_api.post("/occurrences", complaint_body(parties=parties))
    assert response.json()["fields"] == {"parties.0.age": "Must be 0 or more."}


def test_an_arrest_naming_no_officer_of_the_register_is_refused_with_every_other_problem_at_once(
    desk_api: Api, desk_officer: User
) -> None:
    arrest = complaint_body(
        entry_type="ARREST",
        parties=[{"role": "suspect", "name": "😀", "id_number": "abc!!"}],
        vehicles=[],
        details={
            "arrested_at": (timezone.now() - timezone.timedelta(hours=1)).isoformat(),
            "arresting_officer": "nonsense",
            "reason_for_arrest": "Suspected of stealing a phone",
        },
    )
    response = desk_api.post("/occurrences", arrest)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["details.arresting_officer"] == "No officer has the service number nonsense. Check it."
    assert {"parties.0.name", "parties.0.id_number"} <= set(fields)
    assert not Occurrence.objects.filter(entry_type="ARREST").exists()


def test_an_arrest_records_the_arresting_officer_in_the_registers_words(desk_api: Api, desk_officer: User) -> None:
    number = desk_officer.officer.service_number
    arrest = complaint_body(
        entry_type="ARREST",
        parties=[{"role": "suspect", "name": "Otieno Ouma", "id_number": "23456789"}],
        vehicles=[],
        details={
            "arrested_at": (timezone.now() - timezone.timedelta(hours=1)).isoformat(),
            "arresting_officer": f" {number.lower()} ",
            "reason_for_arrest": "Suspected of stealing a phone",
        },
    )
    response = desk_api.post("/occurrences", arrest)
    assert response.status_code == 201, response.content
    entry = Occurrence.objects.get(pk=response.json()["id"])
    assert entry.details["arresting_officer"] == f"{number} {desk_officer.officer.display_name}"
