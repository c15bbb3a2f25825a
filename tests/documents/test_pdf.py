import io
import re
import subprocess
import sys
import unicodedata
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import time_machine
import zxingcpp
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFontFile

from daftari.documents import pdf, typefaces
from daftari.documents.models import IssuedDocument
from daftari.documents.rules import display_code
from daftari.documents.services import issue_document, revoke_document
from daftari.ledger import keys
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint


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


def fonts_of(body: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(body)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def p3_for(desk_officer: User, station: Station, name: str) -> IssuedDocument:
    draft = complaint(parties=(PartyInput(role="complainant", name=name, phone="0712345678"),))
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    return issue_document(actor=desk_officer, occurrence=entry, kind="p3_part1", injuries_alleged="Bruised arm")


def test_a_name_in_arabic_script_prints_joined_right_to_left_in_a_font_that_has_its_letters(
    desk_officer: User, desk_client: Client, station: Station
) -> None:
    name = "محمد علي"
    body = pdf_of(desk_client, p3_for(desk_officer, station, name))
    assert any("NotoSansArabic" in font for font in fonts_of(body))
    printed = next(line for line in text_of(body).splitlines() if re.search("[\ufe70-\ufeff]", line))
    shaped = "".join(c for c in printed if "\ufe70" <= c <= "\ufeff" or c == " ").strip()
    # Joined: the letters' presentation forms (initial, medial, final), not the bare letters.
    assert not re.search("[\u0600-\u06ff]", shaped)
    assert name in {unicodedata.normalize("NFKC", shaped), unicodedata.normalize("NFKC", shaped)[::-1]}
    glyphs = TTFontFile(str(typefaces.FONTS / "NotoSansArabic-Regular.ttf")).charToGlyph
    assert all(ord(c) in glyphs for c in shaped if c != " ")


def test_a_name_in_ethiopic_script_prints_in_a_font_that_has_its_letters(
    desk_officer: User, desk_client: Client, station: Station
) -> None:
    name = "ተስፋዬ ገብረ"
    body = pdf_of(desk_client, p3_for(desk_officer, station, name))
    assert any("NotoSansEthiopic" in font for font in fonts_of(body))
    assert name in text_of(body)
    glyphs = TTFontFile(str(typefaces.FONTS / "NotoSansEthiopic-Regular.ttf")).charToGlyph
    assert all(ord(c) in glyphs for c in name if c != " ")


def test_a_revoked_documents_pdf_carries_revoked_across_it(
    desk_client: Client, ocs: User, abstract: IssuedDocument
) -> None:
    assert "REVOKED" not in text_of(pdf_of(desk_client, abstract))
    revoke_document(actor=ocs, document=abstract, reason="Issued on the wrong entry")
    text = text_of(pdf_of(desk_client, abstract))
    assert "REVOKED" in text and "Revoked on" in text
    assert abstract.serial in text  # still the whole document underneath


def test_every_abstract_names_the_place_and_a_lost_phones_abstract_its_imei(
    desk_officer: User, desk_client: Client, station: Station
) -> None:
    draft = complaint(
        entry_type="LOST_DOC",
        place="Kencom bus stage, Moi Avenue",
        narrative="Reports losing her mobile phone while boarding a matatu.",
        details={"document_kind": "phone", "document_number": "356938035643809"},
    )
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    abstract = issue_document(
        actor=desk_officer, occurrence=entry, kind="abstract_lost_document", applicant_name="Akinyi", purpose="Line"
    )
    text = text_of(pdf_of(desk_client, abstract))
    assert "Kencom bus stage, Moi Avenue" in text
    assert "IMEI" in text and "356938035643809" in text


def test_a_pdf_printed_in_kiswahili_names_the_month_in_kiswahili(desk_officer: User, lost_id: Occurrence) -> None:
    with time_machine.travel(datetime(2026, 12, 5, 6, 15, tzinfo=UTC), tick=False):
        abstract = issue_document(
            actor=desk_officer, occurrence=lost_id, kind="abstract_lost_document", applicant_name="A", purpose="B"
        )
    with translation.override("sw"):
        text = text_of(pdf.render(abstract, verify_url="https://daftari.example/verify/X", leaf_index=None))
    assert "5 Dis 2026, 09:15" in text  # Disemba, in Nairobi time
    assert "Dec" not in text
