"""The register's figures for the Shirika plan: counted in the database, small numbers suppressed,
no name, and the same numbers as a count of each row by the register's own rules."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from daftari.refugees import queries, rules, services
from daftari.refugees.models import Person, RefugeeDocument
from daftari.refugees.rules import DocumentKind, StatusKind
from tests.refugees.conftest import days_ago, draft, issue

pytestmark = pytest.mark.django_db


def in_days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def rows(figure: list[queries.FigureRow]) -> list[tuple[str, str, str]]:
    return [(row.office, row.label, row.count) for row in figure]


def test_documents_are_counted_by_the_state_their_events_and_expiry_give(
    refugee: Person, drs_officer: User, drs_supervisor: User, unhcr_liaison: User
) -> None:
    issue(drs_officer, refugee, "RID-KAK-26-000001", expires_on=in_days(400))
    issue(drs_officer, refugee, "RID-KAK-26-000002", issued_ago=800, expires_on=days_ago(1))
    lost = issue(drs_officer, refugee, "RID-KAK-26-000003", expires_on=in_days(400))
    services.report_document_lost(actor=drs_officer, document=lost, on=days_ago(0), reason="lost at the market")
    issue(drs_officer, refugee, "RID-KAK-26-000004", expires_on=in_days(400), replaces=lost)
    revoked = issue(drs_officer, refugee, "RID-KAK-26-000005", expires_on=days_ago(-1))
    services.revoke_document(actor=drs_supervisor, document=revoked, on=days_ago(0), reason="obtained by fraud")
    figures = queries.figures(reader=unhcr_liaison, threshold=1)
    assert rows(figures.by_document) == [
        ("Kakuma", "Refugee ID card: Expired", "1"),
        ("Kakuma", "Refugee ID card: Replaced", "1"),
        ("Kakuma", "Refugee ID card: Revoked", "1"),
        ("Kakuma", "Refugee ID card: Valid", "2"),
    ]


def test_a_valid_document_expiring_within_ninety_days_is_counted_as_expiring(
    refugee: Person, drs_officer: User, drs_supervisor: User, unhcr_liaison: User
) -> None:
    issue(drs_officer, refugee, "RID-KAK-26-000001", expires_on=in_days(30))
    issue(drs_officer, refugee, "RID-KAK-26-000002", expires_on=in_days(90))
    issue(drs_officer, refugee, "RID-KAK-26-000003", expires_on=in_days(91))
    issue(drs_officer, refugee, "RID-KAK-26-000004", issued_ago=400, expires_on=days_ago(1))
    issue(drs_officer, refugee, "MVP-KAK-26-000001", DocumentKind.MOVEMENT_PASS, expires_on=in_days(0))
    issue(drs_officer, refugee, "CTD-KAK-26-000001", DocumentKind.TRAVEL_DOCUMENT)
    revoked = issue(drs_officer, refugee, "RID-KAK-26-000005", expires_on=in_days(10))
    services.revoke_document(actor=drs_supervisor, document=revoked, on=days_ago(0), reason="obtained by fraud")
    figures = queries.figures(reader=drs_supervisor, threshold=1)
    assert figures.expiring_days == 90
    assert rows(figures.expiring) == [("Kakuma", "Movement pass", "1"), ("Kakuma", "Refugee ID card", "2")]


def test_permits_issued_are_class_m_work_permits_and_movement_passes_by_office_and_year(
    refugee: Person, drs_officer: User, unhcr_liaison: User
) -> None:
    this_year, last_year = timezone.localdate().year, timezone.localdate().year - 1
    issue(drs_officer, refugee, "CLM-KAK-26-000001", DocumentKind.CLASS_M_PERMIT, issued_ago=0)
    issue(drs_officer, refugee, "CLM-KAK-26-000002", DocumentKind.CLASS_M_PERMIT, issued_ago=0)
    issue(drs_officer, refugee, "CLM-KAK-25-000001", DocumentKind.CLASS_M_PERMIT, issued_ago=370)
    issue(drs_officer, refugee, "MVP-KAK-26-000001", DocumentKind.MOVEMENT_PASS, issued_ago=0)
    issue(drs_officer, refugee, "RID-KAK-26-000001", issued_ago=0)
    figures = queries.figures(reader=unhcr_liaison, threshold=1)
    assert rows(figures.permits) == [
        ("Kakuma", f"Class M work permit, {this_year}", "2"),
        ("Kakuma", f"Movement pass, {this_year}", "1"),
        ("Kakuma", f"Class M work permit, {last_year}", "1"),
    ]


def test_every_figure_from_one_to_the_threshold_less_one_is_suppressed(
    refugee: Person, drs_officer: User, unhcr_liaison: User
) -> None:
    for serial in range(1, 5):
        issue(drs_officer, refugee, f"CLM-KAK-26-00000{serial}", DocumentKind.CLASS_M_PERMIT, expires_on=in_days(9))
    issue(drs_officer, refugee, "MVP-KAK-26-000001", DocumentKind.MOVEMENT_PASS, expires_on=in_days(9))
    figures = queries.figures(reader=unhcr_liaison, threshold=5)
    shown = [row.count for figure in (figures.by_status, figures.by_document, figures.expiring) for row in figure]
    assert shown and set(shown) == {"<5"}
    assert [row.count for row in figures.permits] == ["<5", "<5"]
    assert [row.count for row in queries.figures(reader=unhcr_liaison, threshold=4).permits] == ["4", "<4"]


def test_the_figures_page_shows_expiring_documents_and_permits_with_no_name(
    refugee: Person, drs_officer: User, unhcr_liaison: User
) -> None:
    from django.test import Client

    issue(drs_officer, refugee, "CLM-KAK-26-000001", DocumentKind.CLASS_M_PERMIT, expires_on=in_days(20))
    client = Client()
    client.force_login(unhcr_liaison)
    page = client.get("/refugees/figures").content.decode()
    assert "Valid documents expiring within 90 days" in page and "Permits issued" in page
    assert f"Class M work permit, {timezone.localdate().year}" in page
    assert "Amina" not in page and "CLM-KAK" not in page


def naive_document_counts(today: date) -> tuple[Counter[tuple[str, str, str]], Counter[tuple[str, str]]]:
    """Each document read and judged by rules.document_state with all its events: the slow way."""
    states: Counter[tuple[str, str, str]] = Counter()
    expiring: Counter[tuple[str, str]] = Counter()
    for document in RefugeeDocument.objects.all():
        state = rules.document_state(services.events_of(document), expires_on=document.expires_on, today=today)
        states[(document.office, document.kind, state.value)] += 1
        soon = today + timedelta(days=queries.EXPIRING_DAYS)
        if state == rules.DocumentState.VALID and document.expires_on and today <= document.expires_on <= soon:
            expiring[(document.office, document.kind)] += 1
    return states, expiring


def test_the_figures_match_a_naive_recount_of_a_small_random_register(
    drs_officer: User, drs_supervisor: User, unhcr_liaison: User
) -> None:
    chance = random.Random(14)  # a reproducible register
    today = timezone.localdate()
    serials: Counter[tuple[str, str]] = Counter()
    for n in range(24):
        office = chance.choice(["KAK", "KAL", "DAD"])
        person = services.register_person(
            actor=drs_officer,
            draft=draft(given_names=f"Person {n}", phone=""),
            office=office,
            registered_on=days_ago(500),
        )
        if chance.random() < 0.7:
            services.record_status_step(actor=drs_supervisor, person=person, step=StatusKind.REFUGEE, on=days_ago(400))
        kinds = [kind for kind in DocumentKind if services.current_status(person) in rules.ISSUED_WITH[kind]]
        for kind in chance.sample(kinds, k=min(3, len(kinds))):
            serials[(kind, office)] += 1
            number = f"{rules.DOCUMENT_PREFIXES[kind]}-{office}-26-{serials[(kind, office)]:06d}"
            issued_ago = chance.randint(0, 700)
            expires = chance.choice([None, days_ago(issued_ago) + timedelta(days=chance.randint(1, 900))])
            document = services.issue_document(
                actor=drs_officer,
                person=person,
                kind=kind,
                number=number,
                office=office,
                issued_on=days_ago(issued_ago),
                expires_on=expires,
            )
            fate = chance.random()
            if fate < 0.15:
                services.revoke_document(actor=drs_supervisor, document=document, on=today, reason="fraud")
            elif fate < 0.3:
                services.report_document_lost(actor=drs_officer, document=document, on=today, reason="lost")
    figures = queries.figures(reader=unhcr_liaison, threshold=1)
    states, expiring = naive_document_counts(today)
    expected_states = sorted(
        (rules.OFFICES[office], queries._document_figure_label(kind, state), str(n))
        for (office, kind, state), n in states.items()
    )
    assert sorted(rows(figures.by_document)) == expected_states
    expected_expiring = sorted(
        (rules.OFFICES[office], str(rules.DOCUMENT_NAMES[DocumentKind(kind)]), str(n))
        for (office, kind), n in expiring.items()
    )
    assert sorted(rows(figures.expiring)) == expected_expiring
    statuses = Counter((person.office, services.current_status(person)) for person in Person.objects.all())
    expected_status = sorted(
        (rules.OFFICES[office], str(rules.STATUS_NAMES[status]), str(n))
        for (office, status), n in statuses.items()
        if status is not None
    )
    assert sorted(rows(figures.by_status)) == expected_status and sum(statuses.values()) == 24
