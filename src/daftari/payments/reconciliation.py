"""Matching an M-Pesa statement export against the payments Daftari recorded.

The parsing and matching are pure (no ORM): ``read_statement`` turns the org portal's CSV into
``StatementLine`` rows and ``match`` lists every mismatch. ``reconcile_file`` loads the payments
the statement's period covers and runs both.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from daftari.payments.rules import NAIROBI

# The org portal's column names, and the variants other exports (and spreadsheets) give them.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "receipt": ("receipt no", "receipt no.", "receipt", "receipt number", "transaction id", "trans id", "transid"),
    "completed": ("completion time", "completed time", "completion date", "date", "transaction time"),
    "initiated": ("initiation time",),
    "details": ("details", "description"),
    "status": ("transaction status", "status"),
    "paid_in": ("paid in", "paid in (kes)", "credit", "amount in"),
    "withdrawn": ("withdrawn", "withdrawn (kes)", "debit", "amount out"),
    "balance": ("balance",),
    "reason": ("reason type", "reason", "transaction type"),
    "other_party": ("other party info", "other party", "opposite party"),
    "linked": ("linked transaction id", "linked transaction"),
    "account": ("a/c no.", "a/c no", "account no.", "account no", "account number", "account", "bill ref number"),
}
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y%m%d%H%M%S",
)
# "Pay Bill from 254712345678 - JOHN DOE Acc. FN0001234X" (the account is sometimes only here).
_ACC_IN_DETAILS = re.compile(r"\bAcc(?:ount)?\.?\s*(?:No\.?)?\s*[:#]?\s*([A-Za-z0-9]{1,12})\s*$", re.IGNORECASE)


class StatementError(ValueError):
    """The file is not a statement this reader understands."""


def _key(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def amount_kes(text: str) -> int | None:
    """ "1,000.00" → 1000; "" or "-" → None. A fraction of a shilling is an error: money is whole KES."""
    cleaned = text.replace(",", "").replace("KES", "").replace("Ksh", "").replace(" ", "").strip()
    if cleaned in ("", "-"):
        return None
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    try:
        value = Decimal(cleaned.strip("()"))
    except InvalidOperation as exc:
        raise StatementError(f"not an amount: {text!r}") from exc
    if value != value.to_integral_value():
        raise StatementError(f"not a whole number of shillings: {text!r}")
    whole = abs(int(value))
    return -whole if negative else whole


def completion_time(text: str) -> datetime:
    cleaned = " ".join(text.strip().split())
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).replace(tzinfo=NAIROBI)
        except ValueError:
            continue
    raise StatementError(f"not a completion time: {text!r}")


@dataclass(frozen=True)
class StatementLine:
    receipt: str
    completed_at: datetime
    paid_in_kes: int
    account_reference: str
    details: str
    other_party: str


@dataclass(frozen=True)
class RecordedPayment:
    """What Daftari knows of a confirmed payment (a plain value: the matching never touches the ORM)."""

    id: str
    receipt: str
    account_reference: str
    paid_kes: int
    confirmed_at: datetime | None


class Problem(enum.Enum):
    NOT_IN_DAFTARI = "not_in_daftari"
    NOT_IN_STATEMENT = "not_in_statement"
    AMOUNT_DIFFERS = "amount_differs"
    UNKNOWN_REFERENCE = "unknown_reference"


@dataclass(frozen=True)
class Mismatch:
    problem: Problem
    receipt: str
    account_reference: str
    statement_kes: int | None
    daftari_kes: int | None
    at: datetime | None


def read_statement(text: str) -> list[StatementLine]:
    """The money paid in by customers, from an org portal statement (CSV). Preamble lines are skipped,
    as are withdrawals, charges and transactions not completed."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    start = next(
        (
            i
            for i, row in enumerate(rows)
            if any(_key(c) in _COLUMNS["receipt"] for c in row) and any(_key(c) in _COLUMNS["paid_in"] for c in row)
        ),
        None,
    )
    if start is None:
        raise StatementError("no header row with a receipt and a Paid In column")
    index: dict[str, int] = {}
    for position, heading in enumerate(rows[start]):
        for name, variants in _COLUMNS.items():
            if _key(heading) in variants and name not in index:
                index[name] = position
    if "completed" not in index:
        raise StatementError("no Completion Time column")

    def cell(row: Sequence[str], name: str) -> str:
        position = index.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    lines: list[StatementLine] = []
    for row in rows[start + 1 :]:
        receipt = cell(row, "receipt").upper()
        if not receipt or not any(c.strip() for c in row):
            continue
        status = cell(row, "status").lower()
        if status and status != "completed":
            continue
        paid_in = amount_kes(cell(row, "paid_in"))
        if paid_in is None or paid_in <= 0:
            continue
        details = cell(row, "details")
        account = cell(row, "account")
        if not account:
            found = _ACC_IN_DETAILS.search(details)
            account = found.group(1) if found else ""
        lines.append(
            StatementLine(
                receipt=receipt,
                completed_at=completion_time(cell(row, "completed") or cell(row, "initiated")),
                paid_in_kes=paid_in,
                account_reference=account.strip().upper(),
                details=details,
                other_party=cell(row, "other_party"),
            )
        )
    return lines


def period(lines: Iterable[StatementLine]) -> tuple[datetime, datetime] | None:
    """The whole Nairobi days the statement covers: [first day 00:00, day after the last 00:00)."""
    days = sorted({line.completed_at.astimezone(NAIROBI).date() for line in lines})
    if not days:
        return None
    return _midnight(days[0]), _midnight(days[-1] + timedelta(days=1))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=NAIROBI)


def match(
    statement: Sequence[StatementLine], recorded: Sequence[RecordedPayment], *, claimed: Callable[[str], bool]
) -> list[Mismatch]:
    """Every difference between the statement and Daftari's confirmed payments, in statement order then
    Daftari's. ``claimed(reference)`` says whether an app owns the account reference."""
    by_receipt = {p.receipt.upper(): p for p in recorded if p.receipt}
    seen: set[str] = set()
    found: list[Mismatch] = []
    for line in statement:
        payment = by_receipt.get(line.receipt)
        reference = line.account_reference or (payment.account_reference if payment else "")
        if payment is None:
            found.append(
                Mismatch(Problem.NOT_IN_DAFTARI, line.receipt, reference, line.paid_in_kes, None, line.completed_at)
            )
        else:
            seen.add(line.receipt)
            if payment.paid_kes != line.paid_in_kes:
                found.append(
                    Mismatch(
                        Problem.AMOUNT_DIFFERS,
                        line.receipt,
                        reference,
                        line.paid_in_kes,
                        payment.paid_kes,
                        line.completed_at,
                    )
                )
        if not reference or not claimed(reference):
            found.append(
                Mismatch(
                    Problem.UNKNOWN_REFERENCE,
                    line.receipt,
                    reference,
                    line.paid_in_kes,
                    payment.paid_kes if payment else None,
                    line.completed_at,
                )
            )
    for payment in recorded:
        if payment.receipt.upper() in seen:
            continue
        found.append(
            Mismatch(
                Problem.NOT_IN_STATEMENT,
                payment.receipt,
                payment.account_reference,
                None,
                payment.paid_kes,
                payment.confirmed_at,
            )
        )
        if not claimed(payment.account_reference):
            found.append(
                Mismatch(
                    Problem.UNKNOWN_REFERENCE,
                    payment.receipt,
                    payment.account_reference,
                    None,
                    payment.paid_kes,
                    payment.confirmed_at,
                )
            )
    return found


# -- with the database ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    lines: list[StatementLine]
    recorded: list[RecordedPayment]
    mismatches: list[Mismatch]
    since: datetime | None
    until: datetime | None


def recorded_between(since: datetime, until: datetime) -> list[RecordedPayment]:
    from daftari.payments.models import Payment

    return [
        RecordedPayment(
            id=str(p.pk),
            receipt=p.mpesa_receipt or "",
            account_reference=p.account_reference,
            paid_kes=p.paid_kes if p.paid_kes is not None else p.amount_kes,
            confirmed_at=p.confirmed_at,
        )
        for p in Payment.objects.filter(
            state=Payment.State.CONFIRMED, confirmed_at__gte=since, confirmed_at__lt=until
        ).order_by("confirmed_at")
    ]


def reconcile_file(path: Path, *, since: datetime | None = None, until: datetime | None = None) -> Report:
    """Reads the statement and compares it with the payments confirmed in its period (or the one given)."""
    from daftari.payments import accounts

    lines = read_statement(path.read_text(encoding="utf-8-sig"))
    covered = period(lines)
    since = since or (covered[0] if covered else None)
    until = until or (covered[1] if covered else None)
    recorded = recorded_between(since, until) if since and until else []
    mismatches = match(lines, recorded, claimed=lambda reference: accounts.handler_for(reference) is not None)
    return Report(lines=lines, recorded=recorded, mismatches=mismatches, since=since, until=until)
