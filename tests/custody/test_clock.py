"""The Art. 49 clock cannot be backdated: every typed time is bounded by when it was recorded.

A custody event's time may not lie before the booking was recorded, nor more than an hour before
the event itself is recorded, unless it is flagged late with a reason; a late event counts at its
recording time for Art. 49 compliance.
"""

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from daftari.core.errors import InvalidInput
from daftari.custody import queries, records, services
from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState
from daftari.custody.services import book_in
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import at_nairobi
from tests.custody.conftest import arrest_draft, booking
from tests.occurrences.test_api import Api

# Tuesday 10 June 2025, a court day: arrested at 08:00, booked in at 09:00; the deadline is
# Wednesday 08:00 (24 hours after the arrest, inside court hours).
ARRESTED_AT = at_nairobi(2025, 6, 10, 8, 0)
BOOKED_AT = at_nairobi(2025, 6, 10, 9, 0)
DEADLINE = at_nairobi(2025, 6, 11, 8, 0)
REASON = "The OB was at the court with the prosecutor; entered on return."


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(BOOKED_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def held(clock: time_machine.Traveller, desk_officer: User, station: Station) -> CustodyRecord:
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft(ARRESTED_AT)).entry
    record = book_in(
        actor=desk_officer, station=station, booking=booking(arrested_at=ARRESTED_AT), arrest=arrest
    ).record
    assert record.court_deadline == DEADLINE
    return record


def figures(station: Station) -> queries.Compliance:
    return queries.compliance(
        start=BOOKED_AT - timedelta(days=1),
        end=BOOKED_AT + timedelta(days=1),
        now=at_nairobi(2025, 6, 20),
        station=station,
    )


def test_a_release_backdated_to_before_the_booking_does_not_count_as_brought_within_the_deadline(
    held: CustodyRecord, desk_officer: User, station: Station, clock: time_machine.Traveller
) -> None:
    # Five days on, a release is typed as if it happened before the person was even booked in.
    clock.move_to(at_nairobi(2025, 6, 15, 10, 0))
    with pytest.raises(InvalidInput) as refused:
        services.release(actor=desk_officer, custody=held, on="free", at=BOOKED_AT - timedelta(minutes=30))
    assert "late" in refused.value.fields["at"]
    assert not CustodyEvent.objects.filter(custody=held).exists()
    result = figures(station)
    assert (result.within, result.breaches) == (0, [held])


def test_a_release_typed_days_back_but_after_the_booking_needs_the_late_flag_too(
    held: CustodyRecord, desk_officer: User, clock: time_machine.Traveller
) -> None:
    clock.move_to(at_nairobi(2025, 6, 15, 10, 0))
    with pytest.raises(InvalidInput) as refused:
        services.release(actor=desk_officer, custody=held, on="free", at=BOOKED_AT + timedelta(hours=1))
    assert "late" in refused.value.fields["at"]


def test_a_late_release_with_its_reason_counts_at_its_recording_time(
    held: CustodyRecord, desk_officer: User, station: Station, clock: time_machine.Traveller
) -> None:
    recorded_at = at_nairobi(2025, 6, 15, 10, 0)
    clock.move_to(recorded_at)
    typed = BOOKED_AT + timedelta(hours=1)
    event = services.release(actor=desk_officer, custody=held, on="free", at=typed, late=True, late_reason=REASON).event
    assert (event.at, event.recorded_at, event.late, event.late_reason) == (typed, recorded_at, True, REASON)
    state = CustodyState.objects.get(custody=held)
    assert state.closed_at == typed and state.brought_within_deadline is False
    result = figures(station)
    assert (result.within, result.breaches, result.percent) == (0, [held], 0)
    committed = records.event_record(event)
    assert (committed["at"], committed["late"], committed["late_reason"]) == (
        typed.astimezone(records.UTC).isoformat(),
        True,
        REASON,
    )


def test_a_late_court_appearance_recorded_before_the_deadline_is_still_within_it(
    held: CustodyRecord, desk_officer: User, station: Station, clock: time_machine.Traveller
) -> None:
    # Brought to court at 09:10, recorded at 14:32 the same day: late, but well before the deadline.
    clock.move_to(at_nairobi(2025, 6, 10, 14, 32))
    services.take_to_court(
        actor=desk_officer,
        custody=held,
        court="Milimani",
        outcome="remanded",
        at=at_nairobi(2025, 6, 10, 9, 10),
        late=True,
        late_reason=REASON,
    )
    assert CustodyState.objects.get(custody=held).brought_within_deadline is True
    assert figures(station).percent == 100


def test_an_event_recorded_within_the_hour_needs_no_late_flag_and_counts_at_its_own_time(
    held: CustodyRecord, desk_officer: User, clock: time_machine.Traveller
) -> None:
    # Taken to court just before the deadline, entered in the register half an hour after it.
    clock.move_to(DEADLINE + timedelta(minutes=30))
    event = services.take_to_court(
        actor=desk_officer, custody=held, court="Milimani", outcome="charged", at=DEADLINE - timedelta(minutes=5)
    ).event
    assert event.late is False and event.late_reason == ""
    assert CustodyState.objects.get(custody=held).brought_within_deadline is True
    assert "late" not in records.event_record(event)


def test_the_late_flag_without_a_reason_is_refused(
    held: CustodyRecord, desk_officer: User, clock: time_machine.Traveller
) -> None:
    clock.move_to(at_nairobi(2025, 6, 10, 14, 0))
    with pytest.raises(InvalidInput) as refused:
        services.release(
            actor=desk_officer, custody=held, on="free", at=at_nairobi(2025, 6, 10, 10, 0), late=True, late_reason=" "
        )
    assert set(refused.value.fields) == {"late_reason"}


def test_an_event_in_the_future_is_refused_even_when_flagged_late(
    held: CustodyRecord, desk_officer: User, clock: time_machine.Traveller
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.release(
            actor=desk_officer,
            custody=held,
            on="free",
            at=BOOKED_AT + timedelta(hours=2),
            late=True,
            late_reason=REASON,
        )
    assert refused.value.fields["at"] == "This time is in the future."


def test_an_event_before_the_arrest_is_refused_even_when_flagged_late(
    held: CustodyRecord, desk_officer: User, clock: time_machine.Traveller
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.release(
            actor=desk_officer,
            custody=held,
            on="free",
            at=ARRESTED_AT - timedelta(hours=1),
            late=True,
            late_reason=REASON,
        )
    assert refused.value.fields["at"] == "This time is before the arrest."


# --- The booking's own typed time -----------------------------------------------------------


def test_a_booking_for_an_arrest_more_than_a_day_before_needs_the_late_flag(
    desk_officer: User, station: Station
) -> None:
    with pytest.raises(InvalidInput) as refused:
        book_in(
            actor=desk_officer,
            station=station,
            booking=booking(arrested_at=ARRESTED_AT),
            arrest_details=services.rules.ArrestDetails(place="Moi Avenue", reason="Stealing"),
        )
    assert "late" in refused.value.fields["arrested_at"]


def test_a_late_booking_keeps_its_reason_on_the_record_the_ledger_and_the_arrest_entry(
    desk_officer: User, station: Station
) -> None:
    record = book_in(
        actor=desk_officer,
        station=station,
        booking=booking(arrested_at=ARRESTED_AT, late=True, late_reason=REASON),
        arrest_details=services.rules.ArrestDetails(place="Moi Avenue", reason="Stealing"),
    ).record
    assert (record.late, record.late_reason) == (True, REASON)
    committed = records.booking_record(record, list(record.property_items.all()))
    assert (committed["late"], committed["late_reason"]) == (True, REASON)
    assert record.arrest.is_late and record.arrest.late_reason == REASON

    from daftari.ledger.verification import verify_book

    report = verify_book(station.code)
    assert report.ok, report.problems


# --- The API and the desk -------------------------------------------------------------------


def test_the_api_answers_422_for_a_backdated_release_and_shows_both_times_when_flagged_late(
    client: Client, desk_officer: User, held: CustodyRecord, clock: time_machine.Traveller
) -> None:
    clock.move_to(at_nairobi(2025, 6, 15, 10, 0))
    api = Api(client, desk_officer)  # a device token of today (tokens end after 12 hours)
    body = {"kind": "release", "at": "2025-06-10T08:30:00+03:00", "details": {"release_on": "free"}}
    refused = api.post(f"/custody/{held.pk}/events", body)
    assert refused.status_code == 422
    assert refused.json()["error"] == "invalid" and "at" in refused.json()["fields"]
    accepted = api.post(f"/custody/{held.pk}/events", {**body, "late": True, "late_reason": REASON})
    assert accepted.status_code == 201, accepted.content
    shown = accepted.json()
    [event] = shown["events"]
    assert (event["at"], event["recorded_at"]) == ("2025-06-10T08:30:00+03:00", "2025-06-15T10:00:00+03:00")
    assert (event["late"], event["late_reason"]) == (True, REASON)
    assert shown["brought_within_deadline"] is False


def test_the_desk_records_a_late_court_appearance_and_the_page_shows_both_times_and_the_reason(
    client: Client, desk_officer: User, held: CustodyRecord, clock: time_machine.Traveller
) -> None:
    client.force_login(desk_officer)
    clock.move_to(at_nairobi(2025, 6, 10, 14, 32))
    form = {"kind": "to_court", "court": "Milimani", "outcome": "remanded", "at": "2025-06-10T09:10"}
    refused = client.post(f"/custody/{held.pk}/events", form)
    assert refused.status_code == 422
    assert "Recorded late" in refused.content.decode()
    response = client.post(f"/custody/{held.pk}/events", {**form, "late": "on", "late_reason": REASON})
    assert response.status_code == 302
    page = client.get(f"/custody/{held.pk}").content.decode()
    assert "10 Jun 09:10" in page and "14:32" in page and REASON in page
