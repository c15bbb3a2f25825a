"""At the hub, vetting finds an officer suspected in, or named by, an entry recorded at a station node
once the hub holds it, exactly as for an entry of the hub's own book, and opens that entry as corrected
at the node as the finding's evidence (issues 13, 15)."""

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from daftari.deployments import queries
from daftari.nodes.models import EnrolledNode
from daftari.stations.models import AccessEvent, Station
from tests.deployments.conftest import Nominate
from tests.deployments.test_node_station_custody_findings import booked_at_node
from tests.nodes.test_hub import Book
from tests.nodes.test_national_search import node_record
from tests.nodes.test_node_station_figures import amendment, held_at_hub, join

pytestmark = pytest.mark.django_db

ASSAULT = [{"section": "Penal Code s.251", "description": "Assault causing actual bodily harm"}]


@pytest.fixture
def joined(other_station: Station) -> tuple[EnrolledNode, Book]:
    return join(other_station)


def assault_at_node(station: Station, n: int, **overrides: Any) -> dict[str, Any]:
    """A complaint recorded at the node that a police officer assaulted a hawker at the stage."""
    fields: dict[str, Any] = {
        "ob": f"OB {n}/6/12/2026",
        "narrative": "Complainant reports that a police officer slapped and kicked him at the bus stage.",
        "offences": ASSAULT,
        "property_items": [],
        "vehicles": [],
    }
    fields.update(overrides)
    return node_record(station, **fields)


def findings(vetting_officer: User, candidate_id: uuid.UUID) -> list[tuple[str, str, str]]:
    found = queries.vetting_record(reader=vetting_officer, candidate_id=candidate_id).findings
    return [(f.kind, f.role, str(f.occurrence_id)) for f in found]


def test_a_node_recorded_entry_naming_a_candidate_yields_a_finding_at_the_hub_and_its_evidence_page_opens(
    client: Client, joined: tuple[EnrolledNode, Book], vetting_officer: User, nominate: Nominate
) -> None:
    node, book = joined
    suspected, accomplice, in_narrative = nominate("kipchumba"), nominate("wafula"), nominate("chebet")
    entry = assault_at_node(
        node.station,
        1,
        details={"suspected_officer": suspected.officer.service_number},
        narrative=f"A police officer slapped the hawker while PC Chebet {in_narrative.officer.service_number} watched.",
        parties=[
            {"role": "complainant", "name": "Otieno Hawker", "phone": "0712345678"},
            {"role": "suspect", "name": f"PC Wafula {accomplice.officer.service_number}"},
        ],
    )
    held_at_hub(node, book, entry)
    assert findings(vetting_officer, suspected.pk) == [("ob_police_offence", "suspected", entry["id"])]
    assert findings(vetting_officer, accomplice.pk) == [("ob_police_offence", "named", entry["id"])]
    assert findings(vetting_officer, in_narrative.pk) == [("ob_police_offence", "named", entry["id"])]
    [finding] = queries.vetting_record(reader=vetting_officer, candidate_id=suspected.pk).findings
    assert finding.ob_number == "OB 1/6/12/2026" and finding.station_name == node.station.name
    client.force_login(vetting_officer)
    assert client.get(reverse("entry", args=[entry["id"]])).status_code == 404  # not the vetting officer's book
    page = client.get(reverse("deployments_evidence", args=[suspected.pk, entry["id"]]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "slapped the hawker" in body and "Otieno Hawker" in body and "the police officer suspected" in body
    assert AccessEvent.objects.filter(
        username="vetting",
        record_type="occurrence",
        record_id=entry["id"],
        record_station_id=node.station_id,
        purpose="evidence",
        outcome="shown",
    ).exists()


def test_a_correction_at_the_node_moves_the_finding_and_the_evidence_reads_as_corrected(
    client: Client, joined: tuple[EnrolledNode, Book], vetting_officer: User, nominate: Nominate
) -> None:
    node, book = joined
    first, second, struck = nominate("kipchumba"), nominate("wafula"), nominate("chebet")
    entry = assault_at_node(
        node.station,
        1,
        details={"suspected_officer": first.officer.service_number},
        parties=[
            {"role": "complainant", "name": "Otieno Hawker"},
            {"role": "suspect", "name": f"PC Chebet {struck.officer.service_number}"},
        ],
    )
    held_at_hub(node, book, entry)
    assert findings(vetting_officer, struck.pk) == [("ob_police_offence", "named", entry["id"])]
    moved = amendment(
        node.station,
        entry,
        2,
        {
            "reason": "The complainant picked out the other officer at the parade.",
            "changes": {"suspected_officer": second.officer.service_number},
            "parts": {"parties": [{"of": 1, "in_error": True}]},
        },
    )
    held_at_hub(node, book, moved)
    assert findings(vetting_officer, first.pk) == [] and findings(vetting_officer, struck.pk) == []
    assert findings(vetting_officer, second.pk) == [("ob_police_offence", "suspected", entry["id"])]
    client.force_login(vetting_officer)
    assert client.get(reverse("deployments_evidence", args=[first.pk, entry["id"]])).status_code == 404
    page = client.get(reverse("deployments_evidence", args=[second.pk, entry["id"]]))
    assert page.status_code == 200
    assert second.officer.service_number in page.content.decode()  # the field as the correction reads
    none = amendment(
        node.station,
        entry,
        3,
        {"reason": "A county askari, not a police officer.", "changes": {"suspected_officer": "none"}},
    )
    held_at_hub(node, book, none)
    assert findings(vetting_officer, second.pk) == []


def test_a_node_recorded_entry_not_naming_the_candidate_is_not_evidence_and_colleagues_are_refused(
    client: Client,
    joined: tuple[EnrolledNode, Book],
    desk_officer: User,
    vetting_officer: User,
    nominate: Nominate,
) -> None:
    node, book = joined
    candidate, other = nominate("kipchumba"), nominate("wafula")
    entry = assault_at_node(node.station, 1, details={"suspected_officer": other.officer.service_number})
    held_at_hub(node, book, entry)
    client.force_login(vetting_officer)
    assert client.get(reverse("deployments_evidence", args=[candidate.pk, entry["id"]])).status_code == 404
    assert AccessEvent.objects.filter(username="vetting", record_id=entry["id"], outcome="denied").exists()
    client.force_login(desk_officer)
    assert client.get(reverse("deployments_evidence", args=[other.pk, entry["id"]])).status_code == 403
    assert not AccessEvent.objects.filter(record_id=entry["id"], outcome="shown").exists()


def test_findings_for_many_officers_take_as_many_queries_as_for_one_with_node_entries_held(
    joined: tuple[EnrolledNode, Book], nominate: Nominate
) -> None:
    node, book = joined
    candidates = [nominate(f"officer{n}") for n in range(40)]
    numbers = [c.officer.service_number for c in candidates]
    first = assault_at_node(node.station, 1, details={"suspected_officer": numbers[0]})
    held_at_hub(
        node,
        book,
        first,
        assault_at_node(node.station, 2, details={"suspected_officer": numbers[1]}),
        amendment(node.station, first, 3, {"reason": "Another officer.", "changes": {"suspected_officer": numbers[3]}}),
        node_record(
            node.station, ob="OB 4/6/12/2026", entry_type="DEATH_IN_CUSTODY", details={}, recorded_by=numbers[5]
        ),
    )
    booked_at_node(node, book, numbers[6], "SN-NOT-NOMINATED", "death")
    counts = []
    for wanted in (numbers[:1], numbers):
        with CaptureQueriesContext(connection) as run:
            found = queries.findings_for(wanted)
        counts.append(len(run.captured_queries))
    # The hub's own book and cell register (four), the mirrored books' suspected officers (two), deaths in
    # custody entries (two) and deaths and injuries in custody with their bookings and arrests (three).
    assert counts[0] == counts[1] == 13
    assert [len(found[n]) for n in numbers[:7]] == [0, 1, 0, 1, 0, 1, 1]
