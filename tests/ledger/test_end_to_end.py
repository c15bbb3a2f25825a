"""End to end: an entry recorded over HTTP is proven, from what the server hands out over HTTP, by
``daftari-verify`` installed alone in a virtualenv that has no Django (as a court would run it).
"""

import subprocess
import sys
import venv
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from daftari.ledger import keys
from daftari.ledger.services import sign_checkpoint
from daftari.stations.models import Station
from tests.conftest import PASSWORD

# Serialized rollback restores the counties (loaded by a data migration) after each flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VERIFY_DIST = Path(__file__).resolve().parents[2] / "verify"

INCLUSION_CHECK = """
import sys
from pathlib import Path
from daftari_verify import merkle
from daftari_verify.checkpoint import InclusionProof, open_checkpoint
from daftari_verify.note import Verifier

leaf, proof, checkpoint, key = (Path(p) for p in sys.argv[1:5])
opened = open_checkpoint(checkpoint.read_text(), Verifier.parse(key.read_text().split()[0]))
InclusionProof.from_json(proof.read_text()).verify(merkle.leaf_hash(leaf.read_bytes()), opened)
print("included")
"""


class Court:
    """daftari-verify in its own virtualenv, without Django."""

    def __init__(self, directory: Path) -> None:
        self.bin = directory / "bin"

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / "daftari-verify"), *map(str, args)], capture_output=True, text=True, timeout=60
        )

    def python(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / "python"), *map(str, args)], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="session")
def court(tmp_path_factory: pytest.TempPathFactory) -> Court:
    directory = tmp_path_factory.mktemp("court-venv")
    # No pip of its own (ensurepip takes 5-12 s here): the tests' pip installs into it (``--python``).
    venv.EnvBuilder(clear=True).create(directory)
    court_python = str(directory / "bin" / "python")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", court_python, "install", "--quiet", str(VERIFY_DIST)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return Court(directory)


@pytest.fixture
def signing_key(tmp_path: Path, settings: Any) -> Iterator[None]:
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()
    yield
    keys.signer.cache_clear()


def complaint_body() -> dict[str, Any]:
    return {
        "entry_type": "COMPLAINT",
        # An hour ago: older would be a late entry, which needs its reason.
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "place": "Moi Avenue, near the bus stage",
        "narrative": "Complainant reports that her phone was snatched by a man on a motorcycle.",
        "parties": [{"role": "complainant", "name": "Wanjiku Kamau", "id_number": "12345678"}],
        "details": {},
    }


def test_an_entry_recorded_over_http_is_proven_by_daftari_verify_in_a_virtualenv_without_django(
    court: Court, live_server: Any, desk_officer: User, station: Station, signing_key: None, tmp_path: Path
) -> None:
    no_django = court.python("-c", "import django")
    assert no_django.returncode != 0 and "ModuleNotFoundError" in no_django.stderr

    with httpx.Client(base_url=f"{live_server.url}/api/v1", trust_env=False, timeout=30) as http:
        issued = http.post("/auth/token", json={"username": desk_officer.username, "password": PASSWORD})
        assert issued.status_code in (200, 201), issued.text
        http.headers["Authorization"] = f"Bearer {issued.json()['token']}"

        recorded = http.post("/occurrences", json=complaint_body())
        assert recorded.status_code == 201, recorded.text
        entry_id = recorded.json()["id"]
        sign_checkpoint(station=station)  # what the worker does within a minute

        ledger = f"/ledger/{station.code}"
        key = http.get("/ledger/keys")
        checkpoint = http.get(f"{ledger}/checkpoint")
        leaf = http.get(f"{ledger}/leaves/0")
        proof = http.get(f"{ledger}/proof/inclusion", params={"index": 0, "size": 1})
        evidence = http.get(f"/occurrences/{entry_id}/evidence")
        for response in (key, checkpoint, leaf, proof, evidence):
            assert response.status_code == 200, f"{response.request.url}: {response.status_code} {response.text}"
        assert entry_id in leaf.text and "Wanjiku" not in leaf.text

        # The book grows; the later checkpoint must extend the first.
        assert http.post("/occurrences", json=complaint_body()).status_code == 201
        sign_checkpoint(station=station)
        later = http.get(f"{ledger}/checkpoint")
        consistency = http.get(f"{ledger}/proof/consistency", params={"old": 1, "new": 2})
        assert later.status_code == consistency.status_code == 200

    files = {
        "key.txt": key.content,
        "checkpoint.txt": checkpoint.content,
        "leaf.json": leaf.content,
        "inclusion-proof.json": proof.content,
        "evidence.zip": evidence.content,
        "later.txt": later.content,
        "consistency-proof.json": consistency.content,
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    assert key.text.split()[0] == keys.verifier_key()
    vkey = tmp_path / "key.txt"

    origin = checkpoint.text.splitlines()[0]
    assert origin.endswith(station.code)
    checked = court.run("checkpoint", tmp_path / "checkpoint.txt", "--key", vkey, "--origin", origin)
    assert checked.returncode == 0, checked.stderr
    included = court.python(
        "-c", INCLUSION_CHECK, tmp_path / "leaf.json", tmp_path / "inclusion-proof.json",
        tmp_path / "checkpoint.txt", vkey,
    )  # fmt: skip
    assert included.returncode == 0 and included.stdout.strip() == "included", included.stderr
    entry = court.run("entry", tmp_path / "evidence.zip", "--key", vkey)
    assert entry.returncode == 0, entry.stderr
    extended = court.run(
        "consistency", tmp_path / "checkpoint.txt", tmp_path / "later.txt", tmp_path / "consistency-proof.json",
        "--key", vkey,
    )  # fmt: skip
    assert extended.returncode == 0, extended.stderr

    # A checkpoint claiming another root for the same size is refused: exit 1, one line saying why.
    origin_line, size_line, root_line, *rest = checkpoint.text.split("\n")
    forged_root = ("B" if root_line[0] == "A" else "A") + root_line[1:]
    (tmp_path / "tampered.txt").write_text("\n".join([origin_line, size_line, forged_root, *rest]))
    tampered = court.run("checkpoint", tmp_path / "tampered.txt", "--key", vkey)
    assert tampered.returncode == 1, (tampered.returncode, tampered.stderr)
    assert tampered.stderr.startswith("FAILED")
    # So is a leaf changed after it was signed.
    (tmp_path / "tampered-leaf.json").write_bytes(leaf.content.replace(b"Z", b"z", 1))
    changed = court.python(
        "-c", INCLUSION_CHECK, tmp_path / "tampered-leaf.json", tmp_path / "inclusion-proof.json",
        tmp_path / "checkpoint.txt", vkey,
    )  # fmt: skip
    assert changed.returncode == 1 and "VerificationError" in changed.stderr
