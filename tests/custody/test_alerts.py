"""Custody alerts: the OCS warned 4 hours before the Art. 49 deadline and at breach, once each;
a death or serious injury told at once to the OCS, the county commander and oversight."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from daftari.custody import alerts, services
from daftari.custody.models import CustodyRecord, CustodyState
from daftari.custody.services import book_in
from daftari.notifications.models import SmsMessage
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Officer, Station
from tests.conftest import OfficerFactory, at_nairobi
from tests.custody.conftest import arrest_draft, booking
from tests.notifications.support import CommitCallbacks, run_ready_jobs, sent_sms

OCS_PHONE = "+254711000001"
# Tuesday 10 June 2025, an ordinary court day: arrested at 09:00, the deadline is Wednesday 09:00.
ARRESTED_AT = at_nairobi(2025, 6, 10, 9, 0)
DEADLINE = at_nairobi(2025, 6, 11, 9, 0)


@pytest.fixture(autouse=True)
def sms_to_a_file(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(ARRESTED_AT + timedelta(hours=1), tick=False) as traveller:
        yield traveller


def give_phone(user: User, phone: str) -> None:
    Officer.objects.filter(user=user).update(phone=phone)


@pytest.fixture
def held(clock: time_machine.Traveller, desk_officer: User, ocs: User, station: Station) -> CustodyRecord:
    give_phone(ocs, OCS_PHONE)
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft(ARRESTED_AT)).entry
    record = book_in(
        actor=desk_officer, station=station, booking=booking(arrested_at=ARRESTED_AT), arrest=arrest
    ).record
    assert record.court_deadline == DEADLINE
    return record


def alerts_sent() -> list[tuple[str, str]]:
    return sorted(SmsMessage.objects.values_list("template", "to"))


def test_nothing_is_sent_while_the_deadline_is_more_than_four_hours_away(
    held: CustodyRecord, clock: time_machine.Traveller
) -> None:
    clock.move_to(DEADLINE - timedelta(hours=4, seconds=1))
    assert alerts.send_due_alerts() == 0
    assert not SmsMessage.objects.exists()


def test_the_ocs_is_warned_four_hours_before_the_deadline_once(
    held: CustodyRecord, clock: time_machine.Traveller, django_capture_on_commit_callbacks: CommitCallbacks
) -> None:
    clock.move_to(DEADLINE - timedelta(hours=4))
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.send_due_alerts() == 1
        clock.shift(timedelta(minutes=1))
        assert alerts.send_due_alerts() == 0
    assert alerts_sent() == [("custody_deadline_warning", OCS_PHONE)]
    assert CustodyState.objects.get(pk=held.pk).alert_warning_sent_at == DEADLINE - timedelta(hours=4)
    run_ready_jobs()
    [sms] = sent_sms()
    assert sms["to"] == OCS_PHONE
    assert "Otieno Ouma" in sms["body"]
    assert "Wed 11 Jun 09:00" in sms["body"]


def test_the_breach_alert_goes_out_once_at_the_deadline(held: CustodyRecord, clock: time_machine.Traveller) -> None:
    clock.move_to(DEADLINE - timedelta(hours=3))
    alerts.send_due_alerts()
    clock.move_to(DEADLINE - timedelta(seconds=1))
    assert alerts.send_due_alerts() == 0
    clock.move_to(DEADLINE)
    assert alerts.send_due_alerts() == 1
    clock.shift(timedelta(hours=2))
    assert alerts.send_due_alerts() == 0
    assert alerts_sent() == [("custody_deadline_breach", OCS_PHONE), ("custody_deadline_warning", OCS_PHONE)]


def test_a_deadline_missed_while_the_worker_was_down_gets_only_the_breach_alert(
    held: CustodyRecord, clock: time_machine.Traveller
) -> None:
    clock.move_to(DEADLINE + timedelta(minutes=30))
    assert alerts.send_due_alerts() == 1
    assert alerts_sent() == [("custody_deadline_breach", OCS_PHONE)]


def test_a_worker_that_lost_the_race_for_an_alert_sends_nothing(
    held: CustodyRecord, clock: time_machine.Traveller
) -> None:
    clock.move_to(DEADLINE)
    # Both workers saw the breach as due; the other one claimed it first.
    assert alerts.send_due_alerts() == 1
    lost = alerts._claim_and_send(
        held.pk, field="alert_breach_sent_at", template="custody_deadline_breach", suffix="breach", now=DEADLINE
    )
    assert lost is False
    assert SmsMessage.objects.count() == 1


def test_nothing_fires_for_a_released_detainee(
    held: CustodyRecord, clock: time_machine.Traveller, desk_officer: User
) -> None:
    services.release(actor=desk_officer, custody=held, on="police_bond")
    for moment in (DEADLINE - timedelta(hours=4), DEADLINE, DEADLINE + timedelta(days=1)):
        clock.move_to(moment)
        assert alerts.send_due_alerts() == 0
    assert not SmsMessage.objects.exists()


def test_a_detainee_transferred_away_alerts_the_ocs_of_the_station_holding_them(
    held: CustodyRecord,
    clock: time_machine.Traveller,
    desk_officer: User,
    neighbour_station: Station,
    make_officer: OfficerFactory,
) -> None:
    from daftari.stations.rules import Role

    give_phone(make_officer("ocs_kilimani", [Role.OCS], neighbour_station), "+254711000009")
    services.transfer_to_station(actor=desk_officer, custody=held, to_station=neighbour_station, to_cell="male")
    clock.move_to(DEADLINE)
    alerts.send_due_alerts()
    assert alerts_sent() == [("custody_deadline_breach", "+254711000009")]


@pytest.mark.parametrize("kind", ["death", "serious_injury"])
def test_recording_a_death_or_serious_injury_notifies_the_ocs_the_county_commander_and_oversight(
    kind: str,
    held: CustodyRecord,
    desk_officer: User,
    commander: User,
    oversight: User,
    make_officer: OfficerFactory,
    other_station: Station,
) -> None:
    from daftari.stations.rules import Role

    give_phone(commander, "+254711000002")
    give_phone(oversight, "+254711000003")
    give_phone(desk_officer, "+254711000004")  # the desk is not told
    give_phone(make_officer("commander_kisumu", [Role.COMMANDER], other_station), "+254711000005")  # other county
    event = services.record_death_or_serious_injury(
        actor=desk_officer, custody=held, kind=kind, note="Found unresponsive in the cell"
    ).event
    # Recording the event is what notifies: no separate step for the desk to forget.
    messages = list(SmsMessage.objects.all())
    assert sorted(m.to for m in messages) == [OCS_PHONE, "+254711000002", "+254711000003"]
    assert {m.template for m in messages} == {f"custody_{kind}"}
    assert all("Otieno Ouma" in m.body and "Central Police Station" in m.body for m in messages)
    # Notified again (a retried request), nothing more is queued.
    alerts.notify_death_or_serious_injury(event)
    assert SmsMessage.objects.count() == 3


def test_the_desk_sees_the_deadline_banner_once_the_deadline_is_near(
    held: CustodyRecord,
    clock: time_machine.Traveller,
    desk_officer: User,
) -> None:
    def page() -> str:
        # A new sign-in for each view: the clock jumps past the idle and session timeouts.
        client = Client()
        client.force_login(desk_officer)
        response = client.get("/")
        assert response.status_code == 200
        return response.content.decode()

    assert "Court deadlines" not in page()
    clock.move_to(DEADLINE - timedelta(hours=1))
    near = page()
    assert "Deadline soon" in near and "Otieno Ouma" in near
    clock.move_to(DEADLINE + timedelta(minutes=1))
    assert "Deadline passed" in page()


def test_another_stations_officer_sees_no_banner(
    held: CustodyRecord, clock: time_machine.Traveller, officer_elsewhere: User, client: Client
) -> None:
    clock.move_to(DEADLINE + timedelta(minutes=1))
    client.force_login(officer_elsewhere)
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Otieno Ouma" not in page
    assert "Court deadlines" not in page
