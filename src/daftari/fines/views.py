"""The traffic officer's phone pages, the printable notice, the public verify page and supervisors' figures."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from daftari.core.confirm import confirm_page, show_refusal
from daftari.core.errors import DomainError, InvalidInput, NotFound
from daftari.core.forms import ErrorLink, links_from_fields
from daftari.core.ratelimit import client_address, over_limit, too_many
from daftari.core.types import AuthenticatedRequest
from daftari.fines import queries, rules, services
from daftari.fines.forms import CancelForm, ContestForm, CourtOutcomeForm
from daftari.fines.models import FineNotice, NoticeEvent
from daftari.notifications.models import Language
from daftari.notifications.services import remembered_language
from daftari.stations.models import AccessEvent, Station, scope_of
from daftari.stations.rules import (
    can_cancel_notice,
    can_issue_notice,
    can_look_up_repeat_offenders,
    can_reconcile_payments,
    can_send_payment_prompt,
    can_take_notice_to_court,
    issues_notices,
    sees_fines_figures,
)
from daftari.stations.services import count_public_read

if TYPE_CHECKING:
    from daftari.payments.models import Payment

Purpose = AccessEvent.Purpose

LINES = 3


def _offence_choices() -> list[tuple[str, str]]:
    choices = [
        ("MO07", _("Speeding over the limit for the class of vehicle (band from the speeds)")),
        ("MO08", _("Speeding over 50 kph or a posted limit (band from the speeds)")),
    ]
    for o in services.current_offences():
        if rules.speeding_base(o.code) is None:
            choices.append((o.code, f"{o.code} · KES {o.fine_kes:,} · {rules.offence_words(o.offence)}"))
    return choices


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if -180 <= value <= 180 else None


def _draft(post: Any) -> rules.NoticeDraft:
    measured, limit = _int(post.get("measured_speed", "")), _int(post.get("speed_limit", ""))
    offences = []
    for i in range(LINES):
        code = (post.get(f"offence_{i}") or "").strip()[:12]
        if code:
            speeding = rules.speeding_base(code) is not None
            offences.append(
                rules.OffenceInput(
                    code, measured_speed=measured if speeding else None, speed_limit=limit if speeding else None
                )
            )
    return rules.NoticeDraft(
        plate=post.get("plate", "")[:40],
        driver_name=post.get("driver_name", "")[:400],
        driver_id_number=post.get("driver_id_number", "")[:40],
        driver_licence=post.get("driver_licence", "")[:40],
        driver_phone=post.get("driver_phone", "")[:40],
        place=post.get("place", "")[:400],
        issued_at=timezone.now(),
        lat=_float(post.get("lat", "")),
        lon=_float(post.get("lon", "")),
        language=post.get("language", "") if post.get("language") in ("en", "sw") else "",
        confirm_unusual=post.get("confirm_unusual") == "on",
        offences=tuple(offences),
    )


def _photo(request: HttpRequest) -> rules.PhotoInput | None:
    upload = request.FILES.get("photo")
    if upload is None or not upload.size:
        return None
    # One byte over the limit is enough for the service to refuse it; no need to read a huge file.
    content = upload.read(settings.DAFTARI_FINES_MAX_PHOTO_BYTES + 1)
    return rules.PhotoInput(content=content, content_type=upload.content_type or "")


def _field_id(key: str) -> str:
    """The element of the issue form that an error key belongs to, for the error summary's link."""
    if key.startswith("offences"):
        parts = key.split(".")
        if key.endswith("measured_speed"):
            return "id_measured_speed"
        return f"id_offence_{parts[1]}" if len(parts) > 1 and parts[1].isdigit() else "id_offence_0"
    return {"form": "id_plate", "issued_at": "id_place", "lat": "id_place"}.get(key, f"id_{key}")


def _issuing_station(request: AuthenticatedRequest) -> Station:
    """The station the signed-in traffic officer issues notices for; anyone else is refused."""
    officer = getattr(request.user, "officer", None)
    station = officer.station if officer is not None else None
    if station is None or not can_issue_notice(scope_of(request.user), station_code=station.code):
        raise PermissionDenied
    return station


@login_required
@require_http_methods(["GET", "POST"])
def issue(request: AuthenticatedRequest) -> HttpResponse:
    station = _issuing_station(request)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: str(v) for k, v in request.POST.items()}
        try:
            notice = services.issue_notice(
                actor=request.user,
                station=station,
                draft=_draft(request.POST),
                photo=_photo(request),
                language_required=True,
            ).notice
        except InvalidInput as invalid:
            errors = {k.replace("driver.", "driver_"): str(v) for k, v in invalid.fields.items()}
        except DomainError as refused:
            errors = {"form": refused.message}
        else:
            messages.success(request, _("Notice %(number)s issued.") % {"number": notice.number})
            return redirect("fines_notice", number=notice.number)
    remembered = _remembered_language(values) if errors else None
    return render(
        request,
        "fines/issue.html",
        {
            "choices": _offence_choices(),
            "lines": [(i, values.get(f"offence_{i}", "")) for i in range(LINES)],
            "errors": errors,
            "summary": links_from_fields(errors, target=_field_id),
            "values": values,
            "photo_limit_mb": f"{settings.DAFTARI_FINES_MAX_PHOTO_BYTES / 1_048_576:g}",
            "remembered_language": dict(Language.choices).get(remembered or ""),
        },
        status=422 if errors else 200,
    )


def _remembered_language(values: dict[str, str]) -> str | None:
    """The language the driver's phone chose before; chosen in ``values`` when the officer has chosen none,
    for them to check with the driver (never recorded unless the form is sent with it)."""
    remembered = remembered_language(phone=values.get("driver_phone", ""))
    if values.get("language") not in ("en", "sw"):
        values["language"] = remembered or ""
    return remembered


@login_required
@require_GET
def sms_language(request: AuthenticatedRequest) -> HttpResponse:
    """The form's SMS-language choice again, once the phone is typed: the phone's earlier choice chosen (htmx)."""
    _issuing_station(request)
    values = {"driver_phone": request.GET.get("driver_phone", "")[:40], "language": request.GET.get("language", "")}
    remembered = _remembered_language(values)
    context = {"values": values, "remembered_language": dict(Language.choices).get(remembered or "")}
    return render(request, "fines/_sms_language.html", context)


@login_required
@require_GET
def my_notices(request: AuthenticatedRequest) -> HttpResponse:
    """The notices the traffic officer issued today (Nairobi day), newest first, with where each stands."""
    if not issues_notices(scope_of(request.user)):
        raise PermissionDenied(_("Only traffic officers issue notices."))
    today = timezone.now().astimezone(rules.NAIROBI).date()
    since = datetime.combine(today, time.min, tzinfo=rules.NAIROBI)
    found = list(queries.issued_by_on(request.user.officer.pk, since=since, until=since + timedelta(days=1)))
    notices = queries.view_notices(reader=request.user, notices=found, purpose=Purpose.LIST, channel="desk", full=False)
    context = {
        "notices": notices,
        "day": today,
        "total_kes": sum(n.total_kes for n in notices if n.state != rules.State.CANCELLED),
        "paid_kes": sum(n.paid_kes for n in notices),
    }
    return render(request, "fines/my_notices.html", context)


def _verify_url(request: HttpRequest, number: str) -> str:
    path = reverse("fines_verify", kwargs={"number": number})
    base = settings.DAFTARI_PUBLIC_BASE_URL
    return f"{base.rstrip('/')}{path}" if base else request.build_absolute_uri(path)


def _visible_notice(
    request: AuthenticatedRequest, number: str, purpose: AccessEvent.Purpose = Purpose.RECORD
) -> FineNotice:
    """The notice to act on; another station's answers 404 and the attempt is logged as denied."""
    try:
        return queries.visible_notice(reader=request.user, number=number, purpose=purpose, channel="desk")
    except NotFound as missing:
        raise Http404(missing.message) from missing


@login_required
@require_GET
def notice_page(request: AuthenticatedRequest, number: str) -> HttpResponse:
    return _notice_page(request, _visible_notice(request, number, Purpose.DESK_VIEW))


def _notice_page(
    request: AuthenticatedRequest,
    notice: FineNotice,
    *,
    refused: InvalidInput | None = None,
    field: str = "",
    status: int | None = None,
) -> HttpResponse:
    """The notice's page; with ``refused``, the form of ``field`` (note, outcome) redrawn with its errors (422)."""
    view = queries.view_notice(reader=request.user, notice=notice, purpose=Purpose.DESK_VIEW, channel="desk")
    scope = scope_of(request.user)
    verify_url = _verify_url(request, notice.number)
    qr = segno.make(verify_url, error="m").svg_inline(scale=4, title=verify_url)
    return render(
        request,
        "fines/notice.html",
        {
            "notice": view,
            "can_cancel": can_cancel_notice(scope, station_code=notice.station.code)
            and rules.may_cancel(view.state, view.paid_kes),
            "can_take_to_court": can_take_notice_to_court(scope, station_code=notice.station.code),
            "contestable": view.state in rules.CONTESTABLE_STATES and not view.paid_kes,
            "court_outcomes": NoticeEvent.Outcome.choices,
            "verify_url": verify_url,
            "qr": qr,
            "paybill": settings.DAFTARI_DARAJA_SHORTCODE,
            "errors": _court_errors(refused, field),
            "field_errors": {field: " ".join(str(m) for m in refused.fields.values()) or refused.message}
            if refused is not None
            else {},
            "typed": {k: v[:600] for k, v in request.POST.items()} if refused is not None else {},
            "can_prompt": view.payable and can_send_payment_prompt(scope, station_code=notice.station.code),
            "prompt_phone": request.POST.get("phone", view.driver.phone or "")[:40],
            "waiting_prompt": queries.waiting_prompt(notice) if view.payable else None,
        },
        status=status or (422 if refused is not None else 200),
    )


def _court_errors(refused: InvalidInput | None, field: str) -> list[ErrorLink]:
    if refused is None:
        return []
    return [ErrorLink(f"#id_{field}", str(m)) for m in refused.fields.values()] or [
        ErrorLink(f"#id_{field}", refused.message)
    ]


@login_required
@require_POST
def send_prompt(request: AuthenticatedRequest, number: str) -> HttpResponse:
    """The officer sends the M-Pesa prompt for what is still due to the driver's phone (an STK push).

    The payments service decides everything that matters: one prompt per notice at a time, the
    limits per notice and phone, never more than is due, never for a paid or cancelled notice. The
    notice is settled only when Daraja's STK Push Query confirms the money.
    """
    notice = _visible_notice(request, number)
    if not can_send_payment_prompt(scope_of(request.user), station_code=notice.station.code):
        raise PermissionDenied(_("Only the officers of the issuing station send the payment prompt."))
    phone = request.POST.get("phone", "")[:40]
    try:
        prompt = services.pay_notice(number=notice.number, phone=phone)
    except InvalidInput as invalid:
        return _notice_page(request, notice, refused=invalid, field="prompt_phone")
    except DomainError as refused:
        # Paid, cancelled, or too many prompts: said beside the phone, with the service's status (409, 429).
        said = InvalidInput(fields={"prompt_phone": refused.message})
        return _notice_page(request, notice, refused=said, field="prompt_phone", status=refused.status)
    if prompt.already_pending:
        messages.warning(request, _("A prompt for this notice is already waiting on a phone: no new prompt was sent."))
    else:
        messages.success(
            request,
            _("M-Pesa prompt for KES %(amount)s sent to %(phone)s: ask the driver to enter their M-Pesa PIN.")
            % {"amount": prompt.payment.amount_kes, "phone": prompt.payment.phone},
        )
    return redirect("fines_notice", number=notice.number)


@login_required
@require_GET
def notice_photo(request: AuthenticatedRequest, number: str) -> HttpResponse:
    """The roadside photo of a notice, for officers who may read the notice with its personal data."""
    notice = _visible_notice(request, number, Purpose.DESK_VIEW)
    stored = queries.photo_of(notice)
    if stored is None:
        raise Http404(_("This notice has no photo."))
    photo = queries.photo_for(reader=request.user, notice=notice, photo=stored, channel="desk")
    if photo is None:
        raise PermissionDenied
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="{notice.number}.{photo.content_type.split("/")[1]}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: AuthenticatedRequest, number: str) -> HttpResponse:
    """GET asks "Are you sure?" with the reason field; POST cancels. Cancelling cannot be undone."""
    notice = _visible_notice(request, number)
    if not can_cancel_notice(scope_of(request.user), station_code=notice.station.code):
        raise PermissionDenied(_("Only the OCS of the issuing station cancels a notice."))
    if request.method == "GET" and not rules.may_cancel(notice.projection.state, notice.projection.paid_kes):
        # Nothing to confirm; a POST is refused by the service itself (409, saying why).
        messages.error(request, _("Only an unpaid notice that is not in court can be cancelled."))
        return redirect("fines_notice", number=notice.number)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_notice(actor=request.user, number=notice.number, reason=form.cleaned_data["reason"])
        except InvalidInput as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, _("Notice %(number)s cancelled.") % {"number": notice.number})
            return redirect("fines_notice", number=notice.number)
    return confirm_page(
        request,
        title=_("Cancel notice %(number)s") % {"number": notice.number},
        consequence=_(
            "The driver is no longer asked to pay: the notice and the pay page say it is cancelled, no M-Pesa "
            "prompt can be sent for it, and the driver is told by SMS."
        ),
        form=form,
        action=reverse("fines_cancel", kwargs={"number": notice.number}),
        back=reverse("fines_notice", kwargs={"number": notice.number}),
        button=_("Yes, cancel the notice"),
    )


def _ask_or_do(
    request: AuthenticatedRequest,
    notice: FineNotice,
    form: ContestForm | CourtOutcomeForm,
    *,
    do: Callable[[], object],
    done: str,
    title: str,
    consequence: str,
    button: str,
    url: str,
) -> HttpResponse:
    """A step that cannot be undone: the notice page's POST (or a GET) asks "Are you sure?" with what was
    chosen kept; the confirmation page's POST (``confirmed``) does it."""
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") == "1":
            try:
                do()
            except InvalidInput as refused:
                show_refusal(form, refused)
            else:
                messages.success(request, done)
                return redirect("fines_notice", number=notice.number)
        else:
            form = type(form)(initial=form.cleaned_data)
    return confirm_page(
        request,
        title=title,
        consequence=consequence,
        form=form,
        action=reverse(url, kwargs={"number": notice.number}),
        back=reverse("fines_notice", kwargs={"number": notice.number}),
        button=button,
        hidden=[("confirmed", "1")],
    )


@login_required
@require_http_methods(["GET", "POST"])
def contest(request: AuthenticatedRequest, number: str) -> HttpResponse:
    notice = _visible_notice(request, number)
    if not can_take_notice_to_court(scope_of(request.user), station_code=notice.station.code):
        raise PermissionDenied
    form = ContestForm(request.POST if request.method == "POST" else None)
    return _ask_or_do(
        request,
        notice,
        form,
        do=lambda: services.contest_notice(actor=request.user, number=notice.number, note=form.cleaned_data["note"]),
        done=_("Notice %(number)s is contested in court.") % {"number": notice.number},
        title=_("Contest notice %(number)s in court") % {"number": notice.number},
        consequence=_(
            "The notice goes to court: it can no longer be paid or cancelled, and only the court's outcome closes it."
        ),
        button=_("Yes, contest in court"),
        url="fines_contest",
    )


@login_required
@require_http_methods(["GET", "POST"])
def court_outcome(request: AuthenticatedRequest, number: str) -> HttpResponse:
    notice = _visible_notice(request, number)
    if not can_take_notice_to_court(scope_of(request.user), station_code=notice.station.code):
        raise PermissionDenied
    form = CourtOutcomeForm(request.POST if request.method == "POST" else None)
    return _ask_or_do(
        request,
        notice,
        form,
        do=lambda: services.record_court_outcome(
            actor=request.user, number=notice.number, outcome=form.cleaned_data["outcome"]
        ),
        done=_("Court outcome recorded for notice %(number)s.") % {"number": notice.number},
        title=_("Record the court outcome of notice %(number)s") % {"number": notice.number},
        consequence=_("The notice is closed with the court's outcome; nothing more can be recorded for it."),
        button=_("Yes, record the court outcome"),
        url="fines_court_outcome",
    )


@require_GET
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """Public: is this notice genuine? State, date and station only, never personal data."""
    if over_limit(scope="verify", client=client_address(request), limit=settings.DAFTARI_PUBLIC_VERIFY_PER_MINUTE):
        return too_many(request)
    notice, problem, proof = None, "", None
    try:
        notice = services.find_notice(number[:40])
    except NotFound as missing:
        problem = missing.message
    else:
        proof = services.notice_proof(notice)
    if not request.user.is_authenticated:
        count_public_read(record_type="fine_notice", outcome="shown" if notice is not None else "denied")
    return render(
        request,
        "fines/verify.html",
        {"notice": notice, "problem": problem, "number": number[:40], "proof": proof},
        status=200 if notice is not None else 404,
    )


@login_required
@require_GET
def figures(request: AuthenticatedRequest) -> HttpResponse:
    if not sees_fines_figures(scope_of(request.user)):
        raise PermissionDenied
    days = _int(request.GET.get("days", "")) or 30
    until = timezone.now()
    since = until - timedelta(days=min(days, 3660))
    scope = scope_of(request.user)
    return render(
        request,
        "fines/figures.html",
        {
            "days": days,
            "by_officer": queries.figures(scope, since=since, until=until, by="officer"),
            "by_station": queries.figures(scope, since=since, until=until, by="station"),
        },
    )


@login_required
@require_GET
def reconciliation(request: AuthenticatedRequest) -> HttpResponse:
    """One day's M-Pesa money against the notices it settled, for supervisors."""
    scope = scope_of(request.user)
    if not can_reconcile_payments(scope):
        raise PermissionDenied
    today = timezone.now().astimezone(rules.NAIROBI).date()
    try:
        day = date.fromisoformat(request.GET.get("day", "")[:10]) if request.GET.get("day") else today
    except ValueError:
        day = today
    since = datetime.combine(day, time.min, tzinfo=rules.NAIROBI)
    found = queries.reconciliation(scope, since=since, until=since + timedelta(days=1))
    return render(
        request,
        "fines/reconciliation.html",
        {
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1) if day < today else None,
            "found": found,
        },
    )


@login_required
@require_GET
def repeat(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    # A plate or a licence is personal data: figures-only roles do not look people up.
    if not can_look_up_repeat_offenders(scope):
        raise PermissionDenied
    plate = request.GET.get("plate", "")[:20].strip()
    licence = request.GET.get("licence", "")[:20].strip()
    by_plate, by_licence, points = queries.repeat_offences(reader=request.user, plate=plate, licence=licence)
    if not settings.DAFTARI_FINES_DEMERIT_POINTS:
        points = None
    return render(
        request,
        "fines/repeat.html",
        {
            "plate": plate,
            "licence": licence,
            "by_plate": by_plate,
            "by_licence": by_licence,
            "points": points,
            "points_total": sum(p for _n, p in points) if points else 0,
        },
    )


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, number: str = "") -> HttpResponse:
    """Public: the motorist pays a notice by M-Pesa with its number and a phone (an STK push).

    Only a notice that still asks for money offers the form; a cancelled or paid one says so instead.
    """
    number = (request.POST.get("number") or number or request.GET.get("number", ""))[:40]
    phone = request.POST.get("phone", "")[:40]
    # Every look-up of a number counts against the client's address: numbers cannot be walked here either.
    if number and over_limit(scope="pay", client=client_address(request), limit=settings.DAFTARI_PUBLIC_PAY_PER_MINUTE):
        return too_many(request)
    error, notice, payment, status = "", None, None, 200
    summary: list[ErrorLink] = []
    if number:
        try:
            notice = services.find_notice(number)
        except NotFound as missing:
            error, status = missing.message, 404
            summary = [ErrorLink("#id_number", error)]
    if request.method == "POST" and notice is not None:
        try:
            prompt = services.pay_notice(number=notice.number, phone=phone)
        except DomainError as refused:
            error = " ".join([refused.message, *map(str, refused.fields.values())])
            status = 429 if isinstance(refused, services.TooManyPrompts) else 409
            summary = [ErrorLink("#id_phone", str(m)) for m in refused.fields.values()] or [
                ErrorLink(
                    "#notice-state" if not services.payable(notice) else "#id_phone" if phone else "#id_number",
                    refused.message,
                )
            ]
        else:
            page = reverse("pay_fine_number", kwargs={"number": notice.number})
            waiting = "&waiting=1" if prompt.already_pending else ""
            return redirect(f"{page}?payment={prompt.payment.pk}{waiting}")
    if notice is not None:
        payment = _payment_of(notice, request.GET.get("payment", ""))
    return render(
        request,
        "fines/pay.html",
        {
            "number": number,
            "phone": phone,
            "notice": notice,
            "outstanding": services.outstanding(notice) if notice is not None else 0,
            "payable": notice is not None and services.payable(notice),
            "payment": payment,
            "waiting": bool(payment and request.GET.get("waiting")),
            "error": error,
            "errors": summary,
        },
        status=status,
    )


def _payment_of(notice: FineNotice, payment_id: str) -> "Payment | None":
    """The prompt for this notice the page was sent back with (its id is in the address), if any."""
    from daftari.payments.models import Payment

    if not payment_id:
        return None
    try:
        return Payment.objects.filter(pk=payment_id[:40], account_reference=notice.number).first()
    except (ValueError, DjangoValidationError):
        return None


@require_GET
def pay_status(request: HttpRequest, number: str) -> HttpResponse:
    """Public: where one prompt stands, the fragment the pay page's script asks for until M-Pesa answers.

    It only reads the payment: the money is settled by Daraja's confirmation, never here. The payment's
    id (a random UUID) is needed, so numbers cannot be walked; polling has its own per-address limit.
    """
    if over_limit(
        scope="pay_status", client=client_address(request), limit=settings.DAFTARI_PUBLIC_PAY_STATUS_PER_MINUTE
    ):
        return too_many(request)
    try:
        notice = services.find_notice(number[:40])
    except NotFound:
        raise Http404 from None
    payment = _payment_of(notice, request.GET.get("payment", ""))
    if payment is None:
        raise Http404
    response = render(request, "fines/_pay_status.html", {"notice": notice, "payment": payment})
    response["Cache-Control"] = "no-store"
    return response
