"""Cancelling a notice cannot be undone: GET asks "Are you sure?", only a POST with a reason cancels."""

from django.contrib.auth.models import User
from django.test import Client

from daftari.fines.models import FineNotice, NoticeEvent


def _state(notice: FineNotice) -> str:
    return FineNotice.objects.get(pk=notice.pk).projection.state


def test_the_cancel_page_asks_are_you_sure_and_a_get_cancels_nothing(
    client: Client, ocs: User, notice: FineNotice
) -> None:
    client.force_login(ocs)
    notice_page = client.get(f"/fines/notices/{notice.number}").content.decode()
    assert f'href="/fines/notices/{notice.number}/cancel"' in notice_page
    page = client.get(f"/fines/notices/{notice.number}/cancel")
    body = page.content.decode()
    assert page.status_code == 200 and "Are you sure?" in body and "no longer asked to pay" in body
    assert 'name="reason"' in body and 'name="csrfmiddlewaretoken"' in body
    assert _state(notice) == "issued" and not NoticeEvent.objects.filter(kind="cancelled").exists()


def test_cancelling_without_a_reason_shows_the_error_summary(client: Client, ocs: User, notice: FineNotice) -> None:
    client.force_login(ocs)
    page = client.post(f"/fines/notices/{notice.number}/cancel", {"reason": ""})
    body = page.content.decode()
    assert page.status_code == 422 and 'class="error-summary"' in body and 'href="#id_reason"' in body
    assert "Enter the reason for cancelling" in body
    assert _state(notice) == "issued"


def test_confirming_cancels_and_the_cancel_page_then_sends_back_to_the_notice(
    client: Client, ocs: User, notice: FineNotice
) -> None:
    client.force_login(ocs)
    done = client.post(f"/fines/notices/{notice.number}/cancel", {"reason": "Issued to the wrong car"})
    assert done.status_code == 302 and _state(notice) == "cancelled"
    assert client.get(f"/fines/notices/{notice.number}/cancel").status_code == 302
    assert "Cancel the notice" not in client.get(f"/fines/notices/{notice.number}").content.decode()


def test_a_forged_cancel_without_the_csrf_token_is_refused(ocs: User, notice: FineNotice) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ocs)
    assert strict.post(f"/fines/notices/{notice.number}/cancel", {"reason": "Forged"}).status_code == 403
    assert _state(notice) == "issued"


def test_the_traffic_officer_gets_no_cancel_page(client: Client, traffic_officer: User, notice: FineNotice) -> None:
    client.force_login(traffic_officer)
    assert client.get(f"/fines/notices/{notice.number}/cancel").status_code == 403
    assert client.post(f"/fines/notices/{notice.number}/cancel", {"reason": "Mine"}).status_code == 403
    assert _state(notice) == "issued"
