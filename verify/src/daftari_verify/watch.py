"""A witness for one station's book: remember the last checkpoint, and prove every new one extends it.

``URL`` is the log's base, e.g. ``https://daftari.example/api/v1/ledger/KSM01``; the server answers
``URL/checkpoint`` and ``URL/proof/consistency?old=M&new=N`` (LEDGER.md). The state directory holds
``checkpoint.txt``, the last checkpoint that checked out.
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from daftari_verify import note
from daftari_verify.checkpoint import Checkpoint, ConsistencyProof, open_checkpoint
from daftari_verify.errors import FormatError, VerificationError

STATE_FILE = "checkpoint.txt"
MAX_RESPONSE = 1 << 20

Fetch = Callable[[str], bytes]


class FetchError(Exception):
    """The server could not be reached or answered with an error (not evidence of tampering)."""


def fetch_url(url: str, timeout: float = 30.0) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise FormatError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "daftari-verify"})  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            body: bytes = response.read(MAX_RESPONSE + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise FetchError(f"{url}: {exc}") from None
    if len(body) > MAX_RESPONSE:
        raise FetchError(f"{url}: answer larger than {MAX_RESPONSE} bytes")
    return body


@dataclass(frozen=True)
class PollResult:
    previous: Checkpoint | None
    current: Checkpoint

    @property
    def grew(self) -> bool:
        return self.previous is None or self.current.size > self.previous.size


def _save(state_dir: Path, signed: str) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=state_dir, prefix=".checkpoint-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(signed)
    Path(tmp).replace(state_dir / STATE_FILE)


def poll(
    url: str,
    verifiers: note.Verifier | Iterable[note.Verifier],
    state_dir: str | Path,
    *,
    origin: str | None = None,
    fetch: Fetch = fetch_url,
) -> PollResult:
    """Fetch the latest checkpoint, prove it extends the remembered one, then remember it.

    Raises ``VerificationError`` (the alarm) on a bad signature, a shrunk book, two roots for one
    size, another log, or a consistency proof that fails; ``FetchError`` when the server is away.
    The remembered checkpoint changes only after every check passed.
    """
    known = [verifiers] if isinstance(verifiers, note.Verifier) else list(verifiers)
    base = url.rstrip("/")
    state = Path(state_dir)
    previous: Checkpoint | None = None
    state_file = state / STATE_FILE
    if state_file.exists():
        try:
            previous = open_checkpoint(state_file.read_bytes(), known)
        except (FormatError, VerificationError) as exc:
            raise FormatError(f"the remembered checkpoint in {state_file} is unusable: {exc}") from None
        origin = origin or previous.origin

    signed_bytes = fetch(f"{base}/checkpoint")
    try:
        current = open_checkpoint(signed_bytes, known, origin=origin)
    except (FormatError, VerificationError) as exc:
        raise VerificationError(f"{base}/checkpoint: {exc}") from None

    if previous is not None:
        if current.size < previous.size:
            raise VerificationError(f"the book shrank from {previous.size} to {current.size} leaves")
        if current.size == previous.size:
            if current.root != previous.root:
                raise VerificationError(f"two different roots for size {current.size}: the book was rewritten")
        else:
            query = urlencode({"old": previous.size, "new": current.size})
            answer = fetch(f"{base}/proof/consistency?{query}")
            try:
                ConsistencyProof.from_json(answer).verify(previous, current)
            except (FormatError, VerificationError) as exc:
                raise VerificationError(
                    f"size {previous.size} -> {current.size} is not an extension of the remembered book: {exc}"
                ) from None
    _save(state, signed_bytes.decode("utf-8"))
    return PollResult(previous=previous, current=current)
