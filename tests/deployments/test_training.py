"""Pre-deployment training: the trainer records each module, the certificate follows, the board counts."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.deployments import queries
from daftari.deployments.criteria import course
from daftari.deployments.models import Contingent, TrainingCertificate, TrainingResult
from daftari.deployments.services import issue_training_certificate, record_training
from daftari.stations.models import AccessEvent, Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory
from tests.deployments.conftest import Nominate, train


def test_only_a_trainer_records_training(nominate: Nominate, medical_officer: User, deployment_officer: User) -> None:
    candidate = nominate("kamau")
    for actor in (medical_officer, deployment_officer):
        with pytest.raises(NotPermitted):
            train(candidate, actor, modules=("human_rights",))
    assert not TrainingResult.objects.exists()


def test_an_absent_officer_cannot_have_passed_and_an_unknown_module_is_refused(
    nominate: Nominate, trainer: User
) -> None:
    candidate = nominate("kamau")
    common = {"actor": trainer, "candidate": candidate, "held_on": date(2026, 10, 1), "trainer_name": "x"}
    with pytest.raises(InvalidInput) as absent:
        record_training(module="human_rights", attended=False, passed=True, **common)  # type: ignore[arg-type]
    assert "passed" in absent.value.fields
    with pytest.raises(InvalidInput) as unknown:
        record_training(module="skydiving", attended=True, passed=True, **common)  # type: ignore[arg-type]
    assert "module" in unknown.value.fields
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        # The database refuses it too, whoever writes.
        cursor.execute(
            "INSERT INTO deployments_trainingresult (id, candidate_id, module, course_version, attended, passed,"
            " held_on, trainer_name, recorded_at, recorded_by_id) VALUES (%s, %s, 'x', 'v', %s, %s, %s, 't', %s, %s)",
            [
                "0" * 32,
                candidate.pk.hex,
                False,
                True,
                date(2026, 10, 1),
                "2026-10-01 10:00:00+00:00",
                trainer.officer.pk,
            ],
        )


def test_a_training_result_is_never_changed_a_retake_is_a_new_one(
    nominate: Nominate, trainer: User, deployment_officer: User, contingent: Contingent
) -> None:
    candidate = nominate("kamau")
    train(candidate, trainer, modules=("sea_prevention",), passed=False)
    first = TrainingResult.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE deployments_trainingresult SET passed = %s WHERE id = %s", [True, first.pk.hex])
    board = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk)
    assert board.rows[0].modules_passed == 0
    train(candidate, trainer, modules=("sea_prevention",))
    board = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk)
    assert board.rows[0].modules_passed == 1
    assert TrainingResult.objects.count() == 2


def test_the_certificate_is_refused_until_every_module_is_passed_and_issued_once(
    nominate: Nominate, trainer: User, deployment_officer: User, contingent: Contingent
) -> None:
    candidate = nominate("kamau")
    codes = course().codes
    train(candidate, trainer, modules=codes[:-1])
    with pytest.raises(InvalidInput):
        issue_training_certificate(actor=trainer, candidate=candidate)
    train(candidate, trainer, modules=codes[-1:])
    with pytest.raises(NotPermitted):
        issue_training_certificate(actor=deployment_officer, candidate=candidate)
    certificate = issue_training_certificate(actor=trainer, candidate=candidate)
    assert certificate.number == f"MSS-HAITI/6/PDT/{candidate.officer.service_number.upper()}"
    assert [code for code, _held in certificate.modules] == list(codes)
    with pytest.raises(InvalidInput):
        issue_training_certificate(actor=trainer, candidate=candidate)
    assert TrainingCertificate.objects.count() == 1
    row = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk).rows[0]
    assert row.modules_passed == len(codes) and row.certificate == certificate.number
    assert "training" not in [r.code for r in row.judgement.reasons]


def test_the_board_names_the_modules_still_to_pass(
    nominate: Nominate, trainer: User, deployment_officer: User, contingent: Contingent
) -> None:
    candidate = nominate("kamau")
    train(candidate, trainer, modules=tuple(c for c in course().codes if c != "protection_of_civilians"))
    row = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk).rows[0]
    [reason] = [r for r in row.judgement.reasons if r.code == "training"]
    assert "Protection of civilians" in reason.message and "Human rights" not in reason.message


# --- Pages -----------------------------------------------------------------------------------------


def test_the_trainer_records_a_module_on_the_page_and_the_read_is_logged(
    client: Client, trainer: User, nominate: Nominate
) -> None:
    candidate = nominate("kamau")
    client.force_login(trainer)
    url = reverse("deployments_training", args=[candidate.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Prevention of sexual exploitation and abuse" in page.content.decode()
    assert AccessEvent.objects.filter(record_type="training", record_id=str(candidate.pk), username="trainer").exists()
    refused = client.post(url, {"module": "human_rights", "outcome": "passed", "held_on": "", "trainer_name": ""})
    assert refused.status_code == 422
    answer = client.post(
        url, {"module": "human_rights", "outcome": "absent", "held_on": "2026-10-02", "trainer_name": "SSP Wanjiru"}
    )
    assert answer.status_code == 302
    result = TrainingResult.objects.get()
    assert (result.attended, result.passed) == (False, False)


def test_the_trainer_issues_the_certificate_on_the_page(client: Client, trainer: User, nominate: Nominate) -> None:
    candidate = nominate("kamau")
    train(candidate, trainer)
    client.force_login(trainer)
    url = reverse("deployments_training", args=[candidate.pk])
    assert "Issue the course certificate" in client.get(url).content.decode()
    assert client.post(reverse("deployments_training_certificate", args=[candidate.pk])).status_code == 302
    page = client.get(url).content.decode()
    assert TrainingCertificate.objects.get().number in page and "Issue the course certificate" not in page


def test_a_commander_reads_the_training_but_cannot_record_it(
    client: Client, make_officer: OfficerFactory, nominate: Nominate, station: Station
) -> None:
    commander = make_officer("commander", [Role.COMMANDER], station)
    candidate = nominate("kamau")
    client.force_login(commander)
    url = reverse("deployments_training", args=[candidate.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Record the module" not in page.content.decode()
    data = {"module": "human_rights", "outcome": "passed", "held_on": "2026-10-02", "trainer_name": "x"}
    assert client.post(url, data).status_code == 403
    assert client.post(reverse("deployments_training_certificate", args=[candidate.pk])).status_code == 403
    assert not TrainingResult.objects.exists()


def test_a_desk_officer_cannot_open_a_candidates_training(
    client: Client, desk_officer: User, nominate: Nominate
) -> None:
    candidate = nominate("kamau")
    client.force_login(desk_officer)
    assert client.get(reverse("deployments_training", args=[candidate.pk])).status_code == 403


def test_the_training_page_is_in_kiswahili(client: Client, trainer: User, nominate: Nominate) -> None:
    candidate = nominate("kamau")
    client.force_login(trainer)
    client.cookies["django_language"] = "sw"
    page = client.get(reverse("deployments_training", args=[candidate.pk]), HTTP_ACCEPT_LANGUAGE="sw")
    body = page.content.decode()
    assert "Pre-deployment training" not in body and "Record the module" not in body
