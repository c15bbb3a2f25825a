"""A hub (``daftari serve`` on PostgreSQL) and station nodes (``daftari serve`` on SQLite), real
processes on one machine: enrol, join, record at the node with the hub away, push, witness, refuse.

Runs in the PostgreSQL pass (the hub's database is a sibling of the test database, ``<name>_hub``).
"""

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from bench.hub_and_node import (
    DAFTARI,
    Server,
    hub_holds_the_nodes_book,
    hub_sql,
    mirrored,
    node_size,
    node_sql,
    ob_number_problems,
    ob_numbers_at_the_hub,
    wait_for_a_batch,
    witnessed,
)
from daftari_verify.note import Signer
from django.db import connection
from django.utils import timezone

from daftari.occurrences.rules import parse_ob_number
from tests.migrated_sqlite import copy_into
from tests.nodes.real_processes import hub_database_url
from tests.test_cli import free_port

BATCH = 8  # leaves per push here, so that a few dozen entries make many batches


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, migrated_postgres: str) -> Iterator[Server]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAFTARI_")}
    env.update(
        DATABASE_URL=hub_database_url("hub", template=migrated_postgres),
        DAFTARI_DATA_DIR=str(tmp_path_factory.mktemp("hub")),
        DAFTARI_TESTING="0",
        DAFTARI_ROLE="hub",
        DAFTARI_SMS_BACKEND="file",
        # Oversight searches the hub's API here with a password alone (the second factor has its own tests).
        DAFTARI_SECOND_FACTOR_ROLES="ocs,commander,admin",
        # The demo's day is what these tests use; its months of back-captured history are not.
        DAFTARI_DEMO_HISTORY_DAYS="0",
    )
    server = Server(env, free_port())
    # The database is a copy of a migrated one: migrate has nothing left to do. One process for both
    # commands, as each ``daftari`` command starts Django anew.
    commands = "from django.core.management import call_command\ncall_command('migrate', verbosity=0)\n"
    commands += "call_command('demo')\n"
    server.run("shell", "-v0", "-c", commands)
    # Oversight is told of a refusal by SMS: give the demo's IPOA officer a phone.
    hub_sql(
        server,
        "UPDATE stations_officer SET phone = '+254711000001' WHERE user_id = "
        "(SELECT id FROM auth_user WHERE username = 'oversight1')",
    )
    server.start()
    yield server
    server.stop()


@contextmanager
def _worker(server: Server) -> Iterator[None]:
    """``daftari worker`` beside ``server``, as in production (at a node it is what pushes to the hub)."""
    worker = subprocess.Popen([DAFTARI, "worker"], env=server.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=30)


def _node(
    hub: Server, tmp_path_factory: pytest.TempPathFactory, station: str, *, migrated_sqlite: Path | None = None
) -> Server:
    """A node of ``station``: its own SQLite data directory, migrated, joined to the hub, serving.

    Without ``migrated_sqlite`` the data directory starts empty and ``node join`` migrates it, as at a
    new station; with it, the directory starts as a copy of that migrated file (10-20 s saved)."""
    data_dir = tmp_path_factory.mktemp("node")
    if migrated_sqlite is not None:
        copy_into(migrated_sqlite, data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAFTARI_") and k != "DATABASE_URL"}
    env.update(
        DAFTARI_DATA_DIR=str(data_dir),
        DAFTARI_TESTING="0",
        DAFTARI_ROLE="node",
        DAFTARI_HUB_URL=hub.url,
        DAFTARI_NODE_BATCH_LEAVES=str(BATCH),
        DAFTARI_NODE_TIMEOUT_SECONDS="5",
    )
    node = Server(env, free_port())
    enrolment = hub.run("hub", "enrol", "--station", station)
    code = enrolment.stdout.strip().splitlines()[-1]
    joined = node.run("node", "join", "--hub", hub.url, "--code", code)
    assert station in joined.stdout
    again = node.run("node", "join", "--hub", hub.url, "--code", code, check=False)
    assert again.returncode != 0, "an enrolment code works once"
    node.start()
    return node


@pytest.fixture(scope="module")
def node(hub: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # The one node joined on an empty data directory: ``node join`` migrates a new station's database.
    server = _node(hub, tmp_path_factory, "KILIMANI")
    yield server
    server.stop()


def _token(node: Server, username: str) -> str:
    answer = httpx.post(
        node.url + "/api/v1/auth/token", json={"username": username, "password": "daftari-demo"}, timeout=30
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def _entry(i: int, name: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "entry_type": "COMPLAINT",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "place": "Argwings Kodhek Road",
        "narrative": f"Complainant reports a phone snatched near the stage ({i}).",
        "lat": None,
        "lon": None,
        "refers_to": None,
        "parties": [
            {
                "role": "complainant",
                "name": name,
                "id_number": "12345678",
                "phone": "+254712345678",
                "sex": "F",
                "age": 34,
                "date_of_birth": None,
            }
        ],
        "offences": [],
        "property_items": [],
        "vehicles": [],
        "details": {"action_taken": "Advised to block the SIM card."},
    }


def _record(node: Server, token: str, n: int, *, name: str = "Wanjiku Kamau") -> list[str]:
    ob_numbers = []
    with httpx.Client(base_url=node.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for i in range(n):
            answer = client.post("/api/v1/occurrences", json=_entry(i, name))
            assert answer.status_code == 201, answer.text
            ob_numbers.append(answer.json()["ob_number"])
    return ob_numbers


def test_a_node_keeps_recording_while_the_hub_is_away_and_the_hub_then_holds_its_book_verified_and_cosigned(
    hub: Server, node: Server
) -> None:
    token = _token(node, "desk3")  # an officer pulled from the hub at join signs in at the node
    _record(node, token, 3)
    assert node.run("node", "sync").returncode == 0

    hub.stop()
    during = _record(node, token, 12)  # the desk records and numbers with no hub at all
    unreachable = node.run("node", "sync", check=False)
    assert unreachable.returncode == 2, unreachable.stdout + unreachable.stderr
    assert node_sql(node, "SELECT sent_size FROM nodes_hublink") == [(3,)]
    away = httpx.get(node.url + "/api/v1/node/status", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert away.status_code == 200 and away.json()["pending_leaves"] == 12
    assert len(set(during)) == 12

    hub.start()
    synced = node.run("node", "sync")
    assert "0 waiting" in synced.stdout
    size = node_size(node)
    assert size == 15
    hub_holds_the_nodes_book(hub, node, "KILIMANI")
    assert node_sql(node, "SELECT sent_size, witnessed_size FROM nodes_hublink") == [(size, size)]
    status = httpx.get(node.url + "/api/v1/node/status", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert (status.json()["pending_leaves"], status.json()["witnessed_size"]) == (0, size)

    # The node's receipt: its own checkpoint of the whole book, cosigned with the hub's key.
    assert witnessed(hub, node, "KILIMANI") == size


def test_a_batch_sent_again_changes_nothing_at_the_hub_and_gets_the_same_cosignature(hub: Server, node: Server) -> None:
    token = _token(node, "desk3")
    _record(node, token, 2)
    node.run("node", "sync")
    size = node_size(node)
    before = hub_sql(hub, "SELECT count(*), max(size) FROM nodes_acceptedcheckpoint")
    leaves_before = hub_sql(hub, "SELECT count(*) FROM nodes_mirroredleaf")
    # As if the hub's answer had been lost: the node sends its last batch again.
    [(last,), (previous,)] = hub_sql(hub, "SELECT size FROM nodes_acceptedcheckpoint ORDER BY size DESC LIMIT 2")
    assert last == size
    node_sql(node, "UPDATE nodes_hublink SET sent_size = ?", (previous,))
    again = node.run("node", "sync")
    assert "0 waiting" in again.stdout
    assert hub_sql(hub, "SELECT count(*), max(size) FROM nodes_acceptedcheckpoint") == before
    assert hub_sql(hub, "SELECT count(*) FROM nodes_mirroredleaf") == leaves_before
    hub_holds_the_nodes_book(hub, node, "KILIMANI")


def test_ob_numbers_given_twice_or_with_a_gap_in_a_day_are_named() -> None:
    sixth, seventh = date(2026, 12, 6), date(2026, 12, 7)
    sound = [(1, sixth), (3, sixth), (2, sixth), (1, seventh)]
    assert ob_number_problems(sound) == []
    assert ob_number_problems([*sound, (2, sixth)]) == ["2026-12-06: numbered twice [2]"]
    assert ob_number_problems([(1, sixth), (4, sixth)]) == ["2026-12-06: missing [2, 3]"]
    assert ob_number_problems([(2, seventh)]) == ["2026-12-07: missing [1]"]


def _the_hub_holds_the_whole_book_once(hub: Server, node: Server, station: str) -> None:
    """After a sync that ended up to date: every leaf once, the receipt for all of it, and the
    station's OB numbers gapless and unique at the hub, as the node gave them."""
    hub_holds_the_nodes_book(hub, node, station)
    size = witnessed(hub, node, station)
    assert mirrored(hub, station) == size
    assert node_sql(node, "SELECT sent_size, witnessed_size FROM nodes_hublink") == [(size, size)]
    at_hub = ob_numbers_at_the_hub(hub, station)
    assert ob_number_problems(at_hub) == []
    at_node = node_sql(node, "SELECT ob_seq, ob_date FROM occurrences_occurrence")
    assert {(seq, str(day)) for seq, day in at_node} <= {(seq, str(day)) for seq, day in at_hub}


def test_a_node_killed_mid_push_again_and_again_loses_and_duplicates_nothing(hub: Server, node: Server) -> None:
    token = _token(node, "desk3")
    _record(node, token, 6 * BATCH)
    size = node_size(node)
    killed_at = []
    for _ in range(4):
        push = node.start_sync()
        # Killed the moment the hub has taken a batch, while the next ones are on their way.
        wait_for_a_batch(hub, "KILIMANI", beyond=mirrored(hub, "KILIMANI"), push=push)
        push.send_signal(signal.SIGKILL)
        push.wait(timeout=30)
        killed_at.append(mirrored(hub, "KILIMANI"))
    assert all(count < size for count in killed_at), f"every kill came mid-push: {killed_at} of {size}"
    assert node.run("node", "sync").returncode == 0
    _the_hub_holds_the_whole_book_once(hub, node, "KILIMANI")


def test_a_hub_killed_mid_push_and_restarted_loses_and_duplicates_nothing_of_the_nodes_book(
    hub: Server, node: Server
) -> None:
    token = _token(node, "desk3")
    _record(node, token, 6 * BATCH)
    size = node_size(node)
    killed_at = []
    for _ in range(2):
        before = mirrored(hub, "KILIMANI")
        push = node.start_sync()
        wait_for_a_batch(hub, "KILIMANI", beyond=before, push=push)
        # The hub goes down as in a power cut, gunicorn's worker with it, the next batch on its way.
        hub.kill()
        assert push.wait(timeout=30) == 2, "the node finds the hub gone mid-push"
        killed_at.append(mirrored(hub, "KILIMANI"))
        hub.start()  # the same database, the same port
    assert all(count < size for count in killed_at), f"every kill came mid-push: {killed_at} of {size}"
    synced = node.run("node", "sync")
    assert "0 waiting" in synced.stdout
    _the_hub_holds_the_whole_book_once(hub, node, "KILIMANI")


def test_the_hubs_national_search_finds_a_person_recorded_at_the_node_where_the_hub_itself_records_nothing(
    hub: Server, node: Server
) -> None:
    [ob_number] = _record(node, _token(node, "desk3"), 1, name="Nyokabi Gathoni")
    assert node.run("node", "sync").returncode == 0

    def search(username: str) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {_token(hub, username)}"}
        answer = httpx.get(hub.url + "/api/v1/occurrences", params={"name": "Nyokabi"}, headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["results"])

    # The hub has the entry, verified; national search reads it once the hub's worker indexed it.
    assert search("oversight1") == []
    nodes = httpx.get(
        hub.url + "/api/v1/hub/nodes", headers={"Authorization": f"Bearer {_token(hub, 'oversight1')}"}, timeout=30
    ).json()
    assert [row["waiting_for_search"] > 0 for row in nodes if row["station"] == "KILIMANI"] == [True]
    worker = subprocess.Popen([DAFTARI, "worker"], env=hub.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        found_now = search("oversight1")
        while not found_now and time.monotonic() < deadline:
            time.sleep(0.5)
            found_now = search("oversight1")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    [found] = found_now
    assert (found["ob_number"], found["station"]) == (ob_number, "KILIMANI")
    assert found["parties"][0]["name"] == "Nyokabi Gathoni"
    assert hub_sql(
        hub,
        "SELECT purpose, outcome FROM stations_accessevent WHERE username = 'oversight1' AND record_id = %s",
        (found["id"],),
    ) == [("search", "shown")]
    assert search("desk2") == []  # another station's desk at the hub

    # The station's own desk, signed in at the hub, cannot write the book its node keeps.
    refused = httpx.post(
        hub.url + "/api/v1/occurrences",
        json=_entry(0, "Nyokabi Gathoni"),
        headers={"Authorization": f"Bearer {_token(hub, 'desk3')}"},
        timeout=30,
    )
    assert refused.status_code == 403 and refused.json()["error"] == "book_kept_at_node"


def test_a_node_whose_unsent_entry_was_changed_behind_the_apps_back_is_refused_naming_the_leaf(
    hub: Server, tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path
) -> None:
    node = _node(hub, tmp_path_factory, "MOMBASA-CTL", migrated_sqlite=migrated_sqlite)
    try:
        token = _token(node, "desk4")
        _record(node, token, 2 * BATCH + 3)
        assert node.run("node", "sync").returncode == 0
        _record(node, token, 4)
        # A DBA drops the guard and rewrites an entry recorded since the last push.
        [(record_id, index)] = node_sql(
            node, 'SELECT record_id, "index" FROM ledger_leaf WHERE kind = \'occurrence\' ORDER BY "index" DESC LIMIT 1'
        )
        node_sql(node, "DROP TRIGGER daftari_append_only_occurrences_occurrence_update")
        node_sql(
            node,
            "UPDATE occurrences_occurrence SET narrative = 'Nothing happened.' WHERE id = ?",
            (uuid.UUID(record_id).hex,),
        )
        refused = node.run("node", "sync", check=False)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"leaf {index}" in refused.stderr
        [(reason, evidence)] = hub_sql(
            hub,
            "SELECT r.reason, r.batch FROM nodes_refusal r JOIN nodes_enrollednode n ON n.id = r.node_id "
            "WHERE n.origin LIKE %s",
            ("%/MOMBASA-CTL",),
        )
        assert f"leaf {index}" in reason
        assert "Nothing happened." in json.dumps(json.loads(evidence))
        assert hub_sql(
            hub,
            "SELECT count(*) FROM nodes_mirroredleaf l JOIN nodes_enrollednode n ON "
            "n.id = l.node_id WHERE n.origin LIKE %s",
            ("%/MOMBASA-CTL",),
        ) == [(2 * BATCH + 3,)]
        sms = hub_sql(hub, "SELECT \"to\", body FROM notifications_smsmessage WHERE template = 'node_refused'")
        assert "+254711000001" in [to for to, _ in sms]  # oversight (and the admins with a phone)
        assert all("MOMBASA-CTL" in body for _, body in sms)
        # The node's sync stays stopped: nothing more is sent until oversight has looked.
        assert node.run("node", "sync", check=False).returncode == 1
    finally:
        node.stop()


def test_a_node_joining_a_station_the_hub_numbered_today_goes_on_from_the_hubs_last_ob_number(
    hub: Server, tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path
) -> None:
    at_hub = _record(hub, _token(hub, "desk2"), 2)  # the hub's desk numbers the day's entries first
    node = _node(hub, tmp_path_factory, "KISUMU-CTL", migrated_sqlite=migrated_sqlite)
    try:
        [at_node] = _record(node, _token(node, "desk2"), 1)
    finally:
        node.stop()
    seq, day = parse_ob_number(at_node) or (0, None)
    hub_day = hub_sql(
        hub,
        "SELECT o.ob_seq FROM occurrences_occurrence o JOIN stations_station s ON s.id = o.station_id "
        "WHERE s.code = 'KISUMU-CTL' AND o.ob_date = %s",
        (day,),
    )
    hub_last = max((hub_seq for (hub_seq,) in hub_day), default=0)
    assert seq == hub_last + 1, f"{at_node} after the hub's {at_hub}"
    if parse_ob_number(at_hub[-1]) == (hub_last, day):  # not straddling midnight in Nairobi
        assert hub_last >= 2


ISSUE_ALERT = """
from django.contrib.auth.models import User
from daftari.alerts.rules import AlertDraft
from daftari.alerts.services import issue_alert
draft = AlertDraft(kind="wanted", name="Baraka Odhiambo", id_number="31122334",
                   description="Wanted for robbery with violence on Thika Road.")
print(issue_alert(actor=User.objects.get(username="ocs1"), draft=draft).alert.pk)
"""


def test_an_alert_issued_at_the_hub_reaches_the_node_and_shows_to_its_desk_while_the_link_is_down(
    hub: Server, node: Server
) -> None:
    alert_id = hub.run("shell", "-c", ISSUE_ALERT).stdout.strip().splitlines()[-1]
    token = _token(node, "desk3")
    assert node.run("node", "sync").returncode == 0
    [(received,)] = node_sql(node, "SELECT hub_data_as_of FROM nodes_hublink")
    hub.stop()
    try:
        auth = {"Authorization": f"Bearer {token}"}
        register = httpx.get(node.url + "/api/v1/alerts", headers=auth, timeout=30)
        assert register.status_code == 200, register.text
        assert alert_id in [a["id"] for a in register.json()["results"]]
        body = {
            "id": str(uuid.uuid4()),
            "entry_type": "COMPLAINT",
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "place": "Ngong Road",
            "narrative": "A man reports his wallet stolen at the stage.",
            "parties": [{"role": "complainant", "name": "Baraka Odhiambo", "id_number": "31122334"}],
            "details": {},
        }
        recorded = httpx.post(node.url + "/api/v1/occurrences", json=body, headers=auth, timeout=30)
        assert recorded.status_code == 201, recorded.text
        assert [(m["alert"], m["matched_on"]) for m in recorded.json()["alerts"]] == [(alert_id, "id_number")]
        status = httpx.get(node.url + "/api/v1/node/status", headers=auth, timeout=30).json()
        assert status["hub_data_as_of"] is not None and received is not None
    finally:
        hub.start()


def test_the_hubs_data_that_does_not_verify_is_not_used_and_sync_says_so(hub: Server, node: Server) -> None:
    # A node that pinned another key at join (a hub impersonated since) refuses the hub's data.
    [(pinned,)] = node_sql(node, "SELECT feed_key FROM nodes_hublink")
    other = str(Signer.generate(pinned.split("+")[0]).verifier())  # the hub's name, another key
    node_sql(node, "UPDATE nodes_hublink SET feed_key = ?", (other,))
    try:
        before = node_sql(node, "SELECT count(*) FROM hubfeed_verifiedhubdata")
        refused = node.run("node", "sync", check=False)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "did not verify" in refused.stderr
        assert node_sql(node, "SELECT count(*) FROM hubfeed_verifiedhubdata") == before
    finally:
        node_sql(node, "UPDATE nodes_hublink SET feed_key = ?", (pinned,))
    assert node.run("node", "sync").returncode == 0


def _status(node: Server, token: str) -> dict[str, Any]:
    answer = httpx.get(node.url + "/api/v1/node/status", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_two_hundred_entries_a_booking_and_a_release_recorded_with_the_link_cut_are_at_the_hub_within_a_minute(
    hub: Server, node: Server
) -> None:
    token = _token(node, "desk3")
    auth = {"Authorization": f"Bearer {token}"}
    [(service_number,)] = node_sql(
        node,
        "SELECT o.service_number FROM stations_officer o JOIN auth_user u ON u.id = o.user_id WHERE u.username = ?",
        ("desk3",),
    )
    with _worker(hub), _worker(node):
        hub.stop()  # the link is cut: the node's worker finds no hub, and backs off
        try:
            _record(node, token, 199)
            [ob_number] = _record(node, token, 1, name="Chepkoech Jelagat")
            booked = httpx.post(
                node.url + "/api/v1/custody",
                json={
                    "id": str(uuid.uuid4()),
                    "arrest": {"place": "Kilimani stage", "reason": "Found with a phone reported snatched"},
                    "arrested_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
                    "arresting_officer": service_number,
                    "cell": "male",
                    "detainee": {"name": "Kiprotich Langat", "sex": "M", "age": 24},
                    "offences": [{"description": "Handling stolen property", "punishable_by": "more_than_6_months"}],
                },
                headers=auth,
                timeout=30,
            )
            assert booked.status_code == 201, booked.text
            released = httpx.post(
                node.url + f"/api/v1/custody/{booked.json()['id']}/events",
                json={"id": str(uuid.uuid4()), "kind": "release", "details": {"release_on": "police_bond"}},
                headers=auth,
                timeout=30,
            )
            assert released.status_code == 201, released.text
            size = node_size(node)
            assert _status(node, token)["pending_leaves"] >= 200 + 3  # the entries, the booking, its release
        finally:
            hub.start()
        back = time.monotonic()  # the link is back: from here on nobody runs a sync by hand

        while time.monotonic() - back < 90:
            status = _status(node, token)
            if status["pending_leaves"] == 0 and status["witnessed_size"] == size:
                break
            time.sleep(0.5)
        caught_up = time.monotonic() - back
        print(
            f"the hub held the node's {size} leaves, verified and cosigned, {caught_up:.1f} s after the link came back"
        )
        assert caught_up < 60, f"{caught_up:.1f} s"

        # The hub's worker indexes what it accepted for national search: oversight finds the person, in the minute.
        headers = {"Authorization": f"Bearer {_token(hub, 'oversight1')}"}
        while True:
            found = httpx.get(
                hub.url + "/api/v1/occurrences", params={"name": "Chepkoech"}, headers=headers, timeout=30
            )
            assert found.status_code == 200, found.text
            if found.json()["results"] or time.monotonic() - back > 60:
                break
            time.sleep(0.5)
        assert [(f["ob_number"], f["station"]) for f in found.json()["results"]] == [(ob_number, "KILIMANI")]
    hub_holds_the_nodes_book(hub, node, "KILIMANI")
    assert witnessed(hub, node, "KILIMANI") == size
    # The booking and its release, the only custody records of this station's book.
    assert hub_sql(
        hub,
        "SELECT count(*) FROM nodes_mirroredleaf l JOIN nodes_enrollednode n ON n.id = l.node_id "
        "WHERE n.origin LIKE %s AND l.kind = 'custody'",
        ("%/KILIMANI",),
    ) == [(2,)]


if connection.vendor != "postgresql":
    # The hub runs on PostgreSQL, as in production: these stories are told in the PostgreSQL pass.
    for _name in [name for name in globals() if name.startswith("test_")]:
        del globals()[_name]
