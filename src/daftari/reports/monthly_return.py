"""The monthly crime return of a station or a county (issue 12), as CSV and as a PDF.

The same counts as the figures page (the rollup, small numbers suppressed alike), for one calendar
month against the month before and the same month a year earlier, in the published NPS order, with
the counting rule and "recorded by the police" stated on it. Nothing personal: categories and counts.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from daftari.documents.typefaces import SANS, markup, register
from daftari.occurrences.rules import COUNTING_RULE, crime_rules
from daftari.reports import figures
from daftari.stations.models import County, Station


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of ``month``'s calendar month."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class MonthlyReturn:
    level: str  # station or county
    code: str
    area: str  # the station's or the county's name
    month: date  # its first day
    table: figures.CrimeTable  # ``previous`` is the month before, ``last_year`` the same month a year earlier

    @property
    def month_key(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def filename(self) -> str:
        return f"crime-return-{self.level}-{self.code}-{self.month_key}"


def monthly_return(level: str, code: str, month: date) -> MonthlyReturn | None:
    """The return of a station (by code) or a county (by number) for ``month``; None if there is no such place."""
    if level == "station":
        station = Station.objects.filter(code=code).first()
        if station is None:
            return None
        area = station.name
    else:
        county = County.objects.filter(code=int(code)).first()
        if county is None:
            return None
        area = county.name
    start, end = month_bounds(month)
    now = figures.counts_by_category(level, code, start, end)
    before = figures.counts_by_category(level, code, *month_bounds(previous_month(start)))
    year_ago = figures.counts_by_category(level, code, *month_bounds(start.replace(year=start.year - 1)))
    rows = tuple(
        figures.CategoryRow(cat, name, now[cat], before[cat], year_ago[cat]) for cat, name in crime_rules().categories
    )
    return MonthlyReturn(level, code, area, start, figures.CrimeTable(level, code, start, end, rows))


def as_csv(found: MonthlyReturn) -> str:
    """The return for machines: what it is on the first lines, then one row per category and the total."""
    threshold = int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # The first lines say what it is, as comments a CSV reader can skip (written as they are, never quoted).
    out.write(f"# Monthly crime return: {found.level} {found.code} ({found.area}) {found.month_key}\n")
    out.write(
        f"# Crimes recorded by the police; counting rule: {COUNTING_RULE}; "
        f"counts from 1 to {threshold - 1} shown as <{threshold}\n"
    )
    writer.writerow(["category", "name", "this_month", "previous_month", "same_month_last_year"])
    for row in (*found.table.rows, found.table.total):
        writer.writerow([row.code, row.name, row.now_shown, row.previous_shown, row.last_year_shown])
    return out.getvalue()


_styles = getSampleStyleSheet()
BODY = ParagraphStyle("ReturnBody", parent=_styles["BodyText"], fontName=SANS)
TITLE = ParagraphStyle("ReturnTitle", parent=_styles["Title"], fontName=f"{SANS}-Bold", fontSize=15, spaceAfter=4)
SMALL = ParagraphStyle("ReturnSmall", parent=BODY, fontSize=8, leading=10)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(markup(text), style)


def as_pdf(found: MonthlyReturn) -> bytes:
    """The return on one A4 page, in the reader's language."""
    register()
    threshold = int(settings.DAFTARI_SMALL_NUMBER_THRESHOLD)
    if found.level == "station":
        where = _("%(name)s (station %(code)s)") % {"name": found.area, "code": found.code}
    else:
        where = _("%(name)s county (county %(code)s)") % {"name": found.area, "code": found.code}
    header = [_("Category"), _("This month"), _("Previous month"), _("Same month last year")]
    data = [[_p(h, SMALL) for h in header]]
    for row in found.table.rows:
        data.append([_p(_(row.name)), row.now_shown, row.previous_shown, row.last_year_shown])
    total = found.table.total
    data.append([_p(_("Total")), total.now_shown, total.previous_shown, total.last_year_shown])
    table = Table(data, colWidths=[85 * mm, 28 * mm, 28 * mm, 30 * mm], hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), SANS),
                ("FONTNAME", (0, -1), (-1, -1), f"{SANS}-Bold"),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
            ]
        )
    )
    made = dateformat.format(timezone.localtime(), "j M Y, H:i")
    story = [
        _p(_("REPUBLIC OF KENYA · NATIONAL POLICE SERVICE"), SMALL),
        _p(_("Monthly crime return"), TITLE),
        _p(where),
        _p(dateformat.format(found.month, "F Y")),
        Spacer(1, 4 * mm),
        _p(_("Crimes recorded by the police. Counting rule: one per entry, under its principal offence.")),
        _p(_("Counting rule code: %(rule)s") % {"rule": COUNTING_RULE}, SMALL),
        _p(_("Counts from 1 to %(below)d are shown as <%(n)d.") % {"below": threshold - 1, "n": threshold}, SMALL),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 6 * mm),
        _p(
            _(
                "Categories in the order of the National Police Service and KNBS series. No personal data. "
                "Produced by Daftari on %(when)s from figures the worker keeps within about a minute of the book."
            )
            % {"when": made},
            SMALL,
        ),
    ]
    buffer = io.BytesIO()
    title = f"{_('Monthly crime return')} {found.code} {found.month_key}"
    SimpleDocTemplate(
        buffer, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm
    ).build(story)
    return buffer.getvalue()
