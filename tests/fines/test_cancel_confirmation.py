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


def test_contesting_from_the_notice_page_asks_first_and_only_the_confirmation_contests(
    client: Client, traffic_officer: User, notice: FineNotice
) -> None:
    client.force_login(traffic_officer)
    asked = client.post(f"/fines/notices/{notice.number}/contest", {"note": "Milimani TR 12/2026"})
    body = asked.content.decode()
    assert asked.status_code == 200 and "Are you sure?" in body and 'value="Milimani TR 12/2026"' in body
    assert 'name="confirmed" value="1"' in body and _state(notice) == "issued"
    assert client.get(f"/fines/notices/{notice.number}/contest").status_code == 200 and _state(notice) == "issued"
    done = client.post(f"/fines/notices/{notice.number}/contest", {"note": "Milimani TR 12/2026", "confirmed": "1"})
    assert done.status_code == 302 and _state(notice) == "contested"


def test_the_court_outcome_asks_first_and_an_empty_choice_is_refused_on_the_confirmation_page(
    client: Client, traffic_officer: User, notice: FineNotice
) -> None:
    client.force_login(traffic_officer)
    client.post(f"/fines/notices/{notice.number}/contest", {"note": "", "confirmed": "1"})
    empty = client.post(f"/fines/notices/{notice.number}/court-outcome", {"outcome": "", "confirmed": "1"})
    assert empty.status_code == 422 and 'href="#id_outcome"' in empty.content.decode()
    asked = client.post(f"/fines/notices/{notice.number}/court-outcome", {"outcome": "acquitted"})
    assert asked.status_code == 200 and "Are you sure?" in asked.content.decode() and _state(notice) == "contested"
    done = client.post(f"/fines/notices/{notice.number}/court-outcome", {"outcome": "acquitted", "confirmed": "1"})
    assert done.status_code == 302 and _state(notice) == "closed"


def test_an_officer_of_another_station_gets_no_court_pages(
    client: Client, officer_elsewhere: User, notice: FineNotice
) -> None:
    client.force_login(officer_elsewhere)
    assert client.get(f"/fines/notices/{notice.number}/contest").status_code == 404
    assert client.post(f"/fines/notices/{notice.number}/contest", {"confirmed": "1"}).status_code == 404
    assert _state(notice) == "issued"
