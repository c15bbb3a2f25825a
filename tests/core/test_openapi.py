"""The published OpenAPI document says every answer the API gives, and the API keeps to it."""

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from ninja import NinjaAPI, Router, Schema

from daftari.api import api
from daftari.core.openapi import METHODS, DaftariSchema
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint

PUBLISHED = api.get_openapi_schema()


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in PUBLISHED["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def answers(operation: dict[str, Any]) -> set[str]:
    return {str(status) for status in operation["responses"]}


def test_every_operation_declares_an_unreadable_request_and_an_address_too_long() -> None:
    for path, method, operation in operations():
        assert {"400", "414"} <= answers(operation), f"{method.upper()} {path}"


def test_every_operation_with_a_body_declares_a_body_too_large() -> None:
    with_body = [(p, m, o) for p, m, o in operations() if "requestBody" in o]
    assert with_body
    for path, method, operation in with_body:
        assert "413" in answers(operation), f"{method.upper()} {path}"


def test_every_link_leads_to_a_published_operation_and_fills_its_parameters() -> None:
    by_id = {operation["operationId"]: operation for _, _, operation in operations()}
    seen = 0
    for path, method, operation in operations():
        for status, answer in operation["responses"].items():
            for name, link in answer.get("links", {}).items():
                seen += 1
                target = by_id.get(link["operationId"])
                where = f"{method.upper()} {path} {status} {name}"
                assert target is not None, f"{where}: no operation {link['operationId']}"
                parameters = {p["name"] for p in target.get("parameters", [])}
                assert set(link["parameters"]) <= parameters, where
                assert all(str(v).startswith("$response.body#/") for v in link["parameters"].values()), where
    assert seen >= 10


def test_two_different_schemas_with_one_name_are_refused_when_the_schema_is_built() -> None:
    class Answer(Schema):
        text: str

    first = Answer

    class Answer(Schema):  # type: ignore[no-redef]
        number: int

    router = Router()

    @router.get("/a", response=first)
    def a(request: Any) -> Any: ...

    @router.get("/b", response=Answer)
    def b(request: Any) -> Any: ...

    clashing = NinjaAPI(urls_namespace="clash-test")
    clashing.add_router("/", router)
    with pytest.raises(ImproperlyConfigured, match="Answer"):
        DaftariSchema(clashing, "")


def test_a_parameter_sent_twice_is_refused_with_a_field_message(desk_client: Client) -> None:
    for url, field in (
        ("/api/v1/occurrences?page=1&page=2", "page"),
        ("/api/v1/custody?per_page=5&per_page=6", "per_page"),
        ("/api/v1/fines/notices?state=issued&state=paid", "state"),
    ):
        response = desk_client.get(url)
        assert response.status_code == 422, url
        assert field in response.json()["fields"], url


def test_a_filter_value_outside_the_published_choices_is_refused(desk_client: Client) -> None:
    for url in ("/api/v1/fines/notices?state=null", "/api/v1/custody?state=asleep"):
        response = desk_client.get(url)
        assert response.status_code == 422, url
        assert "state" in response.json()["fields"], url


def test_a_body_value_outside_the_published_choices_is_refused_before_the_rules(
    desk_client: Client, desk_officer: User
) -> None:
    body = {"entry_type": "NOT-A-TYPE", "occurred_at": "2026-11-29T08:15:00+03:00"}
    response = desk_client.post("/api/v1/occurrences", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "'COMPLAINT'" in response.json()["fields"]["entry_type"]


def test_a_body_that_is_not_json_is_the_declared_400_in_the_error_shape(desk_client: Client) -> None:
    response = desk_client.post("/api/v1/occurrences", data=b"\x00", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"error", "message", "fields"}
    declared = PUBLISHED["paths"]["/api/v1/occurrences"]["post"]["responses"]
    assert "400" in {str(s) for s in declared}


def test_a_number_where_a_date_or_time_is_published_is_refused(desk_client: Client) -> None:
    # Pydantic would read it as seconds since 1970; the schema says an ISO 8601 date.
    response = desk_client.get("/api/v1/occurrences?to=0")
    assert response.status_code == 422
    assert "to" in response.json()["fields"]
    body = {"entry_type": "COMPLAINT", "occurred_at": 1764400000}
    response = desk_client.post("/api/v1/occurrences", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "occurred_at" in response.json()["fields"]


def test_a_number_or_a_word_where_a_boolean_is_published_is_refused_and_a_query_string_still_says_false(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    # Pydantic would read 0 as false (schemathesis found it, issue 13); the schema says true or false.
    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    url = f"/api/v1/occurrences/{entry.pk}/amendments"
    for flag in (0, 1, "yes", "true"):
        body = {"reason": "Wrong street.", "changes": {"place": "Tom Mboya Street"}, "confirm_unusual": flag}
        response = desk_client.post(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 422, flag
        assert "confirm_unusual" in response.json()["fields"], flag
    body["confirm_unusual"] = False
    response = desk_client.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert desk_client.get("/api/v1/alerts?active=false").status_code == 200


def test_a_blank_reason_or_no_change_in_a_correction_is_refused_as_the_schema_says(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    url = f"/api/v1/occurrences/{entry.pk}/amendments"
    published = PUBLISHED["components"]["schemas"]["AmendmentIn"]
    assert published["properties"]["reason"]["pattern"] == r"\S"
    # A correction may change only people, offences, property or vehicles: the schema cannot say "at
    # least one of changes or parts", its description does, and the rules answer 422 naming changes.
    assert "at least one field or one part" in published["properties"]["changes"]["description"]
    for body, field in (
        ({"reason": "   ", "changes": {"place": "Tom Mboya Street"}}, "reason"),
        ({"reason": "Wrong street.", "changes": {}}, "changes"),
    ):
        response = desk_client.post(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 422, body
        assert field in response.json()["fields"], body
