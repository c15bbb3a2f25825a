"""Booking in, custody events and the state they leave, each a leaf of the station's signed book."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.utils import timezone

from daftari.core.errors import DuplicateWithDifferentContent, InvalidInput, NotPermittedAtStation
from daftari.custody import queries, rules, services
from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState, GazettedHoliday
from daftari.custody.services import NotInCustody, book_in
from daftari.ledger.models import Leaf
from daftari.ledger.services import leaf_for
from daftari.occurrences.models import Occurrence
from daftari.stations.models import Station
from tests.custody.conftest import HELD_ELSEWHERE, booking

State = CustodyState.State


def test_booking_in_stores_the_court_deadline_and_opens_the_state(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    record = book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest).record
    calendar = services.court_calendar(record.arrested_at)
    assert record.court_deadline == rules.court_deadline(record.arrested_at, calendar)
    assert record.remand_warning is False
    assert [i.description for i in record.property_items.all()] == ["Tecno phone", "Leather belt"]
    state = CustodyState.objects.get(custody=record)
    assert (state.state, state.current_cell, state.current_station) == (State.IN_CUSTODY, "male", station)
    assert list(queries.in_custody(station)) == [record]


def test_the_booking_is_a_leaf_that_refers_to_the_arrest_entry(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    leaf = leaf_for(str(detainee.pk))
    arrest_leaf = leaf_for(str(detainee.arrest_id))
    assert leaf is not None and arrest_leaf is not None
    assert leaf.kind == "custody"
    from daftari_verify.leaf import Leaf as LeafV1

    parsed = LeafV1.from_bytes(bytes(leaf.data))
    assert parsed.prev == arrest_leaf.index
    assert b"Otieno" not in bytes(leaf.data)


def test_booking_in_with_the_arrest_records_the_arrest_entry_too(desk_officer: User, station: Station) -> None:
    record = book_in(
        actor=desk_officer,
        station=station,
        booking=booking(),
        arrest_details=rules.ArrestDetails(place="Kenyatta Avenue", reason="Found with a stolen phone"),
    ).record
    arrest = record.arrest
    assert arrest.entry_type == "ARREST"
    assert arrest.station == station
    assert [p.name for p in arrest.parties.all()] == ["Otieno Ouma"]
    # The arrest, the booking's OB line (into the cells) and the booking.
    assert Leaf.objects.filter(log__station=station).count() == 3
    assert record.cells_entry is not None and record.cells_entry.refers_to == arrest


def test_a_juvenile_is_refused_an_adult_cell(desk_officer: User, station: Station, arrest: Occurrence) -> None:
    child = rules.DetaineeInput(name="Brian Kip", sex="M", age=15)
    with pytest.raises(InvalidInput) as refused:
        book_in(actor=desk_officer, station=station, booking=booking(detainee=child, cell="male"), arrest=arrest)
    assert "juvenile cell" in refused.value.fields["cell"]
    assert not CustodyRecord.objects.exists()
    record = book_in(
        actor=desk_officer, station=station, booking=booking(detainee=child, cell="juvenile"), arrest=arrest
    )
    assert record.record.cell == "juvenile"


def test_a_juvenile_by_date_of_birth_cannot_be_moved_to_an_adult_cell(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    today = timezone.localdate()
    child = rules.DetaineeInput(name="Brian Kip", sex="M", date_of_birth=today.replace(year=today.year - 16))
    record = book_in(
        actor=desk_officer, station=station, booking=booking(detainee=child, cell="juvenile"), arrest=arrest
    )
    with pytest.raises(InvalidInput) as refused:
        services.move_cell(actor=desk_officer, custody=record.record, to_cell="male")
    assert "juvenile cell" in refused.value.fields["details.to_cell"]
    assert not CustodyEvent.objects.exists()


def test_the_article_49_2_warning_is_stored_for_a_petty_offence(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    petty = (rules.OffenceInput(description="Creating a disturbance", punishable_by="up_to_6_months"),)
    record = book_in(actor=desk_officer, station=station, booking=booking(offences=petty), arrest=arrest).record
    assert record.remand_warning is True


def test_a_health_issue_must_be_reported_to_the_ocs(desk_officer: User, station: Station, arrest: Occurrence) -> None:
    with pytest.raises(InvalidInput) as refused:
        book_in(
            actor=desk_officer,
            station=station,
            booking=booking(health=rules.HealthCheck(needs_medication=True)),
            arrest=arrest,
        )
    assert "health.ocs_told" in refused.value.fields


def test_only_an_arrest_entry_of_the_station_can_be_booked_from(
    desk_officer: User, station: Station, recorded_complaint: Occurrence
) -> None:
    with pytest.raises(InvalidInput) as refused:
        book_in(actor=desk_officer, station=station, booking=booking(), arrest=recorded_complaint)
    assert "occurrence" in refused.value.fields


def test_an_officer_elsewhere_may_not_book_into_this_stations_cells(
    officer_elsewhere: User, station: Station, arrest: Occurrence
) -> None:
    with pytest.raises(NotPermittedAtStation):
        book_in(actor=officer_elsewhere, station=station, booking=booking(), arrest=arrest)


def test_a_retried_booking_returns_the_stored_record_and_a_changed_one_conflicts(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    client_id = uuid.uuid4()
    same = booking()
    first = book_in(actor=desk_officer, station=station, booking=same, arrest=arrest, client_id=client_id)
    again = book_in(actor=desk_officer, station=station, booking=same, arrest=arrest, client_id=client_id)
    assert first.created and not again.created
    assert again.record.pk == first.record.pk == client_id
    with pytest.raises(DuplicateWithDifferentContent):
        book_in(
            actor=desk_officer,
            station=station,
            booking=booking(physical_condition="Limping"),
            arrest=arrest,
            client_id=client_id,
        )


def test_a_gazetted_holiday_moves_the_deadline(desk_officer: User, station: Station, arrest: Occurrence) -> None:
    record = book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest).record
    GazettedHoliday.objects.create(date=timezone.localdate(record.court_deadline), name="Special holiday")
    calendar = services.court_calendar(record.arrested_at)
    assert rules.court_deadline(record.arrested_at, calendar) > record.court_deadline


def test_book_in_events_and_release_tell_the_whole_story(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    services.record_care(actor=desk_officer, custody=detainee, kind="meal", details={"note": "Lunch"})
    services.record_care(actor=desk_officer, custody=detainee, kind="visit", details={"visitor": "Akinyi Ouma"})
    services.move_cell(actor=desk_officer, custody=detainee, to_cell="male", reason="Cleaning")
    services.record_continued_detention(actor=desk_officer, custody=detainee, reason="Awaiting the court's sitting")
    services.release(actor=desk_officer, custody=detainee, on="cash_bail", amount_kes=5000, receipt_number="R-114")
    services.return_property(
        actor=desk_officer,
        custody=detainee,
        items=[
            {"position": 0, "outcome": "returned", "acknowledged": True},
            {"position": 1, "outcome": "disposed", "note": "Kept as an exhibit, OB 14/3/3/2026"},
        ],
    )
    state = CustodyState.objects.get(custody=detainee)
    assert state.state == State.RELEASED
    assert state.brought_within_deadline is True
    assert state.continued_detention_recorded_at is not None
    assert state.closed_at is not None
    booking_leaf = leaf_for(str(detainee.pk))
    assert booking_leaf is not None
    from daftari_verify.leaf import Leaf as LeafV1

    events = list(CustodyEvent.objects.filter(custody=detainee))
    assert len(events) == 6
    for event in events:
        leaf = leaf_for(str(event.pk))
        assert leaf is not None and leaf.kind == "custody"
        assert LeafV1.from_bytes(bytes(leaf.data)).prev == booking_leaf.index
    assert list(queries.in_custody(station)) == []


def test_every_custody_leaf_passes_ledger_verification(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    from daftari.ledger.verification import verify_book

    services.record_care(
        actor=desk_officer, custody=detainee, kind="health", details={"note": "Headache", "ocs_told": True}
    )
    services.take_to_court(
        actor=desk_officer, custody=detainee, court="Milimani Law Courts", outcome="charged", case_number="CR 12/2026"
    )
    report = verify_book(station.code)
    assert report.ok, report.problems
    # The arrest, the CELLS line, the booking, the health event, the court event and its OB line.
    assert report.leaves == 6


def test_release_after_the_deadline_counts_as_a_breach(
    desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    arrested_at = timezone.now() - timedelta(days=5)
    record = book_in(
        actor=desk_officer,
        station=station,
        booking=booking(arrested_at=arrested_at, late=True, late_reason=HELD_ELSEWHERE),
        arrest=arrest,
    ).record
    figures = queries.compliance(
        start=timezone.now() - timedelta(days=1),
        end=timezone.now() + timedelta(days=1),
        now=timezone.now(),
        station=station,
    )
    assert figures.breaches == [record] and figures.within == 0
    services.release(actor=desk_officer, custody=record, on="free")
    assert CustodyState.objects.get(custody=record).brought_within_deadline is False
    figures = queries.compliance(
        start=timezone.now() - timedelta(days=1),
        end=timezone.now() + timedelta(days=1),
        now=timezone.now(),
        station=station,
    )
    assert figures.breaches == [record] and figures.percent == 0


def test_compliance_counts_the_share_brought_within_the_deadline(
    desk_officer: User, station: Station, detainee: CustodyRecord, arrest: Occurrence
) -> None:
    late = book_in(
        actor=desk_officer,
        station=station,
        booking=booking(
            detainee=rules.DetaineeInput(name="Kamau Njoroge", sex="M", age=40),
            arrested_at=timezone.now() - timedelta(days=5),
            late=True,
            late_reason=HELD_ELSEWHERE,
        ),
        arrest=arrest,
    ).record
    services.take_to_court(actor=desk_officer, custody=detainee, court="Milimani", outcome="remanded")
    services.take_to_court(actor=desk_officer, custody=late, court="Milimani", outcome="remanded")
    figures = queries.compliance(
        start=timezone.now() - timedelta(days=1),
        end=timezone.now() + timedelta(days=1),
        now=timezone.now(),
        county=station.county,
    )
    assert (figures.decided, figures.within, figures.percent) == (2, 1, 50)
    assert figures.breaches == [late]


def test_continued_detention_without_a_reason_is_refused(desk_officer: User, detainee: CustodyRecord) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.record_continued_detention(actor=desk_officer, custody=detainee, reason="  ")
    assert "red-ink" in refused.value.fields["details.reason"]


def test_cash_bail_needs_the_amount_and_the_receipt(desk_officer: User, detainee: CustodyRecord) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.release(actor=desk_officer, custody=detainee, on="cash_bail")
    assert {"details.amount_kes", "details.receipt_number"} <= set(refused.value.fields)


def test_nothing_but_property_follows_a_release(desk_officer: User, detainee: CustodyRecord) -> None:
    services.release(actor=desk_officer, custody=detainee, on="police_bond")
    with pytest.raises(NotInCustody):
        services.record_care(actor=desk_officer, custody=detainee, kind="meal", details={})
    services.return_property(
        actor=desk_officer, custody=detainee, items=[{"position": 0, "outcome": "returned", "acknowledged": True}]
    )
    with pytest.raises(InvalidInput):
        services.return_property(
            actor=desk_officer, custody=detainee, items=[{"position": 0, "outcome": "returned", "acknowledged": True}]
        )


def test_a_returned_item_must_be_acknowledged(desk_officer: User, detainee: CustodyRecord) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.return_property(actor=desk_officer, custody=detainee, items=[{"position": 0, "outcome": "returned"}])
    assert "details.items.0.acknowledged" in refused.value.fields


def test_a_transfer_moves_the_detainee_into_the_other_stations_cells(
    desk_officer: User, officer_elsewhere: User, station: Station, other_station: Station, detainee: CustodyRecord
) -> None:
    with pytest.raises(NotPermittedAtStation):
        services.record_care(actor=officer_elsewhere, custody=detainee, kind="meal", details={})
    services.transfer_to_station(actor=desk_officer, custody=detainee, to_station=other_station, to_cell="male")
    assert list(queries.in_custody(other_station)) == [detainee]
    assert list(queries.in_custody(station)) == []
    # Now the receiving station records, and the sending station no longer may.
    event = services.record_care(actor=officer_elsewhere, custody=detainee, kind="meal", details={}).event
    assert event.station == other_station
    with pytest.raises(NotPermittedAtStation):
        services.record_care(actor=desk_officer, custody=detainee, kind="meal", details={})
    from daftari.ledger.verification import verify_book

    assert verify_book().ok


def test_death_in_custody_closes_the_record(desk_officer: User, detainee: CustodyRecord) -> None:
    services.record_death_or_serious_injury(
        actor=desk_officer, custody=detainee, kind="death", note="Found unresponsive at 03:10"
    )
    state = CustodyState.objects.get(custody=detainee)
    assert state.state == State.DIED and state.brought_within_deadline is None


def test_an_escape_closes_the_record(desk_officer: User, detainee: CustodyRecord) -> None:
    services.record_escape(actor=desk_officer, custody=detainee, note="Broke the cell window")
    assert CustodyState.objects.get(custody=detainee).state == State.ESCAPED


def test_a_retried_event_is_stored_once(desk_officer: User, detainee: CustodyRecord) -> None:
    client_id = uuid.uuid4()
    first = services.record_event(
        actor=desk_officer, custody=detainee, kind="meal", details={"note": "Tea"}, client_id=client_id
    )
    again = services.record_event(
        actor=desk_officer, custody=detainee, kind="meal", details={"note": "Tea"}, client_id=client_id
    )
    assert first.created and not again.created
    assert CustodyEvent.objects.count() == 1
    with pytest.raises(DuplicateWithDifferentContent):
        services.record_event(
            actor=desk_officer, custody=detainee, kind="meal", details={"note": "Ugali"}, client_id=client_id
        )


def test_the_cell_register_tables_refuse_update_and_delete(detainee: CustodyRecord) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        CustodyRecord.objects.filter(pk=detainee.pk).update(cell="female")
    with pytest.raises(DatabaseError), transaction.atomic():
        detainee.property_items.all().delete()


def test_a_changed_booking_fails_verification(desk_officer: User, station: Station, detainee: CustodyRecord) -> None:
    from django.db import connection

    from daftari.core import append_only
    from daftari.ledger.verification import verify_book

    append_only.uninstall(connection, ["custody_custodyrecord"])
    CustodyRecord.objects.filter(pk=detainee.pk).update(cell="female")
    append_only.install(connection, ["custody_custodyrecord"])
    assert not verify_book(station.code).ok
