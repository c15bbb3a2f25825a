"""Values as people read them on pages, in SMS and PDFs: "5 Dec 2026, 09:15", "KES 10,500", "Yes".

One place for the formats, so the desk, the public pages, the SMS and the documents agree, and
months come out in the page's language (Django's own month names: "Dis" in Kiswahili).
"""

from datetime import date, datetime
from typing import Any

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

WHEN = "j M Y, H:i"
DAY = "j M Y"


def when(value: datetime | str | None) -> str:
    """A moment in Nairobi time: "5 Dec 2026, 09:15" ("5 Dis 2026, 09:15" in Kiswahili)."""
    moment = _moment(value) if isinstance(value, str) else value
    if moment is None:
        return "" if value is None else str(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return dateformat.format(timezone.localtime(moment), WHEN)


def day(value: date | str | None) -> str:
    """A calendar day: "5 Dec 2026"."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        return dateformat.format(timezone.localtime(value) if timezone.is_aware(value) else value, DAY)
    return dateformat.format(value, DAY) if value is not None else ""


def thousands(value: int | str | None) -> str:
    """A whole number with its thousands marked: 10500 → "10,500"."""
    if value is None or value == "":
        return ""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def kes(value: int | str | None) -> str:
    """Shillings: 10500 → "KES 10,500"."""
    amount = thousands(value)
    return f"KES {amount}" if amount else ""


def _moment(text: str) -> datetime | None:
    if "T" not in text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def human(value: Any) -> str:
    """Any value of a record as words: a time or an ISO time → "5 Dec 2026, 09:15", an ISO day →
    "5 Dec 2026", True → "Yes", nothing → ""."""
    if value is None:
        return ""
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, str):
        if _moment(value) is not None:
            return when(value)
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return day(value)
    return str(value)
