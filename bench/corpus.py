"""Realistic Occurrence Book entries for the benchmarks: Kenyan names, places, IDs and plates."""

import random
from dataclasses import dataclass, field

FIRST_NAMES = [
    "Wanjiku",
    "Achieng",
    "Akinyi",
    "Atieno",
    "Njeri",
    "Wambui",
    "Nyambura",
    "Wairimu",
    "Mumbua",
    "Mwikali",
    "Chebet",
    "Jepkosgei",
    "Jeptoo",
    "Nafula",
    "Nekesa",
    "Auma",
    "Adhiambo",
    "Kerubo",
    "Moraa",
    "Zawadi",
    "Halima",
    "Fatuma",
    "Amina",
    "Mercy",
    "Faith",
    "Grace",
    "Esther",
    "Mary",
    "Joyce",
    "Ann",
    "Otieno",
    "Ochieng",
    "Odhiambo",
    "Omondi",
    "Kamau",
    "Mwangi",
    "Kariuki",
    "Njoroge",
    "Kiprotich",
    "Kipchoge",
    "Kibet",
    "Cheruiyot",
    "Wafula",
    "Barasa",
    "Wekesa",
    "Mutua",
    "Musyoka",
    "Kiptoo",
    "Onyango",
    "Juma",
    "Hassan",
    "Omar",
    "Ali",
    "Brian",
    "Kevin",
    "Dennis",
    "Collins",
    "Peter",
    "John",
    "James",
    "Joseph",
    "Daniel",
    "Samuel",
    "David",
    "Stephen",
]
SURNAMES = [
    "Kamau",
    "Mwangi",
    "Kariuki",
    "Njoroge",
    "Ndungu",
    "Gitau",
    "Waweru",
    "Macharia",
    "Kimani",
    "Githinji",
    "Otieno",
    "Ochieng",
    "Odhiambo",
    "Omondi",
    "Onyango",
    "Owino",
    "Oduor",
    "Okoth",
    "Wafula",
    "Barasa",
    "Wekesa",
    "Simiyu",
    "Wanyama",
    "Masinde",
    "Mutua",
    "Musyoka",
    "Mwendwa",
    "Kioko",
    "Muthoka",
    "Kiprotich",
    "Kipchoge",
    "Kibet",
    "Cheruiyot",
    "Rotich",
    "Langat",
    "Koech",
    "Bett",
    "Korir",
    "Ruto",
    "Mohamed",
    "Hassan",
    "Abdi",
    "Omar",
    "Ali",
    "Yusuf",
    "Nyaga",
    "Mugo",
    "Wachira",
    "Maina",
    "Kinyua",
    "Nyamweya",
    "Onsongo",
    "Momanyi",
    "Mokaya",
    "Nyakundi",
    "Chege",
    "Kirui",
    "Tanui",
    "Lagat",
    "Biwott",
    "Mbugua",
    "Karanja",
    "Gichuru",
    "Ngugi",
    "Mureithi",
    "Wamalwa",
    "Shikuku",
    "Kombo",
    "Baya",
    "Chai",
    "Mwakio",
]
PLACES = (
    "Moi Avenue, near the bus stage",
    "Kencom bus stop",
    "Tom Mboya Street",
    "Ronald Ngala Street",
    "River Road",
    "Gikomba market",
    "Kenyatta Avenue",
    "Haile Selassie Avenue",
    "Uhuru Highway near Nyayo stadium",
    "Kibera, Olympic estate",
    "Mathare Area 4",
    "Eastleigh First Avenue",
    "Kondele junction",
    "Oginga Odinga Street",
    "Jomo Kenyatta Highway",
    "Kisumu bus park",
    "Kibuye market",
    "Nyalenda estate",
    "Westlands roundabout",
    "Thika Road near Garden City",
    "Githurai 45 stage",
    "Kayole junction",
    "Umoja Innercore",
    "Donholm estate",
    "Kawangware 56 stage",
    "Ngong Road near Prestige",
    "Mbagathi Way",
    "Industrial Area, Enterprise Road",
    "Kariobangi North",
    "Dandora phase 2",
    "Ruaka town",
    "Kitengela stage",
    "Rongai Maasai Lodge road",
    "Digo Road, Mombasa",
    "Likoni ferry",
    "Nakuru Kenyatta Avenue",
    "Eldoret Uganda Road",
    "Machakos bus park",
    "Nyeri Kimathi Way",
    "Kakamega Canon Awori Street",
)
ITEMS = (
    "phone",
    "wallet",
    "handbag",
    "laptop",
    "motorcycle",
    "bicycle",
    "cash",
    "goats",
    "cow",
    "television",
    "gas cylinder",
    "solar panel",
    "mattress",
    "jewellery",
    "tablet",
    "sufuria",
    "pikipiki",
    "simu",
    "spare wheel",
    "car battery",
    "chickens",
    "water tank",
    "generator",
    "documents",
)
HOW = (
    "snatched by a man on a motorcycle",
    "stolen from the house after the door was broken",
    "pickpocketed in a matatu",
    "taken by two men armed with a panga",
    "stolen from a parked vehicle",
    "taken by a boda boda rider",
    "stolen at the market while shopping",
    "taken by a person known to the complainant",
    "stolen overnight by unknown people",
)
CHARGES = ("stealing", "assault", "being drunk and disorderly", "possession of bhang", "robbery with violence")
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
REPEAT_IDS = 50_000  # a pool of people who come to the station more than once


@dataclass
class Complaint:
    place: str
    narrative: str
    name: str
    id_number: str
    phone: str  # E.164, as stored

    @property
    def phone_local(self) -> str:
        return "0" + self.phone[4:]


def name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def id_number(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return str(20_000_000 + rng.randrange(REPEAT_IDS) * 397)
    return str(rng.randint(10_000_000, 39_999_999))


def phone(rng: random.Random) -> str:
    return f"+2547{rng.choice('0123456789')}{rng.randint(0, 9_999_999):07d}"


def plate(rng: random.Random) -> str:
    return f"K{rng.choice(LETTERS)}{rng.choice(LETTERS)}{rng.randint(100, 999)}{rng.choice(LETTERS)}"


def complaint(rng: random.Random) -> Complaint:
    who = name(rng)
    item = rng.choice(ITEMS)
    place = rng.choice(PLACES)
    narrative = (
        f"Complainant {who} reports that at about {rng.randint(0, 23):02d}{rng.choice(('00', '15', '30', '45'))}hrs "
        f"while at {place} her {item} valued at KES {rng.randint(1, 300) * 500:,} was {rng.choice(HOW)}. "
        f"The suspect escaped towards {rng.choice(PLACES)}. Scene visited; matter under investigation."
    )
    return Complaint(place=place, narrative=narrative, name=who, id_number=id_number(rng), phone=phone(rng))


@dataclass
class PartyRow:
    role: str
    name: str = ""
    id_number: str = ""
    phone: str = ""
    sex: str = ""
    age: int | None = None


@dataclass
class BookEntry:
    entry_type: str
    place: str
    narrative: str
    parties: list[PartyRow] = field(default_factory=list)
    plates: list[str] = field(default_factory=list)


def _person(rng: random.Random, role: str) -> PartyRow:
    return PartyRow(
        role=role,
        name=name(rng),
        id_number=id_number(rng) if rng.random() < 0.9 else "",
        phone=phone(rng) if rng.random() < 0.8 else "",
        sex=rng.choice("MF"),
        age=rng.randint(16, 80),
    )


def book_entry(rng: random.Random) -> BookEntry:
    """One entry of a busy station's book, in the mix of types a station records."""
    roll = rng.random()
    if roll < 0.40:
        c = complaint(rng)
        parties = [PartyRow("complainant", c.name, c.id_number, c.phone, rng.choice("MF"), rng.randint(16, 80))]
        if rng.random() < 0.3:
            parties.append(_person(rng, "suspect"))
        return BookEntry("COMPLAINT", c.place, c.narrative, parties)
    place = rng.choice(PLACES)
    if roll < 0.52:
        owner = _person(rng, "complainant")
        document = rng.choice(("national ID card", "passport", "driving licence", "ATM card", "logbook"))
        narrative = f"{owner.name} reports loss of {document} somewhere around {place}. Abstract requested."
        return BookEntry("LOST_DOC", place, narrative, [owner])
    if roll < 0.62:
        drivers = [_person(rng, "driver") for _ in range(rng.randint(1, 2))]
        plates = [plate(rng) for _ in drivers]
        narrative = (
            f"Road traffic accident at {place} involving motor vehicle {' and '.join(plates)}. "
            f"{rng.choice(('No injuries', 'Minor injuries', 'One pedestrian injured', 'Two passengers injured'))}. "
            "Vehicles towed to the station yard for inspection."
        )
        return BookEntry("TRAFFIC_ACCIDENT", place, narrative, drivers, plates)
    if roll < 0.72:
        suspect = _person(rng, "suspect")
        narrative = (
            f"{suspect.name} arrested at {place} for {rng.choice(CHARGES)}. Booked in cells pending arraignment."
        )
        return BookEntry("ARREST", place, narrative, [suspect])
    if roll < 0.78:
        victim = _person(rng, "complainant")
        narrative = f"{victim.name} reports assault by a person known to her at {place}. Referred for P3 and PRC."
        return BookEntry("GBV", place, narrative, [victim])
    if roll < 0.84:
        missing = _person(rng, "missing_person")
        reporter = _person(rng, "reporter")
        narrative = f"{reporter.name} reports that {missing.name} was last seen at {place} and has not returned home."
        return BookEntry("MISSING_PERSON", place, narrative, [missing, reporter])
    code, narrative = rng.choice(
        (
            ("PATROL_DISPATCH", f"Patrol team dispatched to {place} following reports of a disturbance."),
            ("DUTY_ON_OFF", "Night shift reports on duty. Report office handed over, cells checked, all in order."),
            ("VISITOR", f"Visitor from {place} to see the OCS on a land dispute."),
            ("FOUND_PROPERTY", f"A {rng.choice(ITEMS)} found at {place} handed in by a member of the public."),
            (
                "SERIOUS_CRIME",
                f"Break-in at a shop at {place}; goods of unknown value stolen. Scenes of crime informed.",
            ),
        )
    )
    return BookEntry(code, place, narrative)
