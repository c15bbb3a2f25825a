"""Pure rules of the cell register: the Art. 49 court clock, the remand warning, cell placement.

No ORM here: the services hand in a ``CourtCalendar`` built from the ``holidays`` package and the
gazetted additions an admin keeps.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import holidays as holiday_tables
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NAIROBI = ZoneInfo("Africa/Nairobi")
ART_49_HOURS = 24
ADULT_AGE = 18


# --- The court clock ----------------------------------------------------------------------


@dataclass(frozen=True)
class CourtCalendar:
    """Court days are Monday to Friday except ``holidays``; court hours are ``opens``–``closes`` in Nairobi."""

    holidays: frozenset[date]
    opens: time = time(8, 0)
    closes: time = time(17, 0)

    def is_court_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_court_day(self, after: date) -> date:
        day = after + timedelta(days=1)
        while not self.is_court_day(day):
            day += timedelta(days=1)
        return day


def kenyan_public_holidays(years: Iterable[int], gazetted: Iterable[date] = ()) -> frozenset[date]:
    """Kenya's public holidays (with the package's observed-on-Monday rules) plus gazetted additions."""
    table = holiday_tables.country_holidays("KE", years=sorted(set(years)))
    return frozenset(table.keys()) | frozenset(gazetted)


def court_deadline(arrested_at: datetime, calendar: CourtCalendar) -> datetime:
    """Art. 49(1)(f): the latest moment the arrested person may be brought before a court.

    Twenty-four hours after arrest; when those end outside court hours or on a day that is not a
    court day, the end (closing time) of the next court day. Decisions where the text is silent:
    - ending on a court day BEFORE the court opens: the next court sitting is that same day, so
      the deadline is that day's closing time;
    - ending on a court day AFTER closing: the next court day's closing time;
    - ending exactly at closing time is still within court hours: the deadline is that moment.
    """
    if arrested_at.tzinfo is None:
        raise ValueError("arrested_at must be timezone-aware")
    end = arrested_at.astimezone(NAIROBI) + timedelta(hours=ART_49_HOURS)
    day, clock = end.date(), end.timetz().replace(tzinfo=None)
    if calendar.is_court_day(day):
        if calendar.opens <= clock <= calendar.closes:
            return end
        if clock < calendar.opens:
            return datetime.combine(day, calendar.closes, NAIROBI)
    return datetime.combine(calendar.next_court_day(day), calendar.closes, NAIROBI)


def minutes_left(deadline: datetime, now: datetime) -> int:
    """Whole minutes until the deadline; negative once it has passed."""
    seconds = (deadline - now).total_seconds()
    return int(seconds // 60)


class Band(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    BREACHED = "breached"


# The board never shows colour alone: each band has words.
BAND_WORDS = {
    Band.GREEN: gettext_lazy("More than 12 hours left"),
    Band.AMBER: gettext_lazy("4 to 12 hours left"),
    Band.RED: gettext_lazy("Less than 4 hours left"),
    Band.BREACHED: gettext_lazy("Deadline passed"),
}


def board_colour(deadline: datetime, now: datetime) -> Band:
    """Green above 12 hours left, amber from 4 to 12, red under 4, breached once the deadline has passed."""
    left = deadline - now
    if left < timedelta(0):
        return Band.BREACHED
    if left < timedelta(hours=4):
        return Band.RED
    if left <= timedelta(hours=12):
        return Band.AMBER
    return Band.GREEN


# --- Art. 49(2): no remand for petty offences -------------------------------------------------


class Punishment(StrEnum):
    FINE_ONLY = "fine_only"
    UP_TO_6_MONTHS = "up_to_6_months"
    MORE_THAN_6_MONTHS = "more_than_6_months"
    UNKNOWN = "unknown"


PUNISHMENT_LABELS = {
    Punishment.FINE_ONLY: gettext_lazy("Fine only"),
    Punishment.UP_TO_6_MONTHS: gettext_lazy("Imprisonment of 6 months or less"),
    Punishment.MORE_THAN_6_MONTHS: gettext_lazy("Imprisonment of more than 6 months"),
    Punishment.UNKNOWN: gettext_lazy("Not known"),
}
PETTY = frozenset({Punishment.FINE_ONLY, Punishment.UP_TO_6_MONTHS})


class HasPunishment(Protocol):
    punishable_by: str


def _punishment(offence: Any) -> str:
    if isinstance(offence, dict):
        return str(offence.get("punishable_by", Punishment.UNKNOWN))
    return str(getattr(offence, "punishable_by", Punishment.UNKNOWN))


def remand_warning(offences: Iterable[Any]) -> bool:
    """Art. 49(2): true when every offence is punishable by a fine only or by 6 months or less.

    An offence whose punishment is not known does not warn (nor does a booking with no offence).
    """
    kinds = [_punishment(o) for o in offences]
    return bool(kinds) and all(kind in PETTY for kind in kinds)


# --- Cells ----------------------------------------------------------------------------------


class Cell(StrEnum):
    MALE = "male"
    FEMALE = "female"
    JUVENILE = "juvenile"


CELL_LABELS = {
    Cell.MALE: gettext_lazy("Male cell"),
    Cell.FEMALE: gettext_lazy("Female cell"),
    Cell.JUVENILE: gettext_lazy("Juvenile cell"),
}


def age_on(day: date, *, age: int | None, date_of_birth: date | None) -> int | None:
    """The age on ``day``: from the date of birth when known, else the age given."""
    if date_of_birth is not None:
        years = day.year - date_of_birth.year
        if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
            years -= 1
        return years
    return age


def cell_refusals(cell: str, *, sex: str, age: int | None) -> list[str]:
    """Why the person may not go into ``cell``; empty when they may."""
    reasons = []
    if cell not in {c.value for c in Cell}:
        return [_("Choose the male, female or juvenile cell.")]
    if age is not None and age < ADULT_AGE and cell != Cell.JUVENILE:
        reasons.append(_("A child (under 18) may only be held in the juvenile cell."))
    if age is not None and age >= ADULT_AGE and cell == Cell.JUVENILE:
        reasons.append(_("An adult may not be held in the juvenile cell."))
    if sex == "F" and cell == Cell.MALE:
        reasons.append(_("A woman or girl may not be held in the male cell."))
    if sex == "M" and cell == Cell.FEMALE:
        reasons.append(_("A man or boy may not be held in the female cell."))
    return reasons
