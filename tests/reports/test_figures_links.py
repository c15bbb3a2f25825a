"""The crime figures and the fines figures link to each other, for whoever may open both (issue 12)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["ocs", "commander", "analyst", "oversight"])
def test_the_crime_figures_and_the_fines_figures_link_to_each_other_and_both_open(
    request: pytest.FixtureRequest, client: Client, who: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    crimes = client.get("/figures/crimes")
    fines = client.get("/fines/figures")
    assert crimes.status_code == 200 and fines.status_code == 200
    crimes_page, fines_page = crimes.content.decode(), fines.content.decode()
    assert 'id="fines-figures-link"' in crimes_page and 'href="/fines/figures"' in crimes_page
    assert 'id="crime-figures-link"' in fines_page and 'href="/figures/crimes"' in fines_page


def test_the_links_between_the_figures_read_in_kiswahili(client: Client, commander: User) -> None:
    client.force_login(commander)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    assert "Faini za trafiki zilizotolewa" in client.get("/figures/crimes").content.decode()
    assert "Uhalifu ulioandikwa na polisi, kwa kundi" in client.get("/fines/figures").content.decode()
