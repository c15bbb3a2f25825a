"""A suspect arrested an hour ago, ready to be booked into the cells."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from daftari.custody import rules
from daftari.custody.models import CustodyRecord
from daftari.custody.services import book_in
from daftari.ledger import keys
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import EntryDraft, PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer
from tests.conftest import PASSWORD

ARRESTING_OFFICER = "SN2001"


@pytest.fixture(autouse=True)
def arresting_officer(request: pytest.FixtureRequest) -> None:
    """The officer the arrests below name: an entry names only officers of the register."""
    if {"db", "transactional_db"} & set(request.fixturenames):
        enrol_arresting_officer(request.getfixturevalue("station"))


def enrol_arresting_officer(station: Station) -> None:
    create_officer(
        username="arresting",
        password=PASSWORD,
        service_number=ARRESTING_OFFICER,
        rank=Officer.Rank.CONSTABLE,
        station=station,
        roles=[Role.INVESTIGATOR],
    )


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


# Why a booking days after the arrest is recorded late.
HELD_ELSEWHERE = "Held at the hospital under guard until discharged."


def booking(**overrides: object) -> rules.Booking:
    fields: dict[str, object] = {
        "detainee": rules.DetaineeInput(name="Otieno Ouma", sex="M", id_number="23456789", age=27),
        "arresting_officer": ARRESTING_OFFICER,
        "arrested_at": timezone.now() - timedelta(hours=1),
        "cell": "male",
        "offences": (
            rules.OffenceInput(section="s.268 Penal Code", description="Stealing", punishable_by="more_than_6_months"),
        ),
        "physical_condition": "No visible injuries",
        "health": rules.HealthCheck(),
        "next_of_kin": rules.NextOfKin(informed=True, name="Akinyi Ouma (sister)", informed_at=timezone.now()),
        "property_items": (
            rules.PropertyInput(description="Tecno phone", value_kes=12000),
            rules.PropertyInput(description="Leather belt"),
        ),
    }
    fields.update(overrides)
    return rules.Booking(**fields)  # type: ignore[arg-type]


def arrest_draft(arrested_at: datetime | None = None) -> EntryDraft:
    moment = arrested_at or timezone.now() - timedelta(hours=1)
    return EntryDraft(
        entry_type="ARREST",
        occurred_at=moment,
        place="Tom Mboya Street",
        narrative="Arrested after a phone was snatched at the bus stage.",
        details={
            "arrested_at": moment.isoformat(),
            "arresting_officer": ARRESTING_OFFICER,
            "reason_for_arrest": "Suspected of stealing a phone",
        },
        parties=(PartyInput(role="suspect", name="Otieno Ouma", id_number="23456789", sex="M", age=27),),
    )


@pytest.fixture
def arrest(desk_officer: User, station: Station) -> Occurrence:
    return record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry


@pytest.fixture
def detainee(desk_officer: User, station: Station, arrest: Occurrence) -> CustodyRecord:
    return book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest).record
