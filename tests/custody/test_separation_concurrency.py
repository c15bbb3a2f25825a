"""Two desks booking into the same empty cell at once: one held only on an immigration matter, one on a
criminal charge. The separation rule reads who is in the cell, so the second booking must wait for
the first and then be refused, never both find the cell empty (PostgreSQL; SQLite writes one at a time)."""

import threading
import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections

from daftari.core.errors import InvalidInput
from daftari.custody import rules, services
from daftari.custody.models import CustodyRecord
from daftari.stations.models import County, Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer
from tests.custody.conftest import booking, enrol_arresting_officer

ARREST = rules.ArrestDetails(place="Kakuma market", reason="Arrested at the market")


def _desks() -> tuple[Station, list[int]]:
    station = Station.objects.create(code="KAKUMA", name="Kakuma Police Station", county=County.objects.get(code=23))
    enrol_arresting_officer(station)
    desks = [
        create_officer(
            username=f"desk{i}",
            password="two desks at one cell",
            service_number=f"SN70{i}",
            rank=Officer.Rank.CONSTABLE,
            station=station,
            roles=[Role.DESK],
        ).user.pk
        for i in range(2)
    ]
    return station, desks


if "postgresql" in settings.DATABASES["default"]["ENGINE"]:

    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_two_desks_booking_an_immigration_only_and_a_criminal_detainee_into_one_cell_at_once_place_one(
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        station, desks = _desks()
        create = services._create_booking

        def slow_create(*args: Any) -> CustodyRecord:
            # Widen the window between reading the cell and committing: without the station's cells
            # held, both desks would read it empty here.
            time.sleep(0.5)
            return create(*args)

        monkeypatch.setattr(services, "_create_booking", slow_create)
        bookings = [
            booking(
                detainee=rules.DetaineeInput(name="Deng Garang", sex="M", age=31),
                asylum_seeker_or_refugee=True,
                interpreter_language="din",
                immigration_only=True,
            ),
            booking(detainee=rules.DetaineeInput(name="Otieno Ouma", sex="M", age=27)),
        ]
        start = threading.Barrier(2)
        placed: list[str] = []
        refused: list[str] = []
        failures: list[BaseException] = []

        def desk(user_pk: int, typed: rules.Booking) -> None:
            try:
                actor = User.objects.get(pk=user_pk)
                start.wait(timeout=30)
                try:
                    services.book_in(actor=actor, station=station, booking=typed, arrest_details=ARREST)
                    placed.append(typed.detainee.name)
                except InvalidInput as problem:
                    assert "cell" in problem.fields
                    refused.append(typed.detainee.name)
            except BaseException as error:
                failures.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=desk, args=job) for job in zip(desks, bookings, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        if failures:
            raise failures[0]
        assert (len(placed), len(refused)) == (1, 1)
        assert CustodyRecord.objects.filter(station=station).count() == 1

else:

    def test_sqlite_writes_one_booking_at_a_time_so_the_cell_is_read_after_the_other_commits() -> None:
        # The embedded default opens every write transaction IMMEDIATE (settings): a second booking
        # waits for the first to commit before it reads the cell, as the PostgreSQL test proves there.
        options: dict[str, Any] = settings.DATABASES["default"].get("OPTIONS", {})
        assert options.get("transaction_mode") == "IMMEDIATE"
