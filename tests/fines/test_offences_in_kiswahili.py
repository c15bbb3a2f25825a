"""The offence schedule reads in the page's language: the roadside form and the notice, in Kiswahili."""

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from daftari.fines.models import FineNotice


def test_the_notice_page_in_kiswahili_words_each_offence_in_kiswahili(
    client: Client, traffic_officer: User, notice: FineNotice
) -> None:
    client.force_login(traffic_officer)
    english = client.get(f"/fines/notices/{notice.number}").content.decode()
    assert "Failure to wear a seat belt while the motor vehicle is in motion" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    swahili = client.get(f"/fines/notices/{notice.number}").content.decode()
    assert "Kushindwa kufunga mkanda wa usalama gari likiwa linatembea" in swahili
    assert "Dereva kutumia simu ya mkononi gari likiwa linatembea" in swahili
    assert "Failure to wear a seat belt" not in swahili


def test_the_roadside_form_lists_the_schedule_in_kiswahili(client: Client, traffic_officer: User) -> None:
    client.force_login(traffic_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    page = client.get("/fines/issue").content.decode()
    assert "MO21 · KES 3,000 · Kupiga debe" in page
    assert "Touting" not in page
