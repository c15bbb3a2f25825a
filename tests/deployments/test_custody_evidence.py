"""The cell register's booking behind a death or serious injury in custody opens for the vetting officer
as the evidence of that candidate's finding, wherever its station (issue 15)."""

from datetime import date

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from daftari.custody import rules
from daftari.custody.models import CustodyRecord
from daftari.custody.services import book_in, record_death_or_serious_injury
from daftari.deployments.models import Candidate, Contingent
from daftari.deployments.services import nominate_candidate
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import AccessEvent, Station
from tests.custody.conftest import ARRESTING_OFFICER, arrest_draft, booking, enrol_arresting_officer
from tests.deployments.conftest import Nominate


def booked(desk_officer: User, station: Station, name: str = "Otieno Ouma") -> CustodyRecord:
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    detainee = rules.DetaineeInput(name=name, sex="M", id_number="23456789", age=27)
    return book_in(actor=desk_officer, station=station, booking=booking(detainee=detainee), arrest=arrest).record


def died_in_custody(desk_officer: User, station: Station) -> CustodyRecord:
    """A person booked in by the arresting officer ARRESTING_OFFICER, found dead in the cell."""
    enrol_arresting_officer(station)
    record = booked(desk_officer, station)
    record_death_or_serious_injury(
        actor=desk_officer, custody=record, kind="death", note="Found unresponsive in the cell."
    )
    return record


def nominated(deployment_officer: User, contingent: Contingent, service_number: str) -> Candidate:
    return nominate_candidate(
        actor=deployment_officer,
        contingent=contingent,
        service_number=service_number,
        date_of_birth=date(1988, 1, 1),
        joined_service_on=date(2010, 1, 1),
    )


def test_the_vetting_officer_opens_the_custody_record_of_a_death_in_custody_finding_in_full(
    client: Client,
    desk_officer: User,
    station: Station,
    vetting_officer: User,
    deployment_officer: User,
    contingent: Contingent,
) -> None:
    record = died_in_custody(desk_officer, station)
    candidate = nominated(deployment_officer, contingent, ARRESTING_OFFICER)
    client.force_login(vetting_officer)
    evidence = reverse("deployments_custody_evidence", args=[candidate.pk, record.pk])
    vetting = client.get(reverse("deployments_vetting", args=[candidate.pk])).content.decode()
    assert f'href="{evidence}"' in vetting
    assert f'href="{reverse("custody_record", args=[record.pk])}"' not in vetting
    assert client.get(reverse("custody_record", args=[record.pk])).status_code == 404  # the cells are not theirs
    page = client.get(evidence)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Otieno Ouma" in body and "Found unresponsive in the cell." in body
    assert "Death in custody (cell register)" in body and "arresting officer" in body
    assert f'href="{reverse("deployments_evidence", args=[candidate.pk, record.arrest_id])}"' in body
    assert AccessEvent.objects.filter(
        username="vetting", record_type="custody", record_id=str(record.pk), purpose="evidence", outcome="shown"
    ).exists()
    client.cookies["django_language"] = "sw"
    swahili = client.get(evidence, HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Rekodi ya mahabusu" in swahili


def test_a_booking_that_is_no_finding_of_the_candidate_is_not_evidence_and_colleagues_are_refused(
    client: Client,
    desk_officer: User,
    station: Station,
    vetting_officer: User,
    deployment_officer: User,
    contingent: Contingent,
    nominate: Nominate,
) -> None:
    death = died_in_custody(desk_officer, station)
    arresting = nominated(deployment_officer, contingent, ARRESTING_OFFICER)
    quiet = booked(desk_officer, station, name="Kamau Njoroge")  # the same officer's arrest, no death or injury
    other = nominate("wafula")
    client.force_login(vetting_officer)
    for candidate, record in ((other, death), (arresting, quiet)):
        url = reverse("deployments_custody_evidence", args=[candidate.pk, record.pk])
        assert client.get(url).status_code == 404
    assert AccessEvent.objects.filter(
        username="vetting", record_type="custody", record_id=str(quiet.pk), purpose="evidence", outcome="denied"
    ).exists()
    assert not AccessEvent.objects.filter(username="vetting", purpose="evidence", outcome="shown").exists()
    client.force_login(desk_officer)
    refused = client.get(reverse("deployments_custody_evidence", args=[arresting.pk, death.pk]))
    assert refused.status_code == 403
    assert AccessEvent.objects.filter(username="desk", record_type="vetting", outcome="denied").exists()
    assert not AccessEvent.objects.filter(username="desk", purpose="evidence", outcome="shown").exists()
