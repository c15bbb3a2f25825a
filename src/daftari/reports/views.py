"""The OCS's station dashboard and the lists behind each of its figures."""

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from daftari.core.types import AuthenticatedRequest
from daftari.custody import queries as custody_queries
from daftari.custody import rules as custody_rules
from daftari.custody.queries import CustodyView
from daftari.fines import queries as fines_queries
from daftari.occurrences import casework
from daftari.occurrences import queries as entry_queries
from daftari.reports import charts, custody_figures, figures, follow_up_figures, monthly_return
from daftari.reports.forms import CrimeFiguresForm, MonthlyReturnForm, StationCasesForm, StationNoticesForm
from daftari.stations.models import AccessEvent, Station, scope_of
from daftari.stations.rules import commands_a_county, sees_crime_figures, sees_station_dashboard

Purpose = AccessEvent.Purpose
PER_PAGE = 50


@login_required
@require_GET
def start(request: AuthenticatedRequest) -> HttpResponse:
    """Where signing in leads: the OCS to the station dashboard, everyone else to today's book."""
    if sees_station_dashboard(scope_of(request.user)):
        return redirect("station_dashboard")
    return redirect("today")


def _ocs_station(request: AuthenticatedRequest) -> Station:
    officer = getattr(request.user, "officer", None)
    if officer is None or officer.station is None or not sees_station_dashboard(scope_of(request.user)):
        raise PermissionDenied(_("The station dashboard is the OCS's."))
    station: Station = officer.station
    return station


@dataclass(frozen=True)
class CellRow:
    view: CustodyView
    band: custody_rules.Band
    band_words: str
    time_left: str


def _cells(request: AuthenticatedRequest, station: Station, now: datetime) -> list[CellRow]:
    """Everyone in the station's cells now, through the custody read model (each booking read is logged)."""
    held = list(custody_queries.in_custody(station).prefetch_related("property_items"))
    views = custody_queries.view_custodies(
        reader=request.user, records=held, purpose=Purpose.LIST, channel="desk", with_events=False
    )
    rows = []
    for view in views:
        band = custody_rules.board_colour(view.court_deadline, now)
        left = custody_rules.time_left_words(view.court_deadline - now)
        rows.append(CellRow(view, band, str(custody_rules.BAND_WORDS[band]), left))
    return rows


@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    station = _ocs_station(request)
    now = timezone.now()
    workload = entry_queries.investigators_workload(station, now=now)
    context = {
        "station": station,
        "unassigned": entry_queries.unassigned_complaints(station).count(),
        "by_status": entry_queries.cases_by_status(station),
        "workload": workload,
        "overdue": sum(w.overdue for w in workload),
        "cells": _cells(request, station, now),
        "awaiting_decision": fines_queries.awaiting_decision(station.pk).count(),
        "contested": fines_queries.contested(station.pk).count(),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
@require_GET
def station_cases(request: AuthenticatedRequest) -> HttpResponse:
    """The cases behind a figure of the dashboard: unassigned complaints, a status, an investigator's, the overdue."""
    station = _ocs_station(request)
    investigators = casework.investigators_at_station(station)
    asked: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page"}
    form = StationCasesForm(asked, investigators=investigators)
    context: dict[str, object] = {"station": station, "form": form, "cases": None, "entries": None, "page": None}
    if not form.is_valid():
        context["errors"] = form.error_summary
        return render(request, "reports/station_cases.html", context, status=400)
    page: Page[Any]
    if form.cleaned_data["show"] == "unassigned":
        page = Paginator(entry_queries.unassigned_complaints(station), PER_PAGE).get_page(request.GET.get("page"))
        # What each complaint says is personal data: read through the entries' read model, each one logged.
        context["entries"] = entry_queries.view_entries(
            reader=request.user,
            entries=list(page.object_list),
            purpose=Purpose.LIST,
            channel="desk",
            with_corrections=False,
        )
    else:
        cases = entry_queries.station_cases(
            station,
            now=timezone.now(),
            status=form.cleaned_data["status"],
            investigator=form.chosen_investigator(),
            overdue=form.cleaned_data["overdue"],
        )
        page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
        context["cases"] = page.object_list
    params = urlencode({k: v for k, v in sorted(asked.items()) if v})
    context.update(page=page, params=params)
    return render(request, "reports/station_cases.html", context)


@login_required
@require_GET
def station_notices(request: AuthenticatedRequest) -> HttpResponse:
    """Notices awaiting the OCS's decision: unpaid past the deadline, or contested and awaiting the court."""
    station = _ocs_station(request)
    form = StationNoticesForm({"show": request.GET.get("show", "overdue")})
    context: dict[str, object] = {"station": station, "form": form, "notices": None}
    if not form.is_valid():
        context["errors"] = form.error_summary
        return render(request, "reports/station_notices.html", context, status=400)
    show = form.cleaned_data["show"] or "overdue"
    found = fines_queries.contested(station.pk) if show == "contested" else fines_queries.awaiting_decision(station.pk)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context["notices"] = fines_queries.view_notices(
        reader=request.user, notices=list(page.object_list), purpose=Purpose.LIST, channel="desk", full=False
    )
    context.update(page=page, show=show, params=urlencode({"show": show}))
    return render(request, "reports/station_notices.html", context)


def _default_figures(request: AuthenticatedRequest) -> dict[str, str]:
    """The last 30 days at the widest level the reader holds."""
    scope = scope_of(request.user)
    today = timezone.localdate()
    period = {"start": (today - timedelta(days=29)).isoformat(), "end": today.isoformat()}
    if sees_crime_figures(scope, level="national"):
        return {"level": "national", "code": "", **period}
    if commands_a_county(scope):
        return {"level": "county", "code": str(scope.county_code), **period}
    return {"level": "station", "code": scope.station_code or "", **period}


@login_required
@require_GET
def crime_figures(request: AuthenticatedRequest) -> HttpResponse:
    """Crimes recorded by category, from the rollup only: no names, small numbers suppressed."""
    asked = {k: str(v) for k, v in request.GET.items()} or _default_figures(request)
    form = CrimeFiguresForm(asked)
    context: dict[str, object] = {"form": form, "table": None, "threshold": settings.DAFTARI_SMALL_NUMBER_THRESHOLD}
    if not form.is_valid():
        context["errors"] = form.error_summary
        return render(request, "reports/crime_figures.html", context, status=400)
    level, code = form.cleaned_data["level"], form.cleaned_data["code"]
    county_code = None
    if level == "station":
        station = Station.objects.filter(code=code).first()
        county_code = station.county_id if station else None
    if not sees_crime_figures(scope_of(request.user), level=level, code=code, county_code=county_code):
        raise PermissionDenied(_("These figures are not in your reach."))
    table = figures.crime_table(level, code, form.cleaned_data["start"], form.cleaned_data["end"])
    context["table"] = table
    context["csv_query"] = urlencode({k: form.data.get(k, "") for k in ("level", "code", "start", "end")})
    if level in ("station", "county"):
        month = form.cleaned_data["end"].strftime("%Y-%m")
        context["return_query"] = urlencode({"level": level, "code": code, "month": month})
        context["return_month"] = form.cleaned_data["end"].replace(day=1)
    if request.path.endswith(".csv"):
        return _crime_csv(table)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    context["custody"] = custody_figures.custody_figures(level, code, start, end, now=timezone.now()).shown()
    context["follow_up"] = follow_up_figures.follow_up_figures(level, code, start, end).shown()
    context["bars"] = charts.category_bars(table)
    context["hours"] = charts.hour_bars(level, code, start, end)
    context["weekdays"] = charts.weekday_bars(level, code, start, end)
    context["trend"] = charts.trend(level, code, start, end)
    station_counts = dict(figures.counts_by(level, code, start, end, "station")) if level != "station" else {}
    if level == "national":
        rates = figures.county_rates(start, end)
        context.update(county_rates=rates, map=charts.national_map(rates, station_counts))
    if level == "county":
        population = figures.county_population()[int(code)]
        context["rate"] = figures.rate_shown(table.total.now, population)
        context["map"] = charts.county_map(int(code), station_counts)
    return render(request, "reports/crime_figures.html", context)


def _crime_csv(table: figures.CrimeTable) -> HttpResponse:
    """The page's table as CSV: the same suppressed counts, the counting rule on the first line."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"crimes-{table.level}-{table.code or 'kenya'}-{table.start}-{table.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    out = csv.writer(response)
    out.writerow([f"# Crimes recorded by the police; counting rule: {table.counting_rule}"])
    out.writerow(["category", "name", "this_period", "previous_period", "same_period_last_year"])
    for row in (*table.rows, table.total):
        out.writerow([row.code, row.name, row.now_shown, row.previous_shown, row.last_year_shown])
    return response


@login_required
@require_GET
def crime_return(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    """The monthly crime return of a station or a county, as PDF or CSV, for the roles that hold that level."""
    form = MonthlyReturnForm({k: str(request.GET.get(k, "")) for k in ("level", "code", "month")})
    if not form.is_valid():
        context = {"form": form, "errors": form.error_summary, "fmt": fmt}
        return render(request, "reports/crime_return.html", context, status=400)
    level, code = form.cleaned_data["level"], form.cleaned_data["code"]
    station = Station.objects.filter(code=code).first() if level == "station" else None
    county_code = station.county_id if station else None
    if not sees_crime_figures(scope_of(request.user), level=level, code=code, county_code=county_code):
        raise PermissionDenied(_("These figures are not in your reach."))
    found = monthly_return.monthly_return(level, code, form.cleaned_data["month"])
    if found is None:
        raise Http404(_("There is no such station or county."))
    if fmt == "csv":
        response = HttpResponse(monthly_return.as_csv(found), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(monthly_return.as_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.filename}.{fmt}"'
    return response
