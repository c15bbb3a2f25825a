"""The ``daftari`` commands: demo, createofficer, and the real server and worker processes."""

import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.urls import reverse

from daftari.occurrences.management.commands import demo
from daftari.occurrences.models import Occurrence, Party
from daftari.stations.models import Officer, Station, scope_of
from daftari.stations.rules import Role
from tests.migrated_sqlite import copy_into

DAFTARI = str(Path(sys.executable).with_name("daftari"))


def counts() -> dict[str, int]:
    return {
        "stations": Station.objects.count(),
        "users": User.objects.count(),
        "officers": Officer.objects.count(),
        "entries": Occurrence.objects.count(),
        "parties": Party.objects.count(),
    }


@pytest.mark.django_db
def test_the_demo_run_twice_gives_the_same_data() -> None:
    call_command("demo", verbosity=0)
    first = counts()
    call_command("demo", verbosity=0)
    assert counts() == first
    assert first["stations"] == 4
    assert first["entries"] > 30
    assert Occurrence.objects.filter(station__code="CENTRAL-NBI", entry_type="AMENDMENT").count() == 1
    assert Occurrence.objects.filter(station__code="CENTRAL-NBI", entry_type="DAILY_CLOSE").count() == 1


@pytest.mark.django_db
def test_the_demo_stations_have_a_phone_for_the_ob_slip_even_in_a_database_from_before_phones() -> None:
    call_command("demo", verbosity=0)
    assert dict(Station.objects.values_list("code", "phone")) == {
        "CENTRAL-NBI": "020 224 0100",
        "KILIMANI": "020 271 0300",
        "KISUMU-CTL": "057 202 0100",
        "MOMBASA-CTL": "041 222 5100",
    }
    Station.objects.filter(code="KILIMANI").update(phone="")
    call_command("demo", verbosity=0)
    assert Station.objects.get(code="KILIMANI").phone == "020 271 0300"


@pytest.mark.django_db
def test_the_demo_holds_a_person_in_the_cells_and_two_fine_notices_once() -> None:
    from daftari.custody.models import CustodyRecord
    from daftari.fines.models import FineNotice

    call_command("demo", verbosity=0)
    call_command("demo", verbosity=0)
    held = CustodyRecord.objects.get(projection__state="in_custody")
    # The demo day's book put two people in the cells and released them: the register holds them too, once.
    released = CustodyRecord.objects.filter(projection__state="released")
    assert sorted(r.detainee_name for r in released) == ["Felix Odera Opiyo", "Kevin Omondi Ochieng"]
    assert all(r.cells_entry is not None and r.events.get(kind="release").entry is not None for r in released)
    assert (held.station.code, held.detainee_name, held.projection.state) == (
        "CENTRAL-NBI",
        "Kevin Mutua Wambua",
        "in_custody",
    )
    assert held.arrest.entry_type == "ARREST"
    assert sorted(FineNotice.objects.values_list("plate", flat=True)) == ["KCB902T", "KDE417M"]


@pytest.mark.django_db
def test_the_demo_logins_sign_in_with_the_demo_password_in_their_roles() -> None:
    call_command("demo", verbosity=0)
    expected = {
        "desk1": ("CENTRAL-NBI", Role.DESK),
        "ocs1": ("CENTRAL-NBI", Role.OCS),
        "investigator1": ("CENTRAL-NBI", Role.INVESTIGATOR),
        "traffic1": ("CENTRAL-NBI", Role.TRAFFIC),
        "desk2": ("KISUMU-CTL", Role.DESK),
        "commander1": ("CENTRAL-NBI", Role.COMMANDER),
        "analyst1": (None, Role.ANALYST),
        "oversight1": (None, Role.OVERSIGHT),
        "admin": (None, Role.ADMIN),
    }
    for username, (station_code, role) in expected.items():
        request = RequestFactory().post("/login/", REMOTE_ADDR="127.0.0.1")
        user = authenticate(request, username=username, password="daftari-demo")
        assert user is not None, username
        scope = scope_of(user)
        assert role in scope.roles and scope.station_code == station_code, username
    assert User.objects.get(username="admin").is_superuser


def test_the_demo_logins_table_is_printed_without_touching_the_database() -> None:
    out = io.StringIO()
    call_command("demo", "--logins", stdout=out)
    table = out.getvalue()
    for officer in demo.OFFICERS:
        assert officer.username in table
    assert "daftari-demo" in table
    assert demo.TOTP_SECRET in table and "daftari demo --code USERNAME" in table


@pytest.mark.django_db
@pytest.mark.second_factor
def test_the_demo_supervisors_sign_in_with_the_published_key_and_print_their_code() -> None:
    from django.test import Client

    call_command("demo", verbosity=0)
    for username in ("ocs1", "commander1", "oversight1", "admin"):
        out = io.StringIO()
        call_command("demo", "--code", username, stdout=out)
        client = Client()
        assert client.post("/signin", {"username": username, "password": "daftari-demo"}).status_code == 302
        verified = client.post("/second-factor", {"otp": out.getvalue().strip(), "next": "/search"})
        assert verified.status_code == 302 and verified["Location"] == "/search", username
    with pytest.raises(CommandError):
        call_command("demo", "--code", "desk1")


STRONG_PASSWORD = "Kaa-Rada-Nairobi-2026"


def createofficer(*args: str, password: str = STRONG_PASSWORD) -> str:
    out = io.StringIO()
    stdin, sys.stdin = sys.stdin, io.StringIO(password + "\n")
    try:
        call_command("createofficer", *args, "--password-stdin", stdout=out)
    finally:
        sys.stdin = stdin
    return out.getvalue()


def test_createofficer_registers_an_officer_with_roles_at_a_station(station: Station) -> None:
    createofficer(
        "--username",
        "kamau",
        "--service-number",
        "240117",
        "--rank",
        "sgt",
        "--station",
        "central-nbi",
        "--role",
        "desk",
        "--role",
        "ocs",
        "--first-name",
        "John",
        "--last-name",
        "Kamau",
    )
    officer = Officer.objects.select_related("user").get(service_number="240117")
    assert (officer.rank, officer.station, officer.user.get_full_name()) == ("SGT", station, "John Kamau")
    assert scope_of(officer.user).roles == {Role.DESK, Role.OCS}
    assert officer.user.check_password(STRONG_PASSWORD)


def test_createofficer_refuses_a_service_number_already_registered(station: Station) -> None:
    createofficer(
        "--username", "kamau", "--service-number", "240117", "--rank", "PC", "--station", station.code, "--role", "desk"
    )
    with pytest.raises(CommandError, match="service_number"):
        createofficer(
            "--username",
            "otieno",
            "--service-number",
            "240117",
            "--rank",
            "PC",
            "--station",
            station.code,
            "--role",
            "desk",
        )
    assert not User.objects.filter(username="otieno").exists()


def test_createofficer_refuses_an_unknown_station_and_a_weak_password(station: Station) -> None:
    with pytest.raises(CommandError, match="NOWHERE"):
        createofficer(
            "--username", "a", "--service-number", "1", "--rank", "PC", "--station", "NOWHERE", "--role", "desk"
        )
    with pytest.raises(CommandError, match="password"):
        createofficer(
            "--username",
            "a",
            "--service-number",
            "1",
            "--rank",
            "PC",
            "--station",
            station.code,
            "--role",
            "desk",
            password="123",
        )
    assert not Officer.objects.exists()


# --- Real processes -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def process_env(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> dict[str, str]:
    """A fresh SQLite data directory, migrated; never the test database nor DATABASE_URL's."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DAFTARI_DATA_DIR"] = str(copy_into(migrated_sqlite, tmp_path_factory.mktemp("data")))
    env["DAFTARI_TESTING"] = "0"
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(process_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [DAFTARI, "serve", "--port", str(port), "--workers", "1"],
        env=process_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/static/daftari/htmx.min.js", timeout=2)
            break
        except httpx.TransportError:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.2)
    yield base
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_serve_answers_the_login_page_and_serves_static_files(server: str, process_env: dict[str, str]) -> None:
    login = httpx.get(server + reverse("login"), timeout=10)
    assert login.status_code == 200
    assert "csrfmiddlewaretoken" in login.text
    htmx = httpx.get(server + "/static/daftari/htmx.min.js", timeout=10)
    assert htmx.status_code == 200
    assert "htmx" in htmx.text[:2000]


def _raw_http(base: str, request: bytes) -> bytes:
    """Sends ``request`` as written, without a body, and reads what the server answers."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def test_serve_answers_413_to_an_oversized_body_from_its_length_without_waiting_for_it(server: str) -> None:
    # 100 MB announced, none sent: the answer comes from the Content-Length alone.
    answer = _raw_http(
        server,
        b"POST /api/v1/occurrences HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000000\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_serve_answers_413_to_an_oversized_desk_form(server: str) -> None:
    response = httpx.post(server + "/fines/issue", content=b"x" * (4 * 1024 * 1024), timeout=30)
    assert response.status_code == 413


def test_serve_refuses_an_overlong_request_line_and_too_many_headers(server: str) -> None:
    line = _raw_http(server, b"GET /?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert line.split(b" ")[1] in (b"400", b"414"), line[:200]
    headers = b"".join(b"X-Filler-%d: 1\r\n" % n for n in range(60))
    many = _raw_http(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n")
    assert many.split(b" ")[1] == b"431", many[:200]


def test_serve_stops_cleanly_on_sigterm(process_env: dict[str, str]) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [DAFTARI, "serve", "--port", str(port), "--workers", "2"],
        env=process_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = b""
    assert proc.stdout is not None
    while b"Booting worker" not in output:
        line = proc.stdout.readline()
        assert line, output.decode()
        output += line
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    rest = proc.stdout.read()
    assert b"Shutting down" in rest


def test_the_worker_starts_and_stops_gracefully_on_sigterm(process_env: dict[str, str]) -> None:
    proc = subprocess.Popen([DAFTARI, "worker"], env=process_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    started = proc.stdout.readline()
    assert b"Starting worker" in started
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert b"shutting down gracefully" in proc.stdout.read()
