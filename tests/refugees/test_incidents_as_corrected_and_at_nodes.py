"""The OB incidents involving refugees and hosts place each incident by its parties as corrected, and at
the hub count the incidents recorded at station nodes too, once the hub holds them (issues 13, 14)."""

from collections import Counter
from typing import Any

import pytest
from django.contrib.auth.models import User

from daftari.nodes.models import EnrolledNode
from daftari.occurrences.rules import PartCorrection, PartsCorrection, PartyInput
from daftari.occurrences.services import amend_occurrence
from daftari.reports import refugee_incidents, rollup
from daftari.stations.models import Station
from tests.nodes.test_hub import Book
from tests.nodes.test_national_search import node_record
from tests.nodes.test_node_station_figures import amendment, held_at_hub, join
from tests.refugees.test_incident_figures import ROBBERY, STEALING, host, naive_incident_counts, record, supervisors

pytestmark = pytest.mark.django_db
__all__ = ["supervisors"]  # the fixture, for these tests too


@pytest.fixture
def joined(other_station: Station) -> tuple[EnrolledNode, Book]:
    return join(other_station)


def counts() -> dict[tuple[str, str], tuple[int, int]]:
    return {(c.office, c.category): (c.refugees, c.hosts) for c in refugee_incidents.incident_counts()}


def at_node(station: Station, n: int, section: str, *id_numbers: str) -> dict[str, Any]:
    return node_record(
        station,
        ob=f"OB {n}/6/12/2026",
        offences=[{"section": section, "description": "as reported"}],
        parties=[
            {"role": "complainant", "name": f"Party {i}", "id_number": number} for i, number in enumerate(id_numbers)
        ],
        property_items=[],
        vehicles=[],
    )


def test_a_node_recorded_incident_with_a_refugee_party_counts_in_the_settlement_figures(
    joined: tuple[EnrolledNode, Book], drs_officer: User, supervisors: tuple[User, User]
) -> None:
    node, book = joined
    host(drs_officer, supervisors, "23456789", "DAD")
    held_at_hub(
        node,
        book,
        at_node(node.station, 1, STEALING, "RID-KAK-26-000001", "RIDKAK26000002"),  # two refugees, one incident
        at_node(node.station, 2, ROBBERY, "23456789"),  # a Dadaab host
        at_node(node.station, 3, STEALING, "12345678"),  # a Kenyan not on the register
        at_node(node.station, 4, "stealing", "RIDKAK26000003"),  # no section: not a counted crime
    )
    assert counts() == {("KAK", "STEALING"): (1, 0), ("DAD", "ROBBERY"): (0, 1)}


def test_a_correction_at_the_node_moves_the_incident_to_the_corrected_partys_settlement(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    theft = at_node(node.station, 1, STEALING, "RIDKAK26000001", "RIDKAL26000002")
    held_at_hub(node, book, theft)
    assert counts() == {("KAK", "STEALING"): (1, 0), ("KAL", "STEALING"): (1, 0)}
    held_at_hub(
        node,
        book,
        amendment(
            node.station,
            theft,
            2,
            {
                "reason": "The complainant's document was misread.",
                "changes": {},
                "parts": {"parties": [{"of": 0, "row": 0}, {"of": 1, "in_error": True}]},
            },
            parties=[{"role": "complainant", "name": "Party 0", "id_number": "RIDDAD26000001"}],
        ),
    )
    assert counts() == {("DAD", "STEALING"): (1, 0)}


def test_a_corrected_party_moves_a_hub_incident_and_one_struck_out_no_longer_counts(
    desk_officer: User, station: Station, drs_officer: User, supervisors: tuple[User, User]
) -> None:
    host(drs_officer, supervisors, "23456789", "KAK")
    theft = record(desk_officer, station, [STEALING], "RIDKAK26000001", "23456789")
    record(desk_officer, station, [ROBBERY], "RIDKAK26000009")  # untouched, counted as recorded
    rollup.catch_up()
    assert counts() == {("KAK", "ROBBERY"): (1, 0), ("KAK", "STEALING"): (1, 1)}
    amend_occurrence(
        actor=desk_officer,
        occurrence=theft,
        reason="The complainant's document was misread; the second party was named in error.",
        changes={},
        parts=PartsCorrection(
            parties=(
                PartCorrection(of=0, value=PartyInput(role="complainant", name="Party 0", id_number="RIDDAD26000001")),
                PartCorrection(of=1, in_error=True),
            )
        ),
    )
    rollup.catch_up()
    assert counts() == {("DAD", "STEALING"): (1, 0), ("KAK", "ROBBERY"): (1, 0)}
    added = record(desk_officer, station, [STEALING], "12345678")  # nobody of the register, until corrected
    amend_occurrence(
        actor=desk_officer,
        occurrence=added,
        reason="A second complainant, a refugee of Kalobeyei, was left out.",
        changes={},
        parts=PartsCorrection(
            parties=(PartCorrection(value=PartyInput(role="complainant", name="Party 1", id_number="RIDKAL26000004")),)
        ),
    )
    rollup.catch_up()
    assert counts()[("KAL", "STEALING")] == (1, 0)
    got: Counter[tuple[str, str, int]] = Counter()
    for count in refugee_incidents.incident_counts():
        got[(count.office, count.category, 0)] += count.refugees
        got[(count.office, count.category, 1)] += count.hosts
    assert +got == naive_as_corrected()


def naive_as_corrected() -> Counter[tuple[str, str, int]]:
    """naive_incident_counts, each entry's parties read as corrected (occurrences.queries.corrected_parts)."""
    from daftari.occurrences import queries as ob_queries
    from daftari.occurrences.models import Occurrence
    from daftari.refugees import rules, services
    from daftari.refugees.models import CorrectionCase

    hosts = {
        case.national_id: case.person.office
        for case in CorrectionCase.objects.select_related("person")
        if services.correction_state_of(case) == rules.CorrectionState.APPROVED
    }
    found: Counter[tuple[str, str, int]] = Counter()
    for entry in Occurrence.objects.filter(refers_to__isnull=True):
        category = ob_queries.crime_category_of(entry)
        if category is None:
            continue
        cells = set()
        for part in ob_queries.corrected_parts(entry)["parties"]:
            if part.in_error:
                continue
            office = rules.office_of_number(part.value.id_number)
            if office is not None:
                cells.add((office, category.code, 0))
            elif part.value.id_number in hosts:
                cells.add((hosts[part.value.id_number], category.code, 1))
        found.update(cells)
    return found


def test_uncorrected_hub_incidents_still_match_the_naive_recount_as_recorded(
    desk_officer: User, station: Station
) -> None:
    record(desk_officer, station, [STEALING], "RIDKAK26000001")
    rollup.catch_up()
    got = Counter({(c.office, c.category, 0): c.refugees for c in refugee_incidents.incident_counts()})
    assert +got == naive_incident_counts() == naive_as_corrected()
