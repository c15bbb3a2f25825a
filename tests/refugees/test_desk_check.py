"""At the police desk a refugee document shown as identity is checked against the register: its
state, never the holder's details; a mismatch is flagged, and the complaint is recorded all the same."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.refugees import rules, services
from daftari.refugees.models import Person, RefugeeDocument
from daftari.refugees.rules import DocumentKind
from daftari.stations.models import AccessEvent
from tests.refugees.conftest import days_ago, issue

pytestmark = pytest.mark.django_db


def test_a_register_number_names_its_kind_by_its_prefix() -> None:
    assert rules.kind_of_number("RID-KAK-26-000123") is DocumentKind.REFUGEE_ID
    assert rules.kind_of_number("CLM-DAD-25-000001") is DocumentKind.CLASS_M_PERMIT
    assert rules.kind_of_number("XYZ-KAK-26-000123") is None
    assert rules.kind_of_number("23456789") is None


@pytest.fixture
def card(drs_officer: User, refugee: Person) -> RefugeeDocument:
    return issue(drs_officer, refugee, "RID-KAK-26-000001")


def _check(client: Client, number: str, **headers: str) -> tuple[int, str]:
    response = client.get("/refugees/check", {"number": number}, **headers)  # type: ignore[arg-type]
    return response.status_code, response.content.decode()


def test_the_desk_sees_a_valid_refugee_id_in_force_and_nothing_of_its_holder(
    client: Client, desk_officer: User, card: RefugeeDocument
) -> None:
    client.force_login(desk_officer)
    status, page = _check(client, "rid kak 26 000001")
    assert status == 200
    assert "Valid" in page and "RID-KAK-26-000001" in page and "Kakuma" in page
    for detail in ("Amina", "Abdi", "Somali", "Refugee recognised"):
        assert detail not in page
    event = AccessEvent.objects.get(user=desk_officer, record_type="refugee_document")
    assert (event.record_id, event.outcome) == (str(card.pk), "shown")


def test_a_revoked_document_is_flagged_as_a_mismatch_and_the_desk_is_told_to_record_anyway(
    client: Client, desk_officer: User, drs_supervisor: User, card: RefugeeDocument
) -> None:
    services.revoke_document(actor=drs_supervisor, document=card, on=days_ago(0), reason="fraud")
    client.force_login(desk_officer)
    page = _check(client, "RID-KAK-26-000001")[1]
    assert "Mismatch" in page and "Revoked" in page and "fraud" not in page
    assert "never a reason to refuse a report" in page


def test_an_unknown_number_and_a_number_of_no_register_kind_are_said_plainly(
    client: Client, desk_officer: User, card: RefugeeDocument
) -> None:
    client.force_login(desk_officer)
    assert (
        "the register has issued no Refugee ID card numbered RID-KAK-26-999999"
        in _check(client, "RID-KAK-26-999999")[1]
    )
    assert "Not a refugee document number" in _check(client, "23456789")[1]
    assert AccessEvent.objects.filter(user=desk_officer, outcome="denied").count() == 2


def test_the_unhcr_liaison_checks_no_documents_and_the_check_is_in_kiswahili(
    client: Client, unhcr_liaison: User, desk_officer: User, card: RefugeeDocument
) -> None:
    client.force_login(unhcr_liaison)
    assert _check(client, "RID-KAK-26-000001")[0] == 403
    client.force_login(desk_officer)
    assert "Angalia hati ya mkimbizi" in _check(client, "RID-KAK-26-000001", HTTP_ACCEPT_LANGUAGE="sw")[1]


def test_a_number_kept_without_separators_as_the_ob_keeps_ids_is_read_as_a_register_number() -> None:
    assert rules.normalise_number("RIDKAK26000123") == "RID-KAK-26-000123"


def test_the_desks_person_hint_gives_a_refugee_ids_state_as_the_officer_types_it(
    client: Client, desk_officer: User, drs_supervisor: User, card: RefugeeDocument
) -> None:
    client.force_login(desk_officer)
    hint = client.get("/entries/person-hint", {"parties-0-id_number": "RID-KAK-26-000001"}).content.decode()
    assert "Refugee ID card RID-KAK-26-000001: valid in the refugee register." in hint
    assert "Amina" not in hint

    services.revoke_document(actor=drs_supervisor, document=card, on=days_ago(0), reason="fraud")
    hint = client.get("/entries/person-hint", {"parties-0-id_number": "RID-KAK-26-000001"}).content.decode()
    assert "Mismatch: Refugee ID card RID-KAK-26-000001 is revoked in the refugee register." in hint
    unknown = client.get("/entries/person-hint", {"parties-0-id_number": "RID-KAK-26-000777"}).content.decode()
    assert "Mismatch: the refugee register has issued no Refugee ID card" in unknown


def test_a_kenyan_id_number_gets_no_refugee_register_note(client: Client, desk_officer: User) -> None:
    client.force_login(desk_officer)
    hint = client.get("/entries/person-hint", {"parties-0-id_number": "23456789"}).content.decode()
    assert "refugee register" not in hint
    assert not AccessEvent.objects.filter(record_type="refugee_document").exists()


def test_a_refugee_document_number_is_a_usual_id_at_the_desk_so_the_party_is_neither_refused_nor_flagged() -> None:
    from daftari.occurrences import rules as ob_rules

    assert ob_rules.id_number_is_usual("RIDKAK26000001")
    assert ob_rules.id_number_problem("RIDKAK26000001", confirmed=False) is None
    assert not ob_rules.id_number_is_usual("XYZKAK26000001")  # no register kind has that prefix
