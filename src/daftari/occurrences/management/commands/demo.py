"""``daftari demo``: four stations, officers for every role, a realistic day in each book and a few
months of crimes back-captured before it (``demo_history``, ``DAFTARI_DEMO_HISTORY_DAYS``).

Run it as often as you like: every demo entry has a fixed id (uuid5), so a second run finds the
entries it recorded before and records nothing new. Entries are recorded through the services,
exactly as the desk records them, so the OB numbers are those of the day the demo first ran; the
time each thing happened is set some hours earlier.
"""

import io
import uuid
from argparse import ArgumentParser
from base64 import b32decode
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import totp
from rich.console import Console
from rich.table import Table

from daftari.core import demo as demo_parts
from daftari.core.errors import DomainError
from daftari.occurrences import demo_history
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import (
    NAIROBI,
    EntryDraft,
    OffenceInput,
    PartyInput,
    PropertyInput,
    VehicleInput,
)
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import County, Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer, enrol_totp_with_key, totp_device

PASSWORD = "daftari-demo"  # noqa: S105 - the published demo password
# The published authenticator key of the demo's OCS, commander, oversight and admin: add it to any
# authenticator app, or print the current code with `daftari demo --code USERNAME`.
TOTP_SECRET = "DAFTARIDEMOTOTPSECRETFORDEMOONLY"  # noqa: S105 - published, demo data only
NAMESPACE = uuid.UUID("6f1d3c52-8a4e-5b7f-9c0d-2e6a1b3f4d58")

Rank = Officer.Rank


@dataclass(frozen=True)
class DemoStation:
    code: str
    name: str
    county: int
    sub_county: str
    lat: str
    lon: str
    # Made-up numbers in the form of each town's landlines (Nairobi 020, Kisumu 057, Mombasa 041).
    phone: str


STATIONS = (
    DemoStation("CENTRAL-NBI", "Central Police Station", 47, "Starehe", "-1.283600", "36.824900", "020 224 0100"),
    DemoStation("KILIMANI", "Kilimani Police Station", 47, "Dagoretti North", "-1.290600", "36.785300", "020 271 0300"),
    DemoStation(
        "KISUMU-CTL", "Kisumu Central Police Station", 42, "Kisumu Central", "-0.103000", "34.753600", "057 202 0100"
    ),
    DemoStation("MOMBASA-CTL", "Mombasa Central Police Station", 1, "Mvita", "-4.061200", "39.667800", "041 222 5100"),
)


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    first_name: str
    last_name: str
    service_number: str
    rank: str
    station: str | None
    role: Role

    @property
    def phone(self) -> str:
        # A made-up Safaricom-style number per officer, so that demo alerts have somewhere to go.
        digits = "".join(c for c in self.service_number if c.isdigit()).rjust(6, "1")
        return f"072{digits[-6:]}0"


OFFICERS = (
    DemoOfficer("desk1", "Achieng", "Odhiambo", "231001", Rank.CONSTABLE, "CENTRAL-NBI", Role.DESK),
    DemoOfficer("ocs1", "Josephat", "Mwangi", "198702", Rank.CHIEF_INSPECTOR, "CENTRAL-NBI", Role.OCS),
    DemoOfficer("investigator1", "Hassan", "Abdi", "224503", Rank.CORPORAL, "CENTRAL-NBI", Role.INVESTIGATOR),
    DemoOfficer("traffic1", "Faith", "Chebet", "219804", Rank.SERGEANT, "CENTRAL-NBI", Role.TRAFFIC),
    DemoOfficer("desk2", "Evans", "Okoth", "233105", Rank.CONSTABLE, "KISUMU-CTL", Role.DESK),
    DemoOfficer("desk3", "Mary", "Wairimu", "234206", Rank.CONSTABLE, "KILIMANI", Role.DESK),
    DemoOfficer("desk4", "Said", "Mwinyi", "232907", Rank.CONSTABLE, "MOMBASA-CTL", Role.DESK),
    DemoOfficer("commander1", "Daniel", "Rotich", "187608", Rank.SENIOR_SUPERINTENDENT, "CENTRAL-NBI", Role.COMMANDER),
    DemoOfficer("analyst1", "Lilian", "Nyambura", "CIV-0109", Rank.CIVILIAN, None, Role.ANALYST),
    DemoOfficer("oversight1", "Abdirahman", "Yusuf", "IPOA-0110", Rank.CIVILIAN, None, Role.OVERSIGHT),
    DemoOfficer("admin", "Wambui", "Kariuki", "CIV-0111", Rank.CIVILIAN, None, Role.ADMIN),
    # The refugee register (Department of Refugee Services, Kakuma): no station, no book.
    DemoOfficer("drs1", "Lokiru", "Ekai", "DRS-0112", Rank.CIVILIAN, None, Role.DRS_OFFICER),
    DemoOfficer("drssup1", "Halima", "Noor", "DRS-0113", Rank.CIVILIAN, None, Role.DRS_SUPERVISOR),
    DemoOfficer("unhcr1", "Grace", "Atieno", "UNHCR-0114", Rank.CIVILIAN, None, Role.UNHCR_LIAISON),
    # The MSS deployment roles (issue 15): national, at NPS HQ and the GSU Training School.
    DemoOfficer("deploy1", "Peter", "Kimani", "186515", Rank.SUPERINTENDENT, None, Role.DEPLOYMENT),
    DemoOfficer("vetting1", "Ruth", "Wanjiku", "190216", Rank.SUPERINTENDENT, None, Role.VETTING),
    DemoOfficer("medical1", "Dr Amina", "Hassan", "MED-0117", Rank.CIVILIAN, None, Role.MEDICAL),
    DemoOfficer("trainer1", "George", "Otieno", "201418", Rank.INSPECTOR, None, Role.TRAINER),
)


@dataclass(frozen=True)
class Ago:
    """A moment so many hours before the demo runs (details fields that hold a time)."""

    hours: float


@dataclass(frozen=True)
class Entry:
    key: str
    by: str  # username of the recording officer
    hours_ago: float  # when it happened
    entry_type: str
    place: str
    narrative: str
    details: dict[str, Any] = field(default_factory=dict)
    parties: tuple[PartyInput, ...] = ()
    offences: tuple[OffenceInput, ...] = ()
    property_items: tuple[PropertyInput, ...] = ()
    vehicles: tuple[VehicleInput, ...] = ()
    refers_to: str = ""  # the key of an earlier demo entry
    # The demo writes a whole day in one run: what the cell register dates to the minute (a release)
    # is recorded late, with this reason.
    late_reason: str = ""


BACKFILLED = "Demo: the day's book is written in one run."


@dataclass(frozen=True)
class Correction:
    key: str
    by: str
    corrects: str
    reason: str
    changes: dict[str, str]


Step = Entry | Correction


def duty(key: str, by: str, hours_ago: float, direction: str, officers: str, cells: int, narrative: str) -> Entry:
    return Entry(
        key,
        by,
        hours_ago,
        "DUTY_ON_OFF",
        "Report office",
        narrative,
        {
            "direction": direction,
            "officers": officers,
            "post": "Report office",
            "armed": False,
            "persons_in_cells": cells,
        },
    )


CENTRAL_DAY: tuple[Step, ...] = (
    duty(
        "duty-on",
        "desk1",
        15.0,
        "on",
        "231001 PC Achieng Odhiambo, 224503 CPL Hassan Abdi",
        0,
        "Booked on duty at the report office. Took over the OB, the station keys and the cells from the "
        "previous shift; cells empty, station quiet.",
    ),
    Entry(
        "phone-theft",
        "desk1",
        14.5,
        "COMPLAINT",
        "Moi Avenue, near the Kencom bus stage",
        "Complainant reports that while waiting for a matatu at the Kencom stage, a man on a motorcycle "
        "without number plates snatched her mobile phone from her hand and rode off towards Tom Mboya Street.",
        {"action_taken": "Advised to block the line with Safaricom. IMEI circulated to the patrols."},
        parties=(
            PartyInput("complainant", "Wanjiku Kamau", "28461937", "0712345678", "F", age=29),
            PartyInput("suspect", "Unknown male motorcycle rider", sex="M"),
        ),
        offences=(OffenceInput("Penal Code s.268 and s.275", "Stealing"),),
        property_items=(PropertyInput("Samsung Galaxy A15 mobile phone, black", "356789104432761", 1, 18_500),),
    ),
    Entry(
        "lost-id",
        "desk1",
        20.0,
        "LOST_DOC",
        "Latema Road, near the River Road junction",
        "Complainant reports the loss of his national identity card, believed to have dropped while he "
        "alighted from a matatu. A police abstract is requested to apply for a replacement at Huduma Centre.",
        {"document_kind": "national_id", "document_number": "31045872"},
        parties=(PartyInput("complainant", "Brian Otieno Ouma", "31045872", "0722410663", "M", age=34),),
    ),
    Entry(
        "assault",
        "desk1",
        13.0,
        "COMPLAINT",
        "Luthuli Avenue, outside an electronics shop",
        "Complainant reports that a fellow hawker, well known to her, slapped and punched her in a dispute "
        "over a selling space, injuring her left eye and lip. Witnesses present.",
        {"action_taken": "P3 form issued. Complainant referred to Kenyatta National Hospital."},
        parties=(
            PartyInput("complainant", "Mercy Njeri Mwangi", "27193504", "0733501287", "F", age=41),
            PartyInput("suspect", "Peter Kariuki", sex="M", age=38),
            PartyInput("witness", "Ali Juma Bakari", phone="0790118334", sex="M"),
        ),
        offences=(OffenceInput("Penal Code s.251", "Assault causing actual bodily harm"),),
    ),
    Entry(
        "assault-p3",
        "investigator1",
        12.5,
        "P3_ISSUED",
        "Report office",
        "P3 form Part I filled and issued free of charge to the complainant of the assault on Luthuli Avenue.",
        {
            "injuries_alleged": "Swollen left eye and a cut on the lower lip.",
            "facility": "Kenyatta National Hospital",
            "investigating_officer": "224503 CPL Hassan Abdi",
        },
        parties=(PartyInput("complainant", "Mercy Njeri Mwangi", "27193504", "0733501287", "F", age=41),),
        refers_to="assault",
    ),
    Entry(
        "accident",
        "traffic1",
        11.0,
        "TRAFFIC_ACCIDENT",
        "Uhuru Highway, Haile Selassie Avenue roundabout",
        "Non-injury collision turned minor-injury: a Toyota Probox rear-ended a matatu that had stopped to "
        "drop passengers at the roundabout. One matatu passenger slightly injured, treated and discharged. "
        "Both vehicles towed to the station yard for inspection.",
        {"fatal": 0, "serious": 0, "slight": 1, "insurer": "Jubilee Insurance; APA Insurance", "sketch_made": True},
        parties=(
            PartyInput("driver", "Samuel Kiptoo Rotich", "29817345", "0748226019", "M", age=45),
            PartyInput("driver", "Joseph Mutua Musyoka", "25671093", "0711903452", "M", age=37),
            PartyInput("victim", "Halima Wanjiru Hussein", phone="0726774130", sex="F", age=23),
        ),
        vehicles=(
            VehicleInput("KCY 482M", "Toyota Probox", "White"),
            VehicleInput("KDG 715T", "Isuzu NQR matatu", "Green"),
        ),
    ),
    Entry(
        "burglary",
        "desk1",
        20.5,
        "COMPLAINT",
        "Shop No. 14, Biashara Street",
        "Complainant reports that on opening his shop he found the padlock cut and the door "
        "forced. Six bales of kitenge fabric and cash from the till were stolen. Scene visited by the duty "
        "officer; a neighbouring watchman has information.",
        {"action_taken": "Scene visited and photographed. Watchman invited to record a statement."},
        parties=(PartyInput("complainant", "Abdullahi Hassan Noor", "22984071", "0701556218", "M", age=52),),
        offences=(OffenceInput("Penal Code s.306", "Breaking into a building and committing a felony"),),
        property_items=(
            PropertyInput("Bales of kitenge fabric", quantity=6, value_kes=42_000),
            PropertyInput("Cash from the till", value_kes=15_000),
        ),
    ),
    Entry(
        "arrest",
        "desk1",
        8.5,
        "ARREST",
        "Accra Road, near the Tea Room stage",
        "Suspect arrested by the patrol with a mobile phone whose IMEI matches the phone reported stolen at "
        "the Kencom stage earlier in the day. He could not explain how he came by it.",
        {
            "arrested_at": Ago(8.5),
            "arresting_officer": "224503 CPL Hassan Abdi",
            "reason_for_arrest": "Found in possession of a mobile phone reported stolen (IMEI 356789104432761).",
            "physical_condition": "No visible injuries.",
        },
        parties=(PartyInput("suspect", "Kevin Omondi Ochieng", "33781209", "0115223847", "M", age=24),),
        offences=(OffenceInput("Penal Code s.322", "Handling stolen property"),),
        property_items=(PropertyInput("Samsung Galaxy A15 mobile phone, black", "356789104432761", 1, 18_500),),
        refers_to="phone-theft",
    ),
    Entry(
        "cells",
        "desk1",
        8.3,
        "CELLS",
        "Report office",
        "Suspect booked into the male cell. Belt, shoelaces and KES 350 cash taken and receipted.",
        {
            "cell": "male",
            "booked_in_at": Ago(8.3),
            "physical_appearance": "Sober, calm, no injuries.",
            "health_check_done": True,
            "next_of_kin_informed": True,
        },
        parties=(PartyInput("suspect", "Kevin Omondi Ochieng", "33781209", "0115223847", "M", age=24),),
        refers_to="arrest",
    ),
    Entry(
        "found-wallet",
        "desk1",
        7.0,
        "FOUND_PROPERTY",
        "Tom Mboya Street, outside the Odeon cinema",
        "A boda boda rider handed in a brown leather wallet found on the pavement. It holds a driving licence "
        "in the name of Grace Atieno Onyango and KES 1,200 in cash, counted in his presence.",
        {"storage_location": "Report office found-property locker, shelf B"},
        parties=(PartyInput("reporter", "Dennis Kipchirchir Langat", "30562718", "0724089173", "M", age=27),),
        property_items=(PropertyInput("Brown leather wallet with a driving licence and KES 1,200", value_kes=1_200),),
    ),
    Entry(
        "visitor",
        "desk1",
        6.0,
        "VISITOR",
        "Report office",
        "Watchman of Biashara Street honoured the invitation to assist with the burglary investigation.",
        {
            "purpose": "Invited to record a witness statement (burglary, Biashara Street)",
            "officer_seen": "CPL Hassan Abdi",
        },
        parties=(PartyInput("witness", "Josephine Akinyi Otieno", "26839150", "0723665092", "F", age=48),),
        refers_to="burglary",
    ),
    Entry(
        "statement",
        "investigator1",
        5.5,
        "STATEMENT",
        "CID office",
        "Witness statement recorded: she saw three men load bales into a handcart near Shop No. 14 at night "
        "and can identify one of them, known as 'Kamau wa Mkokoteni'.",
        {"maker": "Josephine Akinyi Otieno (witness)", "language": "sw"},
        parties=(PartyInput("witness", "Josephine Akinyi Otieno", "26839150", "0723665092", "F", age=48),),
        refers_to="burglary",
    ),
    Entry(
        "release",
        "desk1",
        3.0,
        "RELEASE_BAIL",
        "Report office",
        "Suspect released on cash bail pending further investigations; property taken at booking returned "
        "to him against his signature. To report back to the investigating officer.",
        {
            "release_kind": "cash_bail",
            "bail_amount_kes": 10_000,
            "receipt_number": "CB-0457",
            "surety": "Rose Achieng Ochieng (mother)",
        },
        parties=(PartyInput("suspect", "Kevin Omondi Ochieng", "33781209", "0115223847", "M", age=24),),
        refers_to="cells",
        late_reason=BACKFILLED,
    ),
    Correction(
        "lost-id-correction",
        "desk1",
        "lost-id",
        "The complainant came back and clarified where he alighted.",
        {"place": "Ronald Ngala Street, near the Latema Road junction"},
    ),
    duty(
        "duty-off",
        "desk1",
        1.0,
        "off",
        "231001 PC Achieng Odhiambo, 224503 CPL Hassan Abdi",
        0,
        "Booked off duty. Handed over the OB, the keys and the found-property locker to the next shift; cells empty.",
    ),
    Entry(
        "daily-close",
        "ocs1",
        0.5,
        "DAILY_CLOSE",
        "Report office",
        "Book inspected and the day closed. All entries have OB numbers; the phone recovered is held as an "
        "exhibit; the wallet awaits its owner.",
        {"persons_in_cells": 0, "remarks": "Inspected by the OCS. No persons in cells."},
    ),
)

KILIMANI_DAY: tuple[Step, ...] = (
    duty(
        "duty-on",
        "desk3",
        14.0,
        "on",
        "234206 PC Mary Wairimu",
        0,
        "Booked on duty at the report office; took over the OB from the previous shift.",
    ),
    Entry(
        "laptop-theft",
        "desk3",
        12.0,
        "COMPLAINT",
        "Yaya Centre car park, Argwings Kodhek Road",
        "Complainant reports that his car's rear window was smashed in the car park and a laptop bag taken from "
        "the back seat while he was shopping.",
        {"action_taken": "Mall CCTV requested from the management."},
        parties=(PartyInput("complainant", "David Mutiso Kioko", "24710385", "0722918406", "M", age=39),),
        offences=(OffenceInput("Penal Code s.279", "Stealing from a motor vehicle"),),
        property_items=(PropertyInput("HP EliteBook laptop in a black bag", "5CD3281XYZ", 1, 95_000),),
    ),
    Entry(
        "missing-boy",
        "desk3",
        9.0,
        "MISSING_PERSON",
        "Kibera, Olympic estate",
        "Reporter's son, aged 15, did not come home from school. Last seen at the Olympic "
        "matatu stage in school uniform.",
        {
            "last_seen_at": Ago(20.0),
            "last_seen_place": "Olympic matatu stage, Kibera",
            "description": "Slim, about 1.6 m, grey school sweater and black trousers.",
            "phone_trace_requested": False,
        },
        parties=(
            PartyInput("reporter", "Esther Moraa Nyaboke", "21850934", "0729340716", "F", age=44),
            PartyInput("missing_person", "Brian Ochieng Nyaboke", sex="M", age=15),
        ),
    ),
    Entry(
        "boda-accident",
        "desk3",
        6.0,
        "TRAFFIC_ACCIDENT",
        "Ngong Road, near the Adams Arcade junction",
        "A motorcycle taxi hit a pedestrian crossing at the junction. The pedestrian was taken to Nairobi Women's "
        "Hospital with a fractured leg; the rider is at the station.",
        {"fatal": 0, "serious": 1, "slight": 0, "sketch_made": True},
        parties=(
            PartyInput("driver", "Collins Wafula Simiyu", "32640917", "0757220418", "M", age=26),
            PartyInput("victim", "Agnes Nduta Githinji", phone="0721506382", sex="F", age=61),
        ),
        vehicles=(VehicleInput("KMFB 218K", "Boxer motorcycle", "Red"),),
    ),
    Entry(
        "daily-close",
        "desk3",
        0.5,
        "DAILY_CLOSE",
        "Report office",
        "Day closed by the duty officer; the missing boy has not yet been traced.",
        {"persons_in_cells": 0},
    ),
)

KISUMU_DAY: tuple[Step, ...] = (
    duty(
        "duty-on",
        "desk2",
        14.0,
        "on",
        "233105 PC Evans Okoth",
        0,
        "Booked on duty at the report office; took over the OB and the keys; cells empty.",
    ),
    Entry(
        "nets-theft",
        "desk2",
        19.0,
        "COMPLAINT",
        "Dunga beach, Lake Victoria",
        "Complainant, a fisherman, reports that his gill nets were cut and taken from the water while he was ashore.",
        {"action_taken": "Beach management unit informed."},
        parties=(PartyInput("complainant", "Tobias Onyango Owino", "20397816", "0710482953", "M", age=47),),
        offences=(OffenceInput("Penal Code s.268 and s.275", "Stealing"),),
        property_items=(PropertyInput("Gill nets, 100 m each", quantity=4, value_kes=24_000),),
    ),
    Entry(
        "lost-licence",
        "desk2",
        12.0,
        "LOST_DOC",
        "Kisumu bus park",
        "Complainant reports the loss of his driving licence at the bus park; needed for his work as a matatu driver.",
        {"document_kind": "driving_licence", "document_number": "DL-4418273"},
        parties=(PartyInput("complainant", "George Ouma Achieng", "29004617", "0768155042", "M", age=33),),
    ),
    Entry(
        "arrest",
        "desk2",
        8.0,
        "ARREST",
        "Kondele roundabout",
        "Suspect arrested for creating a disturbance and fighting at the roundabout; he was drunk.",
        {
            "arrested_at": Ago(8.0),
            "arresting_officer": "233105 PC Evans Okoth",
            "reason_for_arrest": "Creating a disturbance in a manner likely to cause a breach of the peace.",
        },
        parties=(PartyInput("suspect", "Felix Odera Opiyo", "34118290", "0791623407", "M", age=29),),
        offences=(OffenceInput("Penal Code s.95", "Creating a disturbance"),),
    ),
    Entry(
        "cells",
        "desk2",
        7.8,
        "CELLS",
        "Report office",
        "Suspect booked into the male cell.",
        {
            "cell": "male",
            "booked_in_at": Ago(7.8),
            "physical_appearance": "Drunk, small bruise on the forehead.",
            "health_check_done": True,
        },
        parties=(PartyInput("suspect", "Felix Odera Opiyo", "34118290", "0791623407", "M", age=29),),
        refers_to="arrest",
    ),
    Entry(
        "release",
        "desk2",
        2.0,
        "RELEASE_BAIL",
        "Report office",
        "Suspect, now sober, released on police bond to appear before the Kisumu Law Courts.",
        {"release_kind": "police_bond", "surety": "Beatrice Anyango Opiyo (sister)"},
        parties=(PartyInput("suspect", "Felix Odera Opiyo", "34118290", "0791623407", "M", age=29),),
        refers_to="cells",
        late_reason=BACKFILLED,
    ),
    Entry(
        "daily-close",
        "desk2",
        0.5,
        "DAILY_CLOSE",
        "Report office",
        "Day closed by the duty officer.",
        {"persons_in_cells": 0},
    ),
)

MOMBASA_DAY: tuple[Step, ...] = (
    duty(
        "duty-on",
        "desk4",
        14.0,
        "on",
        "232907 PC Said Mwinyi",
        0,
        "Booked on duty at the report office; took over the OB from the previous shift.",
    ),
    Entry(
        "bag-snatch",
        "desk4",
        11.0,
        "COMPLAINT",
        "Moi Avenue, near the Tusks",
        "Complainant, a visitor from Nairobi, reports that two young men snatched her handbag and ran into the "
        "Old Town. It held her phone, a national ID card and KES 6,000.",
        {"action_taken": "Patrol sent to the Old Town; complainant to return for an abstract."},
        parties=(
            PartyInput("complainant", "Zawadi Mwende Kilonzo", "30881426", "0745219837", "F", age=31),
            PartyInput("suspect", "Two unknown young men", sex="M"),
        ),
        offences=(OffenceInput("Penal Code s.296", "Robbery"),),
        property_items=(PropertyInput("Handbag with a phone, an ID card and KES 6,000", value_kes=26_000),),
    ),
    Entry(
        "found-bag",
        "desk4",
        8.0,
        "FOUND_PROPERTY",
        "Likoni ferry, Mombasa side",
        "A Kenya Ferry Services attendant handed in a travel bag left on the ferry.",
        {"storage_location": "Found-property store, shelf 3"},
        parties=(PartyInput("reporter", "Rashid Omar Salim", "23519084", "0720663418", "M", age=43),),
        property_items=(PropertyInput("Blue travel bag with clothes"),),
    ),
    Entry(
        "drowning",
        "desk4",
        5.0,
        "SUDDEN_DEATH",
        "Jomo Kenyatta Public Beach",
        "A man drowned while swimming; the body was recovered by fishermen and taken to the Coast General "
        "Hospital mortuary. No signs of foul play.",
        {"found_at": Ago(5.0), "mortuary": "Coast General Teaching and Referral Hospital"},
        parties=(
            PartyInput("deceased", "Juma Hamisi Mwachiro", sex="M", age=19),
            PartyInput("reporter", "Athman Bakari Mzee", "25108736", "0712908345", "M", age=50),
        ),
    ),
    Entry(
        "daily-close",
        "desk4",
        0.5,
        "DAILY_CLOSE",
        "Report office",
        "Day closed by the duty officer.",
        {"persons_in_cells": 0},
    ),
)

DAYS: dict[str, tuple[Step, ...]] = {
    "CENTRAL-NBI": CENTRAL_DAY,
    "KILIMANI": KILIMANI_DAY,
    "KISUMU-CTL": KISUMU_DAY,
    "MOMBASA-CTL": MOMBASA_DAY,
}


def client_id(station_code: str, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{station_code}:{key}")


def needs_code(role: Role) -> bool:
    return role.value in settings.DAFTARI_SECOND_FACTOR_ROLES


def logins_table() -> str:
    table = Table(title=_("Demo logins (password: %(password)s)") % {"password": PASSWORD})
    for header in (_("username"), _("role"), _("station"), _("second factor")):
        table.add_column(header)
    for officer in OFFICERS:
        table.add_row(
            officer.username,
            officer.role.value,
            officer.station or _("(national)"),
            _("code") if needs_code(officer.role) else "",
        )
    buffer = io.StringIO()
    Console(file=buffer, width=80, no_color=True).print(table)
    return buffer.getvalue() + _(
        "Those with a code: add the key %(secret)s to an authenticator app, or print the current code "
        "with: daftari demo --code USERNAME\n"
    ) % {"secret": TOTP_SECRET}


def current_code(username: str) -> str:
    """The code an app holding the demo key shows now: only for officers enrolled with that key."""
    key_hex = b32decode(TOTP_SECRET).hex()
    device = (
        totp_device(User.objects.get(username=username)) if User.objects.filter(username=username).exists() else None
    )
    if device is None or device.key != key_hex:
        raise CommandError(_("%(username)s has no demo authenticator key.") % {"username": username})
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


class Command(BaseCommand):
    help = "Load the demo stations, officers and a day of entries (safe to run again)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument("--code", metavar="USERNAME", help="Print a demo officer's current authenticator code.")

    def handle(self, *args: Any, logins: bool, code: str | None, verbosity: int, **options: Any) -> None:
        if logins:
            self.stdout.write(logins_table())
            return
        if code:
            self.stdout.write(current_code(code))
            return
        now = timezone.now()
        try:
            with transaction.atomic():
                stations = {spec.code: self._station(spec) for spec in STATIONS}
                users = {spec.username: self._officer(spec, stations) for spec in OFFICERS}
                for code, day in DAYS.items():
                    recorded = self._record_day(stations[code], day, users, now)
                    if verbosity:
                        self.stdout.write(
                            _("%(station)s: %(count)d new entries") % {"station": code, "count": recorded}
                        )
                # Then months of back-captured crimes, after the day: the day's story opens today's book.
                history = demo_history.record_history(
                    stations, users, now=now, days=settings.DAFTARI_DEMO_HISTORY_DAYS, namespace=NAMESPACE
                )
                if verbosity:
                    self.stdout.write(_("History: %(count)d new entries") % {"count": history})
                # The cells and the fines: parts the apps above the book hand in (core.demo).
                for part, added in demo_parts.run_all(stations, users, now).items():
                    if verbosity:
                        self.stdout.write(_("%(part)s: %(count)d new records") % {"part": part, "count": added})
        except DomainError as error:
            raise CommandError(f"{error.message} {error.fields}") from error
        if verbosity:
            self.stdout.write(_("Demo data ready. The logins: daftari demo --logins"))

    def _station(self, spec: DemoStation) -> Station:
        station, _created = Station.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "county": County.objects.get(code=spec.county),
                "sub_county": spec.sub_county,
                "lat": spec.lat,
                "lon": spec.lon,
                "phone": spec.phone,
            },
        )
        if not station.phone:
            # A demo database from before stations had phones gets them on the next run.
            Station.objects.filter(pk=station.pk).update(phone=spec.phone)
            station.phone = spec.phone
        return station

    def _officer(self, spec: DemoOfficer, stations: dict[str, Station]) -> User:
        user = User.objects.filter(username=spec.username).first() or self._new_officer(spec, stations)
        if needs_code(spec.role):
            enrol_totp_with_key(user=user, key_hex=b32decode(TOTP_SECRET).hex())
        return user

    def _new_officer(self, spec: DemoOfficer, stations: dict[str, Station]) -> User:
        return create_officer(
            username=spec.username,
            password=PASSWORD,
            service_number=spec.service_number,
            rank=spec.rank,
            station=stations[spec.station] if spec.station else None,
            roles=[spec.role],
            first_name=spec.first_name,
            last_name=spec.last_name,
            phone=spec.phone,
        ).user

    def _record_day(self, station: Station, day: tuple[Step, ...], users: dict[str, User], now: datetime) -> int:
        entries: dict[str, Occurrence] = {}
        new = 0
        for step in day:
            ident = client_id(station.code, step.key)
            # The entries of an earlier run are there already: their OB numbers and times stay as they were.
            existing = Occurrence.objects.filter(pk=ident).first()
            if existing is not None:
                entries[step.key] = existing
                continue
            actor = users[step.by]
            if isinstance(step, Correction):
                entry = amend_occurrence(
                    actor=actor,
                    occurrence=entries[step.corrects],
                    reason=step.reason,
                    changes=step.changes,
                    client_id=ident,
                ).entry
            else:
                entry = record_occurrence(
                    actor=actor, station=station, draft=self._draft(step, entries, now), client_id=ident
                ).entry
            entries[step.key] = entry
            new += 1
        return new

    def _draft(self, step: Entry, entries: dict[str, Occurrence], now: datetime) -> EntryDraft:
        details = {
            name: (now - timedelta(hours=value.hours)).astimezone(NAIROBI).isoformat(timespec="minutes")
            if isinstance(value, Ago)
            else value
            for name, value in step.details.items()
        }
        return EntryDraft(
            entry_type=step.entry_type,
            occurred_at=now - timedelta(hours=step.hours_ago),
            place=step.place,
            narrative=step.narrative,
            details=details,
            parties=step.parties,
            offences=step.offences,
            property_items=step.property_items,
            vehicles=step.vehicles,
            refers_to=str(entries[step.refers_to].pk) if step.refers_to else None,
            late=bool(step.late_reason),
            late_reason=step.late_reason,
        )
