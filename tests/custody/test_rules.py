"""The pure rules of the cell register: the Art. 49 court clock, the remand warning, cells, the board bands."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from daftari.custody import rules
from daftari.custody.rules import Band, CourtCalendar, court_deadline

EID_AL_ADHA_2026 = date(2026, 5, 27)  # gazetted by the Interior CS; not in the holidays package
KENYA = CourtCalendar(holidays=rules.kenyan_public_holidays([2025, 2026], gazetted=[EID_AL_ADHA_2026]))


def nbi(*args: int) -> datetime:
    return datetime(*args, tzinfo=rules.NAIROBI)  # type: ignore[misc]


DEADLINES = [
    # (why, arrested at, deadline)
    ("24 h ending in court hours on a weekday", nbi(2026, 3, 3, 10, 0), nbi(2026, 3, 4, 10, 0)),
    ("24 h ending exactly at opening", nbi(2026, 3, 3, 8, 0), nbi(2026, 3, 4, 8, 0)),
    ("24 h ending before opening: that day's closing", nbi(2026, 3, 3, 5, 0), nbi(2026, 3, 4, 17, 0)),
    ("24 h ending exactly at 17:00 is within hours", nbi(2026, 3, 3, 17, 0), nbi(2026, 3, 4, 17, 0)),
    ("24 h ending one minute after closing", nbi(2026, 3, 3, 17, 1), nbi(2026, 3, 5, 17, 0)),
    ("24 h ending on a weekday evening", nbi(2026, 3, 3, 21, 30), nbi(2026, 3, 5, 17, 0)),
    ("24 h ending on Saturday", nbi(2026, 3, 6, 10, 0), nbi(2026, 3, 9, 17, 0)),
    ("24 h ending on Friday evening", nbi(2026, 3, 5, 20, 0), nbi(2026, 3, 9, 17, 0)),
    ("24 h ending on Sunday", nbi(2026, 3, 7, 23, 0), nbi(2026, 3, 9, 17, 0)),
    ("arrested Sunday afternoon, 24 h end Monday in hours", nbi(2026, 3, 8, 14, 0), nbi(2026, 3, 9, 14, 0)),
    ("Christmas and Boxing Day, then the weekend", nbi(2025, 12, 24, 12, 0), nbi(2025, 12, 29, 17, 0)),
    ("Good Friday and Easter Monday", nbi(2026, 4, 2, 9, 0), nbi(2026, 4, 7, 17, 0)),
    ("Easter Monday alone", nbi(2026, 4, 5, 11, 0), nbi(2026, 4, 7, 17, 0)),
    ("Madaraka Day on a Monday", nbi(2026, 5, 31, 10, 0), nbi(2026, 6, 2, 17, 0)),
    ("Madaraka Day on a Sunday, observed on Monday", nbi(2025, 5, 30, 12, 0), nbi(2025, 6, 3, 17, 0)),
    ("Mashujaa Day", nbi(2026, 10, 19, 11, 0), nbi(2026, 10, 21, 17, 0)),
    ("Jamhuri Day on a Friday, then the weekend", nbi(2025, 12, 11, 14, 0), nbi(2025, 12, 15, 17, 0)),
    ("Idd ul-Fitr from the holidays package", nbi(2026, 3, 19, 10, 0), nbi(2026, 3, 23, 17, 0)),
    ("Idd ul-Adha, a gazetted addition", nbi(2026, 5, 26, 15, 0), nbi(2026, 5, 28, 17, 0)),
    ("arrested just before midnight", nbi(2026, 3, 3, 23, 59), nbi(2026, 3, 5, 17, 0)),
    ("arrested time given in UTC", datetime(2026, 3, 3, 7, 0, tzinfo=UTC), nbi(2026, 3, 4, 10, 0)),
]


@pytest.mark.parametrize(("why", "arrested_at", "expected"), DEADLINES, ids=[d[0] for d in DEADLINES])
def test_the_court_deadline_follows_article_49(why: str, arrested_at: datetime, expected: datetime) -> None:
    deadline = court_deadline(arrested_at, KENYA)
    assert deadline == expected
    assert deadline.utcoffset() == timedelta(hours=3)


def test_without_the_gazette_notice_idd_ul_adha_is_an_ordinary_court_day() -> None:
    plain = CourtCalendar(holidays=rules.kenyan_public_holidays([2026]))
    assert court_deadline(nbi(2026, 5, 26, 15, 0), plain) == nbi(2026, 5, 27, 15, 0)


def test_court_hours_are_configurable() -> None:
    short = CourtCalendar(holidays=frozenset(), opens=time(9, 0), closes=time(16, 0))
    assert court_deadline(nbi(2026, 3, 3, 16, 30), short) == nbi(2026, 3, 5, 16, 0)
    assert court_deadline(nbi(2026, 3, 3, 8, 30), short) == nbi(2026, 3, 4, 16, 0)


def test_a_naive_arrest_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        court_deadline(datetime(2026, 3, 3, 10, 0), KENYA)


def test_the_deadline_is_never_more_than_24_hours_when_they_end_in_court_hours() -> None:
    arrested = nbi(2026, 3, 2, 0, 0)
    for minutes in range(0, 7 * 24 * 60, 37):
        moment = arrested + timedelta(minutes=minutes)
        deadline = court_deadline(moment, KENYA)
        assert deadline >= moment + timedelta(hours=24) or deadline.time() == time(17, 0)
        assert deadline.astimezone(rules.NAIROBI).time() <= time(17, 0)
        assert KENYA.is_court_day(deadline.astimezone(rules.NAIROBI).date())


@pytest.mark.parametrize(
    ("kinds", "warns"),
    [
        (["fine_only"], True),
        (["up_to_6_months"], True),
        (["fine_only", "up_to_6_months"], True),
        (["fine_only", "more_than_6_months"], False),
        (["more_than_6_months"], False),
        (["unknown"], False),
        (["fine_only", "unknown"], False),
        ([], False),
    ],
)
def test_article_49_2_warns_only_when_every_offence_is_petty(kinds: list[str], warns: bool) -> None:
    assert rules.remand_warning([{"punishable_by": kind} for kind in kinds]) is warns


@pytest.mark.parametrize(
    ("cell", "sex", "age", "refused"),
    [
        ("juvenile", "M", 15, False),
        ("male", "M", 15, True),
        ("female", "F", 17, True),
        ("juvenile", "F", 30, True),
        ("male", "M", 18, False),
        ("female", "F", 40, False),
        ("male", "F", 40, True),
        ("female", "M", 40, True),
        ("male", "X", 40, False),
        ("basement", "M", 40, True),
    ],
)
def test_cell_placement(cell: str, sex: str, age: int, refused: bool) -> None:
    assert bool(rules.cell_refusals(cell, sex=sex, age=age)) is refused


def test_a_juvenile_in_the_male_cell_is_told_why() -> None:
    assert rules.cell_refusals("male", sex="M", age=16) == ["A child (under 18) may only be held in the juvenile cell."]


def test_age_comes_from_the_date_of_birth_when_known() -> None:
    assert rules.age_on(date(2026, 3, 3), age=30, date_of_birth=date(2008, 3, 4)) == 17
    assert rules.age_on(date(2026, 3, 4), age=None, date_of_birth=date(2008, 3, 4)) == 18
    assert rules.age_on(date(2026, 3, 4), age=25, date_of_birth=None) == 25


def test_minutes_left_counts_down_and_goes_negative() -> None:
    deadline = nbi(2026, 3, 4, 17, 0)
    assert rules.minutes_left(deadline, nbi(2026, 3, 4, 15, 0)) == 120
    assert rules.minutes_left(deadline, nbi(2026, 3, 4, 17, 0, 30)) == -1


@pytest.mark.parametrize(
    ("hours_left", "band"),
    [
        (20, Band.GREEN),
        (12.01, Band.GREEN),
        (12, Band.AMBER),
        (4, Band.AMBER),
        (3.99, Band.RED),
        (0, Band.RED),
        (-0.01, Band.BREACHED),
    ],
)
def test_the_board_colour_band(hours_left: float, band: Band) -> None:
    deadline = nbi(2026, 3, 4, 17, 0)
    assert rules.board_colour(deadline, deadline - timedelta(hours=hours_left)) == band
    assert str(rules.BAND_WORDS[band])


# --- Typed times of custody events ------------------------------------------------------------

ARRESTED = datetime(2026, 11, 29, 5, 0, tzinfo=UTC)
BOOKED = ARRESTED + timedelta(hours=1)


def event_problems(at: datetime | None, now: datetime, *, late: bool = False, late_reason: str = "") -> rules.Errors:
    return rules.event_time_problems(
        at, now=now, arrested_at=ARRESTED, booked_in_at=BOOKED, late=late, late_reason=late_reason
    )


def test_an_event_typed_within_the_hour_after_the_booking_is_on_time() -> None:
    now = BOOKED + timedelta(hours=3)
    assert event_problems(now - timedelta(minutes=59), now) == {}
    assert event_problems(None, now) == {}


def test_an_event_typed_before_the_booking_or_over_an_hour_back_needs_the_late_flag() -> None:
    now = BOOKED + timedelta(hours=3)
    assert set(event_problems(BOOKED - timedelta(minutes=5), BOOKED + timedelta(minutes=5))) == {"at"}
    assert set(event_problems(now - timedelta(hours=2), now)) == {"at"}
    assert event_problems(now - timedelta(hours=2), now, late=True, late_reason="At court") == {}


def test_an_event_before_the_arrest_is_refused_even_when_late() -> None:
    problems = event_problems(ARRESTED - timedelta(minutes=1), BOOKED, late=True, late_reason="At court")
    assert problems == {"at": "This time is before the arrest."}


def test_a_late_flag_needs_a_typed_time() -> None:
    assert set(event_problems(None, BOOKED, late=True, late_reason="At court")) == {"at"}


def test_a_late_event_counts_at_its_recording_and_an_event_on_time_at_its_own_time() -> None:
    typed, recorded = BOOKED + timedelta(hours=1), BOOKED + timedelta(days=2)
    assert rules.counted_at(at=typed, recorded_at=recorded, late=True) == recorded
    assert rules.counted_at(at=typed, recorded_at=recorded, late=False) == typed


def test_a_booking_of_an_arrest_older_than_the_window_needs_the_late_flag() -> None:
    now = ARRESTED + timedelta(days=2)
    base = rules.Booking(
        detainee=rules.DetaineeInput(name="Otieno Ouma", sex="M", age=27),
        arresting_officer="SN2001",
        arrested_at=ARRESTED,
        cell="male",
        offences=(rules.OffenceInput(description="Stealing"),),
    )
    _, errors = rules.clean_booking(base, now=now, late_after=timedelta(hours=24))
    assert set(errors) == {"arrested_at"}
    late = rules.Booking(**{**base.__dict__, "late": True, "late_reason": "Held in hospital"})
    cleaned, errors = rules.clean_booking(late, now=now, late_after=timedelta(hours=24))
    assert errors == {} and (cleaned.late, cleaned.late_reason) == (True, "Held in hospital")
