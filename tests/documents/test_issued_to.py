"""An abstract's "issued to" starts as the person who reported the entry; the desk may change it."""

from django.contrib.auth.models import User
from django.test import Client

from daftari.documents.models import IssuedDocument
from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent


def test_issued_to_is_filled_from_the_complainant_and_the_read_is_logged(
    desk_client: Client, lost_id: Occurrence
) -> None:
    page = desk_client.get(f"/entries/{lost_id.pk}/documents/new")
    assert page.status_code == 200
    form = page.context["form"]
    assert form["applicant_name"].value() == "Wanjiku Kamau"
    assert form["phone"].value() == "+254712345678"
    assert 'value="Wanjiku Kamau"' in page.content.decode()
    assert AccessEvent.objects.filter(
        username="desk", record_id=str(lost_id.pk), purpose=AccessEvent.Purpose.DESK_VIEW, outcome="shown"
    ).exists()


def test_the_desk_issues_the_abstract_to_whoever_it_types(desk_client: Client, lost_id: Occurrence) -> None:
    response = desk_client.post(
        f"/entries/{lost_id.pk}/documents/new",
        {"kind": "abstract_lost_document", "applicant_name": "Kamau Njoroge (her brother)", "purpose": "Bank"},
    )
    assert response.status_code == 302
    assert IssuedDocument.objects.get(occurrence=lost_id).applicant_name == "Kamau Njoroge (her brother)"


def test_an_entry_without_a_complainant_leaves_issued_to_empty(desk_client: Client, accident: Occurrence) -> None:
    # The accident's only party is a driver: nobody reported it as complainant, reporter or victim.
    form = desk_client.get(f"/entries/{accident.pk}/documents/new").context["form"]
    assert form["applicant_name"].value() in (None, "")


def test_another_stations_officer_gets_404_and_learns_no_name(
    client: Client, officer_elsewhere: User, lost_id: Occurrence
) -> None:
    client.force_login(officer_elsewhere)
    response = client.get(f"/entries/{lost_id.pk}/documents/new")
    assert response.status_code == 404
    assert "Wanjiku" not in response.content.decode()
