"""The book and the cells are one story: into the cells and out of them writes both the OB line
and the cell register, once, whichever screen it starts from."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.core.errors import DuplicateWithDifferentContent, InvalidInput, NotPermitted
from daftari.custody import services
from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState
from daftari.ledger.models import Leaf
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import EntryDraft, OffenceInput, PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.custody.conftest import HELD_ELSEWHERE, arrest_draft, booking
from tests.occurrences.test_api import Api


def cells_draft(arrest: Occurrence, **overrides: object) -> EntryDraft:
    now = timezone.now()
    fields: dict[str, object] = {
        "entry_type": "CELLS",
        "occurred_at": now - timedelta(minutes=5),
        "place": "Report office",
        "narrative": "Suspect booked into the male cell. Belt and shoelaces taken.",
        "details": {"cell": "male", "booked_in_at": (now - timedelta(minutes=5)).isoformat()},
        "parties": (PartyInput(role="suspect", name="Otieno Ouma", id_number="23456789", sex="M", age=27),),
        "offences": (OffenceInput(section="s.268 Penal Code", description="Stealing"),),
        "refers_to": str(arrest.pk),
    }
    fields.update(overrides)
    return EntryDraft(**fields)  # type: ignore[arg-type]


def release_draft(earlier: Occurrence, **overrides: object) -> EntryDraft:
    fields: dict[str, object] = {
        "entry_type": "RELEASE_BAIL",
        "occurred_at": timezone.now(),
        "place": "Report office",
        "narrative": "Released on police bond to appear at Milimani on Monday.",
        "details": {"release_kind": "police_bond"},
        "parties": (PartyInput(role="suspect", name="Otieno Ouma"),),
        "refers_to": str(earlier.pk),
    }
    fields.update(overrides)
    return EntryDraft(**fields)  # type: ignore[arg-type]


# --- Into the cells from New entry --------------------------------------------------------------


def test_a_cell_register_entry_made_at_new_entry_books_the_person_in_with_the_art_49_clock(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    leaves = Leaf.objects.count()
    entry = record_occurrence(actor=desk_officer, station=station, draft=cells_draft(arrest)).entry
    record = CustodyRecord.objects.get()
    assert record.cells_entry == entry and record.arrest == arrest
    assert (record.detainee_name, record.detainee_id_number, record.cell) == ("Otieno Ouma", "23456789", "male")
    # The clock runs from the arrest the ARREST entry records, not from the line.
    assert record.arrested_at == services._arrested_at(arrest)
    assert record.court_deadline > record.arrested_at + timedelta(hours=23)
    assert record.arresting_officer == "SN2001"
    assert CustodyState.objects.get(custody=record).state == "in_custody"
    # The line and the booking, each a leaf of the station's book.
    assert Leaf.objects.count() == leaves + 2


def test_a_retried_cell_register_entry_creates_neither_twice(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    ident, draft = uuid.uuid4(), cells_draft(arrest)
    first = record_occurrence(actor=desk_officer, station=station, draft=draft, client_id=ident)
    again = record_occurrence(actor=desk_officer, station=station, draft=draft, client_id=ident)
    assert (first.created, again.created) == (True, False)
    assert again.entry.pk == first.entry.pk == ident
    assert CustodyRecord.objects.count() == 1
    assert Occurrence.objects.filter(entry_type="CELLS").count() == 1
    changed = cells_draft(arrest, narrative="Someone else entirely.")
    with pytest.raises(DuplicateWithDifferentContent):
        record_occurrence(actor=desk_officer, station=station, draft=changed, client_id=ident)


def test_a_second_cell_register_entry_for_a_person_already_held_is_refused(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    record_occurrence(actor=desk_officer, station=station, draft=cells_draft(arrest))
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(actor=desk_officer, station=station, draft=cells_draft(arrest))
    assert "already in the cells" in refused.value.fields["refers_to"]
    assert CustodyRecord.objects.count() == 1
    assert Occurrence.objects.filter(entry_type="CELLS").count() == 1


def test_a_cell_register_entry_needs_the_arrest_it_follows(desk_officer: User, station: Station) -> None:
    complaint = record_occurrence(
        actor=desk_officer,
        station=station,
        draft=EntryDraft(
            entry_type="COMPLAINT",
            occurred_at=timezone.now() - timedelta(hours=1),
            place="Kencom",
            narrative="Phone snatched.",
            parties=(PartyInput(role="complainant", name="Wanjiku Kamau", phone="0712345678"),),
        ),
    ).entry
    for refers_to in (None, str(complaint.pk)):
        with pytest.raises(InvalidInput) as refused:
            record_occurrence(
                actor=desk_officer,
                station=station,
                draft=cells_draft(complaint, refers_to=refers_to),
            )
        assert "ARREST entry" in refused.value.fields["refers_to"]
    assert not CustodyRecord.objects.exists()
    assert not Occurrence.objects.filter(entry_type="CELLS").exists()


def test_the_cell_register_rules_answer_on_the_lines_fields_all_at_once(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    child = (PartyInput(role="suspect", name="Brian Kip", sex="M", age=15),)
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(
            actor=desk_officer,
            station=station,
            draft=cells_draft(arrest, parties=child, place=""),
        )
    fields = refused.value.fields
    assert "juvenile" in fields["details.cell"]
    assert "place" in fields
    assert not CustodyRecord.objects.exists() and not Occurrence.objects.filter(entry_type="CELLS").exists()


def test_an_arrest_days_ago_goes_into_the_cells_from_new_entry_only_flagged_late(
    desk_officer: User, station: Station
) -> None:
    old = record_occurrence(
        actor=desk_officer,
        station=station,
        draft=EntryDraft(
            **{
                **arrest_draft(timezone.now() - timedelta(days=3)).__dict__,
                "late": True,
                "late_reason": HELD_ELSEWHERE,
            }
        ),
    ).entry
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(actor=desk_officer, station=station, draft=cells_draft(old))
    assert "Recorded late" in refused.value.fields["late_reason"]
    entry = record_occurrence(
        actor=desk_officer, station=station, draft=cells_draft(old, late=True, late_reason=HELD_ELSEWHERE)
    ).entry
    record = CustodyRecord.objects.get(cells_entry=entry)
    assert (record.late, record.late_reason) == (True, HELD_ELSEWHERE)


def test_an_officer_who_does_not_hold_the_cells_cannot_book_in_through_new_entry(
    traffic_officer: User, station: Station, arrest: Occurrence
) -> None:
    with pytest.raises(NotPermitted):
        record_occurrence(actor=traffic_officer, station=station, draft=cells_draft(arrest))
    assert not CustodyRecord.objects.exists()


# --- Into the cells from the custody screens --------------------------------------------------


def test_booking_into_cells_from_an_arrest_adds_the_ob_line(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    record = services.book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest).record
    line = record.cells_entry
    assert line is not None
    assert (line.entry_type, line.refers_to, line.station) == ("CELLS", arrest, station)
    assert line.ob_number != arrest.ob_number
    assert line.details["cell"] == "male"
    assert [(p.role, p.name) for p in line.parties.all()] == [("suspect", "Otieno Ouma")]
    assert "Art. 49" in line.narrative


def test_a_retried_booking_from_the_custody_screen_adds_one_line(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    ident, typed = uuid.uuid4(), booking()
    services.book_in(actor=desk_officer, station=station, booking=typed, arrest=arrest, client_id=ident)
    again = services.book_in(actor=desk_officer, station=station, booking=typed, arrest=arrest, client_id=ident)
    assert again.created is False
    assert Occurrence.objects.filter(entry_type="CELLS").count() == 1


# --- Out of the cells -------------------------------------------------------------------------


def test_releasing_from_custody_adds_the_release_line(desk_officer: User, detainee: CustodyRecord) -> None:
    event = services.release(
        actor=desk_officer, custody=detainee, on="cash_bail", amount_kes=10000, receipt_number="CB-0457"
    ).event
    line = event.entry
    assert line is not None
    assert (line.entry_type, line.refers_to_id) == ("RELEASE_BAIL", detainee.cells_entry_id)
    assert line.details == {"release_kind": "cash_bail", "bail_amount_kes": 10000, "receipt_number": "CB-0457"}


def test_taking_to_court_adds_the_escort_line(desk_officer: User, detainee: CustodyRecord) -> None:
    event = services.take_to_court(actor=desk_officer, custody=detainee, court="Milimani", outcome="remanded").event
    assert event.entry is not None
    assert (event.entry.entry_type, event.entry.details) == (
        "COURT_PRODUCTION",
        {"destination": "Milimani", "outcome": "remanded"},
    )


def test_a_release_made_at_new_entry_records_the_custody_release_and_stops_the_clock(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    assert detainee.cells_entry is not None
    ident = uuid.uuid4()
    draft = release_draft(detainee.cells_entry)
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft, client_id=ident).entry
    event = CustodyEvent.objects.get(custody=detainee, kind="release")
    assert event.entry == entry and event.details == {"release_on": "police_bond"}
    state = CustodyState.objects.get(custody=detainee)
    assert state.state == "released" and state.brought_within_deadline is True
    again = record_occurrence(actor=desk_officer, station=station, draft=draft, client_id=ident)
    assert again.created is False and again.entry == entry
    assert CustodyEvent.objects.filter(kind="release").count() == 1
    assert Occurrence.objects.filter(entry_type="RELEASE_BAIL").count() == 1


def test_a_release_line_following_the_arrest_finds_the_booking_too(
    desk_officer: User, station: Station, detainee: CustodyRecord, arrest: Occurrence
) -> None:
    record_occurrence(actor=desk_officer, station=station, draft=release_draft(arrest))
    assert CustodyState.objects.get(custody=detainee).state == "released"


def test_a_second_release_of_someone_already_released_is_refused(
    desk_officer: User, station: Station, detainee: CustodyRecord, arrest: Occurrence
) -> None:
    services.release(actor=desk_officer, custody=detainee, on="free")
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(actor=desk_officer, station=station, draft=release_draft(arrest))
    assert "no longer in the cells" in refused.value.fields["refers_to"]
    assert Occurrence.objects.filter(entry_type="RELEASE_BAIL").count() == 1


def test_a_release_at_new_entry_keeps_the_custody_late_rule(
    desk_officer: User, station: Station, detainee: CustodyRecord, arrest: Occurrence
) -> None:
    # The book allows a day's grace; the Art. 49 clock allows an hour, and an event before the booking never.
    typed = release_draft(arrest, occurred_at=timezone.now() - timedelta(minutes=50))
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(actor=desk_officer, station=station, draft=typed)
    assert "before the record it belongs to was made" in refused.value.fields["occurred_at"]
    assert CustodyState.objects.get(custody=detainee).state == "in_custody"
    assert not Occurrence.objects.filter(entry_type="RELEASE_BAIL").exists()


def test_cash_bail_at_new_entry_needs_the_amount_and_receipt_like_the_custody_screen(
    desk_officer: User, station: Station, detainee: CustodyRecord, arrest: Occurrence
) -> None:
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(
            actor=desk_officer, station=station, draft=release_draft(arrest, details={"release_kind": "cash_bail"})
        )
    assert {"details.bail_amount_kes", "details.receipt_number"} <= set(refused.value.fields)


def test_a_release_from_an_arrest_never_in_the_cells_is_only_the_line(desk_officer: User, station: Station) -> None:
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    entry = record_occurrence(actor=desk_officer, station=station, draft=release_draft(arrest)).entry
    assert entry.entry_type == "RELEASE_BAIL" and not CustodyEvent.objects.exists()


# --- The desk form and the API ------------------------------------------------------------------


def test_the_new_entry_form_books_into_the_cells(desk_client: Client, arrest: Occurrence) -> None:
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data = {
        "client_id": str(uuid.uuid4()),
        "entry_type": "CELLS",
        "occurred_at": now,
        "place": "Report office",
        "narrative": "Booked into the male cell.",
        "refers_to": arrest.ob_number,
        "details-cell": "male",
        "details-booked_in_at": now,
        "parties-0-role": "suspect",
        "parties-0-name": "Otieno Ouma",
        "parties-0-sex": "M",
        "parties-0-age": "27",
        "offences-0-description": "Stealing",
    }
    response = desk_client.post("/entries/new", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = CustodyRecord.objects.get()
    assert response["Location"] == f"/entries/{record.cells_entry_id}"
    board = desk_client.get("/custody").content.decode()
    assert "Otieno Ouma" in board and "More than 12 hours left" in board
    # Posted again (a double click, a retry): still one booking and one line.
    assert desk_client.post("/entries/new", data).status_code == 302
    assert CustodyRecord.objects.count() == 1 and Occurrence.objects.filter(entry_type="CELLS").count() == 1


def test_the_new_entry_form_places_the_cell_registers_refusal_beside_the_cell(
    desk_client: Client, arrest: Occurrence
) -> None:
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data = {
        "entry_type": "CELLS",
        "occurred_at": now,
        "place": "Report office",
        "narrative": "Booked in.",
        "refers_to": arrest.ob_number,
        "details-cell": "female",
        "details-booked_in_at": now,
        "parties-0-role": "suspect",
        "parties-0-name": "Otieno Ouma",
        "parties-0-sex": "M",
        "parties-0-age": "27",
    }
    response = desk_client.post("/entries/new", data)
    assert response.status_code == 422
    assert "may not be held in the female cell" in response.content.decode()
    assert not CustodyRecord.objects.exists()


def test_the_api_books_into_the_cells_from_a_cells_entry_and_retries_safely(
    client: Client, desk_officer: User, arrest: Occurrence
) -> None:
    api = Api(client, desk_officer)
    ident = str(uuid.uuid4())
    body = {
        "id": ident,
        "entry_type": "CELLS",
        "occurred_at": timezone.now().isoformat(),
        "place": "Report office",
        "narrative": "Booked into the male cell.",
        "details": {"cell": "male", "booked_in_at": timezone.now().isoformat()},
        "parties": [{"role": "suspect", "name": "Otieno Ouma", "sex": "M", "age": 27}],
        "offences": [{"description": "Stealing"}],
        "refers_to": str(arrest.pk),
    }
    first = api.post("/occurrences", body)
    assert first.status_code == 201, first.content
    assert api.post("/occurrences", body).status_code == 200
    record = CustodyRecord.objects.get()
    assert str(record.cells_entry_id) == ident == first.json()["id"]
    custody = api.get(f"/custody/{record.pk}").json()
    assert custody["state"] == "in_custody" and custody["court_deadline"]
