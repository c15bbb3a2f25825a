"""The shapes of the cell register on the API. Checking what they mean is the rules' job, not these."""

import uuid
from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from daftari.core.schemas import InputSchema
from daftari.custody.models import CustodyState
from daftari.custody.rules import COURT_OUTCOMES, INTERPRETER_LANGUAGES, RELEASE_ON, SEXES, Cell, EventKind, Punishment

TEXT = 5_000
MAX_PARTS = 200
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


class DetaineeIn(InputSchema):
    name: str = Field(max_length=TEXT)
    sex: str = Field(max_length=10, json_schema_extra={"enum": list(SEXES)})
    id_number: str | None = Field("", max_length=TEXT)
    phone: str | None = Field("", max_length=TEXT)
    age: int | None = Field(None, ge=0, le=1000)
    date_of_birth: date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)


class CustodyOffenceIn(InputSchema):
    section: str | None = Field("", max_length=TEXT)
    description: str | None = Field("", max_length=TEXT)
    punishable_by: str = Field(
        Punishment.UNKNOWN.value,
        max_length=40,
        json_schema_extra={"enum": [p.value for p in Punishment]},
        description="fine_only and up_to_6_months raise the Art. 49(2) warning: no remand for such offences.",
    )


class HeldItemIn(InputSchema):
    description: str = Field(max_length=TEXT)
    quantity: int = Field(1, ge=-1_000_000_000, le=1_000_000_000)
    value_kes: int | None = Field(None, ge=-(10**15), le=10**15, description="Whole Kenya shillings.")


class HealthIn(InputSchema):
    injuries_seen: bool = False
    injuries: str = Field("", max_length=TEXT)
    needs_medication: bool = False
    mental_health_concern: bool = False
    ocs_told: bool = Field(False, description="Required when any health issue is recorded (the Ogola rules).")
    notes: str = Field("", max_length=TEXT)


class NextOfKinIn(InputSchema):
    informed: bool = False
    name: str = Field("", max_length=TEXT)
    informed_at: datetime | None = None


class ArrestIn(InputSchema):
    place: str = Field(max_length=TEXT)
    reason: str = Field(max_length=TEXT)


LATE = (
    "Recorded late: the time given is long before now. A booking's `arrested_at` more than the book's "
    "late-entry window (24 h) ago, or an event's `at` before the booking was recorded or more than 1 h ago, "
    "is refused (422) unless flagged late with `late_reason`. A late event counts at its recording time "
    "for Art. 49."
)
LATE_REASON = "Why it is recorded late (required with `late`, at most 500 characters)."


EXAMPLE_BOOKING: dict[str, Any] = {
    "occurrence": "6f0c3b9e-2a41-4d8e-9b57-0d7c1e2a9f13",
    "arrested_at": "2026-03-03T21:30:00+03:00",
    "arresting_officer": "SN2001",
    "cell": "male",
    "detainee": {"name": "Otieno Ouma", "sex": "M", "id_number": "23456789", "age": 27},
    "offences": [{"section": "s.268 Penal Code", "description": "Stealing", "punishable_by": "more_than_6_months"}],
    "physical_condition": "No visible injuries",
    "health": {"injuries_seen": False, "needs_medication": False, "mental_health_concern": False},
    "next_of_kin": {"informed": True, "name": "Akinyi Ouma (sister)", "informed_at": "2026-03-03T22:00:00+03:00"},
    "property": [{"description": "Tecno phone", "quantity": 1, "value_kes": 12000}],
}


class CustodyIn(InputSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_BOOKING]})

    id: uuid.UUID | None = Field(None, description="Client-chosen id that makes retries safe.")
    occurrence: uuid.UUID | None = Field(None, description="The ARREST entry's id. Or give `arrest` instead.")
    arrest: ArrestIn | None = Field(None, description="Record the ARREST entry in the same step.")
    arrested_at: datetime = Field(description="When the person was arrested, with its UTC offset.")
    arresting_officer: str = Field(max_length=TEXT, description="The arresting officer's service number.")
    cell: str = Field(max_length=20, json_schema_extra={"enum": [c.value for c in Cell]})
    detainee: DetaineeIn
    offences: list[CustodyOffenceIn] = Field(default_factory=list, max_length=MAX_PARTS)
    physical_condition: str = Field("", max_length=TEXT)
    health: HealthIn = Field(default_factory=lambda: HealthIn.model_validate({}))
    next_of_kin: NextOfKinIn = Field(default_factory=lambda: NextOfKinIn.model_validate({}))
    property: list[HeldItemIn] = Field(default_factory=list, max_length=MAX_PARTS)
    late: bool = Field(False, description=LATE)
    late_reason: str = Field("", max_length=TEXT, description=LATE_REASON)
    asylum_seeker_or_refugee: bool = Field(
        False, description="An asylum seeker or refugee; implied when the ID number is a refugee register document's."
    )
    interpreter_language: str = Field(
        "",
        max_length=TEXT,
        description="Required for an asylum seeker or refugee: a code ("
        + ", ".join(INTERPRETER_LANGUAGES)
        + ") or the language's name in letters.",
    )
    immigration_only: bool = Field(
        False,
        description="Held only on an immigration matter: never in a cell with criminal detainees "
        "(Refugees Regulations 2024); a cell holding them answers 422 on `cell`.",
    )


class EventIn(InputSchema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "release",
                    "details": {"release_on": "cash_bail", "amount_kes": 5000, "receipt_number": "R-114"},
                },
                {"kind": "continued_detention", "details": {"reason": "Court not sitting; produced Monday."}},
            ]
        }
    )

    id: uuid.UUID | None = Field(None, description="Client-chosen id that makes retries safe.")
    kind: str = Field(max_length=40, json_schema_extra={"enum": [k.value for k in EventKind]})
    at: datetime | None = Field(None, description="When it happened; now when left out.")
    late: bool = Field(False, description=LATE)
    late_reason: str = Field("", max_length=TEXT, description=LATE_REASON)
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="By kind: visit {visitor}, health {note}, cell_transfer {to_cell}, continued_detention "
        f"{{reason}}, release {{release_on: {'|'.join(RELEASE_ON)}, amount_kes, receipt_number}}, to_court "
        f"{{court, case_number, outcome: {'|'.join(COURT_OUTCOMES)}}}, station_transfer {{to_station, to_cell}}, "
        "escape/death/serious_injury {note}, property_returned {items: [{position, outcome, acknowledged, note}]}.",
    )


class CustodyFilters(InputSchema):
    state: str = Field(
        "",
        max_length=20,
        json_schema_extra={"enum": ["", *CustodyState.State.values]},
        description="in_custody lists who is in the cells now.",
    )
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(25, ge=1, le=100)


# --- Responses ----------------------------------------------------------------------------


class DetaineeOut(Schema):
    name: str | None
    sex: str
    id_number: str | None
    phone: str | None
    age: int | None
    date_of_birth: date | None


class CustodyOffenceOut(Schema):
    section: str
    description: str
    punishable_by: str


class HeldItemOut(Schema):
    position: int
    description: str | None = Field(description="null when your role does not see personal data.")
    quantity: int
    value_kes: int | None


class EventOut(Schema):
    id: uuid.UUID
    kind: str
    station: str
    at: datetime = Field(description="When it happened, as typed.")
    recorded_at: datetime = Field(description="When it was entered in the register.")
    late: bool = Field(description="Recorded late: it counts at `recorded_at` for Art. 49.")
    late_reason: str | None
    recorded_by: str
    details: dict[str, Any]


class CustodyOut(Schema):
    id: uuid.UUID
    station: str
    occurrence: uuid.UUID = Field(description="The ARREST entry.")
    ob_number: str = Field(description="The ARREST entry's OB number.")
    cells_entry: uuid.UUID | None = Field(
        None, description="The booking's OB line (a CELLS entry), written with it; null for older bookings."
    )
    cells_ob_number: str | None = Field(None, description="The OB number of that line.")
    detainee: DetaineeOut
    personal_data_withheld: bool
    offences: list[CustodyOffenceOut]
    arresting_officer: str
    arrested_at: datetime
    booked_in_at: datetime
    late: bool = Field(description="Booked in long after the arrest, flagged late.")
    late_reason: str | None
    asylum_seeker_or_refugee: bool | None = Field(description="null when your role does not see personal data.")
    interpreter_language: str | None = Field(description="null when your role does not see personal data.")
    immigration_only: bool
    cell: str
    court_deadline: datetime = Field(description="Art. 49(1)(f), in Nairobi time (+03:00).")
    remand_warning: bool = Field(description="Art. 49(2): every offence is punishable by a fine or 6 months or less.")
    physical_condition: str | None
    health: dict[str, Any]
    next_of_kin_informed: bool
    next_of_kin_name: str | None = Field(description="null when your role does not see personal data.")
    property: list[HeldItemOut]
    state: str
    current_station: str
    current_cell: str
    closed_at: datetime | None
    brought_within_deadline: bool | None
    minutes_left: int
    band: str
    events: list[EventOut]


class CustodyPageOut(Schema):
    results: list[CustodyOut]
    page: int
    per_page: int
    has_next: bool
