"""The daftari-verify commands end to end, with their exit codes: 0 verified, 1 failed, 2 bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from daftari_verify import note
from daftari_verify.audit import LEAVES_FILE, RECORDS_FILE, write_export
from daftari_verify.checkpoint import ConsistencyProof, InclusionProof
from daftari_verify.cli import main
from daftari_verify.evidence import RECORD_FILE, build_evidence_zip
from daftari_verify.watch import STATE_FILE
from ledger_book import ORIGIN, Book


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def key_file(tmp_path: Path, vkey: str) -> str:
    path = tmp_path / "daftari.vkey"
    path.write_text(f"# Daftari ledger key\n{vkey}\n")
    return str(path)


def evidence(book: Book, index: int, **overrides: object) -> bytes:
    fields: dict[str, object] = {
        "leaf_bytes": book.leaves[index],
        "record": book.records[index],
        "salt": book.salts[index],
        "proof": InclusionProof(index, book.tree.size, tuple(book.tree.inclusion_proof(index))),
        "checkpoint": book.checkpoint(),
        "verifier_keys": [str(book.signer.verifier())],
    }
    fields.update(overrides)
    return build_evidence_zip(**fields)  # type: ignore[arg-type]


def test_selftest_passes_in_process_and_as_a_module(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "selftest")
    assert code == 0
    assert "9 RFC 6962 roots" in out
    done = subprocess.run(
        [sys.executable, "-m", "daftari_verify.cli", "selftest"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: selftest passed")


def test_checkpoint_command_accepts_a_signed_checkpoint_and_refuses_others(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, book: Book, key_file: str, vkey: str
) -> None:
    path = tmp_path / "checkpoint.txt"
    path.write_text(book.checkpoint())
    assert run(capsys, "checkpoint", str(path), "--key", key_file)[:2] == (
        0,
        f"OK: checkpoint of {ORIGIN} signed: size 45, root {book.checkpoint().splitlines()[2]}\n",
    )
    assert run(capsys, "checkpoint", str(path), "--key", vkey, "--origin", ORIGIN)[0] == 0

    other = note.Signer.generate("daftari.test/ledger").verifier()
    code, _, err = run(capsys, "checkpoint", str(path), "--key", str(other))
    assert code == 1
    assert err == f"FAILED: note is not signed by any known key (daftari.test/ledger+{other.key_id:08x})\n"

    path.write_text(book.checkpoint().replace("\n45\n", "\n46\n"))
    code, _, err = run(capsys, "checkpoint", str(path), "--key", key_file)
    assert code == 1
    assert err.startswith("FAILED: invalid signature by key daftari.test/ledger+")

    assert run(capsys, "checkpoint", str(tmp_path / "missing.txt"), "--key", key_file)[0] == 2
    assert run(capsys, "checkpoint", str(path), "--key", "not-a-key")[0] == 2
    assert run(capsys, "checkpoint", str(path))[0] == 2  # --key is required


def test_entry_command_verifies_a_genuine_evidence_bundle(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, book: Book, key_file: str
) -> None:
    bundle = tmp_path / "OB-42.zip"
    bundle.write_bytes(evidence(book, 41))
    with zipfile.ZipFile(bundle) as zf:
        assert sorted(zf.namelist()) == [
            "README.txt",
            "checkpoint.txt",
            "inclusion-proof.json",
            "key.txt",
            "leaf.json",
            "record.json",
            "salt.txt",
        ]
    code, out, err = run(capsys, "entry", str(bundle), "--key", key_file)
    assert (code, err) == (0, "")
    assert out.startswith("OK: leaf 41 (OB 42/29/11/2026, occurrence of 2026-11-29T08:12:02Z, record ")


def test_entry_command_names_the_leaf_whose_record_was_changed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, book: Book, key_file: str
) -> None:
    bundle = tmp_path / "OB-42.zip"
    changed = {**book.records[41], "narrative": "Nothing happened"}
    bundle.write_bytes(evidence(book, 41, record=changed))
    assert run(capsys, "entry", str(bundle), "--key", key_file) == (
        1,
        "",
        "FAILED: leaf 41: commit does not match the record\n",
    )


def test_entry_command_rejects_a_changed_leaf_proof_size_or_foreign_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, book: Book, key_file: str
) -> None:
    bundle = tmp_path / "OB-42.zip"
    bundle.write_bytes(evidence(book, 41, leaf_bytes=book.leaves[41].replace(b'"by":"254719"', b'"by":"254710"')))
    code, _, err = run(capsys, "entry", str(bundle), "--key", key_file)
    assert code == 1
    assert err.startswith("FAILED: leaf 41: not in the signed book")

    proof = InclusionProof(41, 44, tuple(book.tree.inclusion_proof(41, 44)))
    bundle.write_bytes(evidence(book, 41, proof=proof))
    code, _, err = run(capsys, "entry", str(bundle), "--key", key_file)
    assert (code, err) == (
        1,
        "FAILED: leaf 41: not in the signed book (inclusion proof is for size 44, the checkpoint is size 45)\n",
    )

    bundle.write_bytes(evidence(book, 41))
    stranger = note.Signer.generate("daftari.test/ledger").verifier()
    code, _, err = run(capsys, "entry", str(bundle), "--key", str(stranger))
    assert code == 1
    assert err.startswith("FAILED: checkpoint: note is not signed by any known key")


def test_entry_command_calls_an_unreadable_bundle_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, book: Book, key_file: str
) -> None:
    assert run(capsys, "entry", str(tmp_path / "nothing.zip"), "--key", key_file)[0] == 2
    not_zip = tmp_path / "not.zip"
    not_zip.write_text("hello")
    code, _, err = run(capsys, "entry", str(not_zip), "--key", key_file)
    assert (code, err.startswith("ERROR: not a readable zip")) == (2, True)
    partial = tmp_path / "partial.zip"
    with zipfile.ZipFile(partial, "w") as zf, zipfile.ZipFile(__import__("io").BytesIO(evidence(book, 3))) as full:
        for name in full.namelist():
            if name != RECORD_FILE:
                zf.writestr(name, full.read(name))
    assert run(capsys, "entry", str(partial), "--key", key_file) == (2, "", "ERROR: the bundle has no record.json\n")


def test_consistency_command_accepts_an_extension_and_rejects_anything_else(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, book: Book, key_file: str
) -> None:
    old, new, proof = tmp_path / "old.txt", tmp_path / "new.txt", tmp_path / "proof.json"
    old.write_text(book.checkpoint(30))
    new.write_text(book.checkpoint())
    proof.write_text(json.dumps(ConsistencyProof(30, 45, tuple(book.tree.consistency_proof(30))).to_json()))
    code, out, _ = run(capsys, "consistency", str(old), str(new), str(proof), "--key", key_file)
    assert (code, out) == (0, f"OK: {ORIGIN} at size 45 extends the book at size 30\n")

    code, _, err = run(capsys, "consistency", str(new), str(old), str(proof), "--key", key_file)
    assert code == 1
    assert "sizes 30->45, the checkpoints are 45->30" in err

    forked = Book(origin=ORIGIN, signer=book.signer)
    for _ in range(45):
        forked.append()
    new.write_text(forked.checkpoint())
    proof.write_text(json.dumps(ConsistencyProof(30, 45, tuple(forked.tree.consistency_proof(30))).to_json()))
    code, _, err = run(capsys, "consistency", str(old), str(new), str(proof), "--key", key_file)
    assert code == 1
    assert err.startswith("FAILED: consistency proof from size 30 to size 45 does not lead to the old root")

    proof.write_text('{"old": 30}')
    assert run(capsys, "consistency", str(old), str(new), str(proof), "--key", key_file)[0] == 2


@pytest.fixture
def export(tmp_path: Path, book: Book) -> Path:
    directory = tmp_path / "export"
    write_export(
        directory,
        leaves=book.leaves,
        checkpoints=[book.checkpoint(10), book.checkpoint(30), book.checkpoint(30), book.checkpoint(44)],
        records=[(i, book.records[i], book.salts[i]) for i in (0, 7, 41)],
    )
    return directory


def test_audit_rebuilds_every_root_and_shows_progress(
    capsys: pytest.CaptureFixture[str], export: Path, key_file: str
) -> None:
    code, out, err = run(capsys, "audit", str(export), "--key", key_file, "--check-leaves")
    assert code == 0
    assert out == (
        f"OK: {ORIGIN}: 45 leaves, 4 checkpoints all signed, their roots rebuilt from the leaves and each "
        "consistent with the one before; 3 records match their commits; 45 leaves well formed; "
        "1 leaves after the last checkpoint are not signed yet\n"
    )
    assert "hashing leaves [##############################] 100%" in err
    assert run(capsys, "audit", str(export), "--key", key_file, "--quiet")[2] == ""


def test_audit_names_the_record_changed_behind_the_applications_back(
    capsys: pytest.CaptureFixture[str], export: Path, key_file: str
) -> None:
    lines = (export / RECORDS_FILE).read_text().splitlines()
    lines[2] = lines[2].replace("Wanjiku Kamau", "Someone Else")
    (export / RECORDS_FILE).write_text("\n".join(lines) + "\n")
    assert run(capsys, "audit", str(export), "--key", key_file, "--quiet") == (
        1,
        "",
        "FAILED: leaf 41: commit does not match the record\n",
    )


def test_audit_finds_a_rewritten_leaf_between_two_checkpoints(
    capsys: pytest.CaptureFixture[str], export: Path, key_file: str
) -> None:
    lines = (export / LEAVES_FILE).read_bytes().split(b"\n")
    lines[20] = lines[20].replace(b"254719", b"254700")
    (export / LEAVES_FILE).write_bytes(b"\n".join(lines))
    code, _, err = run(capsys, "audit", str(export), "--key", key_file, "--quiet")
    assert (code, err) == (
        1,
        "FAILED: checkpoints/00000001.txt: root of size 30 does not match the leaves "
        "(a leaf in 10..29 differs from what was signed)\n",
    )


def test_audit_refuses_a_checkpoint_beyond_the_exported_leaves_and_bad_directories(
    capsys: pytest.CaptureFixture[str], export: Path, key_file: str, tmp_path: Path
) -> None:
    lines = (export / LEAVES_FILE).read_bytes().split(b"\n")
    (export / LEAVES_FILE).write_bytes(b"\n".join(lines[:40]) + b"\n")
    code, _, err = run(capsys, "audit", str(export), "--key", key_file, "--quiet")
    assert (code, err) == (1, "FAILED: checkpoints/00000003.txt: signs size 44 but the export has only 40 leaves\n")
    assert run(capsys, "audit", str(tmp_path / "nowhere"), "--key", key_file)[0] == 2
    (export / LEAVES_FILE).write_bytes(b"\n".join(lines[:3]) + b"\n\n" + b"\n".join(lines[3:]))
    code, _, err = run(capsys, "audit", str(export), "--key", key_file, "--quiet")
    assert (code, err) == (2, "ERROR: leaves.jsonl line 4 is empty\n")


@dataclass
class Station:
    """A stand-in for the server's ledger endpoints, serving whatever book it is told to."""

    book: Book
    size: int

    def checkpoint(self) -> bytes:
        return self.book.checkpoint(self.size).encode()

    def consistency(self, old: int, new: int) -> bytes:
        proof = ConsistencyProof(old, new, tuple(self.book.tree.consistency_proof(old, new)))
        return json.dumps(proof.to_json()).encode()


@pytest.fixture
def station(book: Book) -> Iterator[tuple[Station, str]]:
    state = Station(book, 40)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/api/v1/ledger/KSM01/checkpoint":
                body = state.checkpoint()
            elif url.path == "/api/v1/ledger/KSM01/proof/consistency":
                query = parse_qs(url.query)
                body = state.consistency(int(query["old"][0]), int(query["new"][0]))
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/api/v1/ledger/KSM01"
    server.shutdown()
    server.server_close()


def test_watch_remembers_the_book_and_follows_it_as_it_grows(
    capsys: pytest.CaptureFixture[str], station: tuple[Station, str], key_file: str, tmp_path: Path
) -> None:
    state, url = station
    watch = ["watch", url, "--key", key_file, "--state", str(tmp_path / "state"), "--once"]
    assert run(capsys, *watch)[:2] == (0, f"OK: remembering {ORIGIN} at size 40\n")
    state.size = 45
    assert run(capsys, *watch)[:2] == (0, f"OK: {ORIGIN} grew 40 -> 45, consistent\n")
    assert run(capsys, *watch)[:2] == (0, f"OK: {ORIGIN} unchanged at size 45\n")
    assert (tmp_path / "state" / STATE_FILE).read_text() == state.checkpoint().decode()


def test_watch_raises_the_alarm_when_the_book_is_rewritten(
    capsys: pytest.CaptureFixture[str], station: tuple[Station, str], key_file: str, tmp_path: Path, book: Book
) -> None:
    state, url = station
    watch = ["watch", url, "--key", key_file, "--state", str(tmp_path / "state"), "--once"]
    assert run(capsys, *watch)[0] == 0
    remembered = (tmp_path / "state" / STATE_FILE).read_text()

    rewritten = Book(origin=ORIGIN, signer=book.signer)
    for _ in range(45):
        rewritten.append()
    state.book, state.size = rewritten, 45
    code, _, err = run(capsys, *watch)
    assert code == 1
    assert err.startswith("FAILED: size 40 -> 45 is not an extension of the remembered book")

    state.size = 40
    assert run(capsys, *watch)[:3:2] == (1, "FAILED: two different roots for size 40: the book was rewritten\n")
    state.book, state.size = book, 39
    assert run(capsys, *watch)[:3:2] == (1, "FAILED: the book shrank from 40 to 39 leaves\n")
    assert (tmp_path / "state" / STATE_FILE).read_text() == remembered


def test_watch_once_calls_an_unreachable_server_bad_input(
    capsys: pytest.CaptureFixture[str], key_file: str, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "watch", "http://127.0.0.1:9/x", "--key", key_file, "--state", str(tmp_path), "--once")
    assert code == 2
    assert err.startswith("ERROR: cannot fetch")
