"""Restricted entries (gender-based violence and the like): only the OCS, the assigned investigator
and the recording officer read them; everyone else sees that an entry exists."""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.core.errors import NotPermitted
from daftari.occurrences.casework import assign_investigator
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import PartyInput
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import AccessEvent, Station
from daftari.stations.rules import Role
from tests.conftest import PASSWORD, OfficerFactory, complaint

SURVIVOR = "Achieng Atieno"
NARRATIVE = "The survivor reports an assault by a neighbour at her home."


@pytest.fixture
def gbv(desk_officer: User, station: Station) -> Occurrence:
    draft = complaint(
        entry_type="GBV",
        narrative=NARRATIVE,
        parties=(PartyInput(role="complainant", name=SURVIVOR, id_number="23456789", phone="0722000111"),),
    )
    return record_occurrence(actor=desk_officer, station=station, draft=draft).entry


@pytest.fixture
def other_desk(make_officer: OfficerFactory, station: Station) -> User:
    return make_officer("desk2", [Role.DESK], station)


def _api(user: User) -> tuple[Client, dict[str, str]]:
    client = Client()
    token = client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    ).json()["token"]
    return client, {"Authorization": f"Bearer {token}"}


def _events(user: User) -> list[tuple[str, str]]:
    return [(e.record_id, e.outcome) for e in AccessEvent.objects.filter(username=user.username).order_by("pk")]


def test_another_desk_officer_of_the_station_sees_only_that_the_entry_exists(
    client: Client, other_desk: User, gbv: Occurrence
) -> None:
    client.force_login(other_desk)
    page = client.get(f"/entries/{gbv.pk}").content.decode()
    assert gbv.ob_number in page and "Restricted" in page
    assert SURVIVOR not in page and NARRATIVE not in page and "0722000111" not in page
    api, headers = _api(other_desk)
    body = api.get(f"/api/v1/occurrences/{gbv.pk}", headers=headers).json()
    assert body["restricted"] is True and body["ob_number"] == gbv.ob_number and body["entry_type"] == "GBV"
    assert body["narrative"] is None and body["parties"] == [] and body["place"] is None
    assert _events(other_desk) == [(str(gbv.pk), "withheld"), (str(gbv.pk), "withheld")]


def test_the_assigned_investigator_reads_it_and_another_investigator_does_not(
    client: Client, ocs: User, make_officer: OfficerFactory, station: Station, gbv: Occurrence
) -> None:
    assigned = make_officer("assigned", [Role.INVESTIGATOR], station)
    unassigned = make_officer("unassigned", [Role.INVESTIGATOR], station)
    assign_investigator(actor=ocs, occurrence=gbv, investigator=assigned.officer)
    client.force_login(assigned)
    assert SURVIVOR in client.get(f"/entries/{gbv.pk}").content.decode()
    client.force_login(unassigned)
    assert SURVIVOR not in client.get(f"/entries/{gbv.pk}").content.decode()
    assert _events(assigned) == [(str(gbv.pk), "shown")]
    assert _events(unassigned) == [(str(gbv.pk), "withheld")]


def test_todays_book_shows_the_entry_as_restricted_and_logs_it_withheld(
    client: Client, other_desk: User, desk_officer: User, gbv: Occurrence
) -> None:
    client.force_login(other_desk)
    page = client.get("/").content.decode()
    assert gbv.ob_number in page and "Restricted" in page and "assault" not in page
    assert (str(gbv.pk), "withheld") in _events(other_desk)
    client.force_login(desk_officer)
    assert "assault" in client.get("/").content.decode()


def test_search_results_show_the_entry_as_restricted_on_the_desk_and_the_api(
    client: Client, other_desk: User, gbv: Occurrence
) -> None:
    client.force_login(other_desk)
    page = client.get("/search", {"q": gbv.ob_number}).content.decode()
    assert gbv.ob_number in page and "Restricted" in page and "assault" not in page
    api, headers = _api(other_desk)
    [found] = api.get("/api/v1/occurrences", {"ob_number": gbv.ob_number}, headers=headers).json()["results"]
    assert found["restricted"] is True and found["narrative"] is None
    assert _events(other_desk) == [(str(gbv.pk), "withheld"), (str(gbv.pk), "withheld")]


def test_a_correction_of_a_restricted_entry_is_restricted_too(
    client: Client, desk_officer: User, other_desk: User, gbv: Occurrence
) -> None:
    correction = amend_occurrence(
        actor=desk_officer, occurrence=gbv, reason="Wrong estate", changes={"narrative": "At her home in Kibera."}
    ).entry
    client.force_login(other_desk)
    page = client.get(f"/entries/{correction.pk}").content.decode()
    assert "Kibera" not in page and "Restricted" in page


def test_an_officer_outside_the_circle_cannot_correct_it(client: Client, other_desk: User, gbv: Occurrence) -> None:
    client.force_login(other_desk)
    assert client.get(f"/entries/{gbv.pk}/amend").status_code == 403
    with pytest.raises(NotPermitted):
        amend_occurrence(actor=other_desk, occurrence=gbv, reason="Typo", changes={"place": "Elsewhere"})
    assert not Occurrence.objects.filter(refers_to=gbv).exists()


def test_the_recording_officer_reads_a_restricted_entry_they_just_recorded_on_the_api(
    desk_officer: User,
) -> None:
    api, headers = _api(desk_officer)
    body = {
        "entry_type": "GBV",
        "occurred_at": (timezone.now() - timezone.timedelta(hours=2)).isoformat(),
        "place": "Kibera",
        "narrative": NARRATIVE,
        "parties": [{"role": "complainant", "name": SURVIVOR, "phone": "0722000111"}],
    }
    answer = api.post("/api/v1/occurrences", data=json.dumps(body), content_type="application/json", headers=headers)
    assert answer.status_code == 201
    assert answer.json()["restricted"] is False and answer.json()["parties"][0]["name"] == SURVIVOR


def test_the_evidence_bundle_of_a_restricted_entry_is_refused_outside_its_circle(
    client: Client, other_desk: User, desk_officer: User, gbv: Occurrence
) -> None:
    client.force_login(other_desk)
    assert client.get(f"/entries/{gbv.pk}/evidence").status_code == 403
    api, headers = _api(other_desk)
    assert api.get(f"/api/v1/occurrences/{gbv.pk}/evidence", headers=headers).status_code == 403
    assert _events(other_desk) == [(str(gbv.pk), "denied"), (str(gbv.pk), "denied")]
