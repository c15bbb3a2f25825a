"""The day close is filled in from the book: entries by type, persons in cells, property held and
officers on duty; the officer confirms or explains each difference, and a difference is recorded."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.core.errors import InvalidInput
from daftari.custody import rules, services
from daftari.custody.day_close import book_figures
from daftari.custody.models import CustodyRecord, DayClose
from daftari.occurrences.entry_types import entries_figure
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import EntryDraft, PartCorrection, PartsCorrection, PropertyInput, ob_date_of
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.custody.conftest import arrest_draft, booking
from tests.occurrences.test_api import Api


def close(**details: object) -> EntryDraft:
    return EntryDraft(
        entry_type="DAILY_CLOSE",
        occurred_at=timezone.now() - timedelta(minutes=1),
        place="Report office",
        narrative="Day closed by the duty officer.",
        details=details,
    )


def entry(entry_type: str, details: dict[str, Any], **parts: Any) -> EntryDraft:
    return EntryDraft(
        entry_type=entry_type,
        occurred_at=timezone.now() - timedelta(minutes=30),
        place="Report office",
        narrative="Recorded at the report office.",
        details=details,
        **parts,
    )


def duty(direction: str, officers: str) -> EntryDraft:
    return entry("DUTY_ON_OFF", {"direction": direction, "officers": officers})


# --- Who is on duty (pure) ----------------------------------------------------------------------


def test_the_service_numbers_of_a_duty_entry_are_its_words_with_digits() -> None:
    assert rules.service_numbers("231001 PC Achieng Odhiambo, 224503 CPL Hassan Abdi") == {"231001", "224503"}
    assert rules.service_numbers("sn7;SN8") == {"SN7", "SN8"}
    assert rules.service_numbers(None) == frozenset()


def test_an_officer_booked_on_and_then_off_is_no_longer_on_duty() -> None:
    bookings = [("on", "231001 PC Achieng, 224503 CPL Hassan"), ("off", "224503 CPL Hassan"), ("on", "199001")]
    assert rules.on_duty(bookings) == {"231001", "199001"}


def test_a_figure_not_counted_is_no_difference_and_one_the_book_lacks_counts_zero_there() -> None:
    figures = rules.day_close_figures({"persons_in_cells": 1, "property_held": 2}, {"property_held": 3, "x": 1}, "why")
    assert figures == [
        {"key": "persons_in_cells", "from_book": 1, "counted": None, "explanation": ""},
        {"key": "property_held", "from_book": 2, "counted": 3, "explanation": "why"},
        {"key": "x", "from_book": 0, "counted": 1, "explanation": "why"},
    ]


# --- The figures from the book --------------------------------------------------------------------


def test_the_books_figures_equal_a_recount_of_the_station_and_its_day(
    desk_officer: User, officer_elsewhere: User, station: Station, other_station: Station, detainee: CustodyRecord
) -> None:
    # A second person booked in, released, and one of their two items handed back.
    second_arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    released = services.book_in(actor=desk_officer, station=station, booking=booking(), arrest=second_arrest).record
    services.release(actor=desk_officer, custody=released, on="free")
    services.return_property(
        actor=desk_officer, custody=released, items=[{"position": 0, "outcome": "returned", "acknowledged": True}]
    )
    # Two found items handed in, one of them struck out by a correction; a stolen phone is not held.
    items = (PropertyInput(description="Wallet"), PropertyInput(description="Umbrella"))
    found = record_occurrence(
        actor=desk_officer,
        station=station,
        draft=entry("FOUND_PROPERTY", {"storage_location": "Store A"}, property_items=items),
    ).entry
    amend_occurrence(
        actor=desk_officer,
        occurrence=found,
        reason="The umbrella was the finder's own.",
        changes={},
        parts=PartsCorrection(property_items=(PartCorrection(of=1, in_error=True),)),
    )
    record_occurrence(actor=desk_officer, station=station, draft=complaint())
    # Three booked on (one added by a correction), one booked off.
    on = record_occurrence(actor=desk_officer, station=station, draft=duty("on", "SN1 PC Achieng, SN2 CPL Hassan"))
    amend_occurrence(
        actor=desk_officer,
        occurrence=on.entry,
        reason="Sgt Mwangi was on the shift too.",
        changes={"officers": "SN1 PC Achieng, SN2 CPL Hassan, SN3 SGT Mwangi"},
    )
    record_occurrence(actor=desk_officer, station=station, draft=duty("off", "SN2 CPL Hassan"))
    # Another station's book counts for nothing here.
    record_occurrence(actor=officer_elsewhere, station=other_station, draft=duty("on", "SN9"))
    record_occurrence(actor=officer_elsewhere, station=other_station, draft=complaint())

    today = ob_date_of(timezone.now())
    by_type: dict[str, int] = {}
    for line in Occurrence.objects.all():
        if line.station_id == station.pk and line.ob_date == today:
            key = entries_figure(line.entry_type)
            by_type[key] = by_type.get(key, 0) + 1
    assert book_figures(station) == {
        "persons_in_cells": 1,
        "property_held": 3,
        "property_booked": 1,
        "officers_on_duty": 2,
        **by_type,
    }
    assert by_type[entries_figure("COMPLAINT")] == 1 and by_type[entries_figure("AMENDMENT")] == 2


# --- The day close, recorded ------------------------------------------------------------------------


def test_a_confirmed_day_close_records_every_figure_without_a_difference(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    figures = book_figures(station)
    entry = record_occurrence(actor=desk_officer, station=station, draft=close(**figures)).entry
    day_close = DayClose.objects.get(entry=entry)
    assert day_close.differences == 0
    assert day_close.figures == [
        {"key": key, "from_book": value, "counted": value, "explanation": ""} for key, value in figures.items()
    ]
    assert [f["key"] for f in day_close.figures][:4] == [
        "persons_in_cells",
        "property_held",
        "property_booked",
        "officers_on_duty",
    ]


def test_every_unexplained_difference_is_refused_at_once_and_nothing_is_recorded(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(
            actor=desk_officer,
            station=station,
            draft=close(persons_in_cells=0, property_held=2, entries_arrest=2),
        )
    fields = refused.value.fields
    assert "The cells board holds 1" in fields["details.persons_in_cells"]
    assert (
        "The book gives 1: confirm that figure, or explain in Remarks why you counted 2"
        in fields["details.entries_arrest"]
    )
    assert "details.property_held" not in fields
    assert "Explain in Remarks" in fields["details.remarks"]
    assert not Occurrence.objects.filter(entry_type="DAILY_CLOSE").exists()
    assert not DayClose.objects.exists()


def test_an_explained_difference_is_recorded_beside_the_books_figure_and_counted(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    why = "Otieno taken to hospital under guard at 17:00; his phone went with him."
    draft = close(persons_in_cells=0, property_held=1, officers_on_duty=0, remarks=why)
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    day_close = DayClose.objects.get(entry=entry)
    assert day_close.differences == 2
    by_key = {f["key"]: f for f in day_close.figures}
    assert by_key["persons_in_cells"] == {"key": "persons_in_cells", "from_book": 1, "counted": 0, "explanation": why}
    assert by_key["property_held"] == {"key": "property_held", "from_book": 2, "counted": 1, "explanation": why}
    assert by_key["officers_on_duty"] == {"key": "officers_on_duty", "from_book": 0, "counted": 0, "explanation": ""}
    assert by_key[entries_figure("ARREST")] == {
        "key": "entries_arrest",
        "from_book": 1,
        "counted": None,
        "explanation": "",
    }


def test_a_figure_the_book_has_none_of_counted_by_the_officer_is_a_difference(
    desk_officer: User, station: Station
) -> None:
    why = "A visitor signed the paper register only."
    draft = close(persons_in_cells=0, entries_visitor=1, remarks=why)
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    day_close = DayClose.objects.get(entry=entry)
    assert day_close.differences == 1
    assert day_close.figures[-1] == {"key": "entries_visitor", "from_book": 0, "counted": 1, "explanation": why}


# --- The API --------------------------------------------------------------------------------------


def day_close_body(**details: Any) -> dict[str, Any]:
    return {
        "entry_type": "DAILY_CLOSE",
        "occurred_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        "place": "Report office",
        "narrative": "Day closed by the duty officer.",
        "details": details,
    }


def test_on_the_api_figures_not_given_are_recorded_as_not_counted(
    client: Client, desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    response = Api(client, desk_officer).post("/occurrences", day_close_body(persons_in_cells=1))
    assert response.status_code == 201, response.content
    day_close = DayClose.objects.get(entry_id=response.json()["id"])
    assert day_close.differences == 0
    assert {f["key"]: f["counted"] for f in day_close.figures} == {
        "persons_in_cells": 1,
        "property_held": None,
        "property_booked": None,
        "officers_on_duty": None,
        "entries_arrest": None,
        "entries_cells": None,
    }


def test_on_the_api_an_unexplained_difference_is_a_422_naming_the_figure(
    client: Client, desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    response = Api(client, desk_officer).post("/occurrences", day_close_body(persons_in_cells=1, property_held=5))
    assert response.status_code == 422
    assert "The book gives 2" in str(response.json())
    assert not DayClose.objects.exists()


# --- The desk ----------------------------------------------------------------------------------------


def test_the_desk_form_shows_each_figure_prefilled_from_the_book(
    desk_client: Client, station: Station, detainee: CustodyRecord
) -> None:
    page = desk_client.get("/entries/new?entry_type=DAILY_CLOSE").content.decode()
    assert 'name="details-persons_in_cells" value="1"' in page
    assert 'name="details-property_held" value="2"' in page
    assert 'name="details-entries_cells" value="1"' in page
    assert "From the book: 2" in page
    # A type the book has no entry of today is not asked.
    assert "details-entries_complaint" not in page


def test_choosing_the_day_close_without_javascript_prefills_the_figures(
    desk_client: Client, station: Station, detainee: CustodyRecord
) -> None:
    page = desk_client.post("/entries/new", {"entry_type": "DAILY_CLOSE", "choose_type": "1"}).content.decode()
    assert 'name="details-persons_in_cells" value="1"' in page


def test_the_desk_refuses_a_changed_figure_without_remarks_listing_the_books_figure(
    desk_client: Client, station: Station, detainee: CustodyRecord
) -> None:
    form = {
        "entry_type": "DAILY_CLOSE",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "place": "Report office",
        "narrative": "Day closed.",
        "details-persons_in_cells": "1",
        "details-property_held": "1",
        "details-officers_on_duty": "3",
    }
    response = desk_client.post("/entries/new", form)
    assert response.status_code == 422
    page = response.content.decode()
    assert "The book gives 2: confirm that figure, or explain in Remarks why you counted 1" in page
    assert "The book gives 0: confirm that figure, or explain in Remarks why you counted 3" in page
    assert 'href="#id_details-property_held"' in page and 'href="#id_details-remarks"' in page
    assert not DayClose.objects.exists()


def test_the_day_close_entry_shows_each_figure_with_the_difference_highlighted(
    desk_officer: User, desk_client: Client, station: Station, detainee: CustodyRecord
) -> None:
    why = "Taken to hospital under guard before the count."
    entry = record_occurrence(actor=desk_officer, station=station, draft=close(persons_in_cells=0, remarks=why)).entry
    page = desk_client.get(f"/entries/{entry.pk}").content.decode()
    assert "1 difference from the book" in page
    assert '<tr class="row-differs"><td>Persons in cells</td><td>1</td><td><strong>0</strong> (differs)' in page
    assert why in page
    assert "Property held from the cells (taken at booking, not yet returned)" in page


def test_the_day_close_entry_reads_in_kiswahili(
    desk_officer: User, desk_client: Client, station: Station, detainee: CustodyRecord
) -> None:
    entry = record_occurrence(actor=desk_officer, station=station, draft=close(persons_in_cells=1)).entry
    page = desk_client.get(f"/entries/{entry.pk}", HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Kila idadi imethibitishwa dhidi ya kitabu" in page
    assert "Matukio: " in page
