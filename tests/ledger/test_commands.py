"""``daftari ledger verify|checkpoint|export`` and the worker's checkpoint tick; the export checked by
the court's own tool, ``daftari-verify audit``, in a subprocess."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from daftari_verify.audit import RECORDS_FILE
from daftari_verify.checkpoint import open_checkpoint
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from daftari.core import append_only, periodic
from daftari.core.management.commands.worker import periodic_loop
from daftari.ledger import keys
from daftari.ledger.models import Checkpoint, Leaf
from daftari.ledger.redaction import redact
from daftari.ledger.services import leaf_for
from daftari.occurrences.models import Occurrence, Party
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint

VERIFY = Path(sys.executable).parent / "daftari-verify"


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


def record(user: User, station: Station, n: int) -> list[Occurrence]:
    return [record_occurrence(actor=user, station=station, draft=complaint()).entry for _ in range(n)]


def alter_party_name(entry: Occurrence) -> None:
    """A DBA drops the guard, renames a party, and puts the guard back."""
    append_only.uninstall(connection, ["occurrences_party"])
    Party.objects.filter(occurrence=entry).update(name="Somebody Else")
    append_only.install(connection, ["occurrences_party"])


def audit(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VERIFY), "audit", str(directory), "--key", str(directory / "key.txt"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_verify_passes_a_clean_book(desk_officer: User, station: Station, capsys: pytest.CaptureFixture[str]) -> None:
    record(desk_officer, station, 3)
    call_command("ledger", "checkpoint")
    call_command("ledger", "verify")
    assert "Verified 3 leaves and 1 checkpoints: all is well." in capsys.readouterr().out


def test_verify_fails_naming_the_station_and_leaf_of_an_altered_record(
    desk_officer: User, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = record(desk_officer, station, 3)
    call_command("ledger", "checkpoint")
    alter_party_name(entries[2])
    with pytest.raises(CommandError, match="1 problem"):
        call_command("ledger", "verify", "--station", "CENTRAL-NBI")
    assert "CENTRAL-NBI leaf 2: commit does not match the record as stored" in capsys.readouterr().out.splitlines()


def test_verify_exits_1_from_the_command_line(desk_officer: User, station: Station) -> None:
    entries = record(desk_officer, station, 2)
    alter_party_name(entries[0])
    with pytest.raises(SystemExit) as exited:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["daftari", "ledger", "verify"])
    assert exited.value.code == 1


def test_verify_lists_a_redacted_leaf_as_redacted(
    desk_officer: User, admin_officer: User, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = record(desk_officer, station, 2)
    redact(actor=admin_officer, record_id=str(entries[0].pk), authority="ODPC decision 0042/2026")
    call_command("ledger", "verify")
    out = capsys.readouterr().out
    assert "CENTRAL-NBI leaf 0: redacted (lawful erasure)" in out and "all is well" in out


def test_checkpoint_signs_each_grown_book_once(
    desk_officer: User, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    record(desk_officer, station, 2)
    call_command("ledger", "checkpoint", "--station", "CENTRAL-NBI")
    checkpoint = Checkpoint.objects.get()
    assert open_checkpoint(checkpoint.signed_note, keys.verifier()).size == 2
    assert (
        f"Signed daftari.local/ob/CENTRAL-NBI at size 2, root {bytes(checkpoint.root).hex()}" in capsys.readouterr().out
    )
    call_command("ledger", "checkpoint")
    assert "Nothing to sign" in capsys.readouterr().out
    assert Checkpoint.objects.count() == 1


def test_checkpoint_of_an_unknown_station_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="No station NOWHERE"):
        call_command("ledger", "checkpoint", "--station", "NOWHERE")


def test_the_workers_tick_signs_every_grown_book(
    desk_officer: User, station: Station, officer_elsewhere: User, other_station: Station
) -> None:
    record(desk_officer, station, 2)
    record(officer_elsewhere, other_station, 1)
    assert periodic.run_all()["ledger.checkpoints"] == 2
    assert periodic.run_all()["ledger.checkpoints"] == 0
    record(desk_officer, station, 1)
    assert periodic.run_all()["ledger.checkpoints"] == 1
    assert sorted(Checkpoint.objects.filter(log__station__isnull=False).values_list("log__station__code", "size")) == [
        ("CENTRAL-NBI", 2),
        ("CENTRAL-NBI", 3),
        ("KISUMU-CTL", 1),
    ]


def test_the_workers_tick_refuses_a_rewritten_book_and_still_signs_the_others(
    desk_officer: User,
    station: Station,
    officer_elsewhere: User,
    other_station: Station,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entries = record(desk_officer, station, 2)
    assert periodic.run_all()["ledger.checkpoints"] == 1
    record(officer_elsewhere, other_station, 1)
    row = leaf_for(str(entries[1].pk))
    assert row is not None
    # A rewritten history: the stored hash of leaf 1 no longer is what the checkpoint signed.
    append_only.uninstall(connection, ["ledger_treenode"])
    from daftari.ledger.models import Log, TreeNode

    log = Log.objects.get(station=station)
    TreeNode.objects.filter(log=log, level=0, index=1).update(hash=b"\x01" * 32)
    TreeNode.objects.filter(log=log, level=1, index=0).update(hash=b"\x02" * 32)
    append_only.install(connection, ["ledger_treenode"])
    record(desk_officer, station, 1)
    assert periodic.run_all()["ledger.checkpoints"] == 1
    assert "refused to sign a checkpoint of daftari.local/ob/CENTRAL-NBI" in caplog.text
    assert sorted(Checkpoint.objects.filter(log__station__isnull=False).values_list("log__station__code", "size")) == [
        ("CENTRAL-NBI", 2),
        ("KISUMU-CTL", 1),
    ]


def test_the_worker_loop_runs_the_periodic_jobs_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    stop = threading.Event()
    ticks: list[int] = []

    def job() -> None:
        ticks.append(1)
        if len(ticks) == 3:
            stop.set()

    monkeypatch.setattr(periodic, "_jobs", {"count": job})
    ticker = threading.Thread(target=periodic_loop, args=(stop, 0))
    ticker.start()
    ticker.join(timeout=10)
    assert not ticker.is_alive() and len(ticks) == 3


def test_a_failing_periodic_job_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("SMS gateway down")

    monkeypatch.setattr(periodic, "_jobs", {"a.broken": broken, "b.fine": lambda: "done"})
    assert periodic.run_all() == {"b.fine": "done"}


def test_an_export_of_a_clean_book_passes_daftari_verify_audit(
    desk_officer: User, station: Station, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record(desk_officer, station, 3)
    call_command("ledger", "checkpoint")
    record(desk_officer, station, 2)
    call_command("ledger", "checkpoint")
    out = tmp_path / "export"
    call_command("ledger", "export", "--station", "CENTRAL-NBI", str(out))
    assert "Wrote 5 leaves" in capsys.readouterr().out
    assert len((out / "leaves.jsonl").read_bytes().splitlines()) == 5
    assert len((out / RECORDS_FILE).read_text().splitlines()) == 5
    result = audit(out)
    assert result.returncode == 0, result.stderr


def test_daftari_verify_audit_names_the_leaf_of_a_record_altered_behind_the_applications_back(
    desk_officer: User, station: Station, tmp_path: Path
) -> None:
    entries = record(desk_officer, station, 4)
    call_command("ledger", "checkpoint")
    alter_party_name(entries[3])
    call_command("ledger", "export", "--station", "CENTRAL-NBI", str(tmp_path))
    result = audit(tmp_path)
    assert result.returncode == 1
    assert "leaf 3: commit does not match the record" in result.stderr


def test_daftari_verify_audit_catches_changed_leaf_bytes(desk_officer: User, station: Station, tmp_path: Path) -> None:
    entries = record(desk_officer, station, 4)
    call_command("ledger", "checkpoint")
    row = leaf_for(str(entries[1].pk))
    assert row is not None
    append_only.uninstall(connection, ["ledger_leaf"])
    Leaf.objects.filter(pk=row.pk).update(data=bytes(row.data).replace(b'"by":"SN', b'"by":"XX'))
    append_only.install(connection, ["ledger_leaf"])
    call_command("ledger", "export", "--station", "CENTRAL-NBI", str(tmp_path))
    result = audit(tmp_path)
    assert result.returncode == 1
    assert "does not match the leaves" in result.stderr


def test_an_export_for_an_oversight_body_leaves_out_records_and_redacted_records_are_never_exported(
    desk_officer: User, admin_officer: User, station: Station, tmp_path: Path
) -> None:
    entries = record(desk_officer, station, 3)
    redact(actor=admin_officer, record_id=str(entries[1].pk), authority="ODPC decision 0042/2026")
    call_command("ledger", "checkpoint")
    call_command("ledger", "export", "--station", "CENTRAL-NBI", "--without-records", str(tmp_path / "oversight"))
    assert not (tmp_path / "oversight" / RECORDS_FILE).exists()
    assert audit(tmp_path / "oversight").returncode == 0
    call_command("ledger", "export", "--station", "CENTRAL-NBI", str(tmp_path / "court"))
    exported = (tmp_path / "court" / RECORDS_FILE).read_text()
    assert '"index": 1,' not in exported and "Wanjiku" in exported
    assert audit(tmp_path / "court").returncode == 0
