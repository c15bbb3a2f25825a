"""The certification letter: issued for a candidate judged ready, once, as a leaf of the deployments'
signed log; printed as a PDF and verified by its code on a public page that shows no name."""

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.deployments import queries
from daftari.deployments.models import Candidate, CertificationLetter, Contingent
from daftari.deployments.rules import display_code
from daftari.deployments.services import certify_candidate, decide_vetting, issue_training_certificate
from daftari.ledger import services as ledger
from daftari.ledger.models import Leaf
from daftari.ledger.verification import verify_book
from daftari.stations.models import AccessEvent
from tests.deployments.conftest import Nominate
from tests.deployments.test_board import pass_everything


@pytest.fixture
def ready(
    nominate: Nominate, trainer: User, medical_officer: User, deployment_officer: User, vetting_officer: User
) -> Candidate:
    candidate = nominate("kamau")
    pass_everything(candidate, trainer, medical_officer, deployment_officer)
    issue_training_certificate(actor=trainer, candidate=candidate)
    decide_vetting(actor=vetting_officer, candidate=candidate, decision="cleared", reason="None.", findings_seen=[])
    return candidate


def test_a_ready_candidate_is_certified_once_with_a_leaf_in_the_deployments_log(
    ready: Candidate, deployment_officer: User
) -> None:
    letter = certify_candidate(actor=deployment_officer, candidate=ready)
    assert letter.number == f"MSS-HAITI/6/CERT/{ready.officer.service_number.upper()}"
    assert letter.training_certificate.startswith("MSS-HAITI/6/PDT/")
    [leaf] = Leaf.objects.filter(record_id=str(letter.pk))
    assert leaf.kind == "deploy_letter"
    assert leaf.log.station_id is None and leaf.log.origin.endswith("/deployments")
    with pytest.raises(InvalidInput):
        certify_candidate(actor=deployment_officer, candidate=ready)
    assert CertificationLetter.objects.count() == 1
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE deployments_certificationletter SET number = 'X' WHERE id = %s", [letter.pk.hex])
    ledger.sign_grown_logs()
    report = verify_book("deployments")
    assert report.ok and report.leaves == 1


def test_a_candidate_not_ready_is_refused_with_the_reasons(
    nominate: Nominate, deployment_officer: User, trainer: User, ready: Candidate, vetting_officer: User
) -> None:
    waiting = nominate("waiting")
    with pytest.raises(InvalidInput) as refused:
        certify_candidate(actor=deployment_officer, candidate=waiting)
    assert "Vetting: not yet decided." in refused.value.message
    with pytest.raises(NotPermitted):
        certify_candidate(actor=trainer, candidate=ready)
    # Excluded after all: no letter.
    decide_vetting(actor=vetting_officer, candidate=ready, decision="excluded", reason="IPOA.", findings_seen=[])
    with pytest.raises(InvalidInput):
        certify_candidate(actor=deployment_officer, candidate=ready)
    assert not CertificationLetter.objects.exists() and not Leaf.objects.filter(kind="deploy_letter")


def test_the_letter_is_verified_by_its_code_and_a_changed_letter_is_caught(
    client: Client, ready: Candidate, deployment_officer: User
) -> None:
    letter = certify_candidate(actor=deployment_officer, candidate=ready)
    url = reverse("deployments_verify", args=[display_code(letter.code)])
    page = client.get(url)
    assert page.status_code == 200 and "awaiting the next checkpoint" in page.content.decode()
    ledger.sign_grown_logs()
    body = client.get(url).content.decode()
    assert letter.number in body and "Included in the signed book" in body
    assert ready.officer.user.get_full_name() not in body  # no name on the public page
    assert client.get(reverse("deployments_verify", args=["ABCD-EFGH-JKMN"])).status_code == 404
    # Someone rewrites the letter in the database, guards lifted: the page no longer vouches for it.
    with connection.cursor() as cursor:
        from daftari.core import append_only

        append_only.uninstall(connection, ["deployments_certificationletter"])
        cursor.execute(
            "UPDATE deployments_certificationletter SET training_certificate = 'FORGED' WHERE id = %s",
            [letter.pk.hex],
        )
    body = client.get(url).content.decode()
    assert "could not be checked" in body


def test_the_deployment_officer_issues_and_prints_the_letter_from_the_board(
    client: Client, ready: Candidate, deployment_officer: User, contingent: Contingent, desk_officer: User
) -> None:
    client.force_login(deployment_officer)
    board = client.get(reverse("readiness_board", args=[contingent.pk])).content.decode()
    assert "Issue the certification letter" in board
    issued = client.post(reverse("deployments_certify", args=[ready.pk]))
    letter = CertificationLetter.objects.get()
    assert issued.status_code == 302 and issued["Location"] == reverse("deployments_letter", args=[letter.pk])
    printed = client.get(issued["Location"])
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    assert printed.content.startswith(b"%PDF")
    assert AccessEvent.objects.filter(
        record_type="certification_letter", record_id=str(letter.pk), purpose="print", outcome="shown"
    ).exists()
    board = client.get(reverse("readiness_board", args=[contingent.pk])).content.decode()
    assert "Certification letter (PDF)" in board and "Issue the certification letter" not in board
    client.force_login(desk_officer)
    assert client.get(reverse("deployments_letter", args=[letter.pk])).status_code == 403
    assert client.post(reverse("deployments_certify", args=[ready.pk])).status_code == 403
    assert AccessEvent.objects.filter(record_type="certification_letter", outcome="denied").exists()


def test_the_letter_and_its_verify_page_are_in_kiswahili(
    client: Client, ready: Candidate, deployment_officer: User
) -> None:
    letter = certify_candidate(actor=deployment_officer, candidate=ready)
    client.cookies["django_language"] = "sw"
    page = client.get(reverse("deployments_verify", args=[letter.code]), HTTP_ACCEPT_LANGUAGE="sw")
    body = page.content.decode()
    assert "Verify a certification letter" not in body and "was issued by" not in body
    # The code is found whatever its case and dashes, and an officer's look-up is logged.
    assert queries.verify_letter(code=display_code(letter.code).lower(), actor=deployment_officer).found
    assert AccessEvent.objects.filter(record_type="certification_letter", purpose="public_verify").exists()
