"""The desk records a follow-up from an entry's page, and the OB slip tells the complainant how to reach
the station and check the status of the report."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.ledger import keys
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    settings.DAFTARI_PUBLIC_BASE_URL = "https://ob.example.go.ke"
    keys.signer.cache_clear()


def new_entry_post(**fields: str) -> dict[str, str]:
    data = {
        "entry_type": "STATEMENT",
        "occurred_at": "",
        "place": "Report office",
        "narrative": "Further statement of the complainant: she saw the rider's helmet was red.",
        "parties_rows": "1",
        "offences_rows": "1",
        "property_items_rows": "1",
        "vehicles_rows": "1",
        "details-maker": "Wanjiku Kamau",
        "parties-0-role": "complainant",
        "parties-0-name": "Wanjiku Kamau",
        "parties-0-phone": "0712345678",
        "sms_language": "en",
    }
    data.update(fields)
    return data


def test_the_entry_page_offers_a_follow_up_that_opens_new_entry_with_its_ob_number(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    page = desk_client.get(f"/entries/{recorded_complaint.pk}").content.decode()
    assert 'id="record-follow-up"' in page
    assert "/entries/new?refers_to=OB%201/" in page
    form = desk_client.get("/entries/new", {"refers_to": recorded_complaint.ob_number})
    assert form.context["forms"].main["refers_to"].value() == recorded_complaint.ob_number
    assert f'value="{recorded_complaint.ob_number}"' in form.content.decode()


def test_a_follow_up_is_a_new_entry_pointing_at_the_first_which_stays_as_recorded(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    from django.utils import timezone

    before = Occurrence.objects.filter(pk=recorded_complaint.pk).values().get()
    occurred = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = desk_client.post(
        "/entries/new", new_entry_post(refers_to=recorded_complaint.ob_number, occurred_at=occurred)
    )
    assert response.status_code == 302, response.context["forms"].error_summary()
    follow_up = Occurrence.objects.exclude(pk=recorded_complaint.pk).get()
    assert follow_up.refers_to_id == recorded_complaint.pk and follow_up.ob_seq == 2
    assert Occurrence.objects.filter(pk=recorded_complaint.pk).values().get() == before
    page = desk_client.get(f"/entries/{recorded_complaint.pk}").content.decode()
    assert "Follow-up entries" in page and follow_up.ob_number in page


def test_a_follow_up_naming_no_entry_is_refused_and_nothing_is_recorded(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    from django.utils import timezone

    occurred = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = desk_client.post("/entries/new", new_entry_post(refers_to="OB 99/1/1/2026", occurred_at=occurred))
    assert response.status_code == 422
    assert "No earlier entry with that OB number" in response.content.decode()
    assert Occurrence.objects.count() == 1


@pytest.mark.parametrize("persona", ["commander", "oversight", "analyst"])
def test_roles_that_do_not_record_are_not_offered_a_follow_up(
    db: None, client: Client, request: pytest.FixtureRequest, persona: str, recorded_complaint: Occurrence
) -> None:
    client.force_login(request.getfixturevalue(persona))
    page = client.get(f"/entries/{recorded_complaint.pk}")
    assert page.status_code == 200
    assert 'id="record-follow-up"' not in page.content.decode()


def test_the_slip_carries_the_stations_phone_and_how_to_check_the_status(
    desk_client: Client, recorded_complaint: Occurrence, station: Station
) -> None:
    Station.objects.filter(pk=station.pk).update(phone="020 224 0100")
    slip = desk_client.get(f"/entries/{recorded_complaint.pk}/slip").content.decode()
    assert "Station phone" in slip and "020 224 0100" in slip
    assert "https://ob.example.go.ke/public/status" in slip
    assert "the last 4 digits of the phone number you gave" in slip
    # And in Kiswahili beside it, for a complainant who reads Kiswahili.
    assert "Simu ya kituo" in slip


def test_a_slip_of_an_entry_with_no_case_says_nothing_about_a_status(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    patrol = record_occurrence(
        actor=desk_officer,
        station=station,
        draft=complaint(
            entry_type="PATROL_DISPATCH",
            narrative="Foot patrol sent to the bus stage after the morning's snatchings.",
            details={"unit": "Two constables of the station", "task": "Foot patrol"},
            parties=(),
        ),
    ).entry
    slip = desk_client.get(f"/entries/{patrol.pk}/slip").content.decode()
    assert "/public/status" not in slip


def test_the_new_entry_form_keeps_its_draft_under_the_officers_own_key_from_a_static_script(
    desk_client: Client, desk_officer: User
) -> None:
    body = desk_client.get("/entries/new").content.decode()
    assert f'data-draft-key="daftari-draft:{desk_officer.pk}"' in body
    assert 'data-draft-bound="0"' in body
    # The notice waits hidden for the script; without JavaScript the form is the plain form.
    assert '<div id="draft-restored" class="notice" role="status" hidden>' in body
    assert 'src="/static/daftari/entry-draft.js"' in body and "<script>" not in body
