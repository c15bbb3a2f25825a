"""A refused step on a notice's page says why, with the status of the refusal."""

from django.contrib.auth.models import User
from django.test import Client

from daftari.fines.models import FineNotice
from daftari.fines.services import cancel_notice


def test_cancelling_a_notice_already_cancelled_is_a_409_page_that_says_why(
    client: Client, ocs: User, notice: FineNotice
) -> None:
    cancel_notice(actor=ocs, number=notice.number, reason="Wrong plate")
    client.force_login(ocs)
    response = client.post(f"/fines/notices/{notice.number}/cancel", {"reason": "Again"})
    assert response.status_code == 409
    assert "Only an unpaid notice that is not in court can be cancelled." in response.content.decode()


def test_a_desk_officer_cannot_cancel_a_notice_and_is_told_so(
    client: Client, desk_officer: User, notice: FineNotice
) -> None:
    client.force_login(desk_officer)
    response = client.post(f"/fines/notices/{notice.number}/cancel", {"reason": "Friend of mine"})
    assert response.status_code == 403
    assert FineNotice.objects.get(pk=notice.pk).projection.state != "cancelled"


def test_a_missing_reason_is_shown_on_the_confirmation_page(client: Client, ocs: User, notice: FineNotice) -> None:
    client.force_login(ocs)
    response = client.post(f"/fines/notices/{notice.number}/cancel", {"reason": ""})
    assert response.status_code == 422
    assert "Enter the reason for cancelling" in response.content.decode()
