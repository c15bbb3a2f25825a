"""Lawful erasure in the cell register: the person goes, the Article 49 figures and the signed book stay."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from daftari.core.errors import NotPermitted
from daftari.custody import rules
from daftari.custody.erasure import MARKER
from daftari.custody.models import CustodyEvent, CustodyRecord, PropertyItem
from daftari.custody.services import book_in, record_event
from daftari.ledger.models import Commitment, Leaf
from daftari.ledger.redaction import AlreadyRedacted, redact
from daftari.ledger.services import is_redacted, leaf_for
from daftari.notifications.models import SmsMessage
from daftari.occurrences.models import Occurrence
from daftari.stations.models import Officer, Station
from tests.custody.conftest import booking
from tests.erasure_support import ORDER, assert_the_whole_book_verifies, tables_holding
from tests.occurrences.test_api import Api

NAME = "Otieno Ouma"
ID_NUMBER = "23456789"
PHONE = "+254722111333"
NEXT_OF_KIN = "Akinyi Ouma (sister)"
PRIVATE = [
    NAME,
    ID_NUMBER,
    PHONE,
    "1999-03-04",
    NEXT_OF_KIN,
    "Bruised left eye",
    "Asthma inhaler",
    "Swollen wrist",
    "Tecno phone",
    "Mama Ouma",
    "Wheezing at night",
    "Awaiting the ID check of his uncle",
    "Slipped in the cell",
    "E45/2026",
    "Handed to his sister",
]


def hold(
    desk_officer: User, ocs: User, station: Station, arrest: Occurrence, *, return_property: bool
) -> CustodyRecord:
    """Booked in with everything the register can hold about a person, then a day of events."""
    Officer.objects.filter(user=ocs).update(phone="+254711000001")
    record = book_in(
        actor=desk_officer,
        station=station,
        arrest=arrest,
        booking=booking(
            detainee=rules.DetaineeInput(
                name=NAME, sex="M", id_number=ID_NUMBER, age=27, date_of_birth=date(1999, 3, 4), phone=PHONE
            ),
            physical_condition="Bruised left eye",
            health=rules.HealthCheck(
                injuries_seen=True,
                injuries="Swollen wrist",
                needs_medication=True,
                ocs_told=True,
                notes="Asthma inhaler",
            ),
            next_of_kin=rules.NextOfKin(informed=True, name=NEXT_OF_KIN, informed_at=timezone.now()),
        ),
    ).record
    start = timezone.now() - timedelta(minutes=50)
    events = [
        (0, "visit", {"visitor": "Mama Ouma", "relationship": "mother", "note": "Brought food"}),
        (5, "health", {"note": "Wheezing at night", "taken_to_hospital": True, "ocs_told": True}),
        (10, "continued_detention", {"reason": "Awaiting the ID check of his uncle"}),
        (15, "serious_injury", {"note": "Slipped in the cell", "taken_to_hospital": True}),
        (20, "to_court", {"court": "Milimani Law Courts", "case_number": "E45/2026", "outcome": "remanded"}),
    ]
    returns = [
        (
            25,
            "property_returned",
            {"items": [{"position": 0, "outcome": "returned", "acknowledged": True, "note": ""}]},
        ),
        (
            30,
            "property_returned",
            {"items": [{"position": 1, "outcome": "disposed", "note": "Handed to his sister", "acknowledged": False}]},
        ),
    ]
    for minutes, kind, details in events + (returns if return_property else []):
        # Typed before the booking was recorded, so each is flagged late, with a reason naming the mother.
        record_event(
            actor=desk_officer,
            custody=record,
            kind=kind,
            details=details,
            at=start + timedelta(minutes=minutes),
            late=True,
            late_reason="Entered at the end of the shift, after Mama Ouma left",
        )
    return record


@pytest.fixture
def held(desk_officer: User, ocs: User, station: Station, arrest: Occurrence) -> CustodyRecord:
    return hold(desk_officer, ocs, station, arrest, return_property=True)


@pytest.fixture
def held_in_court(desk_officer: User, ocs: User, station: Station, arrest: Occurrence) -> CustodyRecord:
    # The record page cannot show a property_returned event yet, erased or not: its details hold
    # "items", which the template's ``details.items`` takes for the dict's items() (custody/record.html).
    return hold(desk_officer, ocs, station, arrest, return_property=False)


def erase_all_of(admin: User, record: CustodyRecord) -> None:
    """What a court order about the person means: the booking, each of its events, the ARREST entry
    and the book's lines of the booking and its events (into the cells, the release)."""
    lines = [record.cells_entry_id, *record.events.exclude(entry=None).values_list("entry_id", flat=True)]
    for record_id in [record.pk, *record.events.values_list("pk", flat=True), record.arrest_id, *lines]:
        redact(actor=admin, record_id=str(record_id), authority=ORDER)


def test_erasing_a_booking_blanks_the_person_and_keeps_the_article_49_figures(
    admin_officer: User, held: CustodyRecord
) -> None:
    assert SmsMessage.objects.filter(event_key__startswith=f"custody:{held.pk}:", body__contains=NAME).exists()
    redact(actor=admin_officer, record_id=str(held.pk), authority=ORDER)

    record = CustodyRecord.objects.get(pk=held.pk)
    assert (record.detainee_name, record.detainee_id_number, record.detainee_phone) == (MARKER, "", "")
    assert record.detainee_date_of_birth is None
    assert (record.physical_condition, record.next_of_kin_name, record.content_hash) == (MARKER, MARKER, MARKER)
    assert record.health == {
        "injuries_seen": True,
        "injuries": MARKER,
        "needs_medication": True,
        "mental_health_concern": False,
        "ocs_told": True,
        "notes": MARKER,
    }
    # The statistics stay: sex, age, offences, times, cell, deadline, next of kin told and when.
    assert (record.detainee_sex, record.detainee_age, record.cell) == ("M", 27, held.cell)
    assert (record.arrested_at, record.booked_in_at, record.court_deadline) == (
        held.arrested_at,
        held.booked_in_at,
        held.court_deadline,
    )
    assert record.offences == held.offences and record.remand_warning == held.remand_warning
    assert record.next_of_kin_informed is True and record.next_of_kin_informed_at == held.next_of_kin_informed_at
    assert record.projection.state == "remanded" and record.projection.brought_within_deadline is True
    items = list(PropertyItem.objects.filter(custody=held).values_list("description", "quantity", "value_kes"))
    assert items == [(MARKER, 1, 12000), (MARKER, 1, None)]
    assert not SmsMessage.objects.filter(body__contains=NAME).exists()
    leaf = leaf_for(str(held.pk))
    assert leaf is not None and is_redacted(leaf) and not Commitment.objects.filter(leaf=leaf).exists()


def test_erasing_an_event_blanks_its_free_text_and_keeps_its_kind_outcome_and_times(
    admin_officer: User, held: CustodyRecord
) -> None:
    events = {e.kind: e for e in held.events.all()}
    for event in held.events.all():
        redact(actor=admin_officer, record_id=str(event.pk), authority=ORDER)
    details = {e.kind: e.details for e in CustodyEvent.objects.filter(custody=held)}
    assert details["visit"] == {"visitor": MARKER, "relationship": MARKER, "note": MARKER}
    assert details["health"] == {"note": MARKER, "taken_to_hospital": True, "ocs_told": True}
    assert details["continued_detention"] == {"reason": MARKER}
    assert details["serious_injury"] == {"note": MARKER, "taken_to_hospital": True}
    assert details["to_court"] == {"court": "Milimani Law Courts", "case_number": MARKER, "outcome": "remanded"}
    returned = CustodyEvent.objects.filter(custody=held, kind="property_returned").order_by("at")
    assert [e.details["items"] for e in returned] == [
        [{"position": 0, "outcome": "returned", "acknowledged": True, "note": ""}],
        [{"position": 1, "outcome": "disposed", "note": MARKER, "acknowledged": False}],
    ]
    for kind, event in events.items():
        stored = CustodyEvent.objects.get(pk=event.pk)
        assert (stored.kind, stored.at, stored.recorded_at, stored.station_id) == (
            kind,
            event.at,
            event.recorded_at,
            event.station_id,
        )
        assert stored.content_hash == MARKER
        # The late flag decides the Art. 49 figure and stays; its reason is free text and goes.
        assert (stored.late, stored.late_reason) == (True, MARKER)
    # An event's erasure leaves the booking to its own order.
    assert CustodyRecord.objects.get(pk=held.pk).detainee_name == NAME


def test_after_the_booking_its_events_and_the_arrest_are_erased_the_person_is_in_no_table(
    admin_officer: User, held: CustodyRecord
) -> None:
    assert set(tables_holding(NAME)) >= {"custody_custodyrecord", "occurrences_party", "notifications_smsmessage"}
    erase_all_of(admin_officer, held)
    for private in PRIVATE:
        assert tables_holding(private) == [], private


def test_the_whole_book_still_verifies_after_the_erasure(
    admin_officer: User, held: CustodyRecord, tmp_path: Path
) -> None:
    erase_all_of(admin_officer, held)
    # The booking, its events, the arrest, and the book's lines of the booking and its events.
    lines = 1 + held.events.exclude(entry=None).count()
    assert Leaf.objects.filter(kind="redaction").count() == held.events.count() + 2 + lines
    assert_the_whole_book_verifies(tmp_path)


def test_a_booking_is_erased_once(admin_officer: User, held: CustodyRecord) -> None:
    redact(actor=admin_officer, record_id=str(held.pk), authority=ORDER)
    with pytest.raises(AlreadyRedacted):
        redact(actor=admin_officer, record_id=str(held.pk), authority=ORDER)
    event = held.events.first()
    assert event is not None
    redact(actor=admin_officer, record_id=str(event.pk), authority=ORDER)
    with pytest.raises(AlreadyRedacted):
        redact(actor=admin_officer, record_id=str(event.pk), authority=ORDER)
    assert Leaf.objects.filter(kind="redaction").count() == 2


def test_only_an_admin_may_erase_a_booking(ocs: User, desk_officer: User, oversight: User, held: CustodyRecord) -> None:
    for officer in (ocs, desk_officer, oversight):
        with pytest.raises(NotPermitted):
            redact(actor=officer, record_id=str(held.pk), authority=ORDER)
    assert CustodyRecord.objects.get(pk=held.pk).detainee_name == NAME
    assert not Leaf.objects.filter(kind="redaction").exists()


def test_the_guards_are_back_on_the_register_after_an_erasure(admin_officer: User, held: CustodyRecord) -> None:
    redact(actor=admin_officer, record_id=str(held.pk), authority=ORDER)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CustodyRecord.objects.filter(pk=held.pk).update(detainee_name="Somebody Else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PropertyItem.objects.filter(custody=held).update(description="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CustodyEvent.objects.filter(custody=held).update(details={})


def test_the_record_page_the_receipt_the_board_and_the_api_show_redacted(
    client: Client, desk_client: Client, desk_officer: User, admin_officer: User, held_in_court: CustodyRecord
) -> None:
    held = held_in_court
    erase_all_of(admin_officer, held)
    for path in [f"/custody/{held.pk}", f"/custody/{held.pk}/receipt", "/custody", "/custody/compliance"]:
        response = desk_client.get(path)
        assert response.status_code in (200, 403), path
        page = response.content.decode()
        assert not any(private in page for private in PRIVATE), path
    record_page = desk_client.get(f"/custody/{held.pk}").content.decode()
    assert MARKER in record_page and "Milimani Law Courts" in record_page
    assert MARKER in desk_client.get(f"/custody/{held.pk}/receipt").content.decode()
    api = Api(client, desk_officer)
    response = api.get(f"/custody/{held.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["detainee"]["name"] == MARKER and body["detainee"]["age"] == 27
    assert not any(private in response.content.decode() for private in PRIVATE)


def test_the_redact_command_erases_a_booking_named_by_its_id(
    admin_officer: User, held: CustodyRecord, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("ledger", "redact", "--entry", str(held.pk), "--authority", ORDER, "--by", "administrator")
    assert f"({held.pk})" in capsys.readouterr().out
    assert CustodyRecord.objects.get(pk=held.pk).detainee_name == MARKER
