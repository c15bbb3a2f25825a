"""Issuing, paying, cancelling, contesting and escalating notices, each a leaf of the station's signed book."""

import json
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.utils import timezone

from daftari.core.errors import InvalidInput, NotFound, NotPermitted
from daftari.fines import rules, services
from daftari.fines.models import FineNotice, NoticeEvent, NoticeOffence, NoticeState, OffenceCatalogue
from daftari.fines.rules import OffenceInput, State
from daftari.ledger.services import leaf_for
from daftari.notifications.models import SmsMessage
from daftari.payments import services as payments
from daftari.stations.models import Station
from tests.fines.conftest import c2b, draft
from tests.payments.conftest import Paybill


def test_the_first_catalogue_version_is_loaded_with_every_offence(db: None) -> None:
    catalogue = OffenceCatalogue.objects.get(version=1)
    assert catalogue.offences.count() == 43
    assert catalogue.offences.get(code="MO07D").fine_kes == 10000
    assert set(catalogue.offences.filter(status="uncertain").values_list("code", flat=True)) == {"MO15", "MO20", "MO26"}


def test_issuing_prices_from_the_catalogue_and_opens_the_state(notice: FineNotice) -> None:
    assert rules.check_notice_number(notice.number)
    assert notice.total_kes == 2500
    assert [(line.code, line.fine_kes) for line in notice.lines.all()] == [("MO28", 500), ("MO34", 2000)]
    assert notice.due_at == notice.issued_at + timedelta(days=7)
    assert notice.plate == "KCA123A" and not notice.plate_unusual
    assert NoticeState.objects.get(notice=notice).state == State.ISSUED
    assert notice.catalogue.version == 1


def test_the_notice_is_a_ledger_leaf_without_the_drivers_name(notice: FineNotice) -> None:
    leaf = leaf_for(str(notice.pk))
    assert leaf is not None and leaf.kind == "notice"
    assert b"Kamau" not in bytes(leaf.data)


def test_the_motorist_gets_an_sms_with_number_amount_deadline_and_how_to_pay(notice: FineNotice) -> None:
    sms = SmsMessage.objects.get(event_key=f"fines:notice:{notice.number}")
    assert sms.to == "+254712345678"
    for part in (notice.number, "KES 2,500", "Paybill 174379", f"/verify/notice/{notice.number}"):
        assert part in sms.body


def test_a_notice_in_kiswahili_when_the_motorist_asks(traffic_officer: User, station: Station) -> None:
    issued = services.issue_notice(actor=traffic_officer, station=station, draft=draft(language="sw")).notice
    assert "Notisi ya faini" in SmsMessage.objects.get(event_key=f"fines:notice:{issued.number}").body


def test_a_warning_only_notice_is_recorded_and_asks_for_nothing(traffic_officer: User, station: Station) -> None:
    issued = services.issue_notice(
        actor=traffic_officer,
        station=station,
        draft=draft(offences=(OffenceInput("MO08", measured_speed=54, speed_limit=50),)),
    ).notice
    assert (issued.total_kes, issued.warning_only) == (0, True)
    assert issued.lines.get().code == "MO08A"
    assert "nothing to pay" in SmsMessage.objects.get(event_key=f"fines:notice:{issued.number}").body


def test_only_a_traffic_officer_of_the_station_issues(
    desk_officer: User, make_officer, station: Station, other_station: Station
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotPermitted):
        services.issue_notice(actor=desk_officer, station=station, draft=draft())
    from daftari.stations.rules import Role

    elsewhere = make_officer("traffic2", [Role.TRAFFIC], other_station)
    with pytest.raises(NotPermitted):
        services.issue_notice(actor=elsewhere, station=station, draft=draft())
    assert not FineNotice.objects.exists()


def test_speeding_more_than_20_over_is_refused_for_court(traffic_officer: User, station: Station) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.issue_notice(
            actor=traffic_officer,
            station=station,
            draft=draft(offences=(OffenceInput("MO07", measured_speed=110, speed_limit=80),)),
        )
    assert "charge in court" in refused.value.fields["offences.0.measured_speed"]


def test_an_unusual_plate_is_refused_until_confirmed_and_then_issued_and_flagged(
    traffic_officer: User, station: Station
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.issue_notice(actor=traffic_officer, station=station, draft=draft(plate="GK 123"))
    assert "plate" in refused.value.fields
    confirmed = draft(plate="GK 123", confirm_unusual=True)
    issued = services.issue_notice(actor=traffic_officer, station=station, draft=confirmed).notice
    assert issued.plate_unusual is True


def test_a_retry_with_the_same_client_id_returns_the_same_notice(traffic_officer: User, station: Station) -> None:
    client_id, same = uuid.uuid4(), draft()
    first = services.issue_notice(actor=traffic_officer, station=station, draft=same, client_id=client_id)
    again = services.issue_notice(actor=traffic_officer, station=station, draft=same, client_id=client_id)
    assert (first.created, again.created) == (True, False)
    assert FineNotice.objects.count() == 1


def test_a_notice_keeps_its_catalogue_version_when_a_new_one_comes(notice: FineNotice, traffic_officer: User) -> None:
    rows = [
        rules.ScheduledOffenceRow("MO28", "Seat belt", 1000, "r.22A", rules.RowStatus.CROSS_CHECKED, "x"),
        rules.ScheduledOffenceRow("MO34", "Phone", 3000, "r.59A", rules.RowStatus.CROSS_CHECKED, "x"),
    ]
    v2 = services.import_catalogue(rows=rows, effective_from=timezone.localdate(), source_file="v2.csv")
    assert v2.version == 2
    assert OffenceCatalogue.objects.get(version=1).offences.get(code="MO28").fine_kes == 500
    later = services.issue_notice(actor=traffic_officer, station=notice.station, draft=draft()).notice
    assert (later.catalogue.version, later.total_kes) == (2, 4000)
    notice.refresh_from_db()
    assert (notice.catalogue.version, notice.total_kes) == (1, 2500)


def test_a_number_with_a_wrong_check_character_is_refused_as_a_typo(notice: FineNotice) -> None:
    typo = notice.number[:-1] + ("2" if notice.number[-1] != "2" else "3")
    with pytest.raises(services.WrongCheckCharacter):
        services.find_notice(typo)
    with pytest.raises(NotFound):
        services.find_notice(rules.make_notice_number(999_999))


def test_paying_by_paybill_settles_the_notice_once_and_sends_the_receipt_after(
    notice: FineNotice, paybill: Paybill
) -> None:
    assert json.loads(json.dumps(payments.validate_c2b(raw=c2b(notice.number, 2500))))["ResultCode"] == "0"
    assert not SmsMessage.objects.filter(template="fine_receipt").exists()
    raw = paybill.pay(notice.number, 2500, trans_id="TK1ABCDEF1")
    paybill.confirm(raw)
    paybill.confirm(raw)  # Daraja delivers twice
    state = NoticeState.objects.get(notice=notice)
    assert (state.state, state.paid_kes) == (State.PAID, 2500)
    event = NoticeEvent.objects.get(notice=notice)
    assert (event.kind, event.amount_kes, event.mpesa_receipt) == ("paid", 2500, "TK1ABCDEF1")
    leaf = leaf_for(str(event.pk))
    assert leaf is not None and leaf.kind == "payment"
    receipt = SmsMessage.objects.get(template="fine_receipt")
    assert "TK1ABCDEF1" in receipt.body and "KES 2,500" in receipt.body


def test_paybill_validation_rejects_unknown_wrong_amount_and_already_paid(notice: FineNotice, paybill: Paybill) -> None:
    assert payments.validate_c2b(raw=c2b(notice.number, 2000, "T1"))["ResultCode"] != "0"
    unknown = rules.make_notice_number(424_242)
    assert payments.validate_c2b(raw=c2b(unknown, 2500, "T2"))["ResultCode"] != "0"
    paybill(notice.number, 2500, trans_id="T3")
    assert payments.validate_c2b(raw=c2b(notice.number, 2500, "T4"))["ResultCode"] != "0"


def test_partial_and_over_payments_are_recorded_and_shown(notice: FineNotice, paybill: Paybill) -> None:
    paybill(notice.number, 1000, trans_id="P1")
    state = NoticeState.objects.get(notice=notice)
    assert (state.state, state.paid_kes) == (State.ISSUED, 1000)
    assert services.outstanding(FineNotice.objects.get(pk=notice.pk)) == 1500
    paybill(notice.number, 2000, trans_id="P2")
    state.refresh_from_db()
    assert (state.state, state.paid_kes) == (State.PAID, 3000)
    kinds = list(NoticeEvent.objects.filter(notice=notice).order_by("at").values_list("kind", "details"))
    assert [k for k, _ in kinds] == ["partially_paid", "overpaid"]
    assert kinds[1][1]["excess_kes"] == 500


def test_a_cancelled_notice_cannot_be_paid(notice: FineNotice, ocs: User) -> None:
    services.cancel_notice(actor=ocs, number=notice.number, reason="Wrong plate written by the officer")
    assert NoticeState.objects.get(notice=notice).state == State.CANCELLED
    answer = payments.validate_c2b(raw=c2b(notice.number, 2500, "C1"))
    assert answer["ResultCode"] != "0" and "cancelled" in answer["ResultDesc"]
    with pytest.raises(services.NotPayable):
        services.pay_notice(number=notice.number, phone="0712345678")


def test_money_that_reaches_a_cancelled_notice_is_kept_for_refund(
    notice: FineNotice, ocs: User, paybill: Paybill
) -> None:
    services.cancel_notice(actor=ocs, number=notice.number, reason="Duplicate notice")
    paybill(notice.number, 2500, trans_id="R1")
    state = NoticeState.objects.get(notice=notice)
    assert (state.state, state.paid_kes) == (State.CANCELLED, 2500)
    assert NoticeEvent.objects.get(notice=notice, kind="paid").details["refund_due"] is True


def test_only_the_ocs_cancels_and_with_a_reason(notice: FineNotice, traffic_officer: User, ocs: User) -> None:
    with pytest.raises(NotPermitted):
        services.cancel_notice(actor=traffic_officer, number=notice.number, reason="Because")
    with pytest.raises(InvalidInput):
        services.cancel_notice(actor=ocs, number=notice.number, reason="  ")
    assert NoticeState.objects.get(notice=notice).state == State.ISSUED


def test_paying_by_stk_push_asks_for_the_outstanding_amount(notice: FineNotice, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(payments, "_push", lambda payment_id, description: None)
    payment = services.pay_notice(number=notice.number, phone="0712345678").payment
    assert (payment.account_reference, payment.amount_kes, payment.state) == (notice.number, 2500, "pending")
    assert NoticeState.objects.get(notice=notice).state == State.ISSUED


def test_a_contested_notice_goes_to_court_and_closes_with_the_outcome(
    notice: FineNotice, traffic_officer: User
) -> None:
    services.contest_notice(actor=traffic_officer, number=notice.number, note="Denies using the phone")
    assert NoticeState.objects.get(notice=notice).state == State.CONTESTED
    assert payments.validate_c2b(raw=c2b(notice.number, 2500, "K1"))["ResultCode"] != "0"
    services.record_court_outcome(actor=traffic_officer, number=notice.number, outcome="acquitted")
    assert NoticeState.objects.get(notice=notice).state == State.CLOSED


def test_an_unpaid_notice_becomes_overdue_then_escalated_once_each(notice: FineNotice) -> None:
    assert services.escalate_overdue(notice.due_at - timedelta(minutes=1)) == {"overdue": 0, "escalated": 0}
    with time_machine.travel(notice.due_at + timedelta(hours=1)):
        assert services.escalate_overdue_now() == {"overdue": 1, "escalated": 0}
        assert services.escalate_overdue_now() == {"overdue": 0, "escalated": 0}
    state = NoticeState.objects.get(notice=notice)
    assert (state.state, state.late) == (State.OVERDUE, True)
    assert "Reminder" in SmsMessage.objects.get(event_key=f"fines:fine_overdue:{notice.number}").body
    with time_machine.travel(notice.due_at + timedelta(days=14, hours=1)):
        assert services.escalate_overdue_now() == {"overdue": 0, "escalated": 1}
        assert services.escalate_overdue_now() == {"overdue": 0, "escalated": 0}
    assert NoticeState.objects.get(notice=notice).state == State.ESCALATED
    assert "Notice to Attend Court" in SmsMessage.objects.get(event_key=f"fines:fine_escalated:{notice.number}").body


def test_a_late_payment_is_flagged_late(notice: FineNotice, paybill: Paybill) -> None:
    with time_machine.travel(notice.due_at + timedelta(days=1)):
        services.escalate_overdue_now()
        paybill(notice.number, 2500, trans_id="L1")
    event = NoticeEvent.objects.get(notice=notice, kind="paid")
    assert event.late is True
    assert NoticeState.objects.get(notice=notice).state == State.PAID


def test_a_notice_cannot_be_changed_in_the_database(notice: FineNotice) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        FineNotice.objects.filter(pk=notice.pk).update(total_kes=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        NoticeOffence.objects.filter(notice=notice).delete()


def test_the_signed_book_verifies_with_notices_payments_cancellations_and_escalations(
    notice: FineNotice, traffic_officer: User, ocs: User, station: Station, paybill: Paybill
) -> None:
    from daftari.ledger.services import sign_checkpoint
    from daftari.ledger.verification import verify_book

    paybill(notice.number, 1000, trans_id="V1")
    other = services.issue_notice(actor=traffic_officer, station=station, draft=draft(plate="KBB 111B")).notice
    services.cancel_notice(actor=ocs, number=other.number, reason="Wrong vehicle")
    with time_machine.travel(notice.due_at + timedelta(days=15)):
        services.escalate_overdue_now()
        services.escalate_overdue_now()
    sign_checkpoint(station=station)
    report = verify_book(station.code)
    assert report.ok, report.problems
    assert report.leaves == 2 + 4  # two notices; a payment, a cancellation, overdue, escalation


def test_a_notice_changed_behind_the_applications_back_fails_verification(notice: FineNotice) -> None:
    from django.db import connection

    from daftari.core import append_only
    from daftari.ledger.verification import verify_book

    append_only.uninstall(connection, ["fines_finenotice"])
    FineNotice.objects.filter(pk=notice.pk).update(total_kes=100)
    assert not verify_book(notice.station.code).ok


def test_paybill_money_for_a_number_no_notice_carries_is_kept_by_payments(db: None, paybill: Paybill) -> None:
    from daftari.payments.models import Payment

    unknown = rules.make_notice_number(31_337)
    paybill(unknown, 700, trans_id="U1")
    assert Payment.objects.get(mpesa_receipt="U1").paid_kes == 700
    assert not NoticeEvent.objects.exists()
