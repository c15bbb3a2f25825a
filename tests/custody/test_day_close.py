"""The day close checks the persons in cells against the cells board: a difference is explained and recorded."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.core.errors import InvalidInput
from daftari.custody.models import CustodyRecord, DayClose
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import EntryDraft
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station


def close(**details: object) -> EntryDraft:
    return EntryDraft(
        entry_type="DAILY_CLOSE",
        occurred_at=timezone.now() - timedelta(minutes=1),
        place="Report office",
        narrative="Day closed by the duty officer.",
        details=details,
    )


def test_the_day_close_refuses_0_in_cells_silently_when_the_board_holds_someone(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(actor=desk_officer, station=station, draft=close(persons_in_cells=0))
    assert "The cells board holds 1" in refused.value.fields["details.remarks"]
    assert not Occurrence.objects.filter(entry_type="DAILY_CLOSE").exists()
    assert not DayClose.objects.exists()


def test_a_confirmed_figure_is_recorded_without_a_difference(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    entry = record_occurrence(actor=desk_officer, station=station, draft=close(persons_in_cells=1)).entry
    day_close = DayClose.objects.get(entry=entry)
    assert day_close.differences == 0
    assert day_close.figures == [{"key": "persons_in_cells", "from_book": 1, "counted": 1, "explanation": ""}]


def test_an_explained_difference_is_recorded_beside_the_boards_figure(
    desk_officer: User, station: Station, detainee: CustodyRecord
) -> None:
    why = "Otieno taken to hospital under guard at 17:00; not in the cell at the count."
    entry = record_occurrence(actor=desk_officer, station=station, draft=close(persons_in_cells=0, remarks=why)).entry
    day_close = DayClose.objects.get(entry=entry)
    assert day_close.differences == 1
    assert day_close.figures == [{"key": "persons_in_cells", "from_book": 1, "counted": 0, "explanation": why}]


def test_the_day_close_entry_shows_the_difference_from_the_board(
    desk_officer: User, desk_client: Client, station: Station, detainee: CustodyRecord
) -> None:
    why = "Taken to hospital under guard before the count."
    entry = record_occurrence(actor=desk_officer, station=station, draft=close(persons_in_cells=0, remarks=why)).entry
    page = desk_client.get(f"/entries/{entry.pk}").content.decode()
    assert "1 difference from the cells board" in page
    assert "<strong>0</strong> (differs)" in page and why in page
