"""The driver's SMS goes in the language the driver chooses at the roadside: the form chooses nothing for
the officer when a phone is given, and comes back with the phone's earlier choice for the officer to check.
The API keeps its documented default (the phone's earlier choice, else English)."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.fines.models import FineNotice
from daftari.notifications.models import Recipient, SmsMessage
from tests.fines.test_views import FORM
from tests.occurrences.test_api import Api

NO_LANGUAGE = {k: v for k, v in FORM.items() if k != "language"}


@pytest.fixture
def traffic_client(client: Client, traffic_officer: User) -> Client:
    client.force_login(traffic_officer)
    return client


def test_the_form_offers_no_language_already_chosen(traffic_client: Client) -> None:
    page = traffic_client.get("/fines/issue").content.decode()
    assert '<option value="">Choose a language</option>' in page
    assert "selected>English" not in page and "selected>Kiswahili" not in page


def test_a_phone_without_a_language_is_refused_with_every_other_problem_at_once(traffic_client: Client) -> None:
    response = traffic_client.post("/fines/issue", {**NO_LANGUAGE, "place": ""})
    body = response.content.decode()
    assert response.status_code == 422 and not FineNotice.objects.exists()
    assert "Choose the language for the driver&#x27;s SMS" in body and 'href="#id_language"' in body
    assert 'href="#id_place"' in body
    assert not SmsMessage.objects.exists()


def test_the_refusal_is_in_kiswahili_on_a_kiswahili_page(traffic_client: Client) -> None:
    body = traffic_client.post("/fines/issue", NO_LANGUAGE, headers={"accept-language": "sw"}).content.decode()
    assert "Chagua lugha ya SMS ya dereva" in body and "Chagua lugha</option>" in body


def test_a_phone_that_chose_before_comes_back_with_that_language_chosen_for_the_officer_to_check(
    traffic_client: Client,
) -> None:
    Recipient.objects.create(phone="+254733111222", language="sw", updated_at=timezone.now())
    body = traffic_client.post("/fines/issue", NO_LANGUAGE).content.decode()
    assert '<option value="sw" selected>Kiswahili</option>' in body
    assert "This phone chose Kiswahili before: check with the driver." in body
    assert not FineNotice.objects.exists()


def test_the_chosen_language_is_the_sms_language_and_is_remembered(traffic_client: Client) -> None:
    response = traffic_client.post("/fines/issue", {**FORM, "language": "sw"})
    assert response.status_code == 302
    assert SmsMessage.objects.get(template="fine_notice").language == "sw"
    assert Recipient.objects.get(phone="+254733111222").language == "sw"


def test_without_a_phone_no_language_is_asked_for(traffic_client: Client) -> None:
    response = traffic_client.post("/fines/issue", {**NO_LANGUAGE, "driver_phone": ""})
    assert response.status_code == 302 and not SmsMessage.objects.exists()


def test_the_api_still_issues_without_a_language(client: Client, traffic_officer: User) -> None:
    body = {
        "offences": [{"code": "MO28"}],
        "plate": "KCB 321X",
        "driver": {"name": "Mwangi Kariuki", "phone": "0733111222"},
        "place": "Waiyaki Way",
        "issued_at": timezone.now().isoformat(),
    }
    response = Api(client, traffic_officer).post("/fines/notices", body)
    assert response.status_code == 201, response.content
    assert SmsMessage.objects.get(template="fine_notice").language == "en"


def test_once_the_phone_is_typed_the_form_chooses_its_earlier_language_for_the_officer_to_check(
    traffic_client: Client, desk_officer: User
) -> None:
    Recipient.objects.create(phone="+254733111222", language="sw", updated_at=timezone.now())
    issue_page = traffic_client.get("/fines/issue").content.decode()
    assert 'hx-get="/fines/issue/sms-language"' in issue_page and 'id="sms-language"' in issue_page
    chosen = traffic_client.get("/fines/issue/sms-language", {"driver_phone": "0733 111 222", "language": ""})
    body = chosen.content.decode()
    assert body.lstrip().startswith('<div id="sms-language">')
    assert '<option value="sw" selected>Kiswahili</option>' in body and "This phone chose Kiswahili before" in body
    # What the officer chose already stays chosen; a phone that never chose leaves the choice to them.
    kept = traffic_client.get("/fines/issue/sms-language", {"driver_phone": "0733111222", "language": "en"})
    assert '<option value="en" selected>English</option>' in kept.content.decode()
    new = traffic_client.get("/fines/issue/sms-language", {"driver_phone": "0700000001", "language": ""})
    assert " selected>" not in new.content.decode() and "before" not in new.content.decode()
    desk = Client()
    desk.force_login(desk_officer)
    assert desk.get("/fines/issue/sms-language", {"driver_phone": "0733111222"}).status_code == 403
