"""Who corrects an entry: the desk and the OCS keep the book and correct any of its entries; another
officer of the station corrects only the entries they recorded. Nobody corrects another station's book.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.core.errors import NotPermitted
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory, complaint
from tests.occurrences.test_api import Api

CORRECTION = {"reason": "The complainant gave the wrong street.", "changes": {"place": "Tom Mboya Street"}}


def amendments() -> int:
    return Occurrence.objects.filter(entry_type="AMENDMENT").count()


@pytest.mark.parametrize("role", [Role.TRAFFIC, Role.INVESTIGATOR])
def test_an_officer_who_does_not_keep_the_book_cannot_correct_a_desk_complaint_on_the_page(
    client: Client, make_officer: OfficerFactory, station: Station, recorded_complaint: Occurrence, role: Role
) -> None:
    client.force_login(make_officer("cheat", [role], station))
    assert (
        f"/entries/{recorded_complaint.pk}/amend"
        not in client.get(f"/entries/{recorded_complaint.pk}").content.decode()
    )
    assert client.get(f"/entries/{recorded_complaint.pk}/amend").status_code == 403
    posted = client.post(f"/entries/{recorded_complaint.pk}/amend", {"reason": "Mine now", "place": "Kencom"})
    assert posted.status_code == 403
    assert amendments() == 0


def test_a_traffic_officer_cannot_correct_a_desk_complaint_on_the_api(
    client: Client, traffic_officer: User, recorded_complaint: Occurrence
) -> None:
    response = Api(client, traffic_officer).post(f"/occurrences/{recorded_complaint.pk}/amendments", CORRECTION)
    assert response.status_code == 403, response.content
    assert response.json()["error"] == "not_permitted"
    assert amendments() == 0


def test_a_traffic_officer_cannot_correct_a_desk_complaint_through_the_service(
    traffic_officer: User, recorded_complaint: Occurrence
) -> None:
    with pytest.raises(NotPermitted):
        amend_occurrence(
            actor=traffic_officer, occurrence=recorded_complaint, reason="Mine now", changes={"place": "Kencom"}
        )
    assert amendments() == 0


def test_a_traffic_officer_corrects_the_accident_they_recorded(
    client: Client, traffic_officer: User, station: Station
) -> None:
    accident = record_occurrence(
        actor=traffic_officer,
        station=station,
        draft=complaint(entry_type="TRAFFIC_ACCIDENT", parties=(), narrative="Matatu hit a boda boda."),
    ).entry
    response = Api(client, traffic_officer).post(f"/occurrences/{accident.pk}/amendments", CORRECTION)
    assert response.status_code == 201, response.content
    assert amendments() == 1


@pytest.mark.parametrize("persona", ["ocs", "desk_officer"])
def test_the_desk_and_the_ocs_correct_an_entry_another_officer_recorded(
    persona: str, request: pytest.FixtureRequest, investigator: User, station: Station
) -> None:
    statement = record_occurrence(actor=investigator, station=station, draft=complaint()).entry
    keeper = request.getfixturevalue(persona)
    amend_occurrence(actor=keeper, occurrence=statement, reason="Wrong street", changes={"place": "Kencom"})
    assert amendments() == 1
