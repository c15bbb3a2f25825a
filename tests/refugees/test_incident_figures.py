"""OB incidents involving refugees and hosts by settlement and crime category (issue 14): counted
from the crime rollup's tally, small numbers suppressed, no name, and the same numbers as a naive
recount of the book entry by entry."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.occurrences import queries as ob_queries
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import OffenceInput, PartyInput, crime_rules
from daftari.occurrences.services import record_occurrence
from daftari.refugees import queries, rules, services
from daftari.refugees.models import CorrectionCase, Person
from daftari.reports import refugee_incidents, rollup
from daftari.stations.models import Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory, complaint
from tests.refugees.conftest import days_ago, draft

pytestmark = pytest.mark.django_db

STEALING, ROBBERY = "Penal Code s.268", "Penal Code s.296"


def record(officer: User, station: Station, sections: list[str], *id_numbers: str) -> Occurrence:
    draft_ = complaint(
        offences=tuple(OffenceInput(s, "as reported") for s in sections),
        parties=tuple(PartyInput(role="complainant", name=f"Party {n}", id_number=i) for n, i in enumerate(id_numbers)),
        occurred_at=timezone.now() - timedelta(hours=2),
    )
    return record_occurrence(actor=officer, station=station, draft=draft_).entry


@pytest.fixture
def supervisors(make_officer: OfficerFactory) -> tuple[User, User]:
    return (
        make_officer("drs_sup_a", [Role.DRS_SUPERVISOR], None),
        make_officer("drs_sup_b", [Role.DRS_SUPERVISOR], None),
    )


def host(
    drs_officer: User, supervisors: tuple[User, User], national_id: str, office: str, *, approvals: int = 2
) -> None:
    """A Kenyan found on the register at ``office``: a status-correction case with ``approvals`` approvals."""
    person = services.register_person(
        actor=drs_officer,
        draft=draft(given_names=f"Host {national_id}", phone=""),
        office=office,
        registered_on=days_ago(900),
    )
    case = services.open_correction_case(
        actor=drs_officer, person=person, national_id=national_id, evidence="IPRS record"
    )
    for supervisor in supervisors[:approvals]:
        services.decide_correction_case(actor=supervisor, case=case, approve=True)


def incident_rows(reader: User, threshold: int = 1) -> list[tuple[str, str, str, str]]:
    return [
        (r.office, r.category, r.refugees, r.hosts)
        for r in queries.figures(reader=reader, threshold=threshold).incidents
    ]


def test_incidents_are_counted_by_the_settlement_of_registration_and_the_crime_category(
    desk_officer: User, station: Station, drs_officer: User, supervisors: tuple[User, User], unhcr_liaison: User
) -> None:
    host(drs_officer, supervisors, "23456789", "KAK")
    host(drs_officer, supervisors, "34567890", "KAK", approvals=1)  # still open: not yet a host
    record(desk_officer, station, [STEALING], "RID-KAK-26-000001", "RIDKAK26000002")  # two refugees, one entry
    record(desk_officer, station, [ROBBERY], "RIDDAD26000001", "23456789")  # a Dadaab refugee and a Kakuma host
    record(desk_officer, station, [STEALING], "34567890")  # the open case's ID: nobody counted
    record(desk_officer, station, ["stealing"], "RIDKAK26000003")  # no section: not a counted crime
    record(desk_officer, station, [STEALING], "12345678")  # a Kenyan not on the register
    assert incident_rows(unhcr_liaison) == []  # not yet in the rollup: the figures follow it
    rollup.catch_up()
    names = dict(crime_rules().categories)
    assert incident_rows(unhcr_liaison) == [
        ("Dadaab", names["ROBBERY"], "1", "0"),
        ("Kakuma", names["ROBBERY"], "0", "1"),  # in the crime figures' order of categories
        ("Kakuma", names["STEALING"], "1", "0"),
    ]


def test_incident_counts_below_the_threshold_are_suppressed_and_the_page_shows_no_name_or_number(
    desk_officer: User, station: Station, unhcr_liaison: User
) -> None:
    for serial in range(1, 6):
        record(desk_officer, station, [STEALING], f"RIDKAK26{serial:06d}")
    record(desk_officer, station, [ROBBERY], "MVPKAL26000001")
    rollup.catch_up()
    rows = incident_rows(unhcr_liaison, threshold=5)
    assert [(office, refugees, hosts) for office, _, refugees, hosts in rows] == [
        ("Kakuma", "5", "0"),
        ("Kalobeyei", "<5", "0"),
    ]
    client = Client()
    client.force_login(unhcr_liaison)
    page = client.get("/refugees/figures").content.decode()
    assert "OB incidents involving refugees and hosts" in page and "Kalobeyei" in page and "&lt;5" in page
    assert "Party 0" not in page and "RIDKAK" not in page and "Wanjiku" not in page


@pytest.mark.parametrize("persona", ["analyst", "desk_officer", "drs_officer"])
def test_a_role_that_may_not_see_the_register_figures_gets_403_however_many_incidents_there_are(
    persona: str, desk_officer: User, station: Station, request: pytest.FixtureRequest
) -> None:
    record(desk_officer, station, [STEALING], "RIDKAK26000001")
    rollup.catch_up()
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/refugees/figures").status_code == 403


def naive_incident_counts() -> Counter[tuple[str, str, int]]:
    """Entry by entry: its category as the crime figures derive it, each party judged by the register's
    own rules (office_of_number; the correction case's state). (office, category, 0 refugee / 1 host)."""
    hosts = {
        case.national_id: case.person.office
        for case in CorrectionCase.objects.select_related("person")
        if services.correction_state_of(case) == rules.CorrectionState.APPROVED
    }
    counts: Counter[tuple[str, str, int]] = Counter()
    for entry in Occurrence.objects.filter(refers_to__isnull=True):
        category = ob_queries.crime_category_of(entry)
        if category is None:
            continue
        cells = set()
        for party in entry.parties.all():
            office = rules.office_of_number(party.id_number)
            if office is not None:
                cells.add((office, category.code, 0))
            elif party.id_number in hosts:
                cells.add((hosts[party.id_number], category.code, 1))
        counts.update(cells)
    return counts


def test_the_incident_figures_match_a_naive_recount_of_a_small_random_book(
    desk_officer: User, station: Station, drs_officer: User, supervisors: tuple[User, User]
) -> None:
    chance = random.Random(1414)  # a reproducible book
    national_ids = [f"2{n:07d}" for n in range(6)]
    for n, national_id in enumerate(national_ids):
        host(drs_officer, supervisors, national_id, chance.choice(["KAK", "DAD"]), approvals=2 if n % 3 else 1)
    documents = [f"{p}{o}26{s:06d}" for p in ("RID", "MVP", "CLM") for o in ("KAK", "KAL", "DAD") for s in (1, 2)]
    for _ in range(30):
        ids = chance.sample(documents + national_ids + ["12345678", ""], k=chance.randint(1, 3))
        sections = chance.sample([STEALING, ROBBERY, "Penal Code s.203", "stealing", ""], k=chance.randint(0, 2))
        record(desk_officer, station, [s for s in sections if s], *ids)
    rollup.catch_up()
    got: Counter[tuple[str, str, int]] = Counter()
    for count in refugee_incidents.incident_counts():
        got[(count.office, count.category, 0)] += count.refugees
        got[(count.office, count.category, 1)] += count.hosts
    assert +got == naive_incident_counts() and sum(got.values()) > 10


def test_a_person_registered_on_the_register_is_no_host_without_an_approved_case(
    desk_officer: User, station: Station, refugee: Person
) -> None:
    record(desk_officer, station, [STEALING], "23456789")
    rollup.catch_up()
    assert refugee_incidents.incident_counts() == []


def test_the_figures_page_reads_in_kiswahili(desk_officer: User, station: Station, unhcr_liaison: User) -> None:
    record(desk_officer, station, [STEALING], "RIDKAK26000001")
    rollup.catch_up()
    client = Client()
    client.force_login(unhcr_liaison)
    page = client.get("/refugees/figures", HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Hati halali zinazoisha muda ndani ya siku 90" in page and "Vibali vilivyotolewa" in page
    assert "Matukio ya Kitabu cha Matukio yanayohusu wakimbizi na wenyeji" in page and "Yanayohusu wenyeji" in page
