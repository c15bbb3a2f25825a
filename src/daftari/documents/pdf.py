"""The printed documents: plain A4 PDFs drawn with reportlab, each with a QR code to the verify page."""

import io
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import segno
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from daftari.core import human
from daftari.documents.models import IssuedDocument
from daftari.documents.rules import ABSTRACTS, DocumentKind, display_code
from daftari.documents.services import CourtProof
from daftari.documents.typefaces import SANS, markup, register
from daftari.occurrences import entry_types, queries
from daftari.occurrences.models import Occurrence

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("DaftariBody", parent=_styles["BodyText"], fontName=SANS)
TITLE = ParagraphStyle("DaftariTitle", parent=_styles["Title"], fontName=f"{SANS}-Bold", fontSize=15, spaceAfter=4)
HEADING = ParagraphStyle(
    "DaftariHeading", parent=_styles["Heading3"], fontName=f"{SANS}-Bold", spaceBefore=8, spaceAfter=3
)
SMALL = ParagraphStyle("DaftariSmall", parent=BODY, fontSize=8, leading=10)
MONO = ParagraphStyle("DaftariMono", parent=_styles["Code"], fontSize=7, leading=9)
NARRATIVE_LIMIT = 1500


def _p(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(markup(str(text)).replace("\n", "<br/>"), style)


def _when(value: datetime | None) -> str:
    """ "5 Dec 2026, 09:15", the month in the reader's language."""
    return dateformat.format(timezone.localtime(value), "j M Y, H:i") if value is not None else ""


def _facts(rows: Iterable[tuple[object, object]]) -> Table:
    data = [[_p(label, SMALL), _p(value)] for label, value in rows if value not in (None, "")]
    table = Table(data, colWidths=[45 * mm, 125 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


def _header(document: IssuedDocument, title: str) -> list[Flowable]:
    return [
        _p(_("REPUBLIC OF KENYA · NATIONAL POLICE SERVICE"), SMALL),
        _p(document.station.name, SMALL),
        _p(title, TITLE),
        _facts([(_("Serial number"), document.serial), (_("OB number"), document.occurrence.ob_number)]),
        Spacer(1, 4 * mm),
    ]


def _verification(document: IssuedDocument, verify_url: str, leaf_index: int | None) -> list[Flowable]:
    image = Image(io.BytesIO(qr_png(verify_url)), width=32 * mm, height=32 * mm)
    lines = [
        _p(_("Verify this document"), HEADING),
        _p(_("Scan the code or open %(url)s") % {"url": verify_url}, SMALL),
        _p(_("Verification code: %(code)s") % {"code": display_code(document.code)}),
    ]
    if leaf_index is not None:
        lines.append(_p(_("In the signed book: leaf #%(index)d") % {"index": leaf_index}, SMALL))
    table = Table([[image, lines]], colWidths=[38 * mm, 132 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 0.5, colors.grey)]))
    return [Spacer(1, 6 * mm), table]


def _issued(document: IssuedDocument) -> list[tuple[object, object]]:
    receipt = str(document.details.get("mpesa_receipt", "")) if isinstance(document.details, dict) else ""
    if document.fee_kes and receipt:
        paid = {"amount": human.thousands(document.fee_kes), "receipt": receipt}
        fee = _("KES %(amount)s, paid by M-Pesa, receipt %(receipt)s") % paid
    elif document.fee_kes:
        fee = _("KES %(amount)s, paid by M-Pesa") % {"amount": human.thousands(document.fee_kes)}
    else:
        fee = _("Free of charge")
    return [
        (_("Issued on"), _when(document.issued_at)),
        (_("Issued by"), f"{document.issued_by.display_name} ({document.issued_by.service_number})"),
        (_("Fee"), fee),
    ]


def _first_party(entry: Occurrence, roles: tuple[str, ...]) -> Any:
    parties = list(entry.parties.all())
    for role in roles:
        for party in parties:
            if party.role == role:
                return party
    return None


def _abstract(document: IssuedDocument) -> list[Flowable]:
    entry = document.occurrence
    rows: list[tuple[object, object]] = [
        (_("Station"), document.station.name),
        (_("Reported on"), _when(entry.recorded_at)),
        (_("Date of occurrence"), _when(entry.occurred_at)),
        (_("Place"), entry.place),
        (_("What was reported"), entry.spec.name),
    ]
    if document.kind == DocumentKind.ABSTRACT_LOST_DOCUMENT:
        kinds = dict(entry_types.DOCUMENT_KINDS)
        lost = document.details.get("document_kind", "")
        rows.append((_("Document lost"), kinds.get(lost, lost)))
        # A lost phone is traced and blocked by its IMEI, which the desk types as its serial number.
        number_label = _("IMEI") if lost == "phone" else _("Document number")
        rows.append((number_label, document.details.get("document_number", "")))
    if document.kind == DocumentKind.ABSTRACT_ACCIDENT:
        rows.append((_("Vehicles"), ", ".join(v.plate for v in entry.vehicles.all())))
    rows += [(_("Applicant"), document.applicant_name), (_("Purpose"), document.purpose)]
    narrative = entry.narrative[:NARRATIVE_LIMIT]
    return [
        _facts(rows),
        _p(_("Summary of the report"), HEADING),
        _p(narrative),
        Spacer(1, 4 * mm),
        _facts(_issued(document)),
        _p(
            _("This abstract certifies that the above was reported at this station. It is not proof of the facts."),
            SMALL,
        ),
    ]


def _p3(document: IssuedDocument) -> list[Flowable]:
    entry = document.occurrence
    person = _first_party(entry, ("victim", "complainant"))
    sexes = {"M": _("Male"), "F": _("Female"), "X": _("Other / not stated")}
    rows: list[tuple[object, object]] = [
        (_("Complainant"), person.name if person else ""),
        (_("Sex"), sexes.get(person.sex, "") if person else ""),
        (_("Age"), person.age if person and person.age is not None else ""),
        (_("Date and time of the alleged offence"), _when(entry.occurred_at)),
        (_("Place"), entry.place),
        (_("Reported on"), _when(entry.recorded_at)),
        (_("Alleged assault or injury"), document.details.get("injuries_alleged", "")),
        (_("Investigating officer"), document.details.get("investigating_officer", "")),
    ]
    return [
        _p(_("Part I: to be completed by the police officer requesting the examination"), HEADING),
        _facts(rows),
        Spacer(1, 3 * mm),
        _facts([(_("Health facility"), "_" * 50), (_("Date of examination"), "_" * 30)]),
        Spacer(1, 3 * mm),
        _facts(_issued(document)[:2]),
        _p(_("This form is free of charge."), HEADING),
    ]


def _extract(document: IssuedDocument, proof: CourtProof) -> list[Flowable]:
    entry = document.occurrence
    rows: list[tuple[object, object]] = [
        (_("Kind of entry"), entry.spec.name),
        (_("When it happened"), _when(entry.occurred_at)),
        (_("Recorded at"), _when(entry.recorded_at)),
        (_("Recorded by"), f"{entry.recorded_by.display_name} ({entry.recorded_by.service_number})"),
        (_("Place"), entry.place),
        *[(label, value) for label, value in entry.detail_rows()],
    ]
    people = [
        (p.get_role_display(), " · ".join(x for x in (p.name, p.id_number, p.phone) if x)) for p in entry.parties.all()
    ]
    flow: list[Flowable] = [_facts(rows), _p(_("What happened"), HEADING), _p(entry.narrative)]
    if people:
        flow += [_p(_("People"), HEADING), _facts(people)]
    corrections = queries.corrections_of(entry)
    if corrections:
        flow.append(_p(_("Corrections"), HEADING))
        for c in corrections:
            changes = "; ".join(f"{k}: {v}" for k, v in c.details.get("changes", {}).items())
            flow.append(
                _p(f"{c.ob_number} · {_when(c.recorded_at)} · {c.details.get('reason', '')} · {changes}", SMALL)
            )
    follow_ups = Occurrence.objects.filter(refers_to=entry).exclude(entry_type="AMENDMENT").order_by("recorded_at")
    if follow_ups:
        flow.append(_p(_("Follow-up entries"), HEADING))
        for f in follow_ups:
            flow.append(_p(f"{f.ob_number} · {f.spec.name} · {_when(f.recorded_at)} · {f.narrative[:300]}", SMALL))
    flow += [
        _p(_("The signed book"), HEADING),
        _facts(
            [
                (_("Leaf"), f"#{proof.leaf_index}"),
                (_("Leaf hash"), proof.leaf_hash_hex),
                (_("Checkpoint of"), _when(proof.checkpoint_at)),
                (_("Book size"), proof.tree_size),
            ]
        ),
        _p(_("Signed checkpoint"), SMALL),
        Preformatted(proof.checkpoint_text, MONO),
        _p(_("Inclusion proof (hashes, in order)"), SMALL),
        Preformatted("\n".join(proof.proof_hex) or "-", MONO),
        _p(
            _(
                "To verify: obtain the evidence bundle issued with this extract and the station's verifier key, "
                "then run: daftari-verify entry EVIDENCE.zip --key VKEY"
            ),
            SMALL,
        ),
        Spacer(1, 3 * mm),
        _facts(_issued(document)[:2]),
    ]
    return flow


TITLES = {
    DocumentKind.ABSTRACT_GENERAL: lambda: _("POLICE ABSTRACT"),
    DocumentKind.ABSTRACT_ACCIDENT: lambda: _("POLICE ABSTRACT: ROAD ACCIDENT"),
    DocumentKind.ABSTRACT_LOST_DOCUMENT: lambda: _("POLICE ABSTRACT: LOST DOCUMENT"),
    DocumentKind.P3_PART1: lambda: _("P3 FORM: MEDICAL EXAMINATION REPORT"),
    DocumentKind.CERTIFIED_EXTRACT: lambda: _("CERTIFIED EXTRACT OF THE OCCURRENCE BOOK"),
}


def _revoked_stamp(revoked_at: datetime) -> Callable[[Canvas, Any], None]:
    """Draws REVOKED across every page, so a printout of a withdrawn document cannot pass for a valid one."""
    words = _("REVOKED")
    when = _("Revoked on %(date)s") % {"date": _when(revoked_at)}

    def stamp(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.75, 0, 0, alpha=0.35))
        canvas.translate(A4[0] / 2, A4[1] / 2)
        canvas.rotate(45)
        canvas.setFont(f"{SANS}-Bold", 90)
        canvas.drawCentredString(0, 0, words)
        canvas.setFont(f"{SANS}-Bold", 16)
        canvas.drawCentredString(0, -30, when)
        canvas.restoreState()

    return stamp


def render(
    document: IssuedDocument,
    *,
    verify_url: str,
    leaf_index: int | None,
    proof: CourtProof | None = None,
    revoked_at: datetime | None = None,
) -> bytes:
    """The document as an A4 PDF; a certified extract needs the entry's ``proof``; a revoked one is stamped."""
    register()
    kind = DocumentKind(document.kind)
    title = TITLES[kind]()
    flow = _header(document, title)
    if kind in ABSTRACTS:
        flow += _abstract(document)
    elif kind == DocumentKind.P3_PART1:
        flow += _p3(document)
    else:
        if proof is None:
            raise ValueError("a certified extract needs the entry's inclusion proof")
        flow += _extract(document, proof)
    flow += _verification(document, verify_url, leaf_index)
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{title} {document.serial}",
        author=document.station.name,
    )
    if revoked_at is None:
        pdf.build(flow)
    else:
        stamp = _revoked_stamp(revoked_at)
        pdf.build(flow, onFirstPage=stamp, onLaterPages=stamp)
    return buffer.getvalue()
