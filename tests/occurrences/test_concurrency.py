"""The OB number stays gapless and unique when many desks record at the same station at once.

The PostgreSQL proof runs threads in the test process, each on its own connection. SQLite's
test database is in memory with a shared cache, where writers fail instead of queueing, so the
SQLite proof runs the same threads in a child process against a real database file, the way
the embedded default runs at a station.
"""

import json
import os
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections

from daftari.core.errors import InvalidInput
from daftari.occurrences import services
from daftari.occurrences.models import ObCounter, Occurrence
from daftari.occurrences.rules import EntryDraft
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import County, Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer
from tests.conftest import complaint
from tests.migrated_sqlite import copy_into

DESKS = 8
ENTRIES_PER_DESK = 25
DESKS_ELSEWHERE = 2
ENTRIES_PER_DESK_ELSEWHERE = 10
CRASH_EVERY = 5  # every fifth attempt at a desk dies after its number was allocated
CRASH_MARK = "[the desk computer lost power here]"
REPO = Path(__file__).resolve().parents[2]


class SimulatedCrash(Exception):
    pass


def crash_midway(write_parts: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Wraps the step that writes an entry with its parties (on PostgreSQL it also takes the OB
    number): the crash comes after it, once the number is taken and the entry written."""

    def write_parts_or_crash(entry: Occurrence, draft: EntryDraft, *rest: Any) -> dict[str, Any]:
        record = write_parts(entry, draft, *rest)
        if CRASH_MARK in draft.narrative:
            raise SimulatedCrash
        return record

    return write_parts_or_crash


def two_stations_with_desks() -> tuple[list[int], list[int]]:
    """Two stations in two counties; returns the user ids of the desks at each."""
    here = Station.objects.create(code="CENTRAL-NBI", name="Central", county=County.objects.get(code=47))
    there = Station.objects.create(code="KISUMU-CTL", name="Kisumu Central", county=County.objects.get(code=42))
    serial = iter(range(5000, 6000))

    def desk(name: str, station: Station) -> int:
        officer = create_officer(
            username=name,
            password="concurrent desks at one counter",
            service_number=f"SN{next(serial)}",
            rank=Officer.Rank.CONSTABLE,
            station=station,
            roles=[Role.DESK],
        )
        return officer.user.pk

    return (
        [desk(f"desk{i}", here) for i in range(DESKS)],
        [desk(f"elsewhere{i}", there) for i in range(DESKS_ELSEWHERE)],
    )


def record_from_all_desks_at_once(desks: list[int], desks_elsewhere: list[int]) -> int:
    """Every desk records its entries at the same moment; returns how many attempts crashed."""
    jobs = [(pk, ENTRIES_PER_DESK) for pk in desks] + [(pk, ENTRIES_PER_DESK_ELSEWHERE) for pk in desks_elsewhere]
    start = threading.Barrier(len(jobs))
    crashes: list[int] = []
    failures: list[BaseException] = []

    def desk(user_pk: int, entries: int) -> None:
        try:
            actor = User.objects.select_related("officer__station").get(pk=user_pk)
            station = actor.officer.station
            assert station is not None
            start.wait(timeout=30)
            recorded = attempts = 0
            while recorded < entries:
                attempts += 1
                if attempts % CRASH_EVERY == 0:
                    draft = complaint(narrative=f"Desk {user_pk} attempt {attempts} {CRASH_MARK}")
                    try:
                        record_occurrence(actor=actor, station=station, draft=draft)
                    except SimulatedCrash:
                        crashes.append(1)
                    continue
                draft = complaint(narrative=f"Desk {user_pk} entry {recorded + 1}: phone snatched.")
                record_occurrence(actor=actor, station=station, draft=draft)
                recorded += 1
        except BaseException as error:
            failures.append(error)
            start.abort()
        finally:
            # Django gives each thread its own connection; close it before the test flushes.
            connections.close_all()

    threads = [threading.Thread(target=desk, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a desk never finished recording"
    if failures:
        raise failures[0]
    return len(crashes)


def ob_numbers_by_station_day() -> dict[str, list[int]]:
    """``"<station code> <day>"`` → the OB sequence numbers given out that day, sorted."""
    book: dict[str, list[int]] = defaultdict(list)
    for code, day, seq in Occurrence.objects.values_list("station__code", "ob_date", "ob_seq"):
        book[f"{code} {day.isoformat()}"].append(seq)
    counters = {
        f"{code} {day.isoformat()}": last
        for code, day, last in ObCounter.objects.values_list("station__code", "ob_date", "last_seq")
    }
    # The counter must agree with the book: a crashed entry may not have advanced it.
    assert {key: max(seqs) for key, seqs in book.items()} == counters
    return {key: sorted(seqs) for key, seqs in book.items()}


def assert_each_day_runs_from_one_without_gaps(book: dict[str, list[int]], station_code: str, total: int) -> None:
    days = {key: seqs for key, seqs in book.items() if key.startswith(f"{station_code} ")}
    for seqs in days.values():
        assert seqs == list(range(1, len(seqs) + 1))
    assert sum(len(seqs) for seqs in days.values()) == total


def test_a_record_that_fails_after_taking_its_number_gives_the_number_to_the_next_entry(
    desk_officer: User, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_write_parts", crash_midway(services._write_parts))
    record_occurrence(actor=desk_officer, station=station, draft=complaint())
    with pytest.raises(SimulatedCrash):
        record_occurrence(actor=desk_officer, station=station, draft=complaint(narrative=CRASH_MARK))
    after = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    assert after.ob_seq == 2
    assert not Occurrence.objects.filter(narrative__contains=CRASH_MARK).exists()


def test_an_entry_refused_as_invalid_does_not_use_up_a_number(desk_officer: User, station: Station) -> None:
    with pytest.raises(InvalidInput):
        record_occurrence(actor=desk_officer, station=station, draft=complaint(place=""))
    assert record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry.ob_seq == 1


if "postgresql" in settings.DATABASES["default"]["ENGINE"]:

    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_eight_desks_recording_at_once_get_gapless_unique_ob_numbers_on_postgresql(
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(services, "_write_parts", crash_midway(services._write_parts))
        desks, desks_elsewhere = two_stations_with_desks()

        crashes = record_from_all_desks_at_once(desks, desks_elsewhere)

        book = ob_numbers_by_station_day()
        assert crashes > 0
        assert_each_day_runs_from_one_without_gaps(book, "CENTRAL-NBI", DESKS * ENTRIES_PER_DESK)
        assert_each_day_runs_from_one_without_gaps(book, "KISUMU-CTL", DESKS_ELSEWHERE * ENTRIES_PER_DESK_ELSEWHERE)
        assert not Occurrence.objects.filter(narrative__contains=CRASH_MARK).exists()

else:

    @pytest.fixture
    def sqlite_station_database(tmp_path: Path, migrated_sqlite: Path) -> Iterator[dict[str, str]]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(DAFTARI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="daftari.settings", DAFTARI_DEBUG="1")
        copy_into(migrated_sqlite, tmp_path)
        yield env

    CHILD = """
import json
import django

django.setup()
from daftari.occurrences import services
from tests.occurrences import test_concurrency as t

services._write_parts = t.crash_midway(services._write_parts)
crashes = t.record_from_all_desks_at_once(*t.two_stations_with_desks())
print(json.dumps({"crashes": crashes, "book": t.ob_numbers_by_station_day()}))
"""

    def test_eight_desks_recording_at_once_get_gapless_unique_ob_numbers_on_sqlite(
        sqlite_station_database: dict[str, str],
    ) -> None:
        child = subprocess.run(
            [sys.executable, "-c", CHILD],
            env=sqlite_station_database,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert child.returncode == 0, child.stderr
        result = json.loads(child.stdout.strip().splitlines()[-1])
        book = result["book"]
        assert result["crashes"] > 0
        assert_each_day_runs_from_one_without_gaps(book, "CENTRAL-NBI", DESKS * ENTRIES_PER_DESK)
        assert_each_day_runs_from_one_without_gaps(book, "KISUMU-CTL", DESKS_ELSEWHERE * ENTRIES_PER_DESK_ELSEWHERE)
