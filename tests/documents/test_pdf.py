import io
import subprocess
import sys
import zipfile
from pathlib import Path

import zxingcpp
from django.contrib.auth.models import User
from django.test import Client
from pypdf import PdfReader

from daftari.documents.models import IssuedDocument
from daftari.documents.rules import display_code
from daftari.documents.services import issue_document
from daftari.ledger import keys
from daftari.occurrences.models import Occurrence


def pdf_of(client: Client, document: IssuedDocument) -> bytes:
    response = client.get(f"/documents/{document.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def text_of(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def qr_urls(body: bytes) -> list[str]:
    urls = []
    for page in PdfReader(io.BytesIO(body)).pages:
        for image in page.images:
            urls += [barcode.text for barcode in zxingcpp.read_barcodes(image.image)]
    return urls


def test_the_abstract_names_its_ob_number_serial_and_code(desk_client: Client, abstract: IssuedDocument) -> None:
    text = text_of(pdf_of(desk_client, abstract))
    assert abstract.occurrence.ob_number in text
    assert abstract.serial in text
    assert display_code(abstract.code) in text
    assert "12345678" in text  # the lost ID's number
    assert "In the signed book: leaf #" in text


def test_the_abstracts_qr_code_opens_its_verify_page(desk_client: Client, abstract: IssuedDocument) -> None:
    assert qr_urls(pdf_of(desk_client, abstract)) == [f"https://daftari.example/verify/{display_code(abstract.code)}"]


def test_the_qr_code_points_at_the_requests_host_when_no_public_url_is_set(
    desk_client: Client, abstract: IssuedDocument, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_PUBLIC_BASE_URL = ""
    assert qr_urls(pdf_of(desk_client, abstract)) == [f"http://testserver/verify/{display_code(abstract.code)}"]


def test_the_p3_form_says_it_is_free_and_names_the_complainant(
    desk_officer: User, desk_client: Client, recorded_complaint: Occurrence
) -> None:
    p3 = issue_document(actor=desk_officer, occurrence=recorded_complaint, kind="p3_part1", injuries_alleged="Cut lip")
    text = text_of(pdf_of(desk_client, p3))
    assert "This form is free of charge." in text
    assert "Wanjiku Kamau" in text and "Cut lip" in text and p3.serial in text


def test_the_certified_extract_carries_the_checkpoint_and_its_bundle_verifies_with_daftari_verify(
    desk_officer: User, desk_client: Client, recorded_complaint: Occurrence, tmp_path: Path
) -> None:
    extract = issue_document(actor=desk_officer, occurrence=recorded_complaint, kind="certified_extract")
    text = text_of(pdf_of(desk_client, extract))
    assert recorded_complaint.ob_number in text and extract.serial in text
    assert "daftari-verify entry" in text
    assert "daftari.local/ob/CENTRAL-NBI" in text  # the signed checkpoint's origin line
    response = desk_client.get(f"/documents/{extract.pk}/evidence")
    assert response.status_code == 200
    bundle = tmp_path / "evidence.zip"
    bundle.write_bytes(response.content)
    assert zipfile.is_zipfile(bundle)
    verifier = [str(Path(sys.executable).parent / "daftari-verify")]
    result = subprocess.run(
        [*verifier, "entry", str(bundle), "--key", keys.verifier_key()], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
