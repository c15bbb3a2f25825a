"""``daftari-verify``: check a Daftari station book offline.

Exit codes: 0 verified, 1 verification failed (one line says what and where), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from daftari_verify import __version__, merkle, note
from daftari_verify.audit import audit_export
from daftari_verify.checkpoint import ConsistencyProof, open_checkpoint
from daftari_verify.errors import FormatError, VerificationError
from daftari_verify.evidence import read_evidence_zip, verify_evidence
from daftari_verify.watch import FetchError, poll

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

# RFC 6962 test leaves and the roots of their first n leaves (LEDGER.md).
RFC6962_LEAVES = ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
RFC6962_ROOTS = (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)
# The signed-note spec example (C2SP signed-note).
NOTE_EXAMPLE_KEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
NOTE_EXAMPLE = (
    "This is an example message.\n\n— example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def load_verifiers(values: Sequence[str]) -> list[note.Verifier]:
    """Each ``--key`` is a verifier key string or a file of them (one a line, ``#`` comments)."""
    verifiers: list[note.Verifier] = []
    for value in values:
        path = Path(value)
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            keys = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
            if not keys:
                raise FormatError(f"{value} holds no verifier key")
        elif "+" in value:
            keys = [value]
        else:
            raise FormatError(f"--key {value!r} is neither a verifier key nor a file")
        verifiers.extend(note.Verifier.parse(key) for key in keys)
    return verifiers


class ProgressBar:
    """A plain-text bar on stderr, redrawn in place on a terminal and every 10% elsewhere."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.tty = stream.isatty()
        self.last = -1
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if percent == self.last or (not self.tty and percent % 10 and percent != 100):
            return
        self.last = percent
        filled = percent * 30 // 100
        bar = "#" * filled + "." * (30 - filled)
        elapsed = time.monotonic() - self.started
        line = f"{self.label} [{bar}] {percent:3d}%  {done / 1e6:.1f}/{total / 1e6:.1f} MB  {elapsed:.1f}s"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        if self.tty and percent == 100:
            self.stream.write("\n")
        self.stream.flush()


def cmd_selftest(args: argparse.Namespace) -> int:
    leaves = [bytes.fromhex(h) for h in RFC6962_LEAVES]
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    for n, expected in enumerate(RFC6962_ROOTS):
        if merkle.root_from_leaf_hashes(hashes[:n]).hex() != expected:
            raise VerificationError(f"selftest: RFC 6962 root of {n} leaves is wrong")
    tree = merkle.MerkleTree(hashes)
    proofs = 0
    for size in range(1, len(hashes) + 1):
        root = tree.root(size)
        for index in range(size):
            merkle.verify_inclusion(hashes[index], index, size, tree.inclusion_proof(index, size), root)
            proofs += 1
        for old in range(size + 1):
            merkle.verify_consistency(old, size, tree.root(old), root, tree.consistency_proof(old, size))
            proofs += 1
    if note.verify(NOTE_EXAMPLE, note.Verifier.parse(NOTE_EXAMPLE_KEY)) != "This is an example message.\n":
        raise VerificationError("selftest: the signed-note example does not verify")
    signer = note.Signer.generate("selftest.invalid/key")
    signed = note.sign("round trip\n", signer)
    note.verify(signed, signer.verifier())
    print(
        f"OK: selftest passed: {len(RFC6962_ROOTS)} RFC 6962 roots, {proofs} inclusion and consistency proofs, "
        f"the signed-note spec example, an Ed25519 sign/verify round trip"
    )
    return EXIT_OK


def cmd_checkpoint(args: argparse.Namespace) -> int:
    verifiers = load_verifiers(args.key)
    cp = open_checkpoint(Path(args.checkpoint).read_bytes(), verifiers, origin=args.origin)
    print(f"OK: checkpoint of {cp.origin} signed: size {cp.size}, root {note.b64encode(cp.root)}")
    return EXIT_OK


def cmd_entry(args: argparse.Namespace) -> int:
    verifiers = load_verifiers(args.key)
    path = Path(args.evidence)
    if not path.is_file():
        raise FormatError(f"{path} does not exist")
    report = verify_evidence(read_evidence_zip(path), verifiers)
    leaf = report.leaf
    ob = f"{leaf.ob}, " if leaf.ob else ""
    print(
        f"OK: leaf {report.index} ({ob}{leaf.kind} of {leaf.at}, record {leaf.record}) is in the signed book "
        f"{report.checkpoint.origin} of {report.checkpoint.size} leaves, and the record matches its commit"
    )
    return EXIT_OK


def cmd_consistency(args: argparse.Namespace) -> int:
    verifiers = load_verifiers(args.key)
    try:
        old = open_checkpoint(Path(args.old).read_bytes(), verifiers)
    except VerificationError as exc:
        raise VerificationError(f"{args.old}: {exc}") from None
    try:
        new = open_checkpoint(Path(args.new).read_bytes(), verifiers)
    except VerificationError as exc:
        raise VerificationError(f"{args.new}: {exc}") from None
    ConsistencyProof.from_json(Path(args.proof).read_bytes()).verify(old, new)
    print(f"OK: {new.origin} at size {new.size} extends the book at size {old.size}")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    verifiers = load_verifiers(args.key)
    progress = None if args.quiet else ProgressBar("hashing leaves", sys.stderr)
    report = audit_export(args.export_dir, verifiers, check_leaves=args.check_leaves, progress=progress)
    extra = []
    if report.records_checked:
        extra.append(f"{report.records_checked} records match their commits")
    if report.leaves_checked:
        extra.append(f"{report.leaves_checked} leaves well formed")
    if report.unsigned_leaves:
        extra.append(f"{report.unsigned_leaves} leaves after the last checkpoint are not signed yet")
    tail = f"; {'; '.join(extra)}" if extra else ""
    print(
        f"OK: {report.origin or 'no log'}: {report.leaves} leaves, {report.checkpoints} checkpoints "
        f"all signed, their roots rebuilt from the leaves and each consistent with the one before{tail}"
    )
    return EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    verifiers = load_verifiers(args.key)
    while True:
        try:
            result = poll(args.url, verifiers, args.state, origin=args.origin)
        except FetchError as exc:
            if args.once:
                raise FormatError(f"cannot fetch: {exc}") from None
            print(f"warning: {exc}; trying again in {args.interval:g}s", file=sys.stderr, flush=True)
        else:
            cp = result.current
            if result.previous is None:
                print(f"OK: remembering {cp.origin} at size {cp.size}", flush=True)
            elif result.grew:
                print(f"OK: {cp.origin} grew {result.previous.size} -> {cp.size}, consistent", flush=True)
            else:
                print(f"OK: {cp.origin} unchanged at size {cp.size}", flush=True)
        if args.once:
            return EXIT_OK
        time.sleep(args.interval)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="daftari-verify",
        description="Check a Daftari station book (Occurrence Book) offline, without trusting its server.",
        epilog="Exit codes: 0 verified, 1 verification failed, 2 bad input.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    key_help = "verifier key string, or a file of them (one a line); may be repeated"

    p = sub.add_parser("selftest", help="RFC 6962 vectors and the signed-note spec example")
    p.set_defaults(func=cmd_selftest)

    p = sub.add_parser("checkpoint", help="is a checkpoint signed by the key?")
    p.add_argument("checkpoint", help="signed checkpoint file")
    p.add_argument("--key", action="append", required=True, help=key_help)
    p.add_argument("--origin", help="refuse a checkpoint of any other log")
    p.set_defaults(func=cmd_checkpoint)

    p = sub.add_parser("entry", help="check an entry's evidence bundle: signature, inclusion, leaf, commit")
    p.add_argument("evidence", help="evidence zip (see README)")
    p.add_argument("--key", action="append", required=True, help=key_help)
    p.set_defaults(func=cmd_entry)

    p = sub.add_parser("consistency", help="does the NEW checkpoint extend the OLD one?")
    p.add_argument("old", help="older signed checkpoint file")
    p.add_argument("new", help="newer signed checkpoint file")
    p.add_argument("proof", help='consistency proof JSON {"old": M, "new": N, "hashes": [...]}')
    p.add_argument("--key", action="append", required=True, help=key_help)
    p.set_defaults(func=cmd_consistency)

    p = sub.add_parser("audit", help="rebuild every root of an exported book from all its leaves")
    p.add_argument("export_dir", help="export directory (leaves.jsonl, checkpoints/*.txt, records.jsonl)")
    p.add_argument("--key", action="append", required=True, help=key_help)
    p.add_argument("--check-leaves", action="store_true", help="also parse every leaf (slower)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("watch", help="follow a live book; alarm (exit 1) on any inconsistency")
    p.add_argument("url", help="the log's base URL, e.g. https://host/api/v1/ledger/KSM01")
    p.add_argument("--key", action="append", required=True, help=key_help)
    p.add_argument("--state", required=True, help="directory that remembers the last good checkpoint")
    p.add_argument("--origin", help="the log's origin (default: the remembered checkpoint's)")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between polls (default 60)")
    p.add_argument("--once", action="store_true", help="poll once and exit")
    p.set_defaults(func=cmd_watch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, which is our "bad input" too
        return int(exc.code or 0)
    try:
        code: int = args.func(args)
    except VerificationError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (FormatError, OSError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_BAD_INPUT
    return code


if __name__ == "__main__":
    sys.exit(main())
