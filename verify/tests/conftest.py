from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

try:
    import daftari_verify  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e verify`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from daftari_verify import note
from ledger_book import ORIGIN, Book

# Property tests judge behaviour, never speed: a loaded 2-core machine must not fail one by its clock
# (speed lives in `make bench`).
hypothesis_settings.register_profile("daftari", deadline=None)
hypothesis_settings.load_profile("daftari")


@pytest.fixture(scope="session")
def signer() -> note.Signer:
    return note.Signer.generate("daftari.test/ledger")


@pytest.fixture(scope="session")
def vkey(signer: note.Signer) -> str:
    return str(signer.verifier())


@pytest.fixture
def book(signer: note.Signer) -> Book:
    b = Book(origin=ORIGIN, signer=signer)
    for _ in range(45):
        b.append()
    return b
