"""The shapes of OB entries on the API. Checking what they mean is the rules' job, not these."""

import uuid
from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from daftari.alerts.schemas import AlertMatchOut
from daftari.core.schemas import NOT_BLANK, InputSchema, OutputSchema
from daftari.occurrences.entry_types import DIRECT_CODES
from daftari.occurrences.rules import PARTY_ROLES, SEXES

# Bounds that keep a request a sensible size; the rules check what each value means.
MAX_PARTS = 100
TEXT = 20_000

# Dates outside these years are mistakes, and the edges of Python's calendar overflow
# when converted between time zones.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


class PartyIn(InputSchema):
    role: str = Field(json_schema_extra={"enum": list(PARTY_ROLES)})
    name: str | None = Field("", max_length=TEXT)
    id_number: str | None = Field("", max_length=TEXT, description="National ID, Maisha Namba or passport number.")
    phone: str | None = Field("", max_length=TEXT, description="e.g. 0712 345 678 or +254712345678")
    sex: str | None = Field("", max_length=10, json_schema_extra={"enum": ["", *SEXES]})
    age: int | None = Field(None, ge=0, le=1000)
    date_of_birth: date | None = Field(None, ge=EARLIEST_DAY, le=LATEST_DAY)


class OffenceIn(InputSchema):
    section: str | None = Field("", max_length=TEXT, description="e.g. s.268 Penal Code")
    description: str | None = Field("", max_length=TEXT)


class PropertyItemIn(InputSchema):
    description: str = Field(max_length=TEXT)
    serial_number: str | None = Field("", max_length=TEXT)
    quantity: int = Field(1, ge=-1_000_000_000, le=1_000_000_000)
    value_kes: int | None = Field(None, ge=-(10**15), le=10**15, description="Whole Kenya shillings.")


class VehicleIn(InputSchema):
    plate: str = Field(max_length=TEXT, description="e.g. KCR 442X")
    make_model: str | None = Field("", max_length=TEXT)
    colour: str | None = Field("", max_length=TEXT)


EXAMPLE_ENTRY: dict[str, Any] = {
    "id": "6f0c3b9e-2a41-4d8e-9b57-0d7c1e2a9f13",
    "entry_type": "COMPLAINT",
    "occurred_at": "2025-06-07T08:15:00+03:00",
    "place": "Moi Avenue, near the bus stage",
    "narrative": "The complainant reports that her phone was snatched by a man on a motorcycle.",
    "lat": -1.283,
    "lon": 36.823,
    "refers_to": None,
    "parties": [
        {
            "role": "complainant",
            "name": "Wanjiku Kamau",
            "id_number": "12345678",
            "phone": "+254712345678",
            "sex": "F",
            "age": 34,
            "date_of_birth": None,
        }
    ],
    "offences": [{"section": "s.268 Penal Code", "description": "Stealing"}],
    "property_items": [{"description": "Tecno phone", "serial_number": "", "quantity": 1, "value_kes": 25000}],
    "vehicles": [{"plate": "KMEA 442X", "make_model": "Boxer motorcycle", "colour": "red"}],
    "details": {"action_taken": "Advised to block the SIM card."},
}


class EntryIn(InputSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_ENTRY]})

    id: uuid.UUID | None = Field(
        None,
        description="Chosen by the client to make retries safe: the same id with the same body "
        "returns the stored entry (200); with a different body, 409.",
    )
    entry_type: str = Field(json_schema_extra={"enum": list(DIRECT_CODES)})
    occurred_at: datetime = Field(description="When it happened, with its UTC offset.")
    late: bool = Field(
        False,
        description="Recorded late: `occurred_at` more than the late-entry window (24 h) ago is refused (422) "
        "unless flagged late with `late_reason`.",
    )
    late_reason: str = Field(
        "", max_length=TEXT, description="Why it is recorded late (required with `late`, at most 500 characters)."
    )
    place: str = Field("", max_length=TEXT)
    narrative: str = Field("", max_length=TEXT * 2)
    lat: float | None = Field(None, ge=-1000, le=1000)
    lon: float | None = Field(None, ge=-1000, le=1000)
    refers_to: str | None = Field(
        None, max_length=100, description="The earlier entry this follows: its id or its OB number."
    )
    parties: list[PartyIn] = Field(default_factory=list, max_length=MAX_PARTS)
    offences: list[OffenceIn] = Field(default_factory=list, max_length=MAX_PARTS)
    property_items: list[PropertyItemIn] = Field(default_factory=list, max_length=MAX_PARTS)
    vehicles: list[VehicleIn] = Field(default_factory=list, max_length=MAX_PARTS)
    details: dict[str, Any] = Field(
        default_factory=dict, description="The fields of this entry type (see GET /entry-types)."
    )
    confirm_unusual: bool = Field(
        False,
        description="True when the officer has checked that a number plate or ID number that fits no known "
        "Kenyan format is correct as typed (a foreign passport, an old plate): it is then recorded and flagged "
        "instead of refused.",
    )
    sms_language: str | None = Field(
        None,
        description="The language of the complainant's SMS (OB number, then the case's status): `en` or `sw`. "
        "Remembered for the complainant's phone; left out, the phone's earlier choice holds (else English).",
        json_schema_extra={"enum": ["en", "sw", None]},
    )


PARTS_HELP = (
    "Each corrects the part at position `of` (0-based) of the entry as it reads now (`parties_as_corrected`), "
    "adds one (`of` left out) or marks one entered in error (`in_error`); the corrected `value` is checked "
    "like a new entry's."
)
POSITION = Field(None, ge=0, le=1000, description="Position in the entry as it reads now; left out to add one.")


class PartyCorrectionIn(InputSchema):
    of: int | None = POSITION
    in_error: bool = False
    value: PartyIn | None = None


class OffenceCorrectionIn(InputSchema):
    of: int | None = POSITION
    in_error: bool = False
    value: OffenceIn | None = None


class PropertyItemCorrectionIn(InputSchema):
    of: int | None = POSITION
    in_error: bool = False
    value: PropertyItemIn | None = None


class VehicleCorrectionIn(InputSchema):
    of: int | None = POSITION
    in_error: bool = False
    value: VehicleIn | None = None


class AmendmentIn(InputSchema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "The complainant gave the wrong street.", "changes": {"place": "Tom Mboya Street"}}]
        }
    )

    id: uuid.UUID | None = Field(None, description="Client-chosen id that makes retries safe.")
    reason: str = Field(max_length=2000, pattern=NOT_BLANK, description="Why the entry is corrected.")
    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="Corrected values by field name: narrative, place, occurred_at or a field of the entry's type. "
        "A correction changes at least one field or one part (parties, offences, property_items, vehicles).",
    )
    parties: list["PartyCorrectionIn"] = Field(default_factory=list, max_length=MAX_PARTS, description=PARTS_HELP)
    offences: list["OffenceCorrectionIn"] = Field(default_factory=list, max_length=MAX_PARTS)
    property_items: list["PropertyItemCorrectionIn"] = Field(default_factory=list, max_length=MAX_PARTS)
    vehicles: list["VehicleCorrectionIn"] = Field(default_factory=list, max_length=MAX_PARTS)
    confirm_unusual: bool = Field(
        False,
        description="The desk has checked a corrected ID number or plate that fits no known format: it is "
        "recorded and flagged (otherwise 422).",
    )


class SearchFilters(InputSchema):
    ob_number: str = Field("", max_length=100, description="e.g. OB 136/7/6/2025")
    q: str = Field("", max_length=500, description="Words of the narrative, place, names, ID numbers or plates.")
    id_number: str = Field("", max_length=100)
    phone: str = Field("", max_length=100)
    plate: str = Field("", max_length=100)
    name: str = Field("", max_length=200)
    type: str = Field("", max_length=40, description="An entry type code.")
    date_from: date | None = Field(
        None, alias="from", ge=EARLIEST_DAY, le=LATEST_DAY, description="Recorded on or after this day."
    )
    date_to: date | None = Field(
        None, alias="to", ge=EARLIEST_DAY, le=LATEST_DAY, description="Recorded on or before this day."
    )
    station: str = Field("", max_length=40, description="A station code, where your role sees several.")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(25, ge=1, le=100)


# --- Responses ----------------------------------------------------------------------------


class PartyOut(OutputSchema):
    role: str
    name: str
    id_number: str
    phone: str
    sex: str
    age: int | None
    date_of_birth: date | None


class OffenceOut(OutputSchema):
    section: str
    description: str


class PropertyItemOut(OutputSchema):
    description: str | None = Field(description="null when your role does not see personal data.")
    serial_number: str | None = Field(description="null when your role does not see personal data.")
    quantity: int
    value_kes: int | None


class VehicleOut(OutputSchema):
    plate: str | None = Field(description="null when your role does not see personal data.")
    make_model: str
    colour: str


class CorrectionOut(OutputSchema):
    id: uuid.UUID
    ob_number: str
    recorded_at: datetime
    reason: str | None = Field(description="null when your role does not see personal data.")
    changes: dict[str, str]


class EntryOut(OutputSchema):
    id: uuid.UUID
    ob_number: str
    station: str = Field(description="The station's code.")
    entry_type: str
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str = Field(description="The recording officer's service number.")
    place: str | None = Field(description="null when your role does not see personal data.")
    lat: float | None
    lon: float | None
    narrative: str | None = Field(description="null when your role does not see personal data.")
    details: dict[str, Any] = Field(
        description="Type-specific fields. Free-text fields are left out when your role does not see personal data."
    )
    refers_to: uuid.UUID | None
    is_late: bool
    late_reason: str | None = Field(
        description="Why it was recorded late; null when your role does not see personal data."
    )
    personal_data_withheld: bool = Field(
        description="True for roles that work on figures only (analysts): parties are empty, the narrative, "
        "place, plates and property descriptions are null and free-text fields are left out; and for a "
        "restricted entry read outside its circle."
    )
    restricted: bool = Field(
        description="A restricted entry (gender-based violence and the like) read by someone other than the "
        "station's OCS, the assigned investigator or the recording officer: only that it exists (OB number, "
        "type, times) is shown."
    )
    parties: list[PartyOut]
    offences: list[OffenceOut]
    property_items: list[PropertyItemOut]
    vehicles: list[VehicleOut]
    corrections: list[CorrectionOut] = Field(description="Corrections of this entry, in the order recorded.")
    as_corrected: dict[str, Any] = Field(description="The correctable fields as they read after every correction.")
    parties_as_corrected: list["PartyCorrectedOut"] = Field(
        description="The people as they read after every correction (`parties` is the entry as recorded)."
    )
    offences_as_corrected: list["OffenceCorrectedOut"]
    property_items_as_corrected: list["PropertyItemCorrectedOut"]
    vehicles_as_corrected: list["VehicleCorrectedOut"]
    corrected_matches: list["CorrectedMatchOut"] = Field(
        default_factory=list,
        description="Only in search results: each value sought (phone, ID number, name, plate, words) that this "
        "entry holds but a later correction replaced, so a superseded value is never relied on unawares. "
        "Empty for roles that do not see personal data.",
    )


class CorrectedMatchOut(OutputSchema):
    label: str = Field(description="What was corrected, in the reader's language (e.g. 'Phone number').")
    was: str = Field(description="The value the search found.")
    now: str | None = Field(description="The value now; null when struck out as entered in error; empty if removed.")
    in_error: bool
    correction_id: uuid.UUID
    correction_ob_number: str
    corrected_at: datetime


class CorrectedFlags(OutputSchema):
    corrected: bool = Field(description="Its values are a correction's.")
    in_error: bool = Field(description="A correction marked it entered in error.")


class PartyCorrectedOut(PartyOut, CorrectedFlags):
    pass


class OffenceCorrectedOut(OffenceOut, CorrectedFlags):
    pass


class PropertyItemCorrectedOut(PropertyItemOut, CorrectedFlags):
    pass


class VehicleCorrectedOut(VehicleOut, CorrectedFlags):
    pass


EntryOut.model_rebuild()


class RecordedEntryOut(EntryOut):
    alerts: list[AlertMatchOut] = Field(
        description="Active national alerts that a person's name, ID number or phone, or a plate, of this entry "
        "matches (wanted or missing person, stolen vehicle, lost document): tell the officer at once."
    )


class SearchPageOut(OutputSchema):
    results: list[EntryOut]
    page: int
    per_page: int
    has_next: bool


class ChoiceOut(Schema):
    value: str
    label: str


class EntryFieldOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[ChoiceOut]


class EntryTypeOut(Schema):
    code: str
    name: str
    fields: list[EntryFieldOut]
    required_roles: list[str]
    needs_earlier_entry: bool
    direct: bool = Field(description="False for corrections, which are recorded through /amendments.")
