"""National search at the hub over the books mirrored from station nodes (NODES.md: "the existing
search, with scope 'all stations' for roles that hold it, over every mirrored book"). The node's
book is built and pushed as in test_hub: signed with the node's key, verified and cosigned."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from daftari.nodes import hub, mirror
from daftari.nodes.models import EnrolledNode, MirroredEntry, MirroredLeaf, MirroredMention
from daftari.nodes.tasks import index_mirrored_book
from daftari.notifications.erasure import erase_sms, in_use
from daftari.notifications.models import Recipient
from daftari.notifications.services import send_sms
from daftari.occurrences.rules import PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import AccessEvent, Station
from tests.conftest import complaint
from tests.erasure_support import tables_holding
from tests.nodes.test_hub import Book, send
from tests.notifications.support import CommitCallbacks
from tests.occurrences.test_api import Api

pytestmark = pytest.mark.django_db

ID_NUMBER = "29876543"
PHONE = "+254733111222"
PLATE = "KDA 123B"


@pytest.fixture
def joined(station: Station, desk_officer: User) -> tuple[EnrolledNode, Book]:
    """The station's node, joined: its book is kept there, the hub mirrors it."""
    _node, code = hub.enrol(station=station)
    book = Book(origin=f"daftari.local/ob/{station.code}")
    return hub.join(code=code, public_key=str(book.signer.verifier())), book


def node_record(station: Station, **overrides: Any) -> dict[str, Any]:
    """An entry as a node's desk records it (occurrences.records.ledger_record)."""
    now = timezone.now()
    record: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "station": station.code,
        "ob": "OB 7/6/12/2026",
        "entry_type": "COMPLAINT",
        "occurred_at": (now - timedelta(hours=2)).isoformat(),
        "recorded_at": now.isoformat(),
        "recorded_by": "SN1001",
        "place": "Kondele stage",
        "lat": None,
        "lon": None,
        "narrative": "Complainant reports her handbag was snatched at the stage.",
        "details": {},
        "refers_to": None,
        "is_late": False,
        "parties": [
            {
                "role": "complainant",
                "name": "Achieng Odhiambo",
                "id_number": ID_NUMBER,
                "phone": PHONE,
                "sex": "F",
                "date_of_birth": None,
                "age": 29,
            }
        ],
        "offences": [{"section": "s.268 Penal Code", "description": "Stealing"}],
        "property_items": [{"description": "Black handbag", "serial_number": "", "quantity": 1, "value_kes": 3000}],
        "vehicles": [{"plate": "KDA123B", "make_model": "Boxer motorcycle", "colour": "red"}],
    }
    record.update(overrides)
    return record


@pytest.fixture
def node_entry(joined: tuple[EnrolledNode, Book]) -> dict[str, Any]:
    """One complaint recorded at the station's node and pushed to the hub, which holds it verified."""
    node, book = joined
    record = node_record(node.station)
    book.record(record=record)
    send(node, book.push(0, 1))
    mirror.index_new()  # the hub worker's job, queued when the push was accepted
    return record


def found(api: Api, **params: str) -> list[str]:
    response = api.get("/occurrences", **params)
    assert response.status_code == 200, response.content
    return [result["id"] for result in response.json()["results"]]


def test_oversight_at_the_hub_finds_a_person_recorded_at_a_node_by_name_id_number_and_phone(
    client: Client, oversight: User, node_entry: dict[str, Any]
) -> None:
    api = Api(client, oversight)
    assert found(api, name="Achieng") == [node_entry["id"]]
    assert found(api, id_number=ID_NUMBER) == [node_entry["id"]]
    assert found(api, phone="0733 111 222") == [node_entry["id"]]
    assert found(api, q="handbag") == [node_entry["id"]]
    result = api.get("/occurrences", id_number=ID_NUMBER).json()["results"][0]
    assert result["ob_number"] == "OB 7/6/12/2026" and result["station"] == node_entry["station"]
    assert result["parties"][0]["name"] == "Achieng Odhiambo"


def test_each_read_of_a_node_entry_at_the_hub_is_logged_as_any_other(
    client: Client, oversight: User, node_entry: dict[str, Any], station: Station
) -> None:
    api = Api(client, oversight)
    found(api, id_number=ID_NUMBER)
    event = AccessEvent.objects.get(record_id=node_entry["id"])
    assert event.username == oversight.username
    assert (event.record_type, event.record_station_id, event.outcome) == ("occurrence", station.pk, "shown")
    assert event.purpose == AccessEvent.Purpose.SEARCH


def test_the_desk_search_page_at_the_hub_finds_a_node_entry_by_plate_and_by_ob_number(
    client: Client, oversight: User, node_entry: dict[str, Any], station: Station
) -> None:
    client.force_login(oversight)
    by_plate = client.get("/search", {"q": PLATE}).content.decode()
    by_ob = client.get("/search", {"q": "OB 7/6/12/2026"}).content.decode()
    for page in (by_plate, by_ob):
        assert "OB 7/6/12/2026" in page and station.name in page
        assert "Kept at the station node" in page
    assert AccessEvent.objects.filter(record_id=node_entry["id"], channel="desk").count() == 2


def test_another_stations_desk_at_the_hub_does_not_find_the_node_entry(
    client: Client, officer_elsewhere: User, node_entry: dict[str, Any]
) -> None:
    api = Api(client, officer_elsewhere)
    assert found(api, id_number=ID_NUMBER) == []
    assert found(api, plate=PLATE) == []
    assert not AccessEvent.objects.filter(record_id=node_entry["id"]).exists()


def test_the_node_stations_own_officers_find_their_entry_at_the_hub(
    client: Client, desk_officer: User, node_entry: dict[str, Any]
) -> None:
    assert found(Api(client, desk_officer), id_number=ID_NUMBER) == [node_entry["id"]]


def test_an_analyst_finds_a_node_entry_by_plate_with_the_personal_data_withheld(
    client: Client, analyst: User, node_entry: dict[str, Any]
) -> None:
    api = Api(client, analyst)
    [result] = api.get("/occurrences", plate=PLATE).json()["results"]
    assert result["id"] == node_entry["id"]
    assert result["personal_data_withheld"] and result["parties"] == [] and result["narrative"] is None
    assert api.get("/occurrences", id_number=ID_NUMBER).status_code == 403
    assert AccessEvent.objects.get(record_id=node_entry["id"]).outcome == "withheld"


def test_national_search_lists_hub_and_node_entries_of_one_person_together_newest_first(
    client: Client,
    oversight: User,
    joined: tuple[EnrolledNode, Book],
    officer_elsewhere: User,
    other_station: Station,
) -> None:
    node, book = joined
    earlier = node_record(node.station, recorded_at=(timezone.now() - timedelta(days=2)).isoformat())
    book.record(record=earlier)
    at_hub = record_occurrence(
        actor=officer_elsewhere,
        station=other_station,
        draft=complaint(parties=(PartyInput(role="complainant", name="Achieng Odhiambo", id_number=ID_NUMBER),)),
    ).entry
    later = node_record(
        node.station, ob="OB 9/6/12/2026", recorded_at=(timezone.now() + timedelta(minutes=1)).isoformat()
    )
    book.record(record=later)
    send(node, book.push(0, 2))
    mirror.index_new()
    assert found(Api(client, oversight), id_number=ID_NUMBER) == [later["id"], str(at_hub.pk), earlier["id"]]


def test_what_the_node_sends_that_is_not_an_entry_is_not_indexed_for_search(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    book.record(2)  # records of no entry type the hub knows
    book.record(kind="custody", record={"id": str(uuid.uuid4()), "state": "in_custody"})
    send(node, book.push(0, 3))
    assert mirror.index_new() == 0
    assert not MirroredEntry.objects.exists()


def test_an_entry_the_node_erased_by_lawful_order_is_no_longer_found_at_the_hub(
    client: Client, oversight: User, joined: tuple[EnrolledNode, Book], node_entry: dict[str, Any]
) -> None:
    node, book = joined
    book.record(kind="redaction", record={"redacts": 0, "authority": "Court order 12/2026"})
    send(node, book.push(1, 2))
    assert found(Api(client, oversight), id_number=ID_NUMBER) == []


def test_a_batch_is_verified_and_mirrored_in_as_many_statements_whatever_its_size_or_the_books(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    for _ in range(43):
        book.record(record=node_record(node.station, id=str(uuid.uuid4())))
    send(node, book.push(0, 1))
    with CaptureQueriesContext(connection) as small:
        send(node, book.push(1, 3))
    with CaptureQueriesContext(connection) as large:
        send(node, book.push(3, 43))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert MirroredLeaf.objects.filter(node=node).count() == 43


def test_the_worker_indexes_a_book_for_search_in_as_many_statements_whatever_how_much_is_new(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    for _ in range(43):
        book.record(record=node_record(node.station, id=str(uuid.uuid4())))
    send(node, book.push(0, 2))
    with CaptureQueriesContext(connection) as small:
        assert mirror.index_new() == 2
    send(node, book.push(2, 43))
    with CaptureQueriesContext(connection) as large:
        assert mirror.index_new() == 41
    assert len(large.captured_queries) == len(small.captured_queries)
    assert MirroredEntry.objects.filter(station=node.station).count() == 43
    assert MirroredMention.objects.filter(entry__station=node.station, kind="phone", value=PHONE).count() == 43


def test_right_after_a_push_the_entry_is_not_yet_found_and_the_hub_says_how_many_leaves_wait_for_search(
    client: Client, oversight: User, admin_officer: User, joined: tuple[EnrolledNode, Book]
) -> None:
    node, book = joined
    for _ in range(3):
        book.record(record=node_record(node.station, id=str(uuid.uuid4())))
    book.record(kind="custody", record={"id": str(uuid.uuid4()), "state": "in_custody"})
    send(node, book.push(0, 4))
    assert found(Api(client, oversight), id_number=ID_NUMBER) == []
    [row] = Api(client, admin_officer).get("/hub/nodes").json()
    assert (row["size"], row["waiting_for_search"]) == (4, 4)

    assert mirror.index_new() == 3  # the custody record is held, not an entry search finds
    assert len(found(Api(client, oversight), id_number=ID_NUMBER)) == 3
    [row] = Api(client, admin_officer).get("/hub/nodes").json()
    assert (row["size"], row["waiting_for_search"]) == (4, 0)


def test_the_index_job_run_twice_indexes_each_entry_once(
    client: Client, oversight: User, joined: tuple[EnrolledNode, Book]
) -> None:
    node, book = joined
    book.record(record=node_record(node.station))
    send(node, book.push(0, 1))
    assert (mirror.index_new(), mirror.index_new(), mirror.index_new(node.pk)) == (1, 0, 0)
    book.record(record=node_record(node.station, id=str(uuid.uuid4())))
    send(node, book.push(1, 2))
    assert (mirror.index_new(node.pk), mirror.index_new()) == (1, 0)
    assert MirroredEntry.objects.count() == 2
    assert MirroredMention.objects.filter(kind="id_number", value=ID_NUMBER).count() == 2
    assert len(found(Api(client, oversight), id_number=ID_NUMBER)) == 2


def test_an_entry_erased_before_the_index_job_ran_is_never_indexed(
    client: Client, oversight: User, joined: tuple[EnrolledNode, Book]
) -> None:
    node, book = joined
    book.record(record=node_record(node.station))
    send(node, book.push(0, 1))
    book.record(kind="redaction", record={"redacts": 0, "authority": "Court order 12/2026"})
    send(node, book.push(1, 2))
    assert mirror.index_new() == 0
    assert not MirroredEntry.objects.exists() and not MirroredMention.objects.exists()
    assert found(Api(client, oversight), id_number=ID_NUMBER) == []


def test_an_entry_erased_in_the_batch_that_brings_it_is_stored_blank_and_never_indexed(
    client: Client, oversight: User, joined: tuple[EnrolledNode, Book]
) -> None:
    node, book = joined
    book.record(record=node_record(node.station))
    book.record(kind="redaction", record={"redacts": 0, "authority": "Court order 12/2026"})
    send(node, book.push(0, 2))
    assert MirroredLeaf.objects.get(node=node, index=0).record is None
    assert mirror.index_new() == 0
    assert found(Api(client, oversight), id_number=ID_NUMBER) == []


def test_an_indexed_entry_erased_later_stays_out_of_the_index_when_the_job_runs_again(
    client: Client, oversight: User, joined: tuple[EnrolledNode, Book], node_entry: dict[str, Any]
) -> None:
    node, book = joined
    book.record(kind="redaction", record={"redacts": 0, "authority": "Court order 12/2026"})
    book.record(record=node_record(node.station, id=str(uuid.uuid4()), parties=[]))
    send(node, book.push(1, 3))
    assert not MirroredEntry.objects.filter(entry_id=node_entry["id"]).exists()
    assert mirror.index_new() == 1  # the later entry alone
    assert not MirroredEntry.objects.filter(entry_id=node_entry["id"]).exists()
    assert found(Api(client, oversight), id_number=ID_NUMBER) == []


def sms_to_the_phone(event_key: str) -> None:
    send_sms(
        to=PHONE,
        template="complaint_recorded",
        context={"ob_number": "OB/1/1/2026", "station": "Central", "status_url": "http://x"},
        language="sw",
        event_key=event_key,
    )


def test_a_phone_a_mirrored_entry_names_keeps_its_language_when_the_sms_to_it_are_erased(
    node_entry: dict[str, Any],
) -> None:
    sms_to_the_phone("a")
    erase_sms(Q(event_key="a"))
    assert in_use(PHONE)
    assert Recipient.objects.get(phone=PHONE).language == "sw"


def test_once_the_node_erases_the_entry_the_phone_is_no_longer_in_use_and_its_language_goes(
    joined: tuple[EnrolledNode, Book],
    node_entry: dict[str, Any],
) -> None:
    node, book = joined
    sms_to_the_phone("a")
    book.record(kind="redaction", record={"redacts": 0, "authority": "Court order 12/2026"})
    send(node, book.push(1, 2))
    erase_sms(Q(event_key="a"))
    assert not in_use(PHONE)
    assert not Recipient.objects.filter(phone=PHONE).exists()


def test_a_national_searcher_opens_a_node_entry_and_sees_it_mirrored_with_its_station_ob_number_and_proof(
    client: Client, oversight: User, node_entry: dict[str, Any], station: Station
) -> None:
    client.force_login(oversight)
    found_page = client.get("/search", {"q": PLATE}).content.decode()
    assert f'href="/mirrored/{node_entry["id"]}"' in found_page
    response = client.get(f"/mirrored/{node_entry['id']}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "OB 7/6/12/2026" in page and station.name in page and station.code in page
    assert f"Mirrored from the station node of {station.name}" in page
    assert "Leaf 0 of the station's book: verified against the node's signed checkpoint of 1 entries" in page
    assert "witnessed by the hub at" in page
    assert "Achieng Odhiambo" in page and "handbag was snatched" in page
    event = AccessEvent.objects.exclude(purpose=AccessEvent.Purpose.SEARCH).get(record_id=node_entry["id"])
    assert (event.username, event.outcome, event.record_station_id) == (oversight.username, "shown", station.pk)
    assert event.purpose == AccessEvent.Purpose.OVERSIGHT_REVIEW  # oversight's every read is its review


def test_the_mirrored_entry_page_reads_in_kiswahili(
    client: Client, oversight: User, node_entry: dict[str, Any], station: Station
) -> None:
    client.force_login(oversight)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    page = client.get(f"/mirrored/{node_entry['id']}").content.decode()
    assert f"Nakala kutoka kituo kidogo cha {station.name}" in page
    assert "Jani 0 la kitabu cha kituo" in page


def test_an_analyst_opens_a_node_entry_with_the_personal_data_withheld(
    client: Client, analyst: User, node_entry: dict[str, Any]
) -> None:
    client.force_login(analyst)
    page = client.get(f"/mirrored/{node_entry['id']}").content.decode()
    assert "OB 7/6/12/2026" in page and "Personal data is withheld for your role." in page
    assert "Achieng" not in page and "handbag was snatched" not in page
    assert AccessEvent.objects.get(record_id=node_entry["id"]).outcome == "withheld"


def test_another_stations_desk_gets_404_for_a_node_entry_and_the_attempt_is_logged(
    client: Client, officer_elsewhere: User, node_entry: dict[str, Any]
) -> None:
    client.force_login(officer_elsewhere)
    assert client.get(f"/mirrored/{node_entry['id']}").status_code == 404
    assert client.get(f"/mirrored/{uuid.uuid4()}").status_code == 404
    event = AccessEvent.objects.get(record_id=node_entry["id"])
    assert (event.username, event.outcome) == (officer_elsewhere.username, "denied")


def test_a_record_the_node_erases_by_lawful_order_is_erased_from_the_hubs_mirror_and_its_leaf_kept(
    joined: tuple[EnrolledNode, Book], node_entry: dict[str, Any]
) -> None:
    node, book = joined
    assert tables_holding("Achieng Odhiambo") != []
    book.record(kind="redaction", record={"redacts": 0, "authority": "Court order 12/2026"})
    send(node, book.push(1, 2))
    assert tables_holding("Achieng Odhiambo") == []
    assert tables_holding(PHONE) == []
    erased = MirroredLeaf.objects.get(node=node, index=0)
    assert (erased.record, erased.salt, bytes(erased.data)) == (None, None, book.leaves[0])
    # The guard is back on: the hub's copy of the book stays append-only.
    with pytest.raises(DatabaseError), transaction.atomic():
        MirroredLeaf.objects.filter(node=node, index=1).update(kind="occurrence")


def indexing_jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="daftari.nodes.tasks.index_mirrored_book"))


def test_an_accepted_push_queues_the_indexing_job_once_until_the_book_is_indexed_and_the_job_indexes_it(
    client: Client,
    oversight: User,
    joined: tuple[EnrolledNode, Book],
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    node, book = joined
    for _ in range(3):
        book.record(record=node_record(node.station, id=str(uuid.uuid4())))
    with django_capture_on_commit_callbacks(execute=True):
        send(node, book.push(0, 1))
    [job] = indexing_jobs()
    assert job.args_kwargs["args"] == [node.pk]
    with django_capture_on_commit_callbacks(execute=True):
        send(node, book.push(1, 2))  # the queued job takes this batch too
    assert len(indexing_jobs()) == 1
    assert index_mirrored_book.call(node.pk) == 2
    with django_capture_on_commit_callbacks(execute=True):
        send(node, book.push(2, 3))  # indexed up to here: a job again
    assert len(indexing_jobs()) == 2
    assert index_mirrored_book.call(node.pk) == 1
    assert len(found(Api(client, oversight), id_number=ID_NUMBER)) == 3
