"""Every form answers a wrong submit with the one error summary: at the top, each line a link to its field.

One case per form of the desk and the public pages. Each submits what an officer or a member of
the public might (nothing, or something wrong), and the page must carry the summary
(templates/_error_summary.html), every link must lead to an element of the page, and the
summary's script (which moves the focus to it) must be the static file, never inline.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.custody.services import book_in
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import PASSWORD, complaint
from tests.custody.conftest import arrest_draft, booking, enrol_arresting_officer


@dataclass
class Submit:
    method: str
    url: str
    data: dict[str, Any]
    typed: str = ""  # a value typed into the form that the answer must still hold


Setup = Callable[[Client, dict[str, User], Station], Submit]


def _signed_in(client: Client, user: User) -> None:
    client.force_login(user)


def _new_entry(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    data = {"entry_type": "COMPLAINT", "occurred_at": "", "narrative": "A phone snatched at the stage."}
    return Submit("post", "/entries/new", data, typed="A phone snatched at the stage.")


def _correction(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    entry = record_occurrence(actor=people["desk"], station=station, draft=complaint()).entry
    return Submit("post", f"/entries/{entry.pk}/amend", {"reason": "", "place": "Kenyatta Avenue"}, "Kenyatta Avenue")


def _search(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    return Submit("get", "/search", {"q": "phone", "date_from": "yesterday"}, typed="yesterday")


def _arrest(people: dict[str, User], station: Station) -> Occurrence:
    enrol_arresting_officer(station)
    return record_occurrence(actor=people["desk"], station=station, draft=arrest_draft()).entry


def _book_in(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    arrest = _arrest(people, station)
    return Submit("post", f"/custody/book-in/{arrest.pk}", {"name": "Otieno Ouma", "arrested_at": ""}, "Otieno Ouma")


def _custody_event(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    arrest = _arrest(people, station)
    record = book_in(actor=people["desk"], station=station, booking=booking(), arrest=arrest).record
    return Submit("post", f"/custody/{record.pk}/events", {"kind": "", "note": "Tea and bread"}, "Tea and bread")


def _custody_event_of_a_kind(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    arrest = _arrest(people, station)
    record = book_in(actor=people["desk"], station=station, booking=booking(), arrest=arrest).record
    return Submit("post", f"/custody/{record.pk}/events", {"kind": "visit", "visitor": ""})


def _document(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    entry = record_occurrence(actor=people["desk"], station=station, draft=complaint()).entry
    return Submit("post", f"/entries/{entry.pk}/documents/new", {"kind": "", "purpose": "Insurance"}, "Insurance")


def _verify_document(client: Client, people: dict[str, User], station: Station) -> Submit:
    return Submit("get", "/verify", {"code": "X" * 30})


def _fine(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["traffic"])
    return Submit("post", "/fines/issue", {"plate": "", "driver_name": "Juma Otieno"}, typed="Juma Otieno")


def _pay(client: Client, people: dict[str, User], station: Station) -> Submit:
    return Submit("post", "/pay/notice", {"number": "FNNOTANUMBER", "phone": "0712345678"}, typed="0712345678")


def _check_my_report(client: Client, people: dict[str, User], station: Station) -> Submit:
    return Submit(
        "post", "/public/status", {"station": "Central Police Station", "ob_number": ""}, "Central Police Station"
    )


def _sign_in(client: Client, people: dict[str, User], station: Station) -> Submit:
    return Submit("post", "/signin", {"username": "desk", "password": ""}, typed="desk")


def _wrong_password(client: Client, people: dict[str, User], station: Station) -> Submit:
    return Submit("post", "/signin", {"username": "desk", "password": "not the password"}, typed="desk")


def _password(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    return Submit("post", "/password", {"old_password": PASSWORD, "new_password1": "", "new_password2": ""})


def _access_log(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["oversight"])
    return Submit("get", "/access-log", {"date_from": "2026-13-45", "officer": "desk"}, typed="desk")


def _assign(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["ocs"])
    entry = record_occurrence(actor=people["desk"], station=station, draft=complaint()).entry
    data = {"investigator": "", "note": "Look at the CCTV of the stage"}
    return Submit("post", f"/entries/{entry.pk}/case/assign", data, typed="Look at the CCTV of the stage")


def _case_status(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["ocs"])
    entry = record_occurrence(actor=people["desk"], station=station, draft=complaint()).entry
    return Submit("post", f"/entries/{entry.pk}/case/status", {"status": "", "note": "Witness found"}, "Witness found")


def _return_property(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    arrest = _arrest(people, station)
    record = book_in(actor=people["desk"], station=station, booking=booking(), arrest=arrest).record
    # Returned without the receiver's acknowledgement: refused, the note typed is kept.
    data = {"outcome-0": "returned", "note-0": "Handed to the sister"}
    return Submit("post", f"/custody/{record.pk}/property", data, typed="Handed to the sister")


def _court_outcome(client: Client, people: dict[str, User], station: Station) -> Submit:
    from daftari.fines.services import contest_notice, issue_notice
    from tests.fines.conftest import draft as notice_draft

    _signed_in(client, people["ocs"])
    notice = issue_notice(actor=people["traffic"], station=station, draft=notice_draft()).notice
    contest_notice(actor=people["ocs"], number=notice.number, note="Denies it")
    return Submit("post", f"/fines/notices/{notice.number}/court-outcome", {"outcome": ""})


def _day_close(client: Client, people: dict[str, User], station: Station) -> Submit:
    _signed_in(client, people["desk"])
    data = {
        "entry_type": "DAILY_CLOSE",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "place": "Report office",
        "narrative": "Day closed.",
        "details-persons_in_cells": "two",
        "details-remarks": "Cells inspected at 18:00",
    }
    return Submit("post", "/entries/new", data, typed="Cells inspected at 18:00")


FORMS: dict[str, Setup] = {
    "new entry": _new_entry,
    "day close": _day_close,
    "correction": _correction,
    "search": _search,
    "book into the cells": _book_in,
    "custody event (nothing chosen)": _custody_event,
    "custody event (a visit without the visitor)": _custody_event_of_a_kind,
    "issue a document": _document,
    "verify a document": _verify_document,
    "issue a fine notice": _fine,
    "pay a fine": _pay,
    "check my report": _check_my_report,
    "sign in (blank password)": _sign_in,
    "sign in (wrong password)": _wrong_password,
    "change password": _password,
    "access log filters": _access_log,
    "assign a case (no investigator chosen)": _assign,
    "a case's status (none chosen)": _case_status,
    "property returned (not acknowledged)": _return_property,
    "a notice's court outcome (none chosen)": _court_outcome,
}

SUMMARY = re.compile(r'<div class="error-summary"[^>]*data-error-summary[^>]*>(.*?)</div>', re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FORMS))
def test_a_wrong_submit_shows_the_error_summary_linked_to_its_fields(
    name: str,
    client: Client,
    station: Station,
    desk_officer: User,
    traffic_officer: User,
    oversight: User,
    ocs: User,
) -> None:
    people = {"desk": desk_officer, "traffic": traffic_officer, "oversight": oversight, "ocs": ocs}
    submit = FORMS[name](client, people, station)
    response = getattr(client, submit.method)(submit.url, submit.data)
    page = response.content.decode()

    assert response.status_code in (400, 404, 409, 422, 200), response.status_code
    found = SUMMARY.search(page)
    assert found is not None, f"{name}: no error summary"
    assert page.index("data-error-summary") < page.index("<form", page.index("<main")), "the summary leads the form"
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', found.group(1))
    assert links, f"{name}: the summary has no link"
    for target, message in links:
        assert f'id="{target}"' in page, f"{name}: the link to #{target} ({message}) leads nowhere"
        assert message.strip() not in ("This field is required.", "Enter a valid value.")
    assert "daftari/error-summary.js" in page
    assert "<script>" not in page
    if submit.typed:
        form = page[page.index("<form", page.index("<main")) :]
        assert f'value="{submit.typed}"' in form or f"{submit.typed}</textarea>" in form, f"{name}: the typing is lost"


@pytest.mark.django_db
def test_a_form_answered_without_errors_has_no_summary(desk_client: Client) -> None:
    page = desk_client.get("/entries/new").content.decode()
    assert "data-error-summary" not in page
    assert "error-summary.js" not in page
