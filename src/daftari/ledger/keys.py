"""The station ledgers' signing key.

Created on first use in DAFTARI_DATA_DIR (mode 0600), or read from DAFTARI_LEDGER_SIGNING_KEY
(the key string itself) or DAFTARI_LEDGER_KEY_FILE in production.
"""

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

from daftari_verify import note
from django.conf import settings


def _key_file() -> Path:
    return Path(settings.DAFTARI_LEDGER_KEY_FILE)


def key_in_file(path: Path, make: Callable[[], str]) -> str:
    """The key string stored at ``path``, made by ``make()`` and written (mode 0600) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = make()
        try:
            # O_EXCL: two processes starting at once must not each write a different key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key + "\n")
    return path.read_text()


@cache
def signer() -> note.Signer:
    if settings.DAFTARI_LEDGER_SIGNING_KEY:
        return note.Signer.parse(settings.DAFTARI_LEDGER_SIGNING_KEY)
    return note.Signer.parse(key_in_file(_key_file(), lambda: str(note.Signer.generate(settings.DAFTARI_LOG_ORIGIN))))


def verifier_key() -> str:
    return str(signer().verifier())


def verifier() -> note.Verifier:
    return signer().verifier()
