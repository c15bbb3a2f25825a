import re

from django.contrib.auth.models import User
from django.test import Client

from daftari.documents.models import IssuedDocument
from daftari.documents.rules import display_code
from daftari.documents.services import revoke_document
from daftari.ledger.services import sign_checkpoint
from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent, Station

PERSONAL = ("Wanjiku", "12345678", "0712345678", "Kencom", "ID replacement")


def assert_no_personal_data(html: str) -> None:
    for value in PERSONAL:
        assert value not in html


def test_the_verify_page_says_genuine_with_the_proof_and_no_personal_data(
    client: Client, abstract: IssuedDocument, station: Station
) -> None:
    sign_checkpoint(station=station)
    response = client.get(f"/verify/{display_code(abstract.code)}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Genuine" in html and abstract.serial in html and station.name in html
    assert re.search(r"Included in the signed book at leaf #\d+, checkpoint of", html)
    assert "<script" not in html
    assert_no_personal_data(html)


def test_a_wrong_code_is_not_found_and_reveals_nothing(client: Client, abstract: IssuedDocument) -> None:
    response = client.get("/verify/ABCDE-FGHJK")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Not found" in html and abstract.serial not in html
    assert_no_personal_data(html)


def test_a_revoked_document_shows_as_revoked_without_the_reason(
    client: Client, ocs: User, abstract: IssuedDocument
) -> None:
    revoke_document(actor=ocs, document=abstract, reason="Wanjiku reported falsely")
    html = client.get(f"/verify/{abstract.code}").content.decode()
    assert "Revoked" in html and abstract.serial in html
    assert "reported falsely" not in html
    assert_no_personal_data(html)


def test_the_verify_form_sends_a_typed_code_to_its_page(client: Client, abstract: IssuedDocument) -> None:
    response = client.get("/verify", {"code": abstract.code.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{display_code(abstract.code)}"


def test_the_verify_page_speaks_kiswahili(client: Client, abstract: IssuedDocument) -> None:
    client.cookies["daftari_language"] = "sw"
    html = client.get(f"/verify/{abstract.code}").content.decode()
    assert 'lang="sw"' in html and "Halali" in html


def test_downloading_the_pdf_writes_an_access_event(desk_client: Client, abstract: IssuedDocument) -> None:
    desk_client.get(f"/documents/{abstract.pk}/pdf")
    event = AccessEvent.objects.get(purpose=AccessEvent.Purpose.PRINT)
    assert (event.record_type, event.record_id, event.outcome, event.username) == (
        "document",
        str(abstract.pk),
        "shown",
        "desk",
    )


def test_an_officer_from_another_station_gets_404_for_the_pdf_and_it_is_logged(
    client: Client, officer_elsewhere: User, abstract: IssuedDocument
) -> None:
    client.force_login(officer_elsewhere)
    assert client.get(f"/documents/{abstract.pk}/pdf").status_code == 404
    assert AccessEvent.objects.get(purpose=AccessEvent.Purpose.PRINT).outcome == "denied"


def test_an_analyst_may_not_download_the_pdf(client: Client, analyst: User, abstract: IssuedDocument) -> None:
    client.force_login(analyst)
    assert client.get(f"/documents/{abstract.pk}/pdf").status_code == 403
    assert AccessEvent.objects.get(purpose=AccessEvent.Purpose.PRINT).outcome == "denied"


def test_the_desk_issues_an_accident_abstract_from_the_entry_page(desk_client: Client, accident: Occurrence) -> None:
    page = desk_client.get(f"/entries/{accident.pk}").content.decode()
    assert f"/entries/{accident.pk}/documents/new" in page
    response = desk_client.post(
        f"/entries/{accident.pk}/documents/new",
        {"kind": "abstract_accident", "applicant_name": "Otieno Juma", "purpose": "Insurance claim"},
    )
    document = IssuedDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}"
    assert document.kind == "abstract_accident"
    listing = desk_client.get("/documents").content.decode()
    assert document.serial in listing


def test_the_issue_form_refuses_a_kind_the_entry_does_not_allow(desk_client: Client, accident: Occurrence) -> None:
    response = desk_client.post(
        f"/entries/{accident.pk}/documents/new", {"kind": "abstract_lost_document", "applicant_name": "Otieno"}
    )
    assert response.status_code == 422
    assert not IssuedDocument.objects.exists()


def test_the_ocs_revokes_from_the_document_page_and_the_desk_cannot(
    client: Client, desk_officer: User, ocs: User, abstract: IssuedDocument
) -> None:
    client.force_login(desk_officer)
    assert "Revoke this document" not in client.get(f"/documents/{abstract.pk}").content.decode()
    assert client.post(f"/documents/{abstract.pk}/revoke", {"reason": "Error"}).status_code == 403
    client.force_login(ocs)
    response = client.post(f"/documents/{abstract.pk}/revoke", {"reason": "Issued in error"})
    assert response.status_code == 302
    assert abstract.revocations.get().reason == "Issued in error"


def test_the_issue_form_chooses_no_document_and_an_empty_submit_asks_which(
    desk_client: Client, accident: Occurrence
) -> None:
    page = desk_client.get(f"/entries/{accident.pk}/documents/new").content.decode()
    assert 'name="kind"' in page and "checked" not in page
    response = desk_client.post(f"/entries/{accident.pk}/documents/new", {"applicant_name": "Otieno Juma"})
    assert response.status_code == 422
    assert "Choose which document to issue" in response.content.decode()
    assert not IssuedDocument.objects.exists()


def test_a_link_that_names_the_document_chooses_it(desk_client: Client, accident: Occurrence) -> None:
    page = desk_client.get(f"/entries/{accident.pk}/documents/new?kind=abstract_accident").content.decode()
    assert 'value="abstract_accident" id="id_kind_0" required checked' in page
    assert page.count("checked") == 1
