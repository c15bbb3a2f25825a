# ruff: noqa: E501
"""``daftari payments reconcile``: a made-up M-Pesa org portal statement against Daftari's payments."""

import subprocess
import sys
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from daftari.payments import accounts, reconciliation
from daftari.payments.models import Payment
from daftari.payments.reconciliation import Mismatch, Problem, RecordedPayment, StatementLine
from daftari.payments.rules import NAIROBI
from tests.payments.conftest import FakeFines

# The org portal's export, as downloaded (long lines: a real statement has them).
STATEMENT = """\ufeffAccount Holder:,Kenya Police Service Instant Fines
Short Code:,174379
Time Period:,29-11-2026 - 29-11-2026

Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.
TKT0000001,2026-11-29 08:15:02,2026-11-29 08:14:55,Pay Bill Online from 254712345678 - KAMAU NJOROGE Acc. TST1001,Completed,"2,500.00",,"102,500.00",true,Pay Bill Online,254712****78 - KAMAU NJOROGE,,TST1001
TKT0000002,2026-11-29 09:01:10,2026-11-29 09:01:02,Pay Bill from 254722000111 - ACHIENG OTIENO Acc. TST1002,Completed,"1,000.00",,"103,500.00",true,Pay Bill,254722****11 - ACHIENG OTIENO,,TST1002
TKT0000003,2026-11-29 10:30:00,2026-11-29 10:29:50,Pay Bill from 254733000222 - WANJIRU Acc. TST1003,Completed,500.00,,"104,000.00",true,Pay Bill,254733****22 - WANJIRU,,
TKT0000004,2026-11-29 11:00:00,2026-11-29 10:59:58,Pay Bill from 254744000333 - MUTUA Acc. NOBODY42,Completed,300.00,,"104,300.00",true,Pay Bill,254744****33 - MUTUA,,NOBODY42
TKT0000005,2026-11-29 12:00:00,2026-11-29 12:00:00,Business Charges,Completed,,55.00,"104,245.00",true,Pay Bill Charge,,TKT0000004,
TKT0000006,2026-11-29 12:30:00,2026-11-29 12:29:00,Pay Bill from 254755000444 - OMONDI Acc. TST1004,Failed,700.00,,"104,245.00",true,Pay Bill,,,TST1004
"""


def confirmed(receipt: str, reference: str, paid: int, hour: int) -> Payment:
    return Payment.objects.create(
        account_reference=reference,
        amount_kes=paid,
        paid_kes=paid,
        phone="+254712345678",
        method=Payment.Method.PAYBILL,
        state=Payment.State.CONFIRMED,
        mpesa_receipt=receipt,
        confirmed_at=datetime(2026, 11, 29, hour, 0, tzinfo=NAIROBI),
    )


@pytest.fixture
def statement(tmp_path: Path) -> Path:
    path = tmp_path / "statement.csv"
    path.write_text(STATEMENT, encoding="utf-8")
    return path


def test_the_org_portal_export_is_read_past_its_preamble_keeping_only_completed_money_paid_in() -> None:
    lines = reconciliation.read_statement(STATEMENT)
    assert [line.receipt for line in lines] == ["TKT0000001", "TKT0000002", "TKT0000003", "TKT0000004"]
    assert lines[0].paid_in_kes == 2500 and lines[1].paid_in_kes == 1000
    assert lines[0].completed_at == datetime(2026, 11, 29, 8, 15, 2, tzinfo=NAIROBI)
    # An empty A/C No. falls back to the account named in the details.
    assert lines[2].account_reference == "TST1003"


def test_column_name_variants_and_day_first_times_are_understood() -> None:
    text = 'Receipt,Date,Status,Credit,Debit,Account\nABC123,29/11/2026 14:05,Completed,"12,000",,tst9\n'
    (line,) = reconciliation.read_statement(text)
    assert (line.receipt, line.paid_in_kes, line.account_reference) == ("ABC123", 12000, "TST9")
    assert line.completed_at == datetime(2026, 11, 29, 14, 5, tzinfo=NAIROBI)


def test_a_fraction_of_a_shilling_or_a_file_without_a_header_is_refused() -> None:
    with pytest.raises(reconciliation.StatementError):
        reconciliation.amount_kes("10.50")
    with pytest.raises(reconciliation.StatementError):
        reconciliation.read_statement("just,some\nwords,here\n")


def test_matching_lists_each_kind_of_mismatch() -> None:
    at = datetime(2026, 11, 29, 9, tzinfo=NAIROBI)
    statement = [
        StatementLine("R1", at, 500, "TST1", "", ""),
        StatementLine("R2", at, 900, "TST2", "", ""),
        StatementLine("R3", at, 100, "ELSEWHERE", "", ""),
    ]
    recorded = [
        RecordedPayment("p1", "R1", "TST1", 500, at),
        RecordedPayment("p2", "R2", "TST2", 1000, at),
        RecordedPayment("p4", "R4", "TST4", 200, at),
    ]
    found = reconciliation.match(statement, recorded, claimed=lambda ref: ref.startswith("TST"))
    assert found == [
        Mismatch(Problem.AMOUNT_DIFFERS, "R2", "TST2", 900, 1000, at),
        Mismatch(Problem.NOT_IN_DAFTARI, "R3", "ELSEWHERE", 100, None, at),
        Mismatch(Problem.UNKNOWN_REFERENCE, "R3", "ELSEWHERE", 100, None, at),
        Mismatch(Problem.NOT_IN_STATEMENT, "R4", "TST4", None, 200, at),
    ]


def test_a_statement_that_matches_has_no_mismatch() -> None:
    at = datetime(2026, 11, 29, 9, tzinfo=NAIROBI)
    found = reconciliation.match(
        [StatementLine("R1", at, 500, "TST1", "", "")],
        [RecordedPayment("p1", "R1", "TST1", 500, at)],
        claimed=lambda ref: True,
    )
    assert found == []


@pytest.mark.django_db
def test_the_command_lists_every_mismatch_and_exits_1(statement: Path, fines: FakeFines) -> None:
    assert accounts.handler_for("NOBODY42") is None
    confirmed("TKT0000001", "TST1001", 2500, 8)  # matches
    confirmed("TKT0000002", "TST1002", 1500, 9)  # Daftari says 1,500, the statement 1,000
    confirmed("TKT0000003", "TST1003", 500, 10)  # matches
    confirmed("TKT0000009", "TST1009", 800, 13)  # never reached the statement
    confirmed("TKT0000010", "TST1010", 800, 7)
    # The day before: outside the statement's period, so not a mismatch.
    Payment.objects.filter(mpesa_receipt="TKT0000010").update(confirmed_at=datetime(2026, 11, 28, 23, tzinfo=NAIROBI))
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("payments", "reconcile", str(statement), stdout=out)
    assert exit_.value.code == 1
    text = out.getvalue()
    assert "4 statement lines, 4 confirmed payments" in text
    assert "4 mismatches" in text
    rows = {line.split("│")[2].strip(): line for line in text.splitlines() if "│ TKT" in line}
    assert "amount differs" in rows["TKT0000002"] and "1,000" in rows["TKT0000002"] and "1,500" in rows["TKT0000002"]
    assert "in Daftari, not in the statement" in rows["TKT0000009"]
    assert "TKT0000001" not in rows and "TKT0000010" not in rows
    assert text.count("TKT0000004") == 2
    assert "in the statement, not in Daftari" in text and "account reference unknown" in text


@pytest.mark.django_db
def test_the_command_says_no_mismatch_and_exits_0_when_all_agree(tmp_path: Path, fines: FakeFines) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "Receipt No.,Completion Time,Transaction Status,Paid In,Withdrawn,A/C No.\n"
        'TKT0000001,2026-11-29 08:15:02,Completed,"2,500.00",,TST1001\n'
    )
    confirmed("TKT0000001", "TST1001", 2500, 8)
    out = StringIO()
    call_command("payments", "reconcile", str(path), stdout=out)
    assert "No mismatch." in out.getvalue()


def test_the_real_command_exits_1_for_an_unreadable_statement(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("nothing,useful\n")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "daftari"), "payments", "reconcile", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "no header row" in done.stderr
