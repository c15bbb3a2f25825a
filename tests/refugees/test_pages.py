"""The DRS officer's pages, who is refused them, and the access log of every read."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.refugees import queries, services
from daftari.refugees.models import Household, Person, RefugeeDocument, StatusStep
from daftari.refugees.rules import DocumentKind, StatusKind
from daftari.stations.models import AccessEvent
from tests.refugees.conftest import days_ago, issue

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reads_of(person: Person) -> list[tuple[str, str, str]]:
    return list(
        AccessEvent.objects.filter(record_type="refugee_person", record_id=str(person.pk)).values_list(
            "username", "purpose", "outcome"
        )
    )


def test_reading_a_person_logs_the_read(asylum_seeker: Person, drs_officer: User) -> None:
    view = queries.person_for(
        reader=drs_officer, person_id=asylum_seeker.pk, purpose=AccessEvent.Purpose.DESK_VIEW, channel="desk"
    )
    assert view.name == "Amina Hassan Abdi" and view.status == "asylum_seeker"
    assert reads_of(asylum_seeker) == [("drs_officer", "desk_view", "shown")]


def test_a_search_logs_a_read_of_each_person_found(asylum_seeker: Person, drs_officer: User) -> None:
    assert [line.id for line in queries.search(reader=drs_officer, name="xasan").lines] == [asylum_seeker.pk]
    assert reads_of(asylum_seeker) == [("drs_officer", "search", "shown")]


def test_the_register_is_searched_by_name_document_number_and_household_number(
    refugee: Person, drs_officer: User
) -> None:
    issue(drs_officer, refugee, "RID-KAK-26-000077", DocumentKind.REFUGEE_ID)
    number = Household.objects.get().number
    for terms in ({"name": "amina abdi"}, {"document_number": "rid kak 26 000077"}, {"household_number": number}):
        assert [line.id for line in queries.search(reader=drs_officer, **terms).lines] == [refugee.pk], terms
    assert queries.search(reader=drs_officer, name="wanjiku").lines == []


def test_a_name_search_takes_the_words_in_any_order_and_each_as_the_start_of_a_name_and_every_word_must_match(
    refugee: Person, drs_officer: User
) -> None:
    def found(name: str) -> list[str]:
        return [line.status_name for line in queries.search(reader=drs_officer, name=name).lines]

    assert found("ABDI ami") == found("has amina") == ["Refugee recognised"]
    assert found("amina kamau") == found("mina") == found("o'brien") == []
    line = queries.search(reader=drs_officer, name="amina").lines[0]
    assert line.household_number == Household.objects.get().number


def test_the_supervisor_reads_ethnicity_and_religion_and_the_officer_does_not(
    asylum_seeker: Person, drs_officer: User, drs_supervisor: User
) -> None:
    def read(user: User) -> queries.PersonView:
        return queries.person_for(
            reader=user, person_id=asylum_seeker.pk, purpose=AccessEvent.Purpose.DESK_VIEW, channel="desk"
        )

    assert (read(drs_supervisor).ethnicity, read(drs_supervisor).religion) == ("Bajuni", "Muslim")
    assert (read(drs_officer).ethnicity, read(drs_officer).religion) == (None, None)
    page = client_for(drs_officer).get(f"/refugees/people/{asylum_seeker.pk}").content.decode()
    assert "Bajuni" not in page and "Muslim" not in page and "Amina Hassan Abdi" in page


@pytest.mark.parametrize("persona", ["desk_officer", "ocs", "commander", "analyst", "oversight", "unhcr_liaison"])
def test_police_roles_and_the_unhcr_liaison_are_refused_personal_pages_and_the_refusal_is_logged(
    persona: str, asylum_seeker: Person, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    page = client.get(f"/refugees/people/{asylum_seeker.pk}")
    assert page.status_code == 403
    assert "Amina" not in page.content.decode()
    assert [(who, outcome) for who, _purpose, outcome in reads_of(asylum_seeker)] == [(user.username, "denied")]
    assert client.get("/refugees", {"name": "amina"}).status_code == 403
    assert client.get("/refugees").status_code == 403
    assert client.get("/refugees/people/new").status_code == 403
    assert client.get(f"/refugees/people/{asylum_seeker.pk}/status").status_code == 403
    assert client.get(f"/refugees/people/{asylum_seeker.pk}/documents/new").status_code == 403


def test_the_menu_offers_the_register_only_to_drs_staff(drs_officer: User, desk_officer: User) -> None:
    assert "/refugees" in client_for(drs_officer).get("/refugees").content.decode()
    assert 'href="/refugees"' not in client_for(desk_officer).get("/search").content.decode()


def test_an_officer_registers_a_person_through_the_form(drs_officer: User) -> None:
    client = client_for(drs_officer)
    form = {
        "given_names": "Deng",
        "family_name": "Garang",
        "sex": "M",
        "date_of_birth": "1988-03-01",
        "nationality": "South Sudanese",
        "office": "KAK",
        "registered_on": days_ago(1).isoformat(),
        "relationship": "principal",
    }
    response = client.post("/refugees/people/new", form)
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/refugees/people/{person.pk}"
    assert StatusStep.objects.get().step == "asylum_seeker"


def test_a_form_with_problems_shows_the_error_summary(drs_officer: User) -> None:
    response = client_for(drs_officer).post(
        "/refugees/people/new", {"given_names": "Deng", "household_number": "HH-KAK-26-999999"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_family_name"' in page
    assert not Person.objects.exists()


def test_the_supervisor_records_recognition_and_the_officer_issues_the_id_through_the_forms(
    asylum_seeker: Person, drs_officer: User, drs_supervisor: User
) -> None:
    url = f"/refugees/people/{asylum_seeker.pk}"
    refused = client_for(drs_officer).post(f"{url}/status", {"step": "refugee", "on": days_ago(1).isoformat()})
    assert refused.status_code == 422 and "DRS supervisor" in refused.content.decode()
    done = client_for(drs_supervisor).post(f"{url}/status", {"step": "refugee", "on": days_ago(1).isoformat()})
    assert done.status_code == 302
    assert services.current_status(asylum_seeker) is StatusKind.REFUGEE
    issued = client_for(drs_officer).post(
        f"{url}/documents/new",
        {"kind": "refugee_id", "number": "RID-KAK-26-000005", "office": "KAK", "issued_on": days_ago(1).isoformat()},
    )
    assert issued.status_code == 302
    document = RefugeeDocument.objects.get()
    page = client_for(drs_officer).get(url).content.decode()
    assert "RID-KAK-26-000005" in page and "Refugee recognised" in page
    lost = client_for(drs_officer).post(
        f"/refugees/documents/{document.pk}/lost", {"on": days_ago(0).isoformat(), "reason": "stolen"}
    )
    assert lost.status_code == 302 and services.state_of(document).value == "lost"


def test_the_register_pages_are_in_kiswahili(asylum_seeker: Person, drs_officer: User) -> None:
    client = client_for(drs_officer)
    page = client.get(f"/refugees/people/{asylum_seeker.pk}", headers={"accept-language": "sw"}).content.decode()
    assert "Historia ya hali" in page
    assert "Sajili mtu" in client.get("/refugees", headers={"accept-language": "sw"}).content.decode()


def test_drs_staff_land_on_the_register_and_are_not_offered_the_occurrence_book(drs_officer: User) -> None:
    client = client_for(drs_officer)
    landing = client.get("/")
    assert landing.status_code == 302 and landing["Location"] == "/refugees"
    menu = client.get("/refugees").content.decode()
    assert "Today&#x27;s book" not in menu and "Today's book" not in menu


def test_the_demo_holds_three_households_once_with_their_steps_on_the_registers_log() -> None:
    from django.core.management import call_command

    from daftari.ledger.models import Leaf

    call_command("demo", verbosity=0)
    call_command("demo", verbosity=0)
    assert Household.objects.count() == 3 and Person.objects.count() == 4
    assert StatusStep.objects.count() == 7
    assert Leaf.objects.filter(kind="refugee_status_step").count() == 7


def test_the_unhcr_liaison_reads_counts_with_small_numbers_suppressed_and_no_names(
    refugee: Person, drs_officer: User, unhcr_liaison: User
) -> None:
    issue(drs_officer, refugee, "RID-KAK-26-000009")
    client = client_for(unhcr_liaison)
    landing = client.get("/")
    assert landing.status_code == 302 and landing["Location"] == "/refugees/figures"
    page = client.get("/refugees/figures").content.decode()
    assert "Refugee recognised" in page and "Refugee ID card: Valid" in page
    assert "&lt;5" in page and "Amina" not in page
    assert not AccessEvent.objects.filter(record_type="refugee_person").exists()


@pytest.mark.parametrize("persona", ["drs_officer", "desk_officer", "analyst"])
def test_the_register_figures_are_refused_to_everyone_else(persona: str, request: pytest.FixtureRequest) -> None:
    assert client_for(request.getfixturevalue(persona)).get("/refugees/figures").status_code == 403
