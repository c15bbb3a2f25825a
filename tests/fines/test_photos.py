"""The roadside photo on a notice, the signed-book line of the public verify page and the court outcome line."""

import base64
import hashlib

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test import Client

from daftari.core.errors import InvalidInput
from daftari.fines import rules, services
from daftari.fines.models import FineNotice, NoticePhoto
from daftari.ledger.models import Leaf
from daftari.ledger.services import sign_checkpoint
from daftari.ledger.verification import verify_book
from daftari.stations.models import AccessEvent, Station
from tests.fines.conftest import draft
from tests.fines.test_api import notice_body
from tests.fines.test_views import FORM
from tests.occurrences.test_api import Api

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 60


def _record_fields(leaf: Leaf) -> dict[str, object]:
    # The leaf commits to the record through a salted hash; compare against what the notice record says.
    from daftari.fines import records

    stored = records.stored_record(leaf.record_id)
    assert stored is not None
    return stored


def issue_with(traffic_officer: User, station: Station, photo: rules.PhotoInput, **overrides: object) -> FineNotice:
    return services.issue_notice(actor=traffic_officer, station=station, draft=draft(**overrides), photo=photo).notice


@pytest.mark.parametrize(("content", "content_type"), [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp")])
def test_a_jpeg_png_or_webp_photo_is_kept_with_its_hash_and_size(
    traffic_officer: User, station: Station, content: bytes, content_type: str
) -> None:
    notice = issue_with(traffic_officer, station, rules.PhotoInput(content, content_type))
    photo = NoticePhoto.objects.get(notice=notice)
    assert bytes(photo.content) == content and photo.content_type == content_type
    assert photo.sha256 == hashlib.sha256(content).hexdigest() and photo.size_bytes == len(content)
    assert photo.added_by == notice.officer


@pytest.mark.parametrize(
    ("content", "content_type", "says"),
    [
        (b"%PDF-1.7 not a photo", "image/jpeg", "not a photo"),
        (b"GIF89a" + b"\x00" * 20, "image/gif", "not a photo"),
        (PNG, "image/jpeg", "not the type it claims"),
        (b"", "image/png", "empty"),
    ],
)
def test_a_photo_that_is_not_a_jpeg_png_or_webp_is_refused_with_a_field_error(
    traffic_officer: User, station: Station, content: bytes, content_type: str, says: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        issue_with(traffic_officer, station, rules.PhotoInput(content, content_type))
    assert says in str(refused.value.fields["photo"])
    assert not FineNotice.objects.exists() and not NoticePhoto.objects.exists()


def test_a_photo_over_the_limit_is_refused(traffic_officer: User, station: Station, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_FINES_MAX_PHOTO_BYTES = 1000
    with pytest.raises(InvalidInput) as refused:
        issue_with(traffic_officer, station, rules.PhotoInput(JPEG + b"\x00" * 1000, "image/jpeg"))
    assert "too large" in str(refused.value.fields["photo"])
    assert not FineNotice.objects.exists()


def test_the_photos_hash_is_in_the_notices_ledger_record_and_the_book_verifies(
    traffic_officer: User, station: Station
) -> None:
    with_photo = issue_with(traffic_officer, station, rules.PhotoInput(JPEG, "image/jpeg"))
    without = services.issue_notice(actor=traffic_officer, station=station, draft=draft(plate="KBB 111B")).notice
    assert _record_fields(Leaf.objects.get(record_id=str(with_photo.pk)))["photo_sha256"] == (
        hashlib.sha256(JPEG).hexdigest()
    )
    assert "photo_sha256" not in _record_fields(Leaf.objects.get(record_id=str(without.pk)))
    sign_checkpoint(station=station)
    report = verify_book(station.code)
    assert report.ok, report.problems


def test_a_photo_swapped_behind_the_applications_back_fails_verification(
    traffic_officer: User, station: Station
) -> None:
    from daftari.core import append_only

    notice = issue_with(traffic_officer, station, rules.PhotoInput(JPEG, "image/jpeg"))
    append_only.uninstall(connection, ["fines_noticephoto"])
    NoticePhoto.objects.filter(notice=notice).update(sha256=hashlib.sha256(PNG).hexdigest(), content=PNG)
    assert not verify_book(station.code).ok


def test_a_stored_photo_cannot_be_changed_or_deleted(traffic_officer: User, station: Station) -> None:
    notice = issue_with(traffic_officer, station, rules.PhotoInput(JPEG, "image/jpeg"))
    with pytest.raises(DatabaseError), transaction.atomic():
        NoticePhoto.objects.filter(notice=notice).update(content=PNG)
    with pytest.raises(DatabaseError), transaction.atomic():
        NoticePhoto.objects.filter(notice=notice).delete()


def test_a_retry_with_the_same_id_and_photo_returns_the_notice_but_a_different_photo_is_refused(
    traffic_officer: User, station: Station
) -> None:
    import uuid

    from daftari.core.errors import DuplicateWithDifferentContent

    client_id, fixed = uuid.uuid4(), draft()
    first = services.issue_notice(
        actor=traffic_officer, station=station, draft=fixed, client_id=client_id, photo=rules.PhotoInput(JPEG, "")
    )
    again = services.issue_notice(
        actor=traffic_officer, station=station, draft=fixed, client_id=client_id, photo=rules.PhotoInput(JPEG, "")
    )
    assert first.created and not again.created and NoticePhoto.objects.count() == 1
    with pytest.raises(DuplicateWithDifferentContent):
        services.issue_notice(
            actor=traffic_officer, station=station, draft=fixed, client_id=client_id, photo=rules.PhotoInput(PNG, "")
        )


# --- The phone page and the desk page -----------------------------------------------------------------


def test_the_issue_page_takes_a_photo_from_the_camera_in_a_multipart_form(
    client: Client, traffic_officer: User
) -> None:
    client.force_login(traffic_officer)
    page = client.get("/fines/issue").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and 'accept="image/*"' in page and 'capture="environment"' in page
    response = client.post("/fines/issue", {**FORM, "photo": SimpleUploadedFile("road.jpg", JPEG, "image/jpeg")})
    assert response.status_code == 302
    assert NoticePhoto.objects.get().sha256 == hashlib.sha256(JPEG).hexdigest()


def test_the_issue_page_shows_why_a_file_is_not_accepted(client: Client, traffic_officer: User) -> None:
    client.force_login(traffic_officer)
    fake = SimpleUploadedFile("road.jpg", b"MZ\x90\x00 an executable", "image/jpeg")
    response = client.post("/fines/issue", {**FORM, "photo": fake})
    assert response.status_code == 422 and b"not a photo" in response.content
    assert not FineNotice.objects.exists()


def test_officers_of_the_station_see_the_photo_and_each_read_is_logged(
    client: Client, traffic_officer: User, desk_officer: User, station: Station
) -> None:
    notice = issue_with(traffic_officer, station, rules.PhotoInput(PNG, "image/png"))
    client.force_login(desk_officer)
    page = client.get(f"/fines/notices/{notice.number}").content.decode()
    assert f"/fines/notices/{notice.number}/photo" in page
    served = client.get(f"/fines/notices/{notice.number}/photo")
    assert served.status_code == 200 and served["Content-Type"] == "image/png" and served.content == PNG
    assert served["X-Content-Type-Options"] == "nosniff"
    event = AccessEvent.objects.get(record_type="fine_notice_photo")
    assert event.record_id == notice.number and event.user == desk_officer and event.outcome == "shown"


def test_an_officer_of_another_station_gets_404_for_the_photo(
    client: Client,
    traffic_officer: User,
    station: Station,
    make_officer,
    other_station: Station,  # type: ignore[no-untyped-def]
) -> None:
    from daftari.stations.rules import Role

    notice = issue_with(traffic_officer, station, rules.PhotoInput(JPEG, "image/jpeg"))
    client.force_login(make_officer("desk-kil", [Role.DESK], other_station))
    assert client.get(f"/fines/notices/{notice.number}/photo").status_code == 404
    assert not AccessEvent.objects.filter(record_type="fine_notice_photo").exists()


def test_an_analyst_does_not_get_the_photo_and_the_refusal_is_logged(
    client: Client, traffic_officer: User, station: Station, analyst: User
) -> None:
    notice = issue_with(traffic_officer, station, rules.PhotoInput(JPEG, "image/jpeg"))
    client.force_login(analyst)
    assert f"/fines/notices/{notice.number}/photo" not in client.get(f"/fines/notices/{notice.number}").content.decode()
    assert client.get(f"/fines/notices/{notice.number}/photo").status_code == 403
    assert AccessEvent.objects.get(record_type="fine_notice_photo").outcome == "withheld"


def test_the_photo_is_never_on_the_public_pages(public_client: Client, traffic_officer: User, station: Station) -> None:
    notice = issue_with(traffic_officer, station, rules.PhotoInput(JPEG, "image/jpeg"))
    for path in (f"/verify/notice/{notice.number}", f"/pay/notice/{notice.number}"):
        body = public_client.get(path).content.decode()
        assert "/photo" not in body and hashlib.sha256(JPEG).hexdigest() not in body
    assert public_client.get(f"/fines/notices/{notice.number}/photo").status_code in (302, 403)


# --- The API ---------------------------------------------------------------------------------------------


def test_the_api_takes_a_base64_photo_and_answers_its_hash(client: Client, traffic_officer: User) -> None:
    api = Api(client, traffic_officer)
    photo = {"content_type": "image/webp", "data": base64.b64encode(WEBP).decode()}
    response = api.post("/fines/notices", notice_body(photo=photo))
    assert response.status_code == 201, response.json()
    assert response.json()["photo_sha256"] == hashlib.sha256(WEBP).hexdigest()
    assert bytes(NoticePhoto.objects.get().content) == WEBP


@pytest.mark.parametrize(
    ("photo", "field"),
    [
        ({"content_type": "image/jpeg", "data": base64.b64encode(b"<html>hello</html>").decode()}, "photo"),
        ({"content_type": "image/gif", "data": base64.b64encode(JPEG).decode()}, "photo.content_type"),
        ({"content_type": "image/jpeg", "data": "abc"}, "photo.data"),
        ({"content_type": "image/jpeg", "data": "not base64!"}, "photo.data"),
        ({"content_type": "image/jpeg", "data": "QUJDRA=A"}, "photo.data"),
        ({"content_type": "image/jpeg"}, "photo.data"),
    ],
)
def test_the_api_refuses_a_bad_photo_with_422_naming_the_field(
    client: Client, traffic_officer: User, photo: dict[str, str], field: str
) -> None:
    response = Api(client, traffic_officer).post("/fines/notices", notice_body(photo=photo))
    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert not FineNotice.objects.exists()


# --- The public verify page's proof line and the court outcome line ----------------------------------------


def test_the_verify_page_says_a_new_notice_awaits_the_next_checkpoint(
    public_client: Client, notice: FineNotice
) -> None:
    leaf = Leaf.objects.get(record_id=str(notice.pk))
    body = public_client.get(f"/verify/notice/{notice.number}").content.decode()
    assert f"Leaf #{leaf.index}, awaiting the next checkpoint." in body


def test_the_verify_page_proves_inclusion_once_a_checkpoint_is_signed(
    public_client: Client, notice: FineNotice, station: Station
) -> None:
    leaf = Leaf.objects.get(record_id=str(notice.pk))
    checkpoint = sign_checkpoint(station=station)
    assert checkpoint is not None
    body = public_client.get(f"/verify/notice/{notice.number}").content.decode()
    assert f"Included in the signed book at leaf #{leaf.index}, checkpoint of" in body
    assert "Kamau" not in body and "0712345678" not in body


def test_the_verify_page_does_not_claim_a_proof_for_a_notice_changed_behind_the_applications_back(
    public_client: Client, notice: FineNotice, station: Station
) -> None:
    from daftari.core import append_only

    sign_checkpoint(station=station)
    append_only.uninstall(connection, ["fines_finenotice"])
    FineNotice.objects.filter(pk=notice.pk).update(total_kes=100)
    body = public_client.get(f"/verify/notice/{notice.number}").content.decode()
    assert "Included in the signed book" not in body and "could not be checked" in body


@pytest.mark.parametrize(
    ("outcome", "label"),
    [("convicted_and_paid", "Convicted and paid"), ("acquitted", "Acquitted"), ("withdrawn", "Withdrawn")],
)
def test_the_history_says_which_court_outcome(
    client: Client, traffic_officer: User, notice: FineNotice, outcome: str, label: str
) -> None:
    services.contest_notice(actor=traffic_officer, number=notice.number)
    services.record_court_outcome(actor=traffic_officer, number=notice.number, outcome=outcome)
    client.force_login(traffic_officer)
    page = client.get(f"/fines/notices/{notice.number}").content.decode()
    assert f"Court outcome: {label}" in page
