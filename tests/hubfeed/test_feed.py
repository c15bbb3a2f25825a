"""The hub's signed down-log: built at the hub, verified and applied at a station node with its own database.

The node runs in a subprocess on its own SQLite file (tests/hubfeed/node_apply.py), so nothing it
holds can come from the hub's tables; each feed is serialised to JSON as it would travel.
"""

import base64
import copy
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from daftari.alerts.models import Alert
from daftari.alerts.services import issue_alert, withdraw_alert
from daftari.custody.models import GazettedHoliday
from daftari.hubfeed.apply import FeedResult, apply_feed, last_verified
from daftari.hubfeed.models import PublishedRecord, VerifiedHubData
from daftari.hubfeed.publish import build_feed, publish_reference_data, publish_tick
from daftari.ledger import keys
from daftari.stations.models import Station
from tests.alerts.conftest import stolen, wanted
from tests.migrated_sqlite import copy_into

ROOT = Path(__file__).resolve().parents[2]


def published_feed(station: Station, since_index: int) -> dict[str, Any]:
    """The feed a node pulls once the hub's worker has published what changed."""
    publish_tick()
    return build_feed(station, since_index)


def _node_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAFTARI_") and k != "DATABASE_URL"}
    env.update(DAFTARI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="daftari.settings", PYTHONPATH=str(ROOT))
    return env


def run_node(
    tmp_path: Path,
    station: str,
    feeds: list[dict[str, Any]],
    key: str | None = None,
    sign_in: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A fresh node (``tmp_path`` from the ``fresh_node`` fixture: its own migrated SQLite database),
    then each feed applied in turn."""
    env = _node_env(tmp_path / "node")
    given = tmp_path / "feeds.json"
    given.write_text(
        json.dumps({"key": key or keys.verifier_key(), "station": station, "feeds": feeds, "sign_in": sign_in or {}})
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.hubfeed.node_apply", str(given)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


@pytest.fixture
def fresh_node(tmp_path: Path, migrated_sqlite: Path) -> Path:
    """A directory for ``run_node`` whose node/ holds a freshly migrated database of its own."""
    copy_into(migrated_sqlite, tmp_path / "node")
    return tmp_path


@pytest.fixture
def hub(ocs: User, desk_officer: User, officer_elsewhere: User, commander: User) -> dict[str, Any]:
    """A hub with two stations' officers, a gazetted holiday, two alerts and one withdrawn."""
    GazettedHoliday.objects.create(date=datetime.date(2026, 12, 26), name="Utamaduni Day (moved)")
    kept = issue_alert(actor=ocs, draft=wanted()).alert
    gone = issue_alert(actor=ocs, draft=stolen()).alert
    withdraw_alert(actor=ocs, alert=gone, reason="Recovered at Athi River.")
    return {"kept": kept, "gone": gone}


def _leaf(feed: dict[str, Any], kind: str) -> dict[str, Any]:
    for entry in feed["leaves"]:
        data = json.loads(base64.b64decode(entry["data"]))
        if data["kind"] == kind and entry["record"] is not None:
            return entry
    raise AssertionError(f"no {kind} leaf with a record")


def test_a_feed_built_at_the_hub_applies_at_a_node_with_its_own_database(
    fresh_node: Path, station: Station, hub: dict[str, Any], desk_officer: User, officer_elsewhere: User, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # as in production
    desk_officer.set_password("desk password at the hub")
    desk_officer.save()
    feed = json.loads(json.dumps(published_feed(station, 0)))

    [node] = run_node(fresh_node, station.code, [feed], sign_in={"desk": "desk password at the hub", "ocs": "wrong"})

    assert node["signs_in"] == {"desk": True, "ocs": False}

    assert node["ok"], node["message"]
    assert "CENTRAL-NBI" in node["stations"] and "KISUMU-CTL" in node["stations"]
    # The station's officers, with the hub's password hashes, so they sign in with no link.
    assert node["users"]["desk"] == {"password": desk_officer.password, "active": True, "station": "CENTRAL-NBI"}
    assert {"ocs", "commander"} <= set(node["users"])
    assert node["alerts"] == sorted([str(hub["kept"].pk), str(hub["gone"].pk)])
    assert node["withdrawn"] == [str(hub["gone"].pk)]
    assert node["holidays"] == ["2026-12-26"]
    assert node["verified"] == [json.loads(json.dumps(feed))["leaves"][-1]["index"] + 1]
    assert node["hub_data_as_of"] is not None


def test_officers_of_another_station_never_travel_in_a_stations_feed(
    station: Station, hub: dict[str, Any], officer_elsewhere: User
) -> None:
    text = json.dumps(published_feed(station, 0))
    assert officer_elsewhere.password not in text
    assert officer_elsewhere.username not in text
    assert officer_elsewhere.officer.service_number not in text
    withheld = [e for e in json.loads(text)["leaves"] if e["withheld"] == "other_station"]
    assert len(withheld) == 1 and withheld[0]["record"] is None and withheld[0]["salt"] is None


def test_a_node_that_is_current_gets_only_what_is_new_and_checks_it_against_what_it_verified(
    fresh_node: Path, station: Station, hub: dict[str, Any], ocs: User
) -> None:
    first = published_feed(station, 0)
    size = len(first["leaves"])
    later = issue_alert(actor=ocs, draft=wanted(name="Kiprono Arap Mutai", id_number="31112222")).alert
    second = published_feed(station, size)
    assert [e["index"] for e in second["leaves"]] == [size]
    assert second["consistency"]

    [_one, two] = run_node(fresh_node, station.code, [first, second])
    assert two["ok"], two["message"]
    assert str(later.pk) in two["alerts"]
    assert two["verified"] == [size + 1, size]


def test_tampered_feeds_apply_nothing_and_say_which_check_failed(
    fresh_node: Path, station: Station, hub: dict[str, Any], ocs: User
) -> None:
    good = published_feed(station, 0)
    changed = copy.deepcopy(good)
    _leaf(changed, "alert")["record"]["name"] = "Somebody Innocent"
    officer = copy.deepcopy(good)
    _leaf(officer, "officer")["record"]["password"] = "md5$planted$0000"
    truncated = copy.deepcopy(good)
    truncated["leaves"] = truncated["leaves"][:-1]
    forged_leaf = copy.deepcopy(good)
    forged_leaf["leaves"][0]["data"] = base64.b64encode(
        base64.b64decode(forged_leaf["leaves"][0]["data"]).replace(b'"by":"', b'"by":"x')
    ).decode()

    results = run_node(fresh_node, station.code, [changed, officer, truncated, forged_leaf, good])

    assert [r["failed_check"] for r in results[:4]] == ["record", "record", "truncated", "root"]
    for refused in results[:4]:
        assert refused["alerts"] == [] and refused["users"] == {} and refused["verified"] == []
        assert refused["holidays"] == [] and "CENTRAL-NBI" not in refused["stations"]
    assert results[4]["ok"] and "Otieno Juma Baraka" in results[4]["alert_names"]


def test_a_feed_signed_by_another_key_applies_nothing(fresh_node: Path, station: Station, hub: dict[str, Any]) -> None:
    from daftari_verify import note

    other = str(note.Signer.generate("daftari.local/ob").verifier())
    [refused] = run_node(fresh_node, station.code, [published_feed(station, 0)], key=other)
    assert refused["failed_check"] == "signature"
    assert refused["alerts"] == [] and refused["verified"] == []


# --- The same checks, in this process (fast) ---------------------------------------------------


def _apply(feed: dict[str, Any], station: Station) -> FeedResult:
    return apply_feed(json.loads(json.dumps(feed)), keys.verifier_key(), last_verified(), station_code=station.code)


def test_an_inconsistent_checkpoint_is_refused(station: Station, hub: dict[str, Any], ocs: User) -> None:
    first = published_feed(station, 0)
    assert _apply(first, station).ok
    issue_alert(actor=ocs, draft=wanted(name="Kiprono Arap Mutai", id_number="31112222"))
    second = published_feed(station, len(first["leaves"]))
    second["consistency"] = [base64.b64encode(b"\x07" * 32).decode() for _ in second["consistency"]]

    result = _apply(second, station)
    assert (result.ok, result.failed_check) == (False, "consistency")
    assert VerifiedHubData.objects.count() == 1


def test_an_older_checkpoint_than_the_nodes_is_refused(station: Station, hub: dict[str, Any], ocs: User) -> None:
    first = published_feed(station, 0)
    issue_alert(actor=ocs, draft=wanted(name="Kiprono Arap Mutai", id_number="31112222"))
    assert _apply(published_feed(station, 0), station).ok
    replayed = _apply(first, station)
    assert (replayed.ok, replayed.failed_check) == (False, "since")


def test_a_feed_for_another_station_is_refused(station: Station, other_station: Station, hub: dict[str, Any]) -> None:
    result = apply_feed(published_feed(other_station, 0), keys.verifier_key(), None, station_code=station.code)
    assert (result.ok, result.failed_check) == (False, "format")


def test_another_stations_officer_record_sent_to_a_node_is_refused(
    station: Station, other_station: Station, hub: dict[str, Any]
) -> None:
    theirs = published_feed(other_station, 0)
    theirs["station"] = station.code
    result = apply_feed(theirs, keys.verifier_key(), None, station_code=station.code)
    assert (result.ok, result.failed_check) == (False, "record")


def test_reference_data_is_published_again_only_when_it_changed(
    station: Station, hub: dict[str, Any], desk_officer: User
) -> None:
    publish_reference_data()
    assert publish_reference_data() == 0
    desk_officer.set_password("a new password for the desk")
    desk_officer.save()
    assert publish_reference_data() == 1
    latest = PublishedRecord.objects.filter(kind="officer").order_by("-hub_index").first()
    assert latest is not None and latest.record["password"] == desk_officer.password


def test_an_officer_who_leaves_the_station_can_no_longer_sign_in_at_its_node(
    station: Station, other_station: Station, hub: dict[str, Any], desk_officer: User
) -> None:
    publish_reference_data()
    desk_officer.officer.station = other_station
    desk_officer.officer.save()
    assert publish_reference_data() == 2  # gone from Central, new at Kisumu
    gone = PublishedRecord.objects.get(
        kind="officer", key=f"{desk_officer.officer.service_number}@CENTRAL-NBI", record__removed=True
    )
    assert (gone.record["is_active"], gone.record["password"]) == (False, "")


def test_the_hubs_log_of_reference_data_and_alerts_verifies(station: Station, hub: dict[str, Any]) -> None:
    from daftari.ledger.verification import verify_book

    published_feed(station, 0)
    report = verify_book("hub")
    assert report.ok, report.problems
    assert Alert.objects.count() == 2


def test_an_officers_record_erased_by_lawful_order_still_travels_as_a_verified_leaf(
    station: Station, hub: dict[str, Any], desk_officer: User, admin_officer: User
) -> None:
    from daftari.ledger.models import Leaf
    from daftari.ledger.redaction import redact

    publish_reference_data()
    published = PublishedRecord.objects.get(kind="officer", key=f"{desk_officer.officer.service_number}@CENTRAL-NBI")
    leaf = Leaf.objects.get(log__station__isnull=True, index=published.hub_index)
    redact(actor=admin_officer, record_id=leaf.record_id, authority="ODPC decision 4/2026")

    erased = PublishedRecord.objects.get(pk=published.pk).record
    assert (erased["first_name"], erased["password"]) == ("[redacted]", "")
    feed = published_feed(station, 0)
    assert [e["withheld"] for e in feed["leaves"] if e["index"] == leaf.index] == ["redacted"]
    assert _apply(feed, station).ok


def test_an_alert_erased_at_the_hub_is_erased_at_the_node_with_the_next_feed(
    fresh_node: Path, station: Station, hub: dict[str, Any], admin_officer: User
) -> None:
    from daftari.ledger.redaction import redact

    first = published_feed(station, 0)
    redact(actor=admin_officer, record_id=str(hub["kept"].pk), authority="High Court order 12/2026")
    second = published_feed(station, len(first["leaves"]))

    [before, after] = run_node(fresh_node, station.code, [first, second])
    assert "Otieno Juma Baraka" in before["alert_names"]
    assert after["ok"], after["message"]
    assert "Otieno Juma Baraka" not in after["alert_names"] and "[redacted]" in after["alert_names"]


def test_a_feed_holds_what_the_worker_published_and_a_node_publishes_nothing(
    station: Station, hub: dict[str, Any], settings: Any
) -> None:
    settings.DAFTARI_ROLE = "node"
    assert publish_tick() == 0
    assert not PublishedRecord.objects.exists()
    settings.DAFTARI_ROLE = "hub"
    assert publish_tick() > 0
    kinds = {json.loads(base64.b64decode(e["data"]))["kind"] for e in build_feed(station, 0)["leaves"]}
    assert {"station", "officer", "offences", "holidays", "alert", "alert_withdrawal"} <= kinds
