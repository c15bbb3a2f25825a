"""Departure, return, debrief and return medical: each recorded by its officer, dates bounded by the day
they are recorded and by the departure, corrections as new records, shown on the board."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.deployments.models import Candidate, Contingent, TourRecord
from daftari.deployments.services import record_tour
from tests.deployments.conftest import Nominate


@pytest.fixture
def under_way(deployment_officer: User, mission: object) -> Contingent:
    """A contingent that left a month ago and is due back in a year."""
    today = timezone.localdate()
    return Contingent.objects.create(
        mission=mission,
        number=9,
        departs_on=today - timedelta(days=30),
        returns_on=today + timedelta(days=335),
        size=10,
        units="GSU",
        created_at=timezone.now(),
        created_by=deployment_officer.officer,
    )


@pytest.fixture
def deployed(nominate: Nominate, under_way: Contingent) -> Candidate:
    candidate = nominate("kamau")
    return Candidate.objects.create(
        contingent=under_way,
        officer=candidate.officer,
        date_of_birth=candidate.date_of_birth,
        joined_service_on=candidate.joined_service_on,
        nominated_at=timezone.now(),
        nominated_by=candidate.nominated_by,
    )


def test_departure_and_return_are_bounded_by_the_day_recorded_and_the_departure(
    deployed: Candidate, deployment_officer: User
) -> None:
    today = timezone.localdate()
    left = today - timedelta(days=20)
    with pytest.raises(InvalidInput) as early:
        record_tour(actor=deployment_officer, candidate=deployed, step="returned", on=today)
    assert early.value.fields == {"on": "Record the departure first."}
    for wrong in (today + timedelta(days=1), today - timedelta(days=40)):  # future; before the planned window
        with pytest.raises(InvalidInput):
            record_tour(actor=deployment_officer, candidate=deployed, step="departed", on=wrong)
    record_tour(actor=deployment_officer, candidate=deployed, step="departed", on=left)
    with pytest.raises(InvalidInput) as before:
        record_tour(actor=deployment_officer, candidate=deployed, step="returned", on=left - timedelta(days=1))
    assert before.value.fields == {"on": "The date cannot come before the departure."}
    with pytest.raises(InvalidInput):
        record_tour(actor=deployment_officer, candidate=deployed, step="returned", on=today + timedelta(days=1))
    returned = record_tour(actor=deployment_officer, candidate=deployed, step="returned", on=today)
    assert returned.passed is None and TourRecord.objects.count() == 2


def test_the_debrief_is_the_deployment_officers_and_the_return_medical_the_medical_officers(
    deployed: Candidate, deployment_officer: User, medical_officer: User, trainer: User
) -> None:
    today = timezone.localdate()
    record_tour(actor=deployment_officer, candidate=deployed, step="departed", on=today - timedelta(days=20))
    with pytest.raises(NotPermitted):
        record_tour(actor=deployment_officer, candidate=deployed, step="return_medical", on=today, passed=True)
    for step in ("debriefed", "departed"):
        with pytest.raises(NotPermitted):
            record_tour(actor=medical_officer, candidate=deployed, step=step, on=today)
        with pytest.raises(NotPermitted):
            record_tour(actor=trainer, candidate=deployed, step=step, on=today)
    with pytest.raises(InvalidInput):
        record_tour(actor=medical_officer, candidate=deployed, step="return_medical", on=today)
    medical = record_tour(actor=medical_officer, candidate=deployed, step="return_medical", on=today, passed=False)
    debrief = record_tour(actor=deployment_officer, candidate=deployed, step="debriefed", on=today, passed=True)
    assert medical.passed is False and debrief.passed is None  # a pass or fail belongs to the medical only
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE deployments_tourrecord SET passed = TRUE WHERE id = %s", [medical.pk.hex])


def test_a_correction_is_a_new_record_and_the_board_shows_the_latest_in_english_and_kiswahili(
    client: Client, deployed: Candidate, deployment_officer: User, under_way: Contingent
) -> None:
    today = timezone.localdate()
    record_tour(actor=deployment_officer, candidate=deployed, step="departed", on=today - timedelta(days=25))
    record_tour(actor=deployment_officer, candidate=deployed, step="departed", on=today - timedelta(days=28))
    assert TourRecord.objects.filter(step="departed").count() == 2
    client.force_login(deployment_officer)
    board = client.get(reverse("readiness_board", args=[under_way.pk])).content.decode()
    assert f"Departed {(today - timedelta(days=28)):%-d %b %Y}" in board
    assert f"Departed {(today - timedelta(days=25)):%-d %b %Y}" not in board
    client.cookies["django_language"] = "sw"
    board = client.get(reverse("readiness_board", args=[under_way.pk]), HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Aliondoka" in board


def test_the_steps_are_recorded_on_their_page_by_role_and_a_bad_date_answers_422(
    client: Client, deployed: Candidate, deployment_officer: User, medical_officer: User, desk_officer: User
) -> None:
    url = reverse("deployments_tour", args=[deployed.pk])
    today = timezone.localdate()
    client.force_login(deployment_officer)
    page = client.get(url).content.decode()
    assert 'value="departed"' in page and 'value="return_medical"' not in page
    refused = client.post(url, {"step": "returned", "on": today.isoformat()})
    assert refused.status_code == 422 and "Record the departure first." in refused.content.decode()
    done = client.post(url, {"step": "departed", "on": (today - timedelta(days=10)).isoformat()})
    assert done.status_code == 302 and TourRecord.objects.filter(step="departed").count() == 1
    client.force_login(medical_officer)
    assert 'value="departed"' not in client.get(url).content.decode()
    client.post(url, {"step": "return_medical", "on": today.isoformat(), "passed": "no"})
    assert TourRecord.objects.get(step="return_medical").passed is False
    client.force_login(desk_officer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"step": "departed", "on": today.isoformat()}).status_code == 403
    assert TourRecord.objects.count() == 2
