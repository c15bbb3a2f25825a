"""Pure rules of the link between a node and the hub, without a database."""

from datetime import UTC, date, datetime

from daftari.nodes.rules import first_ob_day_carried


def test_a_book_changing_writer_half_an_hour_after_nairobi_midnight_carries_yesterdays_and_todays_numbers() -> None:
    # 21:30 UTC on 6 December is 00:30 on 7 December in Nairobi: the OB day is the 7th.
    assert first_ob_day_carried(datetime(2026, 12, 6, 21, 30, tzinfo=UTC)) == date(2026, 12, 6)
    assert first_ob_day_carried(datetime(2026, 12, 6, 20, 30, tzinfo=UTC)) == date(2026, 12, 5)
