"""Notice numbers, the catalogue file, speeding bands, totals and deadlines, without a database."""

from datetime import timedelta
from pathlib import Path

import pytest

from daftari.fines import rules
from daftari.fines.rules import ALPHABET, CatalogueEntry, Due, OffenceInput, State
from tests.conftest import at_nairobi
from tests.fines.conftest import draft

CSV = Path(__file__).resolve().parents[2] / "src" / "daftari" / "fines" / "data" / "kenya_minor_offences.csv"


def catalogue() -> dict[str, CatalogueEntry]:
    rows = rules.parse_catalogue(CSV.read_text(encoding="utf-8"))
    return {r.code: CatalogueEntry(r.code, r.offence, r.fine_kes) for r in rows}


SAMPLE = [rules.make_notice_number(n) for n in (1, 2, 37, 9_999, 123_456, 27_000_000_000)]


def test_a_notice_number_is_at_most_12_characters_and_passes_its_own_check() -> None:
    for number in SAMPLE:
        assert len(number) <= 12
        assert number.startswith("FN")
        assert rules.check_notice_number(number)
        assert not set(number[2:]) & set("IO01")


def test_neighbouring_serials_get_unlike_numbers() -> None:
    assert len(set(SAMPLE)) == len(SAMPLE)
    a, b = rules.make_notice_number(41), rules.make_notice_number(42)
    assert sum(x != y for x, y in zip(a, b, strict=True)) >= 3


def test_every_single_character_substitution_is_caught() -> None:
    caught = 0
    for number in SAMPLE:
        for position in range(2, len(number)):
            for c in ALPHABET + "IO01Z":
                if c == number[position]:
                    continue
                typo = number[:position] + c + number[position + 1 :]
                assert not rules.check_notice_number(typo), typo
                caught += 1
    assert caught == len(SAMPLE) * 8 * 35


def test_every_adjacent_transposition_is_caught() -> None:
    for number in SAMPLE:
        for position in range(2, len(number) - 1):
            a, b = number[position], number[position + 1]
            if a == b:
                continue
            swapped = number[:position] + b + a + number[position + 2 :]
            assert not rules.check_notice_number(swapped), swapped


def test_typed_spaces_dashes_and_lower_case_are_forgiven() -> None:
    number = SAMPLE[3]
    assert rules.check_notice_number(f" {number[:5].lower()}-{number[5:]} ")
    assert not rules.check_notice_number(number + "2")
    assert not rules.check_notice_number("")


def test_the_shipped_catalogue_has_37_offences_with_speeding_split_into_bands() -> None:
    rows = rules.parse_catalogue(CSV.read_text(encoding="utf-8"))
    assert len(rows) == 43
    uncertain = {r.code for r in rows if r.status == rules.RowStatus.UNCERTAIN}
    assert uncertain == {"MO15", "MO20", "MO26"}
    assert all(isinstance(r.fine_kes, int) for r in rows)


@pytest.mark.parametrize(
    ("base", "limit", "measured", "code", "fine"),
    [
        ("MO07", 80, 81, "MO07A", 0),
        ("MO07", 80, 85, "MO07A", 0),
        ("MO07", 80, 86, "MO07B", 500),
        ("MO07", 80, 90, "MO07B", 500),
        ("MO07", 80, 91, "MO07C", 3000),
        ("MO07", 80, 95, "MO07C", 3000),
        ("MO07", 80, 96, "MO07D", 10000),
        ("MO07", 80, 100, "MO07D", 10000),
        ("MO08", 50, 53, "MO08A", 0),
        ("MO08", 50, 58, "MO08B", 500),
        ("MO08", 50, 63, "MO08C", 3000),
        ("MO08", 50, 70, "MO08D", 10000),
    ],
)
def test_speeding_is_priced_by_band_from_the_catalogue(
    base: str, limit: int, measured: int, code: str, fine: int
) -> None:
    errors: rules.Errors = {}
    lines = rules.notice_lines([OffenceInput(base, measured_speed=measured, speed_limit=limit)], catalogue(), errors)
    assert errors == {}
    assert [(line.code, line.fine_kes) for line in lines] == [(code, fine)]


def test_a_band_letter_given_by_the_officer_is_recomputed_from_the_speeds() -> None:
    errors: rules.Errors = {}
    lines = rules.notice_lines([OffenceInput("MO07A", measured_speed=100, speed_limit=80)], catalogue(), errors)
    assert [line.code for line in lines] == ["MO07D"]


def test_more_than_20_kph_over_is_refused_as_a_matter_for_court() -> None:
    errors: rules.Errors = {}
    lines = rules.notice_lines([OffenceInput("MO07", measured_speed=101, speed_limit=80)], catalogue(), errors)
    assert lines == []
    assert "charge in court" in errors["offences.0.measured_speed"]


def test_speeding_without_speeds_or_under_the_limit_is_refused() -> None:
    errors: rules.Errors = {}
    rules.notice_lines(
        [OffenceInput("MO08"), OffenceInput("MO07", measured_speed=80, speed_limit=80)], catalogue(), errors
    )
    assert set(errors) == {"offences.0.measured_speed", "offences.1.measured_speed"}


def test_the_total_is_the_sum_of_the_fines_and_a_warning_alone_is_warning_only() -> None:
    errors: rules.Errors = {}
    lines = rules.notice_lines(
        [OffenceInput("MO28"), OffenceInput("mo34"), OffenceInput("MO07", measured_speed=83, speed_limit=80)],
        catalogue(),
        errors,
    )
    assert errors == {}
    assert rules.total_kes(lines) == 500 + 2000
    assert not rules.warning_only(lines)
    warning = rules.notice_lines([OffenceInput("MO07", measured_speed=83, speed_limit=80)], catalogue(), errors)
    assert rules.total_kes(warning) == 0 and rules.warning_only(warning)


def test_unknown_and_repeated_codes_are_refused() -> None:
    errors: rules.Errors = {}
    rules.notice_lines([OffenceInput("MO99"), OffenceInput("MO28"), OffenceInput("MO28")], catalogue(), errors)
    assert set(errors) == {"offences.0.code", "offences.2.code"}


def test_an_unusual_plate_is_accepted_with_a_flag() -> None:
    errors: rules.Errors = {}
    assert rules.check_plate("kca 123a", errors) == rules.PlateCheck("KCA123A", unusual=False)
    assert rules.check_plate("MY CAR 1", errors) == rules.PlateCheck("MYCAR1", unusual=True)
    assert errors == {}
    rules.check_plate("", errors)
    assert "plate" in errors


def test_a_catalogue_file_with_bad_rows_reports_every_problem() -> None:
    text = (
        "code,offence,fine_kes,legal_reference,status,source\n"
        "MO01,Something,10000.50,s.1,cross-checked,x\n"
        "MO02,Other,500,s.2,maybe,x\n"
        "MO03,Third,500,s.3,uncertain,x\n"
        "MO03,Third again,500,s.3,uncertain,x\n"
    )
    with pytest.raises(rules.CatalogueFileError) as raised:
        rules.parse_catalogue(text)
    assert len(raised.value.problems) == 3


def test_the_due_date_and_the_overdue_decisions() -> None:
    issued = at_nairobi(2026, 11, 1, 10, 0)
    due = rules.due_at(issued, days_to_pay=7)
    escalate = rules.escalate_at(due, days_to_escalate=14)
    assert due == at_nairobi(2026, 11, 8, 10, 0)

    def action(state: State, now_offset: timedelta, paid: int = 0) -> Due:
        return rules.due_action(state=state, total=3000, paid=paid, due=due, escalate=escalate, now=due + now_offset)

    assert action(State.ISSUED, -timedelta(seconds=1)) == Due.NOTHING
    assert action(State.ISSUED, timedelta(0)) == Due.OVERDUE
    assert action(State.ISSUED, timedelta(days=1), paid=3000) == Due.NOTHING
    assert action(State.OVERDUE, timedelta(days=13)) == Due.NOTHING
    assert action(State.OVERDUE, timedelta(days=14)) == Due.ESCALATE
    assert action(State.CANCELLED, timedelta(days=30)) == Due.NOTHING


def test_settling_partial_exact_and_over_payments() -> None:
    assert rules.settle(total=3000, paid_before=0, amount=1000) == rules.Settlement("partially_paid", 1000, False)
    assert rules.settle(total=3000, paid_before=1000, amount=2000) == rules.Settlement("paid", 3000, True)
    assert rules.settle(total=3000, paid_before=0, amount=3500) == rules.Settlement("overpaid", 3500, True, 500)


def test_paybill_validation_refuses_cancelled_paid_and_wrong_amounts() -> None:
    assert rules.payment_refusal(state=State.ISSUED, total=3000, paid=0, amount=3000) is None
    assert rules.payment_refusal(state=State.OVERDUE, total=3000, paid=1000, amount=2000) is None
    assert "cancelled" in str(rules.payment_refusal(state=State.CANCELLED, total=3000, paid=0, amount=3000))
    assert "already paid" in str(rules.payment_refusal(state=State.PAID, total=3000, paid=3000, amount=3000))
    assert "Wrong amount" in str(rules.payment_refusal(state=State.ISSUED, total=3000, paid=0, amount=2999))


def test_a_new_notice_number_is_well_formed_and_never_the_same_twice() -> None:
    numbers = [rules.new_notice_number() for _ in range(200)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert rules.looks_like_notice_number(number) and rules.check_notice_number(number)


def test_an_offence_time_in_the_future_is_refused_so_the_time_to_pay_cannot_be_stretched() -> None:
    now = at_nairobi(2026, 3, 3, 10, 0)
    _, errors = rules.clean_notice(draft(issued_at=now + timedelta(days=2)), now=now)
    assert errors["issued_at"] == "This time is in the future."
    _, errors = rules.clean_notice(draft(issued_at=now + timedelta(minutes=5)), now=now)
    assert "issued_at" not in errors  # a phone clock a few minutes fast


def test_an_offence_time_more_than_7_days_back_is_refused() -> None:
    now = at_nairobi(2026, 3, 3, 10, 0)
    _, errors = rules.clean_notice(draft(issued_at=now - timedelta(days=8)), now=now)
    assert errors["issued_at"] == "A notice is issued within 7 days of the offence."
    _, errors = rules.clean_notice(draft(issued_at=now - timedelta(days=6)), now=now)
    assert "issued_at" not in errors


@pytest.mark.parametrize(
    ("kind", "details", "split"),
    [
        ("paid", {"paid_kes": 2500, "excess_kes": 0}, rules.MoneySplit(settled_kes=2500)),
        ("partially_paid", {"paid_kes": 2500}, rules.MoneySplit(settled_kes=2500)),
        ("overpaid", {"excess_kes": 500}, rules.MoneySplit(settled_kes=2000, over_kes=500)),
        # An event on a notice already paid may carry the notice's whole excess so far.
        (
            "overpaid",
            {"excess_kes": 7500, "refund_due": True, "state_at_payment": "paid"},
            rules.MoneySplit(over_kes=2500),
        ),
        ("paid", {"refund_due": True, "state_at_payment": "closed"}, rules.MoneySplit(over_kes=2500)),
        ("paid", {"refund_due": True, "state_at_payment": "cancelled"}, rules.MoneySplit(refund_kes=2500)),
        ("paid", {"refund_due": True, "state_at_payment": "contested"}, rules.MoneySplit(refund_kes=2500)),
    ],
)
def test_a_payment_s_money_is_settled_over_paid_or_refunded_never_counted_twice(
    kind: str, details: dict[str, object], split: rules.MoneySplit
) -> None:
    found = rules.split_payment(amount=2500, kind=kind, details=details)
    assert found == split
    assert found.settled_kes + found.over_kes + found.refund_kes == 2500
