"""An asylum seeker or refugee in the cells (issue 14): the interpreter's language, and a person held
only on an immigration matter kept apart from criminal detainees (Refugees Regulations 2024)."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.custody import rules, services
from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState
from daftari.custody.services import book_in
from daftari.ledger.redaction import redact
from daftari.notifications.models import SmsMessage
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from daftari.stations.rules import Role, Scope, can_hand_over_for_removal
from tests.custody.conftest import ARRESTING_OFFICER, booking
from tests.custody.test_one_path import cells_draft
from tests.erasure_support import ORDER as ERASURE_ORDER
from tests.notifications.support import run_ready_jobs, sent_sms
from tests.occurrences.test_api import Api

REFUGEE_ID = "RID-KAK-24-000123"
ARREST = rules.ArrestDetails(place="Kakuma market", reason="Found without a movement pass outside the settlement")


def refugee_booking(**overrides: object) -> rules.Booking:
    fields: dict[str, object] = {
        "detainee": rules.DetaineeInput(name="Deng Garang", sex="M", id_number=REFUGEE_ID, age=31),
        "offences": (rules.OffenceInput(section="s.53 KCIA 2011", description="Unlawful presence outside area"),),
        "interpreter_language": "din",
        "immigration_only": True,
        "property_items": (),
    }
    fields.update(overrides)
    return booking(**fields)


# --- Rules ----------------------------------------------------------------------------------


def test_a_person_marked_asylum_seeker_without_an_interpreter_language_is_refused() -> None:
    _cleaned, errors = rules.clean_booking(
        booking(asylum_seeker_or_refugee=True, interpreter_language=""), now=timezone.now()
    )
    assert "interpreter_language" in errors


def test_a_refugee_register_document_as_identity_makes_the_interpreter_language_required() -> None:
    cleaned, errors = rules.clean_booking(booking(), now=timezone.now(), refugee_document=True)
    assert "interpreter_language" in errors
    assert cleaned.asylum_seeker_or_refugee is True


def test_a_person_neither_marked_nor_with_a_refugee_document_needs_no_interpreter_language() -> None:
    _cleaned, errors = rules.clean_booking(booking(), now=timezone.now())
    assert "interpreter_language" not in errors


def test_a_language_not_in_the_list_may_be_typed_in_words() -> None:
    cleaned, errors = rules.clean_booking(
        booking(asylum_seeker_or_refugee=True, interpreter_language="  Juba   Arabic "), now=timezone.now()
    )
    assert "interpreter_language" not in errors
    assert cleaned.interpreter_language == "Juba Arabic"


@pytest.mark.parametrize("typed", ["x1", "Somali; DROP", "<b>", "a" * 61])
def test_a_typed_language_that_is_not_a_name_in_letters_is_refused(typed: str) -> None:
    _cleaned, errors = rules.clean_booking(
        booking(asylum_seeker_or_refugee=True, interpreter_language=typed), now=timezone.now()
    )
    assert "interpreter_language" in errors


def test_a_person_held_only_on_an_immigration_matter_may_not_join_criminal_detainees() -> None:
    assert rules.separation_refusal(immigration_only=True, held_immigration_only=[True, False]) is not None


def test_a_criminal_detainee_may_not_join_a_person_held_only_on_an_immigration_matter() -> None:
    assert rules.separation_refusal(immigration_only=False, held_immigration_only=[True]) is not None


def test_an_empty_cell_or_one_holding_their_like_takes_either() -> None:
    assert rules.separation_refusal(immigration_only=True, held_immigration_only=[]) is None
    assert rules.separation_refusal(immigration_only=False, held_immigration_only=[]) is None
    assert rules.separation_refusal(immigration_only=True, held_immigration_only=[True]) is None
    assert rules.separation_refusal(immigration_only=False, held_immigration_only=[False, False]) is None


# --- Booking in -------------------------------------------------------------------------------


def test_booking_a_person_whose_identity_is_a_refugee_document_records_the_interpreter_language(
    desk_officer: User, station: Station
) -> None:
    record = book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST).record
    record.refresh_from_db()
    assert (record.asylum_seeker_or_refugee, record.interpreter_language, record.immigration_only) == (
        True,
        "din",
        True,
    )
    assert record.cells_entry is not None
    assert record.cells_entry.details["interpreter_language"] == "Dinka"


def test_a_refugee_document_booked_without_an_interpreter_language_is_refused_and_nothing_is_written(
    desk_officer: User, station: Station
) -> None:
    with pytest.raises(InvalidInput) as refused:
        book_in(
            actor=desk_officer,
            station=station,
            booking=refugee_booking(interpreter_language=""),
            arrest_details=ARREST,
        )
    assert "interpreter_language" in refused.value.fields
    assert not CustodyRecord.objects.exists()
    assert not Occurrence.objects.exists()


def test_an_immigration_only_detainee_put_with_criminal_detainees_is_refused_with_a_field_error(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    # The cheat: the male cell already holds a man booked on a theft charge.
    with pytest.raises(InvalidInput) as refused:
        book_in(actor=desk_officer, station=station, booking=refugee_booking(cell="male"), arrest_details=ARREST)
    assert "criminal" in refused.value.fields["cell"]
    assert list(CustodyRecord.objects.all()) == [detainee]


def test_a_criminal_detainee_put_with_an_immigration_only_detainee_is_refused(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST)
    with pytest.raises(InvalidInput) as refused:
        book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest)
    assert "immigration" in refused.value.fields["cell"]


def test_immigration_only_detainees_share_a_cell_with_each_other(desk_officer: User, station: Station) -> None:
    book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST)
    second = refugee_booking(
        detainee=rules.DetaineeInput(name="Achol Deng", sex="M", id_number="ASP-KAK-25-000044", age=24)
    )
    book_in(actor=desk_officer, station=station, booking=second, arrest_details=ARREST)
    held = CustodyState.objects.filter(current_cell="male", state=CustodyState.State.IN_CUSTODY)
    assert held.count() == 2


def test_once_the_criminal_detainees_have_left_the_cell_an_immigration_only_detainee_may_go_in(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    services.release(actor=desk_officer, custody=detainee, on="free")
    record = book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST).record
    assert record.cell == "male"


def test_moving_a_criminal_detainee_into_the_cell_of_an_immigration_only_detainee_is_refused(
    desk_officer: User, station: Station
) -> None:
    book_in(actor=desk_officer, station=station, booking=refugee_booking(cell="male"), arrest_details=ARREST)
    # Sex not stated: any adult cell would take them, but not the one holding the immigration-only man.
    person = rules.DetaineeInput(name="Kim Otieno", sex="X", id_number="34567890", age=30)
    criminal = book_in(
        actor=desk_officer, station=station, booking=booking(detainee=person, cell="female"), arrest_details=ARREST
    ).record
    with pytest.raises(InvalidInput) as refused:
        services.move_cell(actor=desk_officer, custody=criminal, to_cell="male")
    assert "immigration" in refused.value.fields["details.to_cell"]
    assert CustodyState.objects.get(custody=criminal).current_cell == "female"


# --- The desk's book-in page ---------------------------------------------------------------------


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Deng Garang",
        "sex": "M",
        "age": "31",
        "id_number": REFUGEE_ID,
        "arrested_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "arresting_officer": ARRESTING_OFFICER,
        "cell": "male",
        "offence_description": "Unlawful presence outside the settlement",
        "punishable_by": "unknown",
        "immigration_only": "on",
    }
    data.update(overrides)
    return data


def test_the_book_in_page_asks_for_the_interpreter_language_of_a_refugee_document_holder(
    desk_client: Client, arrest: Occurrence
) -> None:
    response = desk_client.post(f"/custody/book-in/{arrest.pk}", _form())
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_interpreter_language"' in page
    assert not CustodyRecord.objects.exists()


def test_a_typed_language_is_refused_on_the_field_it_was_typed_in(desk_client: Client, arrest: Occurrence) -> None:
    response = desk_client.post(
        f"/custody/book-in/{arrest.pk}", _form(interpreter_language="other", interpreter_language_other="B4ri!")
    )
    assert 'href="#id_interpreter_language_other"' in response.content.decode()


def test_the_book_in_page_books_in_with_a_typed_language_and_the_record_shows_it(
    desk_client: Client, arrest: Occurrence
) -> None:
    response = desk_client.post(
        f"/custody/book-in/{arrest.pk}", _form(interpreter_language="other", interpreter_language_other="Bari")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record = CustodyRecord.objects.get()
    page = desk_client.get(f"/custody/{record.pk}").content.decode()
    assert "Bari" in page and "held apart from criminal detainees" in page


# --- The same booking typed at New entry (a CELLS line) ----------------------------------------------


def test_a_cells_line_at_new_entry_for_a_refugee_document_holder_asks_for_the_interpreter_language(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    refugee = (PartyInput(role="suspect", name="Deng Garang", id_number=REFUGEE_ID, sex="M", age=31),)
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(
            actor=desk_officer, station=station, draft=cells_draft(arrest, parties=refugee, confirm_unusual=True)
        )
    assert "details.interpreter_language" in refused.value.fields
    details = {
        "cell": "male",
        "booked_in_at": timezone.now().isoformat(),
        "interpreter_language": "Somali",
        "immigration_only": True,
    }
    record_occurrence(
        actor=desk_officer,
        station=station,
        draft=cells_draft(arrest, parties=refugee, confirm_unusual=True, details=details),
    )
    record = CustodyRecord.objects.get()
    assert (record.asylum_seeker_or_refugee, record.interpreter_language, record.immigration_only) == (
        True,
        "Somali",
        True,
    )


# --- The Department of Refugee Services is told ------------------------------------------------------

KAKUMA_DRS = "+254722000111"
HEAD_OFFICE_DRS = "+254722000999"


@pytest.fixture
def drs_phones(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_DRS_PHONES = {"KAK": KAKUMA_DRS, "*": HEAD_OFFICE_DRS}
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"


def drs_messages() -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(template="custody_drs_arrest"))


def test_the_drs_phone_is_the_issuing_offices_else_the_one_for_any_office() -> None:
    phones = {"KAK": KAKUMA_DRS, "*": HEAD_OFFICE_DRS}
    assert rules.drs_phone(phones, "KAK") == KAKUMA_DRS
    assert rules.drs_phone(phones, "DAD") == HEAD_OFFICE_DRS
    assert rules.drs_phone(phones, None) == HEAD_OFFICE_DRS
    assert rules.drs_phone({}, "KAK") is None


def test_booking_a_refugee_document_holder_tells_the_drs_office_that_issued_it_by_the_worker(
    drs_phones: None, desk_officer: User, station: Station
) -> None:
    record = book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST).record
    [message] = drs_messages()
    assert message.to == KAKUMA_DRS and message.status == SmsMessage.Status.QUEUED
    assert run_ready_jobs() >= 1
    [sent] = [s for s in sent_sms() if s["to"] == KAKUMA_DRS]
    assert record.arrest.ob_number in sent["body"] and station.name in sent["body"]


def test_the_drs_message_names_neither_the_person_nor_their_document(
    drs_phones: None, desk_officer: User, station: Station
) -> None:
    book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST)
    [message] = drs_messages()
    for personal in ("Deng", "Garang", REFUGEE_ID, "RIDKAK", "Dinka"):
        assert personal not in message.body


def test_a_retried_booking_tells_the_drs_once(drs_phones: None, desk_officer: User, station: Station) -> None:
    client_id, typed = uuid.uuid4(), refugee_booking()
    for _ in range(2):
        book_in(actor=desk_officer, station=station, booking=typed, arrest_details=ARREST, client_id=client_id)
    assert len(drs_messages()) == 1


def test_an_asylum_seeker_without_a_register_document_is_reported_to_the_drs_office_for_any_case(
    drs_phones: None, desk_officer: User, station: Station
) -> None:
    person = rules.DetaineeInput(name="Abdi Noor", sex="M", id_number="", age=22)
    book_in(
        actor=desk_officer,
        station=station,
        booking=refugee_booking(detainee=person, asylum_seeker_or_refugee=True, interpreter_language="so"),
        arrest_details=ARREST,
    )
    assert [m.to for m in drs_messages()] == [HEAD_OFFICE_DRS]


def test_a_refused_booking_tells_the_drs_nothing(
    drs_phones: None, desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    with pytest.raises(InvalidInput):
        book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST)
    assert drs_messages() == []


def test_a_booking_of_someone_who_is_no_asylum_seeker_tells_the_drs_nothing(
    drs_phones: None, detainee: CustodyRecord
) -> None:
    assert drs_messages() == []


def test_with_no_drs_phone_configured_the_booking_is_made_all_the_same(
    settings, desk_officer: User, station: Station
) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_DRS_PHONES = {}
    book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST)
    assert CustodyRecord.objects.count() == 1 and drs_messages() == []


def test_the_drs_phones_are_read_from_the_environment_as_office_phone_pairs(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from daftari.settings import envmap

    monkeypatch.setenv("DAFTARI_DRS_PHONES", "kak=+254722000111, *=+254722000999,broken,DAD=")
    assert envmap("DAFTARI_DRS_PHONES") == {"KAK": "+254722000111", "*": "+254722000999"}


def test_the_record_page_says_the_drs_was_told(
    drs_phones: None, desk_officer: User, desk_client: Client, station: Station
) -> None:
    record = book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST).record
    page = desk_client.get(f"/custody/{record.pk}").content.decode()
    assert "Told by SMS (queued)" in page


# --- Removal from Kenya: Refugees Act 2021, s.18 (non-refoulement) -----------------------------------

IMMIGRATION = "Inspector Wafula, Immigration Department, Lodwar"
ORDER = "Removal order MIN/IMM/2026/0417"


def test_a_desk_officer_recording_a_handover_for_removal_is_refused_and_nothing_is_written(
    desk_officer: User, station: Station
) -> None:
    # The cheat: the desk officer who holds the cells hands the person over for removal without the OCS.
    record = book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST).record
    lines = Occurrence.objects.count()
    with pytest.raises(NotPermitted) as refused:
        services.hand_over_for_removal(actor=desk_officer, custody=record, received_by=IMMIGRATION, authority=ORDER)
    assert "OCS" in str(refused.value.message)
    assert CustodyState.objects.get(custody=record).state == CustodyState.State.IN_CUSTODY
    assert not CustodyEvent.objects.filter(custody=record).exists()
    assert Occurrence.objects.count() == lines


def test_the_desk_cannot_record_a_removal_through_the_generic_event_either(
    desk_officer: User, detainee: CustodyRecord
) -> None:
    details = {"received_by": IMMIGRATION, "authority": ORDER}
    with pytest.raises(NotPermitted):
        services.record_event(actor=desk_officer, custody=detainee, kind="handed_for_removal", details=details)


def test_only_the_ocs_of_the_station_holding_the_person_may_hand_them_over_for_removal() -> None:
    ocs = Scope(roles=frozenset({Role.OCS}), station_code="CENTRAL-NBI", county_code=47)
    desk = Scope(roles=frozenset({Role.DESK}), station_code="CENTRAL-NBI", county_code=47)
    commander = Scope(roles=frozenset({Role.COMMANDER}), station_code="CENTRAL-NBI", county_code=47)
    assert can_hand_over_for_removal(ocs, station_code="CENTRAL-NBI")
    assert not can_hand_over_for_removal(ocs, station_code="KISUMU-CTL")
    assert not can_hand_over_for_removal(desk, station_code="CENTRAL-NBI")
    assert not can_hand_over_for_removal(commander, station_code="CENTRAL-NBI")


def test_a_handover_for_removal_names_who_received_the_person_and_on_what_authority() -> None:
    _cleaned, errors = rules.clean_event("handed_for_removal", {})
    assert {"details.received_by", "details.authority"} <= set(errors)


def test_the_ocs_hands_a_person_over_for_removal_which_ends_police_custody_with_its_ob_line(
    desk_officer: User, ocs: User, station: Station
) -> None:
    record = book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST).record
    event = services.hand_over_for_removal(actor=ocs, custody=record, received_by=IMMIGRATION, authority=ORDER).event
    state = CustodyState.objects.get(custody=record)
    assert state.state == CustodyState.State.HANDED_OVER and state.brought_within_deadline is True
    assert event.entry is not None and event.entry.entry_type == "COURT_PRODUCTION"
    assert "removal from Kenya" in event.entry.narrative and IMMIGRATION in event.entry.details["destination"]


def test_the_record_page_shows_the_non_refoulement_rule_and_who_may_record_a_removal(
    desk_client: Client, detainee: CustodyRecord
) -> None:
    page = desk_client.get(f"/custody/{detainee.pk}").content.decode()
    assert "s.18" in page and "non-refoulement" in page and "Only the OCS" in page


def test_the_desk_form_refuses_a_removal_by_a_desk_officer_with_the_reason(
    desk_client: Client, detainee: CustodyRecord
) -> None:
    response = desk_client.post(
        f"/custody/{detainee.pk}/events",
        {"kind": "handed_for_removal", "received_by": IMMIGRATION, "authority": ORDER},
    )
    assert response.status_code == 403
    assert "Only the OCS" in response.content.decode()
    assert CustodyState.objects.get(custody=detainee).state == CustodyState.State.IN_CUSTODY


def test_the_ocs_records_a_removal_on_the_desk_form(client: Client, ocs: User, detainee: CustodyRecord) -> None:
    client.force_login(ocs)
    response = client.post(
        f"/custody/{detainee.pk}/events",
        {"kind": "handed_for_removal", "received_by": IMMIGRATION, "authority": ORDER},
    )
    assert response.status_code == 302
    assert CustodyState.objects.get(custody=detainee).state == CustodyState.State.HANDED_OVER


def test_the_api_refuses_a_removal_from_the_desk_with_403_and_takes_it_from_the_ocs(
    client: Client, desk_officer: User, ocs: User, detainee: CustodyRecord
) -> None:
    body = {"kind": "handed_for_removal", "details": {"received_by": IMMIGRATION, "authority": ORDER}}
    refused = Api(client, desk_officer).post(f"/custody/{detainee.pk}/events", body)
    assert refused.status_code == 403
    taken = Api(Client(), ocs).post(f"/custody/{detainee.pk}/events", body)
    assert taken.status_code == 201 and taken.json()["state"] == "handed_over"


def test_erasing_a_refugees_booking_blanks_the_interpreter_language_and_the_drs_message(
    drs_phones: None, desk_officer: User, admin_officer: User, station: Station
) -> None:
    record = book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST).record
    redact(actor=admin_officer, record_id=str(record.pk), authority=ERASURE_ORDER)
    record.refresh_from_db()
    assert record.interpreter_language == "[redacted]"
    assert (record.asylum_seeker_or_refugee, record.immigration_only) == (True, True)
    assert [m.body for m in drs_messages()] == ["[redacted]"]


def test_the_cells_board_marks_the_cell_of_a_person_held_only_on_an_immigration_matter(
    desk_officer: User, desk_client: Client, station: Station
) -> None:
    book_in(actor=desk_officer, station=station, booking=refugee_booking(), arrest_details=ARREST)
    assert "Immigration matter only" in desk_client.get("/custody").content.decode()
