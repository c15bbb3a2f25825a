"""The contingent's certification letter: the candidates the board judges ready, listed in one signed
letter (a leaf of the deployments' log), issued again only when the contingent has changed, the new
letter superseding the old; printed as a PDF, verified by its code on a page that names nobody."""

import io

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.deployments.models import Candidate, Contingent, ContingentLetter
from daftari.deployments.rules import display_code
from daftari.deployments.services import certify_contingent, decide_vetting, issue_training_certificate
from daftari.ledger import services as ledger
from daftari.ledger.models import Leaf
from daftari.ledger.verification import verify_book
from daftari.stations.models import AccessEvent
from tests.deployments.conftest import Nominate
from tests.deployments.test_board import pass_everything


def make_ready(
    candidate: Candidate, trainer: User, medical_officer: User, deployment_officer: User, vetting_officer: User
) -> Candidate:
    pass_everything(candidate, trainer, medical_officer, deployment_officer)
    issue_training_certificate(actor=trainer, candidate=candidate)
    decide_vetting(actor=vetting_officer, candidate=candidate, decision="cleared", reason="None.", findings_seen=[])
    return candidate


@pytest.fixture
def mixed(
    nominate: Nominate, trainer: User, medical_officer: User, deployment_officer: User, vetting_officer: User
) -> dict[str, Candidate]:
    """Two ready, one not yet (nothing recorded), one excluded at vetting."""
    people = {name: nominate(name) for name in ("amina", "baraka", "chege", "dede")}
    for name in ("amina", "baraka"):
        make_ready(people[name], trainer, medical_officer, deployment_officer, vetting_officer)
    decide_vetting(
        actor=vetting_officer, candidate=people["dede"], decision="excluded", reason="IPOA.", findings_seen=[]
    )
    return people


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_the_letter_lists_the_ready_candidates_counts_the_others_and_is_a_verified_leaf(
    mixed: dict[str, Candidate], contingent: Contingent, deployment_officer: User
) -> None:
    letter = certify_contingent(actor=deployment_officer, contingent=contingent)
    assert letter.number == "MSS-HAITI/6/CERT/C1" and letter.supersedes is None
    assert [e["service_number"] for e in letter.certified] == [
        mixed[n].officer.service_number for n in ("amina", "baraka")
    ]
    assert all(e["training_certificate"].startswith("MSS-HAITI/6/PDT/") for e in letter.certified)
    assert (letter.not_yet, letter.excluded) == (1, 1)
    [leaf] = Leaf.objects.filter(record_id=str(letter.pk))
    assert leaf.kind == "deploy_cont_letter" and leaf.log.origin.endswith("/deployments")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE deployments_contingentletter SET not_yet = 0 WHERE id = %s", [letter.pk.hex])
    ledger.sign_grown_logs()
    report = verify_book("deployments")
    assert report.ok and report.leaves == 1


def test_a_second_issue_needs_a_change_and_supersedes_the_first_both_kept(
    mixed: dict[str, Candidate],
    contingent: Contingent,
    deployment_officer: User,
    trainer: User,
    medical_officer: User,
    vetting_officer: User,
    client: Client,
) -> None:
    first = certify_contingent(actor=deployment_officer, contingent=contingent)
    with pytest.raises(InvalidInput, match="already certifies"):
        certify_contingent(actor=deployment_officer, contingent=contingent)
    make_ready(mixed["chege"], trainer, medical_officer, deployment_officer, vetting_officer)
    second = certify_contingent(actor=deployment_officer, contingent=contingent)
    assert second.number == "MSS-HAITI/6/CERT/C2" and second.supersedes == first
    assert len(second.certified) == 3 and (second.not_yet, second.excluded) == (0, 1)
    assert ContingentLetter.objects.count() == 2
    ledger.sign_grown_logs()
    assert verify_book("deployments").leaves == 2
    body = client.get(reverse("deployments_verify", args=[display_code(first.code)])).content.decode()
    assert "Superseded by" in body and second.number in body


def test_no_letter_when_nobody_is_ready_and_only_the_deployment_officer_issues_it(
    nominate: Nominate, contingent: Contingent, deployment_officer: User, trainer: User, vetting_officer: User
) -> None:
    nominate("waiting")
    with pytest.raises(InvalidInput, match="No candidate of this contingent is ready"):
        certify_contingent(actor=deployment_officer, contingent=contingent)
    for someone in (trainer, vetting_officer):
        with pytest.raises(NotPermitted):
            certify_contingent(actor=someone, contingent=contingent)
    assert not ContingentLetter.objects.exists()
    assert not Leaf.objects.filter(kind="deploy_cont_letter").exists()


def test_the_pdf_lists_exactly_the_ready_candidates_and_the_verify_page_names_nobody(
    client: Client,
    mixed: dict[str, Candidate],
    contingent: Contingent,
    deployment_officer: User,
    desk_officer: User,
) -> None:
    client.force_login(deployment_officer)
    board = client.get(reverse("readiness_board", args=[contingent.pk])).content.decode()
    assert "Issue the contingent" in board and "certification letter" in board
    issued = client.post(reverse("deployments_certify_contingent", args=[contingent.pk]))
    letter = ContingentLetter.objects.get()
    assert issued["Location"] == reverse("deployments_contingent_letter", args=[letter.pk])
    printed = client.get(issued["Location"])
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    text = pdf_text(printed.content)
    for name in ("amina", "baraka"):
        assert mixed[name].officer.service_number in text and f"{name.title()} Officer" in text
    for name in ("chege", "dede"):
        assert mixed[name].officer.service_number not in text and name.title() not in text
    assert "IPOA" not in text and display_code(letter.code) in text
    assert AccessEvent.objects.filter(record_type="contingent_letter", purpose="print", outcome="shown").exists()
    board = client.get(reverse("readiness_board", args=[contingent.pk])).content.decode()
    assert letter.number in board
    client.logout()
    ledger.sign_grown_logs()
    page = client.get(reverse("deployments_verify", args=[display_code(letter.code)]))
    body = page.content.decode()
    assert page.status_code == 200 and letter.number in body and "Included in the signed book" in body
    assert "Officers certified" in body
    for candidate in mixed.values():
        assert candidate.officer.user.first_name not in body and candidate.officer.service_number not in body
    client.force_login(desk_officer)
    assert client.get(reverse("deployments_contingent_letter", args=[letter.pk])).status_code == 403
    assert client.post(reverse("deployments_certify_contingent", args=[contingent.pk])).status_code == 403
    assert ContingentLetter.objects.count() == 1


def test_the_board_offers_the_contingent_letter_in_kiswahili(
    client: Client, mixed: dict[str, Candidate], contingent: Contingent, deployment_officer: User
) -> None:
    client.force_login(deployment_officer)
    client.cookies["django_language"] = "sw"
    board = client.get(reverse("readiness_board", args=[contingent.pk]), HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Toa barua ya uthibitisho ya kikosi" in board and "Issue the contingent" not in board
