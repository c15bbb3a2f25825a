"""The demo's history: a few months of crimes back-captured into each demo station's book, so that
the figures pages (issue 12) show trends, maps and hours from something like a real station.

Each crime is a complaint recorded through ``record_occurrence`` exactly as the desk records a
late entry: recorded when the demo runs, flagged late with the reason below, its time of occurrence
the day and hour it happened (which is what the figures count). The plan is drawn from a seeded
random generator, so every run draws the same crimes with the same ids (uuid5) and a second run
records nothing new. Two in three of Central's complaints are given to its investigator, one in six
taken to court, so the follow-up figures have something to count.
"""

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth.models import User

from daftari.occurrences import casework
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import NAIROBI, EntryDraft, OffenceInput, PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station

BACK_CAPTURED = "Demo history: back-captured from the station's paper OB."

# (Penal Code section, the offence in words, what happened, relative weight): common complaints first.
OFFENCES: tuple[tuple[str, str, str, int], ...] = (
    ("Penal Code s.268 and s.275", "Stealing", "A mobile phone was stolen from the complainant.", 30),
    ("Penal Code s.251", "Assault causing actual bodily harm", "The complainant was beaten in a quarrel.", 22),
    ("Penal Code s.304", "House breaking", "The complainant's house was broken into and goods taken.", 10),
    ("Penal Code s.296", "Robbery", "The complainant was robbed of cash and a phone at night.", 8),
    ("Penal Code s.279", "Stealing from a motor vehicle", "Items were taken from the complainant's car.", 8),
    ("Penal Code s.313", "Obtaining by false pretences", "The complainant paid for goods never delivered.", 6),
    ("Penal Code s.339", "Malicious damage to property", "The complainant's shop window was smashed.", 6),
    ("Penal Code s.281", "Stealing by servant", "A shop attendant left with the day's takings.", 4),
    ("Penal Code s.95", "Creating a disturbance", "A fight broke out outside a bar.", 4),
    ("Penal Code s.278", "Stealing stock", "Two goats were taken from the complainant's shed.", 2),
)

# Crimes a day on average at each demo station, and the places its complaints name.
RATES = {"CENTRAL-NBI": 1.2, "KILIMANI": 0.7, "KISUMU-CTL": 0.8, "MOMBASA-CTL": 0.8}
PLACES = {
    "CENTRAL-NBI": ("Moi Avenue", "River Road", "Tom Mboya Street", "Kencom stage", "Luthuli Avenue"),
    "KILIMANI": ("Argwings Kodhek Road", "Ngong Road", "Kibera, Olympic estate", "Yaya Centre"),
    "KISUMU-CTL": ("Kondele", "Oginga Odinga Street", "Dunga beach", "Kisumu bus park"),
    "MOMBASA-CTL": ("Moi Avenue, Mombasa", "Old Town", "Likoni ferry", "Digo Road"),
}
DESKS = {"CENTRAL-NBI": "desk1", "KILIMANI": "desk3", "KISUMU-CTL": "desk2", "MOMBASA-CTL": "desk4"}
NAMES = ("Wanjiru", "Otieno", "Mutua", "Achieng", "Kiprono", "Njoki", "Omondi", "Chebet", "Barasa", "Mwende")
# Evenings and Friday and Saturday nights are busier, as the published hour-of-day series are.
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 7, 8, 9, 9, 8, 6, 4)
WEEKDAY_WEIGHTS = (1.0, 0.9, 0.9, 1.0, 1.3, 1.5, 1.1)


@dataclass(frozen=True)
class PastCrime:
    key: str
    occurred_at: datetime
    section: str
    offence: str
    narrative: str
    place: str
    complainant: str


def plan(station_code: str, *, days: int, today: datetime) -> Iterator[PastCrime]:
    """The crimes of the ``days`` days before ``today`` at a station: the same ones on every run."""
    midnight = datetime.combine(today.astimezone(NAIROBI).date(), time.min, tzinfo=NAIROBI)
    weights = [w for *_rest, w in OFFENCES]
    for back in range(1, days + 1):
        day = midnight - timedelta(days=back)
        rng = random.Random(f"{station_code}:{back}")  # seeded: the same plan on every run
        expected = RATES[station_code] * WEEKDAY_WEIGHTS[day.weekday()]
        count = sum(rng.random() < expected / 4 for _try in range(4))  # 0 to 4, about ``expected``
        for n in range(count):
            section, offence, narrative, _weight = rng.choices(OFFENCES, weights)[0]
            hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
            yield PastCrime(
                key=f"history-{back}-{n}",
                occurred_at=day + timedelta(hours=hour, minutes=rng.randrange(60)),
                section=section,
                offence=offence,
                narrative=narrative,
                place=rng.choice(PLACES[station_code]),
                complainant=f"{rng.choice(NAMES)} {rng.choice(NAMES)}",
            )


def record_history(
    stations: dict[str, Station], users: dict[str, User], *, now: datetime, days: int, namespace: uuid.UUID
) -> int:
    """Records what is not yet in the books; returns how many entries were recorded."""
    recorded = 0
    for code, rate in RATES.items():
        if rate <= 0 or code not in stations:
            continue
        crimes = list(plan(code, days=days, today=now))
        ids = {crime.key: uuid.uuid5(namespace, f"{code}:{crime.key}") for crime in crimes}
        there = set(Occurrence.objects.filter(pk__in=ids.values()).values_list("pk", flat=True))
        new = [crime for crime in crimes if ids[crime.key] not in there]
        # The oldest first, so the book's late entries read in the order things happened.
        for crime in sorted(new, key=lambda c: c.occurred_at):
            draft = EntryDraft(
                entry_type="COMPLAINT",
                occurred_at=crime.occurred_at,
                place=crime.place,
                narrative=crime.narrative,
                parties=(PartyInput("complainant", crime.complainant),),
                offences=(OffenceInput(crime.section, crime.offence),),
                late=True,
                late_reason=BACK_CAPTURED,
            )
            entry = record_occurrence(
                actor=users[DESKS[code]], station=stations[code], draft=draft, client_id=ids[crime.key]
            ).entry
            recorded += 1
            if code == "CENTRAL-NBI":
                _follow_up(entry, users, int(crime.key.rsplit("-", 2)[1]))
    return recorded


def _follow_up(entry: Occurrence, users: dict[str, User], back: int) -> None:
    """Two in three of Central's complaints assigned to its investigator; one in six taken to court."""
    if back % 3 == 0:
        return
    casework.assign_investigator(actor=users["ocs1"], occurrence=entry, investigator=users["investigator1"].officer)
    if back % 6 == 1:
        casework.update_case_status(actor=users["investigator1"], occurrence=entry, status=casework.Status.IN_COURT)
