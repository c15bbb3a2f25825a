"""The certification letter as a plain A4 PDF (reportlab, like the desk's documents), with a QR code
to its public verify page and its place in the deployments' signed log."""

import io
from datetime import date
from xml.sax.saxutils import escape

import segno
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from daftari.deployments.models import CertificationLetter, ContingentLetter
from daftari.deployments.rules import display_code
from daftari.ledger.proofs import RecordProof

# Reportlab's own Helvetica: the letter carries an officer's name as the Service's records spell it,
# in Latin letters; the desk's documents register wider fonts for the public's names.
_styles = getSampleStyleSheet()
BODY = ParagraphStyle("LetterBody", parent=_styles["BodyText"], fontName="Helvetica", leading=14)
TITLE = ParagraphStyle("LetterTitle", parent=_styles["Title"], fontName="Helvetica-Bold", fontSize=15)
SMALL = ParagraphStyle("LetterSmall", parent=BODY, fontSize=8, leading=10)
HEADING = ParagraphStyle("LetterHeading", parent=_styles["Heading3"], fontName="Helvetica-Bold")


def _p(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _day(value: date) -> str:
    return dateformat.format(value, "j M Y")


def _facts(rows: list[tuple[str, str]]) -> Table:
    table = Table([[_p(label, SMALL), _p(value)] for label, value in rows], colWidths=[55 * mm, 115 * mm])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)])
    )
    return table


def _verification(code: str, verify_url: str, proof: RecordProof) -> Table:
    buffer = io.BytesIO()
    segno.make(verify_url, error="m").save(buffer, kind="png", scale=4, border=4)
    image = Image(io.BytesIO(buffer.getvalue()), width=32 * mm, height=32 * mm)
    lines: list[Flowable] = [
        _p(_("Verify this letter"), HEADING),
        _p(_("Scan the code or open %(url)s") % {"url": verify_url}, SMALL),
        _p(_("Verification code: %(code)s") % {"code": display_code(code)}),
    ]
    if proof.leaf_index is not None:
        lines.append(_p(_("In the deployments' signed log: leaf #%(index)d") % {"index": proof.leaf_index}, SMALL))
    table = Table([[image, lines]], colWidths=[38 * mm, 132 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 0.5, colors.grey)]))
    return table


def render(letter: CertificationLetter, *, verify_url: str, proof: RecordProof) -> bytes:
    candidate = letter.candidate
    officer = candidate.officer
    contingent = candidate.contingent
    issuer = letter.issued_by
    title = _("Note of certification for deployment to a mission abroad")
    flow: list[Flowable] = [
        _p(_("REPUBLIC OF KENYA · NATIONAL POLICE SERVICE"), SMALL),
        _p(title, TITLE),
        _facts([(_("Letter number"), letter.number)]),
        Spacer(1, 4 * mm),
        _p(
            _(
                "The National Police Service certifies that the officer named below meets the selection criteria "
                "in force, has passed every module of the pre-deployment training, holds every document the "
                "mission requires, valid on the departure date, and has been screened against the Service's own "
                "records by its vetting officer, and is ready to deploy with the contingent below."
            )
        ),
        Spacer(1, 4 * mm),
        _facts(
            [
                (_("Officer"), officer.user.get_full_name() or officer.user.username),
                (_("Service number"), officer.service_number),
                (_("Rank"), officer.get_rank_display()),
                (_("Mission"), f"{contingent.mission.name} ({contingent.mission.code})"),
                (_("Mandate"), contingent.mission.mandate),
                (_("Contingent number"), str(contingent.number)),
                (_("Departure date"), _day(contingent.departs_on)),
                (_("Planned return date"), _day(contingent.returns_on)),
                (_("Criteria version"), letter.criteria_version),
                (_("Training certificate"), f"{letter.training_certificate} ({letter.course_version})"),
                (_("Documents checked against"), letter.documents_version),
                (_("Vetting decided on"), _day(timezone.localtime(letter.vetting_decided_at))),
                (_("Issued on"), dateformat.format(timezone.localtime(letter.issued_at), "j M Y, H:i")),
                (_("Issued by"), f"{issuer.display_name} ({issuer.service_number})"),
            ]
        ),
        Spacer(1, 6 * mm),
        _verification(letter.code, verify_url, proof),
    ]
    return _build(flow, title=f"{title} {letter.number}")


def _build(flow: list[Flowable], *, title: str) -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=_("National Police Service"),
    ).build(flow)
    return buffer.getvalue()


def render_contingent(
    letter: ContingentLetter, *, verify_url: str, proof: RecordProof, superseded_by: str = ""
) -> bytes:
    """The contingent's letter: the officers certified, one a row, and the counts of the others."""
    contingent = letter.contingent
    issuer = letter.issued_by
    title = _("Certification of a contingent for deployment to a mission abroad")
    listed = Table(
        [
            [
                _p(_("Service number"), SMALL),
                _p(_("Officer"), SMALL),
                _p(_("Rank and unit"), SMALL),
                _p(_("Training certificate"), SMALL),
            ]
        ]
        + [
            [
                _p(e["service_number"]),
                _p(e["name"]),
                _p(f"{e['rank']}, {e['unit']}" if e["unit"] else e["rank"]),
                _p(e["training_certificate"], SMALL),
            ]
            for e in letter.certified
        ],
        colWidths=[30 * mm, 50 * mm, 45 * mm, 45 * mm],
        repeatRows=1,
    )
    listed.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)])
    )
    facts = [
        (_("Letter number"), letter.number),
        (_("Mission"), f"{contingent.mission.name} ({contingent.mission.code})"),
        (_("Mandate"), contingent.mission.mandate),
        (_("Contingent number"), str(contingent.number)),
        (_("Departure date"), _day(contingent.departs_on)),
        (_("Planned return date"), _day(contingent.returns_on)),
        (_("Officers certified"), str(len(letter.certified))),
        (_("Candidates not yet ready"), str(letter.not_yet)),
        (_("Candidates excluded"), str(letter.excluded)),
        (_("Criteria version"), letter.criteria_version),
        (_("Course version"), letter.course_version),
        (_("Documents checked against"), letter.documents_version),
        (_("Issued on"), dateformat.format(timezone.localtime(letter.issued_at), "j M Y, H:i")),
        (_("Issued by"), f"{issuer.display_name} ({issuer.service_number})"),
    ]
    if letter.supersedes_id is not None:
        facts.append((_("Supersedes"), letter.supersedes.number if letter.supersedes else ""))
    if superseded_by:
        facts.append((_("Superseded by"), superseded_by))
    flow: list[Flowable] = [
        _p(_("REPUBLIC OF KENYA · NATIONAL POLICE SERVICE"), SMALL),
        _p(title, TITLE),
        _facts(facts),
        Spacer(1, 4 * mm),
        _p(
            _(
                "The National Police Service certifies that each officer listed below meets the selection criteria "
                "in force, has passed every module of the pre-deployment training, holds every document the "
                "mission requires, valid on the departure date, and has been screened against the Service's own "
                "records by its vetting officer, and is ready to deploy with the contingent above."
            )
        ),
        Spacer(1, 4 * mm),
        listed,
        Spacer(1, 6 * mm),
        _verification(letter.code, verify_url, proof),
    ]
    return _build(flow, title=f"{title} {letter.number}")
