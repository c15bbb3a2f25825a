import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import AccessEvent, Station
from tests.conftest import complaint


def complaint_form(**overrides: str) -> dict[str, str]:
    """What the desk posts for a typical complaint at the counter."""
    occurred = timezone.localtime() - timedelta(hours=1)
    data = {
        "client_id": str(uuid.uuid4()),
        "entry_type": "COMPLAINT",
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "place": "Moi Avenue, near the bus stage",
        "narrative": "Complainant reports that her handbag was snatched near the matatu stage.",
        "parties_rows": "2",
        "parties-0-role": "complainant",
        "parties-0-name": "Akinyi Otieno",
        "parties-0-id_number": "23456789",
        "parties-0-phone": "0722000111",
        "parties-0-sex": "F",
        "parties-0-age": "34",
        "parties-1-role": "",
        "sms_language": "en",
        "offences_rows": "1",
        "property_items_rows": "1",
        "property_items-0-description": "Black handbag",
        "property_items-0-value_kes": "2500",
        "vehicles_rows": "1",
        "vehicles-0-plate": "KMEA 123B",
    }
    data.update(overrides)
    return data


def events(**lookup: Any) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(**lookup))


# --- Today's book ------------------------------------------------------------------------


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin")


def test_todays_book_lists_the_days_entries_in_ob_order(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    first = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    second = record_occurrence(actor=desk_officer, station=station, draft=complaint(place="Kencom")).entry
    page = desk_client.get("/").content.decode()
    assert first.ob_number in page and second.ob_number in page
    assert page.index(first.ob_number + "<") < page.index(second.ob_number + "<")
    assert "Today's book" in page


def test_a_late_entry_is_flagged_in_the_book(desk_client: Client, desk_officer: User, station: Station) -> None:
    draft = complaint(occurred_at=timezone.now() - timedelta(days=3), late_reason="Reported on return from Kisumu.")
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    assert "Late entry" in desk_client.get("/").content.decode()
    assert "Reported on return from Kisumu." in desk_client.get(f"/entries/{entry.pk}").content.decode()


def test_an_earlier_day_shows_that_days_page_without_polling(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    page = desk_client.get(f"/?day={yesterday.isoformat()}").content.decode()
    assert recorded_complaint.ob_number not in page
    assert "No entries in the book for this day yet." in page
    assert "hx-trigger" not in page


def test_the_htmx_poll_returns_only_the_book_partial(desk_client: Client, recorded_complaint: Occurrence) -> None:
    response = desk_client.get("/?seen=0", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="book"')
    assert recorded_complaint.ob_number in body
    assert "<html" not in body


def test_the_htmx_poll_answers_204_when_nothing_was_recorded_since(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    response = desk_client.get(f"/?seen={recorded_complaint.ob_seq}", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert not events(purpose=AccessEvent.Purpose.LIST)


# --- New entry ---------------------------------------------------------------------------


def test_choosing_a_type_with_htmx_returns_only_that_types_fields(desk_client: Client) -> None:
    response = desk_client.get("/entries/new?entry_type=ARREST", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="type-fields"')
    assert 'name="details-arrested_at"' in body and 'type="datetime-local"' in body
    assert "<form" not in body


def test_without_javascript_a_post_with_a_type_redraws_the_form_with_its_fields(desk_client: Client) -> None:
    response = desk_client.post("/entries/new", {**complaint_form(entry_type="LOST_DOC"), "choose_type": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="details-document_kind"' in body
    assert 'value="Akinyi Otieno"' in body
    assert not Occurrence.objects.exists()


def test_adding_a_row_without_javascript_gives_one_more_person(desk_client: Client) -> None:
    response = desk_client.post("/entries/new", {**complaint_form(), "add": "parties"})
    assert 'name="parties-2-name"' in response.content.decode()
    assert not Occurrence.objects.exists()


def test_recording_a_complaint_redirects_to_the_entry_with_its_ob_number(desk_client: Client) -> None:
    response = desk_client.post("/entries/new", complaint_form(), follow=True)
    entry = Occurrence.objects.get()
    assert response.redirect_chain[-1][0] == f"/entries/{entry.pk}"
    page = response.content.decode()
    assert f"Recorded as {entry.ob_number}" in page
    party = entry.parties.get()
    assert (party.name, party.phone, party.age) == ("Akinyi Otieno", "+254722000111", 34)
    assert entry.property_items.get().value_kes == 2500
    assert entry.vehicles.get().plate == "KMEA123B"


def test_a_double_submit_of_the_same_form_records_once(desk_client: Client) -> None:
    data = complaint_form()
    first = desk_client.post("/entries/new", data)
    again = desk_client.post("/entries/new", data)
    assert Occurrence.objects.count() == 1
    assert first["Location"] == again["Location"] == f"/entries/{data['client_id']}"


def test_the_type_fields_are_passed_to_the_entry(desk_client: Client) -> None:
    desk_client.post(
        "/entries/new",
        complaint_form(
            entry_type="LOST_DOC", **{"details-document_kind": "national_id", "details-document_number": "2345"}
        ),
    )
    assert Occurrence.objects.get().details == {"document_kind": "national_id", "document_number": "2345"}


def test_invalid_input_shows_an_error_summary_linking_to_each_field(desk_client: Client) -> None:
    response = desk_client.post("/entries/new", complaint_form(place="", **{"parties-0-phone": "12"}))
    body = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in body
    assert 'href="#id_place"' in body
    assert 'href="#id_parties-0-phone"' in body
    assert "Not a valid phone number" in body
    assert not Occurrence.objects.exists()


def test_a_missing_required_type_field_is_shown_beside_that_field(desk_client: Client) -> None:
    data = complaint_form(entry_type="ARREST", **{"parties-0-role": "suspect"})
    body = desk_client.post("/entries/new", data).content.decode()
    assert 'href="#id_details-arrested_at"' in body
    assert 'id="id_details-arrested_at-error"' in body


def test_a_follow_up_names_the_entry_it_follows(desk_client: Client, recorded_complaint: Occurrence) -> None:
    data = complaint_form(
        entry_type="STATEMENT", refers_to=recorded_complaint.ob_number, **{"details-maker": "Akinyi Otieno"}
    )
    desk_client.post("/entries/new", data)
    follow_up = Occurrence.objects.get(entry_type="STATEMENT")
    assert follow_up.refers_to == recorded_complaint
    page = desk_client.get(f"/entries/{recorded_complaint.pk}").content.decode()
    assert "Follow-up entries" in page and follow_up.ob_number in page


def test_the_person_hint_counts_earlier_entries_with_that_id_number(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    for _ in range(3):
        record_occurrence(actor=desk_officer, station=station, draft=complaint())
    body = desk_client.get("/entries/person-hint?parties-0-id_number=12345678").content.decode()
    assert "This ID number appears in 3 earlier entries." in body
    assert "/search?q=12345678" in body


def test_the_person_hint_counts_nothing_from_another_station(
    client: Client, officer_elsewhere: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(officer_elsewhere)
    body = client.get("/entries/person-hint?parties-0-id_number=12345678").content.decode()
    assert "appears" not in body


def test_each_entry_the_person_hint_finds_is_logged_as_a_look_up(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    found = [record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry for _ in range(2)]
    desk_client.get("/entries/person-hint?parties-0-id_number=12345678")
    logged = AccessEvent.objects.filter(purpose=AccessEvent.Purpose.LOOKUP, username=desk_officer.username)
    assert sorted(e.record_id for e in logged) == sorted(str(e.pk) for e in found)


def test_the_person_hint_does_not_answer_a_nationwide_look_up(
    client: Client, oversight: User, analyst: User, recorded_complaint: Occurrence
) -> None:
    for reader in (oversight, analyst):
        client.force_login(reader)
        response = client.get("/entries/person-hint?parties-0-id_number=12345678")
        assert response.status_code == 403
        assert "appears" not in response.content.decode()


def test_oversight_cannot_record_entries(client: Client, oversight: User) -> None:
    client.force_login(oversight)
    assert client.get("/entries/new").status_code == 403
    assert client.post("/entries/new", complaint_form()).status_code == 403
    assert not Occurrence.objects.exists()


def test_csrf_is_enforced_on_new_entries(desk_officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_officer)
    assert client.post("/entries/new", complaint_form()).status_code == 403
    assert not Occurrence.objects.exists()


# --- The entry ---------------------------------------------------------------------------


def test_the_desk_officer_sees_their_stations_entry_and_the_read_is_logged(
    desk_client: Client, desk_officer: User, recorded_complaint: Occurrence
) -> None:
    response = desk_client.get(f"/entries/{recorded_complaint.pk}")
    body = response.content.decode()
    assert response.status_code == 200
    assert recorded_complaint.ob_number in body
    assert "Wanjiku Kamau" in body and "snatched" in body
    [event] = events(purpose=AccessEvent.Purpose.DESK_VIEW)
    assert (event.user, event.record_id, event.outcome) == (desk_officer, str(recorded_complaint.pk), "shown")


def test_an_officer_from_another_station_gets_404_and_the_attempt_is_logged(
    client: Client, officer_elsewhere: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(officer_elsewhere)
    for url in ("", "/amend", "/slip"):
        response = client.get(f"/entries/{recorded_complaint.pk}{url}")
        assert response.status_code == 404
        assert "Wanjiku" not in response.content.decode()
    assert {e.outcome for e in events(user=officer_elsewhere)} == {"denied"}
    assert len(events(user=officer_elsewhere)) == 3


def test_an_unknown_entry_is_404_without_an_access_event(desk_client: Client) -> None:
    assert desk_client.get(f"/entries/{uuid.uuid4()}").status_code == 404
    assert not AccessEvent.objects.exists()


def test_an_analyst_sees_the_entry_without_personal_data(
    client: Client, analyst: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(analyst)
    body = client.get(f"/entries/{recorded_complaint.pk}").content.decode()
    assert recorded_complaint.ob_number in body
    assert "Wanjiku" not in body and "12345678" not in body and "snatched" not in body
    assert "Personal data is withheld" in body
    assert [e.outcome for e in events(user=analyst)] == ["withheld"]


def test_a_commander_sees_an_entry_of_a_station_in_the_county(
    client: Client, commander: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(commander)
    assert client.get(f"/entries/{recorded_complaint.pk}").status_code == 200


def test_the_entry_page_shows_corrections_in_order_and_the_entry_as_corrected(
    desk_client: Client, desk_officer: User, recorded_complaint: Occurrence
) -> None:
    amend_occurrence(
        actor=desk_officer, occurrence=recorded_complaint, reason="Wrong place", changes={"place": "Kencom"}
    )
    amend_occurrence(
        actor=desk_officer, occurrence=recorded_complaint, reason="Wrong place again", changes={"place": "Ambassadeur"}
    )
    body = desk_client.get(f"/entries/{recorded_complaint.pk}").content.decode()
    assert "As corrected" in body
    assert body.index("Reason: Wrong place<") < body.index("Reason: Wrong place again")
    corrected = body[body.index("As corrected") : body.index("<h2>Corrections")]
    assert "Ambassadeur" in corrected and "Kencom" not in corrected


def test_oversight_sees_an_entry_read_only(client: Client, oversight: User, recorded_complaint: Occurrence) -> None:
    client.force_login(oversight)
    body = client.get(f"/entries/{recorded_complaint.pk}").content.decode()
    assert "Wanjiku Kamau" in body
    assert f"/entries/{recorded_complaint.pk}/amend" not in body
    assert client.get(f"/entries/{recorded_complaint.pk}/amend").status_code == 403


# --- Correction --------------------------------------------------------------------------


def test_a_correction_is_recorded_as_a_new_entry_and_the_original_is_unchanged(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    form = desk_client.get(f"/entries/{recorded_complaint.pk}/amend").content.decode()
    assert "Moi Avenue, near the bus stage" in form
    response = desk_client.post(
        f"/entries/{recorded_complaint.pk}/amend",
        {
            "client_id": str(uuid.uuid4()),
            "reason": "The complainant gave the wrong street",
            "place": "Kenyatta Avenue",
            "narrative": recorded_complaint.narrative,
        },
        follow=True,
    )
    correction = Occurrence.objects.get(entry_type="AMENDMENT")
    assert correction.refers_to == recorded_complaint
    assert correction.details["changes"] == {"place": "Kenyatta Avenue"}
    assert f"Correction recorded as {correction.ob_number}" in response.content.decode()
    recorded_complaint.refresh_from_db()
    assert recorded_complaint.place == "Moi Avenue, near the bus stage"


def test_a_correction_without_a_reason_is_refused_with_an_error_summary(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    response = desk_client.post(f"/entries/{recorded_complaint.pk}/amend", {"reason": "", "place": "Kencom"})
    assert response.status_code == 422
    assert 'href="#id_reason"' in response.content.decode()
    assert not Occurrence.objects.filter(entry_type="AMENDMENT").exists()


def test_a_correction_that_changes_nothing_asks_for_a_corrected_field(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    response = desk_client.post(
        f"/entries/{recorded_complaint.pk}/amend", {"reason": "Check", "place": recorded_complaint.place}
    )
    assert response.status_code == 422
    assert "Give at least one corrected field." in response.content.decode()


# --- Search ------------------------------------------------------------------------------


def test_search_finds_an_entry_by_ob_number_and_by_a_word_of_the_narrative(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    by_number = desk_client.get("/search", {"q": recorded_complaint.ob_number.lower()}).content.decode()
    by_word = desk_client.get("/search", {"q": "motorcycle"}).content.decode()
    assert f"/entries/{recorded_complaint.pk}" in by_number
    assert f"/entries/{recorded_complaint.pk}" in by_word
    assert "No entries found." in desk_client.get("/search", {"q": "giraffe"}).content.decode()


def test_search_does_not_show_another_stations_entries(
    client: Client, officer_elsewhere: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(officer_elsewhere)
    body = client.get("/search", {"q": "motorcycle"}).content.decode()
    assert f"/entries/{recorded_complaint.pk}" not in body


def test_search_results_that_show_personal_data_are_logged(desk_client: Client, recorded_complaint: Occurrence) -> None:
    desk_client.get("/search", {"q": "motorcycle"})
    assert [(e.record_id, e.purpose) for e in events()] == [(str(recorded_complaint.pk), "search")]


def test_a_malformed_date_range_is_an_error_beside_the_filter(desk_client: Client) -> None:
    body = desk_client.get(
        "/search", {"q": "phone", "date_from": "2026-11-20", "date_to": "2026-11-01"}
    ).content.decode()
    assert 'href="#id_date_to"' in body


def test_search_results_are_paginated(desk_client: Client, desk_officer: User, station: Station) -> None:
    for _ in range(26):
        record_occurrence(actor=desk_officer, station=station, draft=complaint())
    first = desk_client.get("/search", {"q": "motorcycle"}).content.decode()
    second = desk_client.get("/search", {"q": "motorcycle", "page": "2"}).content.decode()
    assert "Next page" in first and "page=2" in first
    assert second.count('<td class="ob">') == 1


# --- Slip, language, size ----------------------------------------------------------------


def test_the_ob_slip_shows_ob_number_station_type_and_officer(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    body = desk_client.get(f"/entries/{recorded_complaint.pk}/slip").content.decode()
    assert recorded_complaint.ob_number in body
    assert "Central Police Station" in body
    assert "Report / complaint" in body
    assert recorded_complaint.recorded_by.service_number in body
    assert "Nambari ya OB" in body  # the other language's label, for a bilingual slip
    assert [e.purpose for e in events()] == [AccessEvent.Purpose.PRINT]


def test_pages_are_in_kiswahili_with_the_language_cookie(desk_client: Client, recorded_complaint: Occurrence) -> None:
    desk_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    body = desk_client.get(f"/entries/{recorded_complaint.pk}").content.decode()
    assert "Kitabu cha Matukio" in body
    assert "Nambari ya OB" in body
    assert recorded_complaint.ob_number in body
    assert '<html lang="sw">' in body


@pytest.mark.parametrize("url", ["/", "/entries/new", "/search?q=motorcycle", "ENTRY", "ENTRY/slip", "ENTRY/amend"])
def test_desk_pages_stay_small(desk_client: Client, recorded_complaint: Occurrence, url: str) -> None:
    url = url.replace("ENTRY", f"/entries/{recorded_complaint.pk}")
    response = desk_client.get(url)
    assert response.status_code == 200
    assert len(response.content) < 100_000


def test_a_commander_filters_search_by_the_stations_of_their_county(
    client: Client, commander: User, neighbour_station: Station, other_station: Station
) -> None:
    client.force_login(commander)
    body = client.get("/search").content.decode()
    assert '<option value="KILIMANI">' in body and '<option value="CENTRAL-NBI">' in body
    assert "KISUMU-CTL" not in body


def test_oversight_narrows_a_search_to_one_station_by_its_code(
    client: Client,
    oversight: User,
    recorded_complaint: Occurrence,
    officer_elsewhere: User,
    other_station: Station,
) -> None:
    elsewhere = record_occurrence(actor=officer_elsewhere, station=other_station, draft=complaint()).entry
    client.force_login(oversight)
    body = client.get("/search", {"q": "motorcycle", "station": "KISUMU-CTL"}).content.decode()
    assert f"/entries/{elsewhere.pk}" in body
    assert f"/entries/{recorded_complaint.pk}" not in body
