from __future__ import annotations

import sys
from pathlib import Path

import pytest

try:
    import daftari_verify  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e verify`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from daftari_verify import note
from ledger_book import ORIGIN, Book


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
