"""At a station node the desk checks a refugee document with no link: the hub sends the documents'
states down in its signed log (only what a check needs, and only what changed), the node verifies
them before keeping them, and its answer says how old its copy is.

In one process and one database, as the hub feed's fast tests run: the hub publishes and builds the
feed, the node applies it (settings.DAFTARI_ROLE switched), and the node's answer comes from its copy,
never from the register's tables beside it (a revocation the node has not pulled is not seen).
"""

import base64
import copy
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.hubfeed.apply import FeedResult, apply_feed, hub_data_as_of, last_verified
from daftari.hubfeed.models import PublishedRecord
from daftari.hubfeed.publish import build_feed, publish_reference_data, publish_tick
from daftari.ledger import keys
from daftari.refugees import node_copy, queries, services
from daftari.refugees.models import DocumentCopy, Person, RefugeeDocument
from daftari.stations.models import AccessEvent, Station
from tests.refugees.conftest import days_ago, issue

pytestmark = pytest.mark.django_db

KIND = "refugee_doc_state"


@pytest.fixture
def card(drs_officer: User, refugee: Person) -> RefugeeDocument:
    return issue(drs_officer, refugee, "RID-KAK-26-000001")


class Link:
    """The hub and one station's node sharing this test's database: the node keeps what it verified."""

    def __init__(self, station: Station, settings: Any) -> None:
        self.station, self.settings, self.verified = station, settings, 0

    def feed(self) -> dict[str, Any]:
        """What the node would pull now, as it travels (JSON), once the hub's worker has published."""
        self.settings.DAFTARI_ROLE = "hub"
        publish_tick()
        return json.loads(json.dumps(build_feed(self.station, self.verified)))

    def apply(self, feed: dict[str, Any]) -> FeedResult:
        self.settings.DAFTARI_ROLE = "node"
        result = apply_feed(feed, keys.verifier_key(), last_verified(), station_code=self.station.code)
        if result.ok:
            self.verified = result.size
        return result

    def pull(self) -> FeedResult:
        return self.apply(self.feed())

    def note_at_node(self, reader: User, typed: str) -> str:
        self.settings.DAFTARI_ROLE = "node"
        note = queries.identity_note(reader, typed)
        assert note is not None
        return note


@pytest.fixture
def link(station: Station, settings: Any) -> Link:
    return Link(station, settings)


def _document_leaves(feed: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in feed["leaves"] if json.loads(base64.b64decode(e["data"]))["kind"] == KIND]


def _as_of_words() -> str:
    as_of = hub_data_as_of()
    assert as_of is not None
    return f"(As the register stood at {queries.register_time(as_of)}.)"


def test_a_document_revoked_at_the_hub_shows_revoked_at_the_node_after_its_next_pull(
    link: Link, desk_officer: User, drs_supervisor: User, card: RefugeeDocument
) -> None:
    assert link.pull().ok
    valid = link.note_at_node(desk_officer, "RIDKAK26000001")
    assert valid == f"Refugee ID card RID-KAK-26-000001: valid in the refugee register. {_as_of_words()}"

    services.revoke_document(actor=drs_supervisor, document=card, on=days_ago(0), reason="issued in error")
    result = link.pull()

    assert result.ok, result.message
    assert result.applied.get(KIND) == 1
    revoked = link.note_at_node(desk_officer, "RIDKAK26000001")
    assert revoked.startswith("Mismatch: Refugee ID card RID-KAK-26-000001 is revoked in the refugee register.")
    assert revoked.endswith(_as_of_words())
    # Each check at the node is logged, as at the hub.
    assert AccessEvent.objects.filter(user=desk_officer, record_type="refugee_document", outcome="shown").count() == 2


def test_with_the_link_down_the_node_answers_from_its_last_verified_copy_and_says_how_old_it_is(
    link: Link, desk_officer: User, drs_officer: User, drs_supervisor: User, refugee: Person, card: RefugeeDocument
) -> None:
    issue(drs_officer, refugee, "RID-KAK-26-000002", issued_ago=400, expires_on=days_ago(1))
    assert link.pull().ok
    as_of = hub_data_as_of()

    # The hub revokes the card and issues another; the node pulls nothing.
    services.revoke_document(actor=drs_supervisor, document=card, on=days_ago(0), reason="issued in error")
    issue(drs_officer, refugee, "RID-KAK-26-000003")
    link.feed()

    assert hub_data_as_of() == as_of
    assert link.note_at_node(desk_officer, "RID-KAK-26-000001").startswith(
        "Refugee ID card RID-KAK-26-000001: valid in the refugee register. (As the register stood at "
    )
    # Expiry is judged at the node on the day asked, from the dates it holds.
    assert link.note_at_node(desk_officer, "RID-KAK-26-000002").startswith(
        "Mismatch: Refugee ID card RID-KAK-26-000002 is expired in the refugee register."
    )
    assert link.note_at_node(desk_officer, "RID-KAK-26-000003").startswith(
        "Mismatch: the refugee register has issued no Refugee ID card numbered RID-KAK-26-000003."
    )
    # The check page at the node says so too, and still tells the desk to record the complaint.
    client = Client()
    client.force_login(desk_officer)
    page = client.get("/refugees/check", {"number": "RID-KAK-26-000001"}).content.decode()
    assert "As the register stood at " in page and "last verified copy from the hub" in page
    assert "never a reason to refuse a report" in page


def test_a_node_that_has_never_pulled_says_it_holds_no_copy_of_the_register_and_refuses_nothing(
    link: Link, desk_officer: User, card: RefugeeDocument
) -> None:
    note = link.note_at_node(desk_officer, "RIDKAK26000001")
    assert note.startswith(
        "Refugee ID card RID-KAK-26-000001: no copy of the refugee register has reached this station yet."
    )


def test_a_tampered_feed_of_document_states_is_not_applied(
    link: Link, desk_officer: User, drs_supervisor: User, card: RefugeeDocument
) -> None:
    assert link.pull().ok
    services.revoke_document(actor=drs_supervisor, document=card, on=days_ago(0), reason="issued in error")
    good = link.feed()
    tampered = copy.deepcopy(good)
    [leaf] = _document_leaves(tampered)
    assert leaf["record"]["state"] == "revoked"
    leaf["record"]["state"] = "valid"  # somebody on the wire un-revokes the card

    refused = link.apply(tampered)

    assert (refused.ok, refused.failed_check) == (False, "record")
    assert DocumentCopy.objects.count() == 1
    assert "valid in the refugee register" in link.note_at_node(desk_officer, "RIDKAK26000001")
    assert link.apply(good).ok
    assert "is revoked" in link.note_at_node(desk_officer, "RIDKAK26000001")


def test_only_what_a_check_needs_travels_and_only_the_documents_that_changed(
    link: Link, drs_officer: User, drs_supervisor: User, refugee: Person, settings: Any
) -> None:
    from daftari.ledger.verification import verify_book

    cards = [issue(drs_officer, refugee, f"RID-KAK-26-{n:06d}") for n in range(1, 21)]
    first = link.feed()
    leaves = _document_leaves(first)
    assert len(leaves) == 20
    assert {tuple(sorted(e["record"])) for e in leaves} == {tuple(sorted(node_copy.FIELDS))}
    text = json.dumps(first)
    for detail in ("Amina", "Abdi", "Somali", "Bajuni", "BIMS-000123", "0712345678", str(refugee.pk)):
        assert detail not in text
    assert link.apply(first).ok

    assert publish_reference_data() == 0  # nothing new in the register: nothing published
    services.revoke_document(actor=drs_supervisor, document=cards[4], on=days_ago(0), reason="issued in error")
    second = link.feed()
    assert [e["record"]["number"] for e in _document_leaves(second)] == ["RID-KAK-26-000005"]
    assert PublishedRecord.objects.filter(kind=KIND).count() == 21
    assert link.apply(second).ok

    settings.DAFTARI_ROLE = "hub"
    report = verify_book("hub")
    assert report.ok, report.problems


def test_a_whole_register_is_published_over_several_ticks_leaving_no_document_out(
    drs_officer: User, drs_supervisor: User, refugee: Person
) -> None:
    cards = [issue(drs_officer, refugee, f"RID-KAK-26-{n:06d}") for n in range(1, 6)]
    services.revoke_document(actor=drs_supervisor, document=cards[0], on=days_ago(0), reason="issued in error")

    assert [publish_reference_data(refugee_documents=2) > 0 for _ in range(3)] == [True] * 3
    assert publish_reference_data(refugee_documents=2) == 0

    published = PublishedRecord.objects.filter(kind=KIND).order_by("hub_index")
    # The revoked card's last leaf is the register's latest: it goes last, once, as revoked.
    assert [p.record["number"][-1] for p in published] == ["2", "3", "4", "5", "1"]
    assert [p.record["state"] for p in published] == ["valid"] * 4 + ["revoked"]


def test_publishing_many_documents_costs_the_same_statements_as_publishing_a_few(
    drs_officer: User, drs_supervisor: User, refugee: Person
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    publish_reference_data()  # the stations, officers and offences: what follows is documents only

    def statements_to_publish(numbers: range) -> int:
        for n in numbers:
            issue(drs_officer, refugee, f"RID-KAK-26-{n:06d}")
        with CaptureQueriesContext(connection) as queries_run:
            assert publish_reference_data() == len(numbers)
        return len(queries_run)

    assert statements_to_publish(range(1, 3)) == statements_to_publish(range(3, 23))
    assert PublishedRecord.objects.filter(kind=KIND).count() == 22
