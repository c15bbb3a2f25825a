"""A choice that becomes part of the record is never made for the officer: an empty submit asks for it."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from daftari.custody.forms import BookInForm, EventForm
from daftari.custody.models import CustodyEvent, CustodyRecord
from daftari.ledger.models import Leaf
from daftari.occurrences.models import Occurrence
from tests.custody.conftest import ARRESTING_OFFICER


def test_the_event_form_starts_with_no_kind_chosen() -> None:
    html = str(EventForm()["kind"])
    assert '<option value="" selected>Choose what happened</option>' in html
    assert 'value="meal" selected' not in html


def test_an_empty_custody_event_form_records_nothing_and_says_what_to_choose(
    desk_client: Client, detainee: CustodyRecord
) -> None:
    leaves = Leaf.objects.count()
    response = desk_client.post(f"/custody/{detainee.pk}/events", {"kind": ""})
    assert response.status_code == 422
    assert "Choose what happened" in response.content.decode()
    assert not CustodyEvent.objects.exists()
    assert Leaf.objects.count() == leaves


def test_the_empty_event_form_asks_in_kiswahili_too(desk_client: Client, detainee: CustodyRecord) -> None:
    response = desk_client.post(f"/custody/{detainee.pk}/events", {}, headers={"Accept-Language": "sw"})
    with override("sw"):
        assert "Chagua kilichotokea" in response.content.decode()
    assert not CustodyEvent.objects.exists()


def test_the_book_in_form_does_not_choose_the_punishment(desk_client: Client, arrest: Occurrence) -> None:
    assert 'value="unknown" selected' not in str(BookInForm()["punishable_by"])
    arrested = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "name": "Otieno Ouma",
        "sex": "M",
        "age": "27",
        "arrested_at": arrested,
        "arresting_officer": ARRESTING_OFFICER,
        "cell": "male",
        "offence_description": "Stealing",
    }
    response = desk_client.post(f"/custody/book-in/{arrest.pk}", data)
    assert "Choose what the offence is punishable by (or Not known)" in response.content.decode()
    assert not CustodyRecord.objects.exists()
