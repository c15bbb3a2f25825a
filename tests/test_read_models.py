"""One read model per kind of record: the desk page and the API show the same personal fields.

For every role and every kind of record, the record's personal values (names, ID numbers, phones,
places, plates, free text) are looked for in the desk page and in the API's answer: both must show
the same ones, those the read model lets that role see, and each read writes exactly one access event.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.custody import rules as custody_rules
from daftari.custody.models import CustodyRecord
from daftari.custody.services import book_in, record_event
from daftari.documents.models import IssuedDocument
from daftari.documents.services import issue_document, revoke_document
from daftari.fines.models import FineNotice
from daftari.fines.services import cancel_notice, issue_notice
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import PartyInput, PropertyInput, VehicleInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import AccessEvent, Station
from tests.conftest import PASSWORD, complaint
from tests.custody.conftest import ARRESTING_OFFICER, arrest_draft, enrol_arresting_officer
from tests.fines.conftest import draft as notice_draft

ROLES = ["desk", "ocs", "investigator", "traffic", "commander", "analyst", "oversight", "admin", "elsewhere"]
PERSONAS = {
    "desk": "desk_officer",
    "ocs": "ocs",
    "investigator": "investigator",
    "traffic": "traffic_officer",
    "commander": "commander",
    "analyst": "analyst",
    "oversight": "oversight",
    "admin": "admin_officer",
    "elsewhere": "officer_elsewhere",
}
# Roles that see personal data of an ordinary record of the station (the analyst works on figures).
SEE_PERSONAL = {"desk", "ocs", "investigator", "traffic", "commander", "oversight", "admin"}


def api_get(user: User, path: str) -> Any:
    client = Client()
    token = client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": user.username, "password": PASSWORD}),
        content_type="application/json",
    ).json()["token"]
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[pytest.FixtureRequest], Any]
    desk_url: Callable[[Any], str]
    api_path: Callable[[Any], str]
    # The record's personal values, by name, exactly as stored.
    personal: Callable[[Any], dict[str, str]]
    # Roles that see the personal values (all others see none of them).
    seen_by: frozenset[str]


def _entry(request: pytest.FixtureRequest, entry_type: str = "COMPLAINT") -> Occurrence:
    desk_officer = request.getfixturevalue("desk_officer")
    station: Station = request.getfixturevalue("station")
    draft = complaint(
        entry_type=entry_type,
        place="Moi Avenue near the bus stage",
        narrative="Her phone was snatched by a rider on a red motorcycle.",
        parties=(PartyInput(role="complainant", name="Wanjiku Kamau", id_number="12345678", phone="0712345678"),),
        property_items=(PropertyInput(description="Tecno Spark phone", serial_number="IMEI356938035643809"),),
        vehicles=(VehicleInput(plate="KMEA 442X", make_model="Boxer motorcycle", colour="red"),),
    )
    return record_occurrence(actor=desk_officer, station=station, draft=draft).entry


def _entry_personal(entry: Occurrence) -> dict[str, str]:
    party = entry.parties.get()
    return {
        "narrative": entry.narrative,
        "place": entry.place,
        "name": party.name,
        "id_number": party.id_number,
        "phone": party.phone,
        "plate": entry.vehicles.get().plate,
        "property": entry.property_items.get().description,
        "serial_number": entry.property_items.get().serial_number,
    }


ENTRY = Kind(
    name="entry",
    make=_entry,
    desk_url=lambda e: f"/entries/{e.pk}",
    api_path=lambda e: f"/occurrences/{e.pk}",
    personal=_entry_personal,
    seen_by=frozenset(SEE_PERSONAL),
)
RESTRICTED_ENTRY = Kind(
    name="restricted entry",
    make=lambda request: _entry(request, "GBV"),
    desk_url=ENTRY.desk_url,
    api_path=ENTRY.api_path,
    personal=_entry_personal,
    # The recording desk officer and the station's OCS; the assigned investigator is tested on its own.
    seen_by=frozenset({"desk", "ocs"}),
)


def _custody(request: pytest.FixtureRequest) -> CustodyRecord:
    desk_officer = request.getfixturevalue("desk_officer")
    station: Station = request.getfixturevalue("station")
    arrested_at = timezone.now() - timedelta(hours=1)
    enrol_arresting_officer(station)
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft(arrested_at)).entry
    booking = custody_rules.Booking(
        detainee=custody_rules.DetaineeInput(
            name="Otieno Ouma", sex="M", id_number="23456789", phone="0733444555", age=27
        ),
        arresting_officer=ARRESTING_OFFICER,
        arrested_at=arrested_at,
        cell="male",
        offences=(custody_rules.OffenceInput(section="s.268 Penal Code", description="Stealing"),),
        physical_condition="A bruise on the left forearm",
        health=custody_rules.HealthCheck(injuries_seen=True, injuries="Swollen left wrist", ocs_told=True),
        next_of_kin=custody_rules.NextOfKin(informed=True, name="Akinyi Ouma", informed_at=timezone.now()),
        property_items=(custody_rules.PropertyInput(description="Leather wallet with Equity card", value_kes=500),),
    )
    record = book_in(actor=desk_officer, station=station, booking=booking, arrest=arrest).record
    record_event(actor=desk_officer, custody=record, kind="visit", details={"visitor": "Mama Otieno Wambui"})
    return record


def _custody_personal(record: CustodyRecord) -> dict[str, str]:
    return {
        "name": record.detainee_name,
        "id_number": record.detainee_id_number,
        "phone": record.detainee_phone,
        "physical_condition": record.physical_condition,
        "injuries": record.health["injuries"],
        "next_of_kin": record.next_of_kin_name,
        "property": record.property_items.get().description,
        "visitor": "Mama Otieno Wambui",
    }


CUSTODY = Kind(
    name="custody record",
    make=_custody,
    desk_url=lambda r: f"/custody/{r.pk}",
    api_path=lambda r: f"/custody/{r.pk}",
    personal=_custody_personal,
    seen_by=frozenset(SEE_PERSONAL),
)
CANCEL_REASON = "Driver produced an exemption letter from Kenyatta Hospital"


def _notice(request: pytest.FixtureRequest) -> FineNotice:
    traffic_officer = request.getfixturevalue("traffic_officer")
    ocs = request.getfixturevalue("ocs")
    station: Station = request.getfixturevalue("station")
    notice = issue_notice(actor=traffic_officer, station=station, draft=notice_draft()).notice
    cancel_notice(actor=ocs, number=notice.number, reason=CANCEL_REASON)
    return notice


def _notice_personal(notice: FineNotice) -> dict[str, str]:
    return {
        "plate": notice.plate,
        "name": notice.driver_name,
        "id_number": notice.driver_id_number,
        "licence": notice.driver_licence,
        "phone": notice.driver_phone,
        "place": notice.place,
        "cancel_reason": CANCEL_REASON,
    }


NOTICE = Kind(
    name="fine notice",
    make=_notice,
    desk_url=lambda n: f"/fines/notices/{n.number}",
    api_path=lambda n: f"/fines/notices/{n.number}",
    personal=_notice_personal,
    seen_by=frozenset(SEE_PERSONAL),
)
REVOKE_REASON = "Issued with the wrong hospital named"


def _document(request: pytest.FixtureRequest, entry_type: str = "COMPLAINT") -> IssuedDocument:
    desk_officer = request.getfixturevalue("desk_officer")
    ocs = request.getfixturevalue("ocs")
    entry = _entry(request, entry_type)
    document = issue_document(
        actor=desk_officer,
        occurrence=entry,
        kind="p3_part1",
        applicant_name="Wanjiku Kamau Njeri",
        purpose="Examination at Kenyatta National Hospital",
        injuries_alleged="A deep cut above the left eye",
        investigating_officer="Cpl Mwangi Kariuki",
    )
    revoke_document(actor=ocs, document=document, reason=REVOKE_REASON)
    return document


def _document_personal(document: IssuedDocument) -> dict[str, str]:
    return {
        "applicant": document.applicant_name,
        "purpose": document.purpose,
        "injuries": document.details["injuries_alleged"],
        "investigating_officer": document.details["investigating_officer"],
        "revocation_reason": REVOKE_REASON,
    }


DOCUMENT = Kind(
    name="issued document",
    make=_document,
    desk_url=lambda d: f"/documents/{d.pk}",
    api_path=lambda d: f"/documents/{d.pk}",
    personal=_document_personal,
    seen_by=frozenset(SEE_PERSONAL),
)
RESTRICTED_DOCUMENT = Kind(
    name="document of a restricted entry",
    make=lambda request: _document(request, "GBV"),
    desk_url=DOCUMENT.desk_url,
    api_path=DOCUMENT.api_path,
    personal=_document_personal,
    seen_by=frozenset({"desk", "ocs"}),
)
KINDS = [ENTRY, RESTRICTED_ENTRY, CUSTODY, NOTICE, DOCUMENT, RESTRICTED_DOCUMENT]


def _new_events(since: int) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(pk__gt=since).order_by("pk"))


def _last_event() -> int:
    last = AccessEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_the_desk_page_and_the_api_show_the_same_personal_fields_and_log_each_read_once(
    kind: Kind, role: str, request: pytest.FixtureRequest, db: None
) -> None:
    record = kind.make(request)
    reader: User = request.getfixturevalue(PERSONAS[role])
    personal = kind.personal(record)
    desk = Client()
    desk.force_login(reader)

    mark = _last_event()
    page = desk.get(kind.desk_url(record))
    desk_events = _new_events(mark)
    mark = _last_event()
    answer = api_get(reader, kind.api_path(record))
    api_events = _new_events(mark)

    if role == "elsewhere":
        assert (page.status_code, answer.status_code) == (404, 404)
        assert [e.outcome for e in desk_events] == [AccessEvent.Outcome.DENIED]
        assert [e.outcome for e in api_events] == [AccessEvent.Outcome.DENIED]
        return
    assert (page.status_code, answer.status_code) == (200, 200)
    html, body = page.content.decode(), answer.content.decode()
    on_desk = {name for name, value in personal.items() if value in html}
    on_api = {name for name, value in personal.items() if value in body}
    assert on_desk == on_api
    expected = set(personal) if role in kind.seen_by else set()
    assert on_desk == expected
    outcome = AccessEvent.Outcome.SHOWN if role in kind.seen_by else AccessEvent.Outcome.WITHHELD
    assert [(e.channel, e.outcome) for e in desk_events] == [("desk", outcome)]
    assert [(e.channel, e.outcome) for e in api_events] == [("api", outcome)]


def test_an_oversight_read_is_logged_as_an_oversight_review_on_either_channel(
    request: pytest.FixtureRequest, oversight: User
) -> None:
    entry = _entry(request)
    desk = Client()
    desk.force_login(oversight)
    desk.get(f"/entries/{entry.pk}")
    api_get(oversight, f"/occurrences/{entry.pk}")
    logged = AccessEvent.objects.filter(username=oversight.username).order_by("pk")
    assert [(e.purpose, e.channel) for e in logged] == [("oversight_review", "desk"), ("oversight_review", "api")]
