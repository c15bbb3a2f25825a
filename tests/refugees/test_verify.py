"""Anyone scanning a refugee document's QR code learns whether it is genuine and in force, its kind,
number, office and dates, and nothing about its holder; a forged or altered code finds nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils import timezone

from daftari.core import append_only
from daftari.ledger.redaction import redact
from daftari.ledger.services import sign_grown_logs
from daftari.refugees import services
from daftari.refugees.models import DocumentCode, Person, RefugeeDocument
from daftari.refugees.rules import DocumentKind
from daftari.stations.models import AccessEvent, PublicReadCount
from tests.erasure_support import ORDER
from tests.refugees.conftest import days_ago, issue

pytestmark = pytest.mark.django_db

# What the register holds of Amina (conftest.draft) and must never reach the public page.
HOLDER = ["Amina", "Abdi", "Xasan", "Somali", "1990", "Bajuni", "Refugee recognised", "HH-KAK"]


def _code(document: RefugeeDocument) -> str:
    return DocumentCode.objects.get(document=document).code


def _page(client: Client, code: str, **headers: str) -> tuple[int, str]:
    response = client.get(f"/verify/refugee/{code}", **headers)  # type: ignore[arg-type]
    return response.status_code, response.content.decode()


@pytest.fixture
def card(drs_officer: User, refugee: Person) -> RefugeeDocument:
    return issue(drs_officer, refugee, "RID-KAK-26-000001", expires_on=timezone.localdate() + timedelta(days=365))


def test_every_issued_document_gets_its_own_random_verification_code(drs_officer: User, refugee: Person) -> None:
    first = issue(drs_officer, refugee, "RID-KAK-26-000001")
    second = issue(drs_officer, refugee, "CLM-KAK-26-000001", DocumentKind.CLASS_M_PERMIT)
    codes = {_code(first), _code(second)}
    assert len(codes) == 2
    assert all(len(c) == 10 and not set(c) & set("01OIL") for c in codes)


def test_a_valid_document_is_genuine_with_its_kind_number_office_and_dates_and_nothing_of_its_holder(
    client: Client, card: RefugeeDocument
) -> None:
    status, page = _page(client, _code(card))

    assert status == 200
    assert "Genuine" in page and "is valid" in page
    assert "Refugee ID card" in page and "RID-KAK-26-000001" in page and "Kakuma" in page
    for detail in HOLDER:
        assert detail not in page, detail


def test_the_code_as_printed_with_its_dash_and_in_small_letters_answers_too(
    client: Client, card: RefugeeDocument
) -> None:
    code = _code(card)
    status, page = _page(client, f"{code[:5].lower()}-{code[5:]}")
    assert status == 200 and "RID-KAK-26-000001" in page


def test_a_forged_code_finds_nothing(client: Client, card: RefugeeDocument) -> None:
    forged = "ABCDE23456" if _code(card) != "ABCDE23456" else "ABCDE23457"
    status, page = _page(client, forged)
    assert status == 404
    assert "Not found" in page and "may be forged" in page
    assert "RID-KAK-26-000001" not in page


def test_a_genuine_code_with_one_character_altered_finds_nothing(client: Client, card: RefugeeDocument) -> None:
    code = _code(card)
    altered = code[:-1] + ("2" if code[-1] != "2" else "3")
    status, page = _page(client, altered)
    assert status == 404 and "RID-KAK-26-000001" not in page


@pytest.mark.parametrize("typed", ["RID-KAK-26-000001", "%3Cscript%3E", "A" * 200, "ABCDE"])
def test_a_document_number_or_junk_instead_of_a_code_finds_nothing_and_never_fails(
    client: Client, card: RefugeeDocument, typed: str
) -> None:
    status, page = _page(client, typed)
    assert status == 404 and "Not found" in page


def test_a_revoked_document_says_so_with_its_date(client: Client, drs_supervisor: User, card: RefugeeDocument) -> None:
    services.revoke_document(actor=drs_supervisor, document=card, on=days_ago(2), reason="Obtained by fraud")
    status, page = _page(client, _code(card))
    assert status == 200
    assert "Revoked" in page and "Do not accept it" in page
    assert "Genuine" not in page and "Obtained by fraud" not in page


def test_a_lost_document_and_its_replacement_each_say_where_they_stand(
    client: Client, drs_officer: User, refugee: Person, card: RefugeeDocument
) -> None:
    services.report_document_lost(actor=drs_officer, document=card, on=days_ago(1), reason="Lost at the market")
    assert "Reported lost" in _page(client, _code(card))[1]

    new = issue(drs_officer, refugee, "RID-KAK-26-000002", replaces=card, issued_ago=0)
    status, page = _page(client, _code(card))
    assert status == 200 and "Replaced" in page and "Ask for the newer one" in page
    assert "Genuine" in _page(client, _code(new))[1]


def test_an_expired_document_was_genuine_but_is_out_of_force(
    client: Client, drs_officer: User, refugee: Person
) -> None:
    expired = issue(
        drs_officer, refugee, "MVP-KAK-26-000001", DocumentKind.MOVEMENT_PASS, issued_ago=60, expires_on=days_ago(5)
    )
    status, page = _page(client, _code(expired))
    assert status == 200 and "Expired" in page and "Ask for a renewed one" in page


def test_once_a_checkpoint_is_signed_the_page_proves_the_document_in_the_signed_book(
    client: Client, card: RefugeeDocument
) -> None:
    assert "awaiting the next checkpoint" in _page(client, _code(card))[1]
    sign_grown_logs()
    page = _page(client, _code(card))[1]
    assert f"Included in the signed book at leaf #{card.ledger_index}" in page


def test_a_document_altered_in_the_database_behind_the_registers_back_fails_its_proof(
    client: Client, card: RefugeeDocument
) -> None:
    sign_grown_logs()
    append_only.uninstall(connection, ["refugees_refugeedocument"])
    RefugeeDocument.objects.filter(pk=card.pk).update(expires_on=timezone.localdate() + timedelta(days=3650))
    append_only.install(connection, ["refugees_refugeedocument"])

    page = _page(client, _code(card))[1]
    assert "could not be checked" in page and "Included in the signed book" not in page


def test_an_erased_document_still_answers_and_says_its_personal_details_were_erased(
    client: Client, admin_officer: User, card: RefugeeDocument
) -> None:
    sign_grown_logs()
    redact(actor=admin_officer, record_id=str(card.pk), authority=ORDER)
    status, page = _page(client, _code(card))
    assert status == 200 and "Genuine" in page
    assert "erased by lawful order" in page and "Included in the signed book" in page


def test_the_page_is_in_kiswahili_for_a_kiswahili_reader(client: Client, card: RefugeeDocument) -> None:
    page = _page(client, _code(card), HTTP_ACCEPT_LANGUAGE="sw")[1]
    assert "Thibitisha hati ya mkimbizi" in page and "Idara ya Huduma za Wakimbizi" in page


def test_the_verify_form_sends_a_register_code_to_the_registers_page(client: Client, card: RefugeeDocument) -> None:
    code = _code(card)
    response = client.get("/verify", {"code": f"{code[:5]} {code[5:]}"})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/refugee/{code[:5]}-{code[5:]}"


def test_anonymous_lookups_are_counted_and_an_officers_is_logged(
    client: Client, drs_officer: User, card: RefugeeDocument
) -> None:
    _page(client, _code(card))
    _page(client, "ABCDE23456")
    assert set(PublicReadCount.objects.values_list("record_type", "outcome", "reads")) == {
        ("refugee_document", "shown", 1),
        ("refugee_document", "denied", 1),
    }
    client.force_login(drs_officer)
    _page(client, _code(card))
    event = AccessEvent.objects.get(purpose=AccessEvent.Purpose.PUBLIC_VERIFY)
    assert (event.record_type, event.record_id, event.outcome) == ("refugee_document", str(card.pk), "shown")


def test_the_registration_officer_gets_the_qr_code_and_the_code_to_print(
    client: Client, drs_officer: User, card: RefugeeDocument
) -> None:
    client.force_login(drs_officer)
    code = _code(card)
    page = client.get(f"/refugees/documents/{card.pk}/code").content.decode()
    assert "<svg" in page and f"{code[:5]}-{code[5:]}" in page
    assert f"/verify/refugee/{code[:5]}-{code[5:]}" in page
    person_page = client.get(f"/refugees/people/{card.person_id}").content.decode()
    assert f"/refugees/documents/{card.pk}/code" in person_page


def test_a_police_officer_gets_no_qr_page_of_a_register_document(
    client: Client, desk_officer: User, card: RefugeeDocument
) -> None:
    client.force_login(desk_officer)
    assert client.get(f"/refugees/documents/{card.pk}/code").status_code == 403
