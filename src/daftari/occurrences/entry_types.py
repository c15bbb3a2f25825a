"""The 26 kinds of OB entry and the fields each one records on top of the common ones.

Sources for each type are in ``data/ob_entry_types.csv`` (copied from the project's research).
The desk form, the API schema and validation are all driven by this one table.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import cast

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    TEXT = "text"
    LONGTEXT = "longtext"
    INTEGER = "integer"
    MONEY = "money"  # whole Kenya shillings
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"


@dataclass(frozen=True)
class DetailField:
    name: str
    label: Promise
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[tuple[str, Promise], ...] = ()
    max_length: int = 200
    # A date or time of what already happened cannot be in the future; a few look ahead.
    ahead: bool = False
    # Holds an officer's service number, which must be one of the register's.
    officer: bool = False
    # A figure the book itself gives (the day close): the desk form shows it prefilled with the
    # book's value, and only when the book gives it.
    figure: bool = False


@dataclass(frozen=True)
class EntryTypeSpec:
    code: str
    name: Promise
    fields: tuple[DetailField, ...] = ()
    # Party roles that must be present, e.g. a complaint needs its complainant.
    required_roles: tuple[str, ...] = ()
    # Entries that only make sense as a follow-up of an earlier entry.
    needs_earlier_entry: bool = False
    # Recorded only through its own flow (corrections), never from the new-entry form.
    direct: bool = True
    public_facing: bool = False
    restricted: bool = False
    field_names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", frozenset(f.name for f in self.fields))


def _f(name: str, label: Promise, kind: Kind = Kind.TEXT, **kw: object) -> DetailField:
    return DetailField(name, label, kind, **kw)  # type: ignore[arg-type]


# A police officer suspected of the crime, as the main suspect or an accomplice: the entry then counts
# under "Offences involving police officers" whatever the offence (NPS / KNBS), and the officer's
# vetting for a deployment abroad finds it.
SUSPECTED_OFFICER = _f("suspected_officer", _("Police officer suspected (service number)"), officer=True)


CELLS = (("male", _("Male cell")), ("female", _("Female cell")), ("juvenile", _("Juvenile cell")))
RELEASE_KINDS = (
    ("cash_bail", _("Cash bail")),
    ("police_bond", _("Police bond")),
    ("free", _("Released free")),
    ("to_court", _("Taken to court")),
)
COURT_OUTCOMES = (
    ("remanded", _("Remanded")),
    ("charged", _("Charged")),
    ("released", _("Released")),
    ("pending", _("Pending")),
)
DOCUMENT_KINDS = (
    ("national_id", _("National ID card")),
    ("passport", _("Passport")),
    ("driving_licence", _("Driving licence")),
    ("phone", _("Mobile phone")),
    ("sim_card", _("SIM card")),
    ("bank_card", _("Bank card")),
    ("birth_certificate", _("Birth certificate")),
    ("logbook", _("Vehicle logbook")),
    ("other", _("Other document")),
)
REFERRALS = (
    ("gbv_desk", _("GBV desk")),
    ("hospital", _("Hospital")),
    ("shelter", _("Shelter")),
    ("none", _("None")),
)
ABSTRACT_KINDS = (
    ("general", _("General abstract")),
    ("accident", _("Accident abstract")),
    ("lost_document", _("Lost document abstract")),
)
DIRECTIONS_ARMS = (("issue", _("Issued")), ("return", _("Returned")))
DIRECTIONS_DUTY = (("on", _("On duty")), ("off", _("Off duty")))
LANGUAGES = (("en", _("English")), ("sw", _("Kiswahili")), ("other", _("Other")))

_BOOK_TYPES: tuple[EntryTypeSpec, ...] = (
    EntryTypeSpec(
        "COMPLAINT",
        _("Report / complaint"),
        (_f("action_taken", _("Action taken"), Kind.LONGTEXT), SUSPECTED_OFFICER),
        required_roles=("complainant",),
        public_facing=True,
    ),
    EntryTypeSpec(
        "GBV",
        _("Gender-based violence / sexual offence"),
        (
            _f("relationship_to_suspect", _("Relationship to suspect")),
            _f("p3_issued", _("P3 form issued"), Kind.BOOLEAN),
            _f("prc_form_ref", _("PRC form reference")),
            _f("referral", _("Referred to"), Kind.CHOICE, choices=REFERRALS),
            SUSPECTED_OFFICER,
        ),
        required_roles=("complainant",),
        public_facing=True,
        restricted=True,
    ),
    EntryTypeSpec(
        "ARREST",
        _("Arrest"),
        (
            _f("arrested_at", _("Time of arrest"), Kind.DATETIME, required=True),
            _f("arresting_officer", _("Arresting officer (service number)"), required=True, officer=True),
            _f("reason_for_arrest", _("Reason for arrest"), Kind.LONGTEXT, required=True),
            _f("physical_condition", _("Injuries / physical condition")),
            SUSPECTED_OFFICER,
        ),
        required_roles=("suspect",),
    ),
    EntryTypeSpec(
        "CELLS",
        _("Cell register (into cells)"),
        (
            _f("cell", _("Cell"), Kind.CHOICE, required=True, choices=CELLS),
            _f("booked_in_at", _("Time into cells"), Kind.DATETIME, required=True),
            _f("physical_appearance", _("Physical appearance")),
            _f("health_check_done", _("Health and mental-health check done"), Kind.BOOLEAN),
            _f("next_of_kin_informed", _("Family / next of kin informed"), Kind.BOOLEAN),
            # Refugees Act 2021 and Regulations 2024: see custody.rules (asylum seekers and refugees).
            _f("asylum_seeker_or_refugee", _("Asylum seeker or refugee"), Kind.BOOLEAN),
            _f("interpreter_language", _("Interpreter language")),
            _f("immigration_only", _("Held only on an immigration matter"), Kind.BOOLEAN),
        ),
        required_roles=("suspect",),
    ),
    EntryTypeSpec(
        "PROPERTY_SEIZED",
        _("Property taken on booking"),
        (
            _f("receipt_number", _("Receipt number")),
            _f("acknowledged_by_suspect", _("Acknowledged by the suspect"), Kind.BOOLEAN),
        ),
        needs_earlier_entry=True,
    ),
    EntryTypeSpec(
        "RELEASE_BAIL",
        _("Release / cash bail / police bond"),
        (
            _f("release_kind", _("Released on"), Kind.CHOICE, required=True, choices=RELEASE_KINDS),
            _f("bail_amount_kes", _("Bail amount (KES)"), Kind.MONEY),
            _f("receipt_number", _("Receipt number")),
            _f("surety", _("Surety")),
            _f("return_on", _("To report back on"), Kind.DATE, ahead=True),
        ),
        needs_earlier_entry=True,
    ),
    EntryTypeSpec(
        "COURT_PRODUCTION",
        _("Escort to court / transfer"),
        (
            _f("destination", _("Court, hospital or station"), required=True),
            _f("escort_officers", _("Escort officers")),
            _f("outcome", _("Outcome"), Kind.CHOICE, choices=COURT_OUTCOMES),
        ),
        needs_earlier_entry=True,
    ),
    EntryTypeSpec(
        "LOST_DOC",
        _("Lost item / lost document"),
        (
            _f("document_kind", _("What was lost"), Kind.CHOICE, required=True, choices=DOCUMENT_KINDS),
            _f("document_number", _("Document or serial number")),
            _f("lost_on", _("Date lost"), Kind.DATE),
        ),
        required_roles=("complainant",),
        public_facing=True,
    ),
    EntryTypeSpec(
        "FOUND_PROPERTY",
        _("Found item handed in"),
        (
            _f("storage_location", _("Where it is kept"), required=True),
            _f("claimant", _("Claimed by")),
        ),
        public_facing=True,
    ),
    EntryTypeSpec(
        "TRAFFIC_ACCIDENT",
        _("Road accident"),
        (
            _f("fatal", _("People killed"), Kind.INTEGER),
            _f("serious", _("People seriously injured"), Kind.INTEGER),
            _f("slight", _("People slightly injured"), Kind.INTEGER),
            _f("insurer", _("Insurer(s)")),
            _f("sketch_made", _("Sketch plan made"), Kind.BOOLEAN),
        ),
        public_facing=True,
    ),
    EntryTypeSpec(
        "SUDDEN_DEATH",
        _("Sudden death"),
        (
            _f("found_at", _("Time the body was found"), Kind.DATETIME),
            _f("injuries_observed", _("Injuries observed"), Kind.LONGTEXT),
            _f("mortuary", _("Body taken to (mortuary)")),
            _f("magistrate_informed_at", _("Inquest magistrate informed at"), Kind.DATETIME),
            _f("post_mortem_ref", _("Post-mortem reference")),
        ),
    ),
    EntryTypeSpec(
        "DEATH_IN_CUSTODY",
        _("Death or serious injury in custody"),
        (
            _f("circumstances", _("Circumstances"), Kind.LONGTEXT, required=True),
            _f("officers_on_duty", _("Officers on duty"), required=True),
            _f("cctv_preserved", _("CCTV footage preserved"), Kind.BOOLEAN),
            _f("ipoa_notified_at", _("IPOA notified at"), Kind.DATETIME),
        ),
        required_roles=("deceased",),
    ),
    EntryTypeSpec(
        "MISSING_PERSON",
        _("Missing person"),
        (
            _f("last_seen_at", _("Last seen at (time)"), Kind.DATETIME),
            _f("last_seen_place", _("Last seen at (place)")),
            _f("description", _("Description and clothing"), Kind.LONGTEXT),
            _f("phone_trace_requested", _("Phone trace requested"), Kind.BOOLEAN),
        ),
        required_roles=("missing_person",),
        public_facing=True,
    ),
    EntryTypeSpec(
        "FIREARM_MOVEMENT",
        _("Firearm issued or returned"),
        (
            _f("direction", _("Issued or returned"), Kind.CHOICE, required=True, choices=DIRECTIONS_ARMS),
            _f("officer_service_number", _("Officer's service number"), required=True, officer=True),
            _f("weapon_serial", _("Firearm serial number"), required=True),
            _f("rounds", _("Rounds of ammunition"), Kind.INTEGER, required=True),
            _f("armourer", _("Armourer")),
        ),
    ),
    EntryTypeSpec(
        "FIREARM_LOSS",
        _("Firearm or ammunition lost"),
        (
            _f("officer_service_number", _("Officer's service number"), required=True, officer=True),
            _f("weapon_serial", _("Firearm serial number"), required=True),
            _f("rounds", _("Rounds of ammunition"), Kind.INTEGER),
            _f("inquiry_file", _("Inquiry file number")),
        ),
    ),
    EntryTypeSpec(
        "DUTY_ON_OFF",
        _("Booking on / off duty"),
        (
            _f("direction", _("On or off duty"), Kind.CHOICE, required=True, choices=DIRECTIONS_DUTY),
            _f("officers", _("Officers (service numbers)"), required=True),
            _f("post", _("Post or beat")),
            _f("armed", _("Armed"), Kind.BOOLEAN),
            _f("persons_in_cells", _("Persons in cells at handover"), Kind.INTEGER),
        ),
    ),
    EntryTypeSpec(
        "PATROL_DISPATCH",
        _("Patrol dispatched"),
        (
            _f("unit", _("Unit or officers"), required=True),
            _f("task", _("Task"), required=True),
            _f("area", _("Area")),
            _f("returned_at", _("Returned at"), Kind.DATETIME),
            _f("result", _("Result"), Kind.LONGTEXT),
        ),
    ),
    EntryTypeSpec(
        "VISITOR",
        _("Visitor at the station"),
        (
            _f("purpose", _("Purpose of visit"), required=True),
            _f("officer_seen", _("Officer seen")),
            _f("left_at", _("Time out"), Kind.DATETIME),
        ),
    ),
    EntryTypeSpec(
        "STATEMENT",
        _("Statement recorded"),
        (
            _f("maker", _("Statement made by"), required=True),
            _f("language", _("Language"), Kind.CHOICE, choices=LANGUAGES),
            _f("interpreter", _("Interpreter")),
        ),
        needs_earlier_entry=True,
    ),
    EntryTypeSpec(
        "EXHIBIT",
        _("Exhibit booked in"),
        (
            _f("exhibit_label", _("Exhibit label"), required=True),
            _f("seized_from", _("Seized from")),
            _f("store_location", _("Store location"), required=True),
        ),
    ),
    EntryTypeSpec(
        "ABSTRACT_ISSUED",
        _("Police abstract issued"),
        (
            _f("abstract_number", _("Abstract number"), required=True),
            _f("abstract_kind", _("Kind of abstract"), Kind.CHOICE, required=True, choices=ABSTRACT_KINDS),
            _f("purpose", _("Purpose (insurance, ID, bank ...)")),
        ),
        needs_earlier_entry=True,
    ),
    EntryTypeSpec(
        "P3_ISSUED",
        _("P3 form issued"),
        (
            _f("injuries_alleged", _("Injuries alleged"), Kind.LONGTEXT, required=True),
            _f("facility", _("Health facility")),
            _f("investigating_officer", _("Investigating officer")),
        ),
        needs_earlier_entry=True,
    ),
    EntryTypeSpec(
        "SERIOUS_CRIME",
        _("Serious crime register"),
        (
            _f("investigating_officer", _("Investigating officer")),
            _f("referred_to_dci", _("Referred to DCI"), Kind.BOOLEAN),
            SUSPECTED_OFFICER,
        ),
    ),
    EntryTypeSpec(
        "INQUIRY_FILE",
        _("Inquiry file opened"),
        (
            _f("file_number", _("Inquiry file number"), required=True),
            _f("subject", _("Subject"), required=True),
            _f("officers_involved", _("Officers involved")),
        ),
    ),
    EntryTypeSpec(
        "AMENDMENT",
        _("Correction"),
        (_f("reason", _("Reason for the correction"), Kind.LONGTEXT, required=True),),
        needs_earlier_entry=True,
        direct=False,
    ),
)


def entries_figure(code: str) -> str:
    """The day close's figure for the entries of one type that day, e.g. ``entries_complaint``."""
    return f"entries_{code.lower()}"


def _entries_label(kind: Promise) -> Promise:
    return cast(Promise, format_lazy(_("Entries: {kind}"), kind=kind))


DAY_CLOSE_NAME = _("Day close / inspection")
# Each figure the day close takes from the book; the counted one is typed beside it.
DAILY_CLOSE = EntryTypeSpec(
    "DAILY_CLOSE",
    DAY_CLOSE_NAME,
    (
        _f("persons_in_cells", _("Persons in cells"), Kind.INTEGER, required=True, figure=True),
        _f(
            "property_held",
            _("Property held from the cells (taken at booking, not yet returned)"),
            Kind.INTEGER,
            figure=True,
        ),
        _f(
            "property_booked",
            _("Property items booked in this day (found, seized, exhibits)"),
            Kind.INTEGER,
            figure=True,
        ),
        _f("officers_on_duty", _("Officers on duty (booked on, not booked off)"), Kind.INTEGER, figure=True),
        *(
            _f(entries_figure(code), _entries_label(name), Kind.INTEGER, figure=True)
            for code, name in [*((spec.code, spec.name) for spec in _BOOK_TYPES), ("DAILY_CLOSE", DAY_CLOSE_NAME)]
        ),
        _f("remarks", _("Remarks"), Kind.LONGTEXT),
    ),
)
ENTRY_TYPES: tuple[EntryTypeSpec, ...] = (*_BOOK_TYPES, DAILY_CLOSE)

BY_CODE: dict[str, EntryTypeSpec] = {spec.code: spec for spec in ENTRY_TYPES}
CODES: tuple[str, ...] = tuple(BY_CODE)
DIRECT_CODES: tuple[str, ...] = tuple(spec.code for spec in ENTRY_TYPES if spec.direct)


def choices() -> list[tuple[str, Promise]]:
    return [(spec.code, spec.name) for spec in ENTRY_TYPES]
