import hashlib
import json
from dataclasses import replace
from datetime import date, timedelta

from django.utils import timezone

from daftari.occurrences import rules
from daftari.occurrences.entry_types import BY_CODE, CODES
from daftari.occurrences.rules import EntryDraft, PartyInput, VehicleInput
from tests.conftest import at_nairobi, complaint


def test_the_ob_number_reads_entry_day_month_year() -> None:
    assert rules.format_ob_number(136, date(2025, 6, 7)) == "OB 136/7/6/2025"


def test_an_ob_number_is_read_back_however_the_officer_types_it() -> None:
    for typed in ("OB 136/7/6/2025", "ob136/07/06/2025", "136/7/6/2025", " OB 136 / 7 / 6 / 2025 "):
        assert rules.parse_ob_number(typed) == (136, date(2025, 6, 7))


def test_text_that_is_not_an_ob_number_is_not_read_as_one() -> None:
    for typed in ("", "OB 1/32/1/2026", "OB 1/1/13/2026", "Wanjiku", "OB 1/1/2026"):
        assert rules.parse_ob_number(typed) is None


def test_the_ob_day_turns_at_midnight_in_nairobi_not_utc() -> None:
    assert rules.ob_date_of(at_nairobi(2026, 11, 29, 23, 59)) == date(2026, 11, 29)
    assert rules.ob_date_of(at_nairobi(2026, 11, 30, 0, 1)) == date(2026, 11, 30)


def test_the_register_has_all_26_entry_types_of_the_research() -> None:
    assert len(CODES) == 26
    assert {"COMPLAINT", "ARREST", "CELLS", "LOST_DOC", "SUDDEN_DEATH", "AMENDMENT", "DAILY_CLOSE"} <= set(CODES)


def test_a_complaint_without_a_complainant_is_refused() -> None:
    _, errors = rules.clean_entry(complaint(parties=()), now=timezone.now())
    assert "parties" in errors


def test_an_occurrence_in_the_future_is_refused() -> None:
    now = timezone.now()
    _, errors = rules.clean_entry(complaint(occurred_at=now + timedelta(hours=2)), now=now)
    assert "occurred_at" in errors


def test_an_arrest_needs_its_time_and_arresting_officer() -> None:
    draft = EntryDraft(
        entry_type="ARREST",
        occurred_at=timezone.now(),
        place="Tom Mboya Street",
        narrative="Suspect arrested for handling stolen goods.",
        parties=(PartyInput(role="suspect", name="John Otieno"),),
        details={"reason_for_arrest": "Handling stolen property"},
    )
    _, errors = rules.clean_entry(draft, now=timezone.now())
    assert set(errors) == {"details.arrested_at", "details.arresting_officer"}


def test_a_detail_field_the_type_does_not_have_is_refused() -> None:
    _, errors = rules.clean_entry(complaint(details={"cell": "male"}), now=timezone.now())
    assert errors == {"details.cell": "COMPLAINT entries have no field 'cell'."}


def test_a_choice_outside_the_list_is_refused() -> None:
    draft = EntryDraft(
        entry_type="LOST_DOC",
        occurred_at=timezone.now(),
        place="Kencom",
        narrative="Lost ID card.",
        parties=(PartyInput(role="complainant", name="Achieng Odhiambo"),),
        details={"document_kind": "spaceship"},
    )
    _, errors = rules.clean_entry(draft, now=timezone.now())
    assert "details.document_kind" in errors


def test_phone_numbers_are_kept_in_international_form() -> None:
    assert rules.normalise_phone("0712 345 678") == "+254712345678"
    assert rules.normalise_phone("+254 112 345 678") == "+254112345678"
    assert rules.normalise_phone("12") is None


def test_an_invalid_phone_is_a_field_error_on_that_party() -> None:
    draft = complaint(parties=(PartyInput(role="complainant", name="Wanjiku", phone="0712"),))
    _, errors = rules.clean_entry(draft, now=timezone.now())
    assert "parties.0.phone" in errors


def test_kenyan_plates_are_recognised_and_an_odd_one_is_recorded_only_once_the_desk_confirms_it() -> None:
    assert rules.plate_is_usual(rules.normalise_plate("kcr 442x"))
    assert rules.plate_is_usual(rules.normalise_plate("GKA 123A"))
    assert rules.plate_is_usual(rules.normalise_plate("22 CG 123A"))
    assert not rules.plate_is_usual(rules.normalise_plate("KIO 123O"))
    odd = complaint(vehicles=(VehicleInput(plate="hello"),))
    _cleaned, errors = rules.clean_entry(odd, now=timezone.now())
    assert "not a Kenyan number plate" in errors["vehicles.0.plate"]
    confirmed = EntryDraft(**{**odd.__dict__, "confirm_unusual": True})
    cleaned, errors = rules.clean_entry(confirmed, now=timezone.now())
    assert not errors and cleaned.vehicles[0].plate == "HELLO"


def test_an_id_number_with_signs_in_it_is_refused_even_when_confirmed() -> None:
    for confirmed in (False, True):
        draft = complaint(parties=(PartyInput(role="complainant", name="Wanjiku", id_number="abc!!"),))
        draft = EntryDraft(**{**draft.__dict__, "confirm_unusual": confirmed})
        _cleaned, errors = rules.clean_entry(draft, now=timezone.now())
        assert errors["parties.0.id_number"] == "Enter the ID or passport number in letters and digits only."


def test_an_id_number_of_no_known_format_needs_the_desks_confirmation() -> None:
    draft = complaint(parties=(PartyInput(role="complainant", name="Jean Mugisha", id_number="P 12 345 67 CD"),))
    _cleaned, errors = rules.clean_entry(draft, now=timezone.now())
    assert "not a Kenyan ID number" in errors["parties.0.id_number"]
    confirmed = EntryDraft(**{**draft.__dict__, "confirm_unusual": True})
    cleaned, errors = rules.clean_entry(confirmed, now=timezone.now())
    assert not errors and cleaned.parties[0].id_number == "P1234567CD"


def test_a_name_of_emoji_alone_names_nobody_but_any_script_does() -> None:
    for name, refused in (("😀😀", True), ("123", True), ("Wanjiku Kamau", False), ("محمد علي", False)):
        draft = complaint(parties=(PartyInput(role="complainant", name=name, phone="0712345678"),))
        _cleaned, errors = rules.clean_entry(draft, now=timezone.now())
        assert ("parties.0.name" in errors) is refused, name


def test_a_date_of_what_already_happened_cannot_be_in_the_future_but_a_date_to_report_back_can() -> None:
    next_year = (timezone.now() + timedelta(days=400)).date().isoformat()
    lost = complaint(entry_type="LOST_DOC", details={"document_kind": "national_id", "lost_on": next_year})
    _cleaned, errors = rules.clean_entry(lost, now=timezone.now())
    assert errors["details.lost_on"] == "Date lost must be in the past"
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    lost = complaint(entry_type="LOST_DOC", details={"document_kind": "national_id", "lost_on": yesterday})
    assert "details.lost_on" not in rules.clean_entry(lost, now=timezone.now())[1]
    assert any(f.name == "return_on" and f.ahead for spec in BY_CODE.values() for f in spec.fields)


def test_every_problem_of_an_entry_is_named_at_once() -> None:
    draft = complaint(
        parties=(PartyInput(role="complainant", name="😀", id_number="abc!!", phone="12"),),
        vehicles=(VehicleInput(plate="hello"),),
    )
    _cleaned, errors = rules.clean_entry(draft, now=timezone.now())
    assert {"parties.0.name", "parties.0.id_number", "parties.0.phone", "vehicles.0.plate"} <= set(errors)


def test_national_id_and_maisha_namba_formats_are_usual() -> None:
    assert rules.id_number_is_usual("1234567")
    assert rules.id_number_is_usual("12345678")
    assert rules.id_number_is_usual("12345678901234")
    assert rules.id_number_is_usual("AK1234567")
    assert not rules.id_number_is_usual("12-AB")


def test_an_entry_recorded_more_than_a_day_after_it_happened_is_late() -> None:
    assert rules.is_late(
        occurred_at=at_nairobi(2026, 11, 1, 8), recorded_at=at_nairobi(2026, 11, 2, 9), late_after_hours=24
    )
    assert not rules.is_late(
        occurred_at=at_nairobi(2026, 11, 1, 8), recorded_at=at_nairobi(2026, 11, 2, 7), late_after_hours=24
    )


def test_the_same_draft_always_has_the_same_content_hash_and_any_change_alters_it() -> None:
    moment = at_nairobi(2026, 11, 29, 8, 15)
    assert rules.content_hash(complaint(occurred_at=moment)) == rules.content_hash(complaint(occurred_at=moment))
    assert rules.content_hash(complaint(occurred_at=moment)) != rules.content_hash(
        complaint(occurred_at=moment, place="Moi Avenue")
    )


def test_a_drafts_content_hash_is_the_sha256_of_its_canonical_json_as_stored_entries_were_hashed() -> None:
    # A retry of a create is matched by this hash against entries stored long ago: its form is fixed.
    draft = EntryDraft(
        entry_type="THEFT",
        occurred_at=at_nairobi(2026, 11, 29, 8, 15),
        place="Moi Avenue",
        narrative="Phone snatched near the fountain.",
        details={"weapon": "none", "items": ["phone", "wallet"], "value": 15000, "seen": {"by": ["guard"]}},
        parties=(
            PartyInput(
                role="complainant", name="Achieng Otieno", id_number="12345678", sex="F", date_of_birth=date(1990, 5, 1)
            ),
            PartyInput(role="suspect", name="Unknown", age=25),
        ),
        offences=(rules.OffenceInput(section="s.268 PC", description="stealing"),),
        property_items=(rules.PropertyInput(description="Tecno phone", serial_number="35", value_kes=15000),),
        vehicles=(VehicleInput(plate="KDA 123A", make_model="Toyota Probox", colour="white"),),
        lat=-1.2833,
        lon=36.8167,
        late=True,
        late_reason="Reported two days later",
        confirm_unusual=True,
        sms_language="sw",
    )
    person = {"sex": "", "date_of_birth": None, "age": None, "id_number": "", "phone": ""}
    canonical = {
        "entry_type": "THEFT",
        "occurred_at": "2026-11-29T08:15:00+03:00",
        "place": "Moi Avenue",
        "narrative": "Phone snatched near the fountain.",
        "details": {"weapon": "none", "items": ["phone", "wallet"], "value": 15000, "seen": {"by": ["guard"]}},
        "parties": [
            {
                **person,
                "role": "complainant",
                "name": "Achieng Otieno",
                "id_number": "12345678",
                "sex": "F",
                "date_of_birth": "1990-05-01",
            },
            {**person, "role": "suspect", "name": "Unknown", "age": 25},
        ],
        "offences": [{"section": "s.268 PC", "description": "stealing"}],
        "property_items": [{"description": "Tecno phone", "serial_number": "35", "quantity": 1, "value_kes": 15000}],
        "vehicles": [{"plate": "KDA 123A", "make_model": "Toyota Probox", "colour": "white"}],
        "lat": -1.2833,
        "lon": 36.8167,
        "refers_to": None,
        "late": True,
        "late_reason": "Reported two days later",
        "confirm_unusual": True,
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    assert rules.content_hash(draft) == hashlib.sha256(text.encode()).hexdigest()
    # On time and unconfirmed, an entry hashes without those fields, as before they existed.
    on_time = replace(draft, late=False, late_reason="", confirm_unusual=False)
    older = {k: v for k, v in canonical.items() if k not in ("late", "late_reason", "confirm_unusual")}
    text = json.dumps(older, sort_keys=True, separators=(",", ":"))
    assert rules.content_hash(on_time) == hashlib.sha256(text.encode()).hexdigest()


def test_a_correction_may_only_change_fields_the_entry_has() -> None:
    cleaned, errors = rules.clean_changes(BY_CODE["COMPLAINT"], {"narrative": "New text", "cell": "x"}, "typo")
    assert cleaned == {"narrative": "New text"}
    assert "changes.cell" in errors


def test_a_correction_needs_a_reason() -> None:
    _, errors = rules.clean_changes(BY_CODE["COMPLAINT"], {"narrative": "New text"}, "  ")
    assert "reason" in errors


def test_corrections_apply_in_the_order_they_were_recorded() -> None:
    original = {"place": "Moi Avenue", "narrative": "phone"}
    assert rules.as_corrected(original, [{"place": "Kenyatta Avenue"}, {"place": "Koinange Street"}]) == {
        "place": "Koinange Street",
        "narrative": "phone",
    }


# --- Typed times: one rule for the book, the cell register and the fines ----------------------

NOW = at_nairobi(2026, 11, 29, 14, 32)


def test_a_typed_time_a_few_minutes_ahead_of_the_server_is_a_fast_clock_not_the_future() -> None:
    assert rules.typed_time_problem(NOW + timedelta(minutes=9), recorded_at=NOW) is None
    assert rules.typed_time_problem(NOW + timedelta(minutes=11), recorded_at=NOW) == "This time is in the future."


def test_a_future_time_is_refused_whatever_the_late_reason() -> None:
    problem = rules.typed_time_problem(NOW + timedelta(days=1), recorded_at=NOW, late_reason="Typed ahead")
    assert problem == "This time is in the future."


def test_a_time_without_its_utc_offset_is_refused() -> None:
    problem = rules.typed_time_problem(NOW.replace(tzinfo=None), recorded_at=NOW)
    assert problem is not None and "UTC offset" in problem


def test_a_time_before_the_record_it_belongs_to_needs_a_late_reason() -> None:
    before = NOW - timedelta(minutes=30)
    assert "Recorded late" in str(rules.typed_time_problem(before, recorded_at=NOW, not_before=NOW))
    assert rules.typed_time_problem(before, recorded_at=NOW, not_before=NOW, late_reason="At court") is None


def test_a_time_older_than_the_window_needs_a_late_reason_and_names_the_window() -> None:
    old = NOW - timedelta(hours=5)
    problem = rules.typed_time_problem(old, recorded_at=NOW, late_after=timedelta(hours=1))
    assert problem is not None and "more than 1 hour before" in problem
    assert rules.typed_time_problem(old, recorded_at=NOW, late_after=timedelta(hours=24)) is None
    assert rules.typed_time_problem(old, recorded_at=NOW, late_after=timedelta(hours=1), late_reason="x") is None


def test_the_late_flag_needs_its_reason_and_the_reason_has_a_limit() -> None:
    assert rules.late_flag_problems(late=True, late_reason="  ") == {"late_reason": "Say why this is recorded late."}
    assert rules.late_flag_problems(late=True, late_reason="At court") == {}
    assert rules.late_flag_problems(late=False, late_reason="") == {}
    assert set(rules.late_flag_problems(late=True, late_reason="x" * 501)) == {"late_reason"}


def test_an_entry_more_than_a_day_old_needs_the_late_flag_and_its_reason_is_kept() -> None:
    old = complaint(occurred_at=NOW - timedelta(days=2))
    _, errors = rules.clean_entry(old, now=NOW, late_after=timedelta(hours=24))
    assert set(errors) == {"occurred_at"}
    cleaned, errors = rules.clean_entry(
        complaint(occurred_at=NOW - timedelta(days=2), late=True, late_reason="  Reported   on return "),
        now=NOW,
        late_after=timedelta(hours=24),
    )
    assert errors == {} and (cleaned.late, cleaned.late_reason) == (True, "Reported on return")


def test_a_restricted_entry_outside_its_circle_shows_only_that_it_exists_even_to_those_who_see_personal_data() -> None:
    assert rules.access_to_entry(sees_personal_data=True, restricted=True, in_circle=False) == rules.Access.RESTRICTED
    assert rules.access_to_entry(sees_personal_data=False, restricted=True, in_circle=False) == rules.Access.RESTRICTED
    assert rules.access_to_entry(sees_personal_data=True, restricted=True, in_circle=True) == rules.Access.FULL
    assert rules.access_to_entry(sees_personal_data=False, restricted=False, in_circle=False) == rules.Access.FIGURES


def test_figures_only_readers_lose_the_narrative_the_place_and_the_free_text_fields() -> None:
    hidden = rules.free_text_fields(BY_CODE["ARREST"])
    assert {"narrative", "place", "reason_for_arrest", "arresting_officer"} <= hidden
    assert "arrested_at" not in hidden


# --- When a case is overdue ---------------------------------------------------------------


def test_an_assigned_case_is_overdue_a_week_after_its_assignment_with_no_step_recorded() -> None:
    assigned_at = at_nairobi(2026, 12, 1, 9, 0)
    assert rules.case_review_due("assigned", assigned_at) == at_nairobi(2026, 12, 8, 9, 0)
    assert not rules.case_is_overdue("assigned", assigned_at, at_nairobi(2026, 12, 8, 9, 0))
    assert rules.case_is_overdue("assigned", assigned_at, at_nairobi(2026, 12, 8, 9, 1))


def test_a_case_under_investigation_has_a_fortnight_and_a_file_with_the_odpp_a_month() -> None:
    updated = at_nairobi(2026, 11, 1, 12, 0)
    assert rules.case_review_due("under_investigation", updated) == at_nairobi(2026, 11, 15, 12, 0)
    assert rules.case_review_due("suspect_arrested", updated) == at_nairobi(2026, 11, 15, 12, 0)
    assert rules.case_review_due("file_to_odpp", updated) == at_nairobi(2026, 12, 1, 12, 0)
    assert rules.case_review_due("in_court", updated) == at_nairobi(2026, 12, 1, 12, 0)


def test_a_closed_case_is_never_overdue() -> None:
    long_ago = at_nairobi(2020, 1, 1, 0, 0)
    assert rules.case_review_due("closed", long_ago) is None
    assert not rules.case_is_overdue("closed", long_ago, at_nairobi(2026, 12, 1, 0, 0))


def test_every_open_case_status_has_a_review_interval() -> None:
    from daftari.occurrences.models import CaseStatusChoice

    open_statuses = {value for value in CaseStatusChoice.values if value != "closed"}
    assert set(rules.CASE_REVIEW_DAYS) == open_statuses
