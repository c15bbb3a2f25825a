"""A cancelled notice stops asking for money in the SMS still waiting to go too: each one is withdrawn
(kept and marked so, never deleted) and the worker never sends it; an M-Pesa prompt asked for just
before the cancellation never reaches the driver's phone."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.fines import services
from daftari.fines.models import FineNotice
from daftari.notifications.models import SmsMessage
from daftari.payments.models import Payment
from daftari.stations.models import Station
from tests.fines.conftest import draft
from tests.fines.test_pay_prompts import prompts_at_mpesa
from tests.notifications.support import CommitCallbacks, run_ready_jobs, sent_sms
from tests.payments.conftest import Simulator


@pytest.fixture(autouse=True)
def sms_to_a_file(settings: SettingsWrapper) -> None:
    settings.DAFTARI_SMS_BACKEND = "file"


@pytest.fixture
def queued_notice(
    traffic_officer: User, station: Station, django_capture_on_commit_callbacks: CommitCallbacks
) -> FineNotice:
    """A notice whose SMS asking the driver to pay is stored and queued, but the worker has not run yet."""
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    assert SmsMessage.objects.get(event_key=f"fines:notice:{notice.number}").status == SmsMessage.Status.QUEUED
    return notice


def cancel(ocs: User, notice: FineNotice, on_commit: CommitCallbacks) -> None:
    with on_commit(execute=True):
        services.cancel_notice(actor=ocs, number=notice.number, reason="Plate misread at the roadside")


def test_cancelling_withdraws_the_queued_pay_sms_and_the_worker_never_sends_it(
    ocs: User, queued_notice: FineNotice, django_capture_on_commit_callbacks: CommitCallbacks
) -> None:
    cancel(ocs, queued_notice, django_capture_on_commit_callbacks)
    run_ready_jobs()
    asking = SmsMessage.objects.get(event_key=f"fines:notice:{queued_notice.number}")
    assert asking.status == SmsMessage.Status.WITHDRAWN and asking.get_status_display() == "withdrawn"
    assert asking.withdrawn_at is not None and queued_notice.number in asking.withdrawn_reason
    assert asking.sent_at is None and asking.attempts == 0
    assert [m["body"] for m in sent_sms()] == [SmsMessage.objects.get(template="fine_cancelled").body]


def test_a_reminder_still_queued_at_the_cancellation_is_withdrawn_too(
    ocs: User, queued_notice: FineNotice, django_capture_on_commit_callbacks: CommitCallbacks
) -> None:
    run_ready_jobs()  # the notice SMS went out at the roadside
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate_overdue(queued_notice.due_at + timedelta(minutes=1))
    cancel(ocs, queued_notice, django_capture_on_commit_callbacks)
    run_ready_jobs()
    statuses = dict(SmsMessage.objects.values_list("template", "status"))
    assert statuses == {"fine_notice": "sent", "fine_overdue": "withdrawn", "fine_cancelled": "sent"}
    assert [m["body"] for m in sent_sms()] == [
        SmsMessage.objects.get(template=t).body for t in ("fine_notice", "fine_cancelled")
    ]


@pytest.mark.django_db
def test_a_prompt_asked_for_just_before_the_cancellation_never_reaches_m_pesa(
    ocs: User,
    queued_notice: FineNotice,
    daraja_settings: SettingsWrapper,
    simulator: Simulator,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        prompt = services.pay_notice(number=queued_notice.number, phone="0712345678")
    cancel(ocs, queued_notice, django_capture_on_commit_callbacks)
    for push in waiting:
        push()
    payment = Payment.objects.get(pk=prompt.payment.pk)
    assert (payment.state, payment.result_desc) == (Payment.State.CANCELLED, "This notice was cancelled.")
    assert prompts_at_mpesa(simulator, queued_notice) == []


def test_the_notice_page_shows_the_withdrawn_pay_sms_as_never_sent(
    client: Any, ocs: User, queued_notice: FineNotice, django_capture_on_commit_callbacks: CommitCallbacks
) -> None:
    cancel(ocs, queued_notice, django_capture_on_commit_callbacks)
    run_ready_jobs()
    client.force_login(ocs)
    body = client.get(f"/fines/notices/{queued_notice.number}").content.decode()
    listed = body[body.index('id="notice-sms"') :]
    listed = listed[: listed.index("</ul>")]
    items = listed.split("<li")[1:]
    assert len(items) == 2
    assert "The notice and how to pay" in items[0] and "withdrawn" in items[0] and "never sent" in items[0]
    assert 'class="sms-withdrawn"' in items[0]
    assert "The notice is cancelled: nothing to pay" in items[1] and "sent" in items[1]
    assert "never sent" not in items[1]


def test_a_notice_whose_sms_went_shows_it_sent_and_nothing_withdrawn(
    client: Any, traffic_officer: User, queued_notice: FineNotice
) -> None:
    run_ready_jobs()
    client.force_login(traffic_officer)
    body = client.get(f"/fines/notices/{queued_notice.number}").content.decode()
    assert "SMS to the driver" in body and "The notice and how to pay" in body
    assert "never sent" not in body and "sms-withdrawn" not in body
