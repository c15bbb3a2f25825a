"""Personas and places shared by every test.

Two stations in two counties: Central (Nairobi) where most personas serve, and Kisumu
Central (Kisumu) for the officer elsewhere.
"""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from daftari.occurrences.rules import EntryDraft, PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import County, Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer

if TYPE_CHECKING:
    from tests.browser_support import BrowserThread

PASSWORD = "correct horse battery staple"


# Property tests judge behaviour, never speed: a loaded 2-core machine must not fail one by its clock
# (speed lives in `make bench`).
hypothesis_settings.register_profile("daftari", deadline=None)
hypothesis_settings.load_profile("daftari")


@pytest.fixture(autouse=True)
def data_the_migrations_load(request: pytest.FixtureRequest) -> None:
    """The counties and the fines catalogue, put back for an ordinary test that runs after a
    transactional one in the same worker (whose flush removed them, as Django documents).

    pytest-django runs a worker's transactional tests after its others, but ``--dist worksteal``
    can hand a worker that has finished them more ordinary tests. They are put back before the
    test's transaction begins, so they stay for the tests after it.
    """
    if "db" not in request.fixturenames or "transactional_db" in request.fixturenames:
        return
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connection

    saved = getattr(connection, "_test_serialized_contents", None)
    with request.getfixturevalue("django_db_blocker").unblock():
        if saved and not County.objects.exists():
            connection.creation.deserialize_db_from_string(saved)


@pytest.fixture(autouse=True)
def english_unless_asked() -> Iterator[None]:
    """A request in Kiswahili leaves the language active in the thread; each test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest) -> None:
    """Argon2 is slow by design; tests not about hashing use MD5 (mark them ``real_password_hashing``)."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    # pytest-django's settings fixture sends setting_changed, which clears Django's cached hashers;
    # a bare assignment would leave MD5 cached for the argon2 test that runs later.
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def second_factor_only_where_asked(request: pytest.FixtureRequest) -> None:
    """The TOTP step is tested where it is the subject (mark ``second_factor``) and in the browser
    tests, which complete it (tests/browser_support.py); elsewhere a signed-in OCS is enough."""
    if request.node.get_closest_marker("second_factor") or request.node.get_closest_marker("browser"):
        return
    request.getfixturevalue("settings").DAFTARI_SECOND_FACTOR_ROLES = []


@pytest.fixture(autouse=True)
def demo_without_history_unless_asked(request: pytest.FixtureRequest) -> None:
    """`daftari demo` back-captures months of crimes for `make run`; the tests of its other parts skip them
    (tests/occurrences/test_demo_history.py asks for some)."""
    request.getfixturevalue("settings").DAFTARI_DEMO_HISTORY_DAYS = 0


@pytest.fixture
def station(db: None) -> Station:
    return Station.objects.create(code="CENTRAL-NBI", name="Central Police Station", county=County.objects.get(code=47))


@pytest.fixture
def other_station(db: None) -> Station:
    return Station.objects.create(
        code="KISUMU-CTL", name="Kisumu Central Police Station", county=County.objects.get(code=42)
    )


@pytest.fixture
def neighbour_station(db: None) -> Station:
    """Another station in the same county as ``station``."""
    return Station.objects.create(code="KILIMANI", name="Kilimani Police Station", county=County.objects.get(code=47))


OfficerFactory = Callable[..., User]


@pytest.fixture
def make_officer(db: None) -> OfficerFactory:
    counter = iter(range(1000, 100000))

    def make(username: str, roles: list[Role], station: Station | None) -> User:
        officer = create_officer(
            username=username,
            password=PASSWORD,
            service_number=f"SN{next(counter)}",
            rank=Officer.Rank.CONSTABLE,
            station=station,
            roles=roles,
            first_name=username.title(),
            last_name="Officer",
        )
        return officer.user

    return make


@pytest.fixture
def desk_officer(make_officer: OfficerFactory, station: Station) -> User:
    return make_officer("desk", [Role.DESK], station)


@pytest.fixture
def ocs(make_officer: OfficerFactory, station: Station) -> User:
    return make_officer("ocs", [Role.OCS], station)


@pytest.fixture
def investigator(make_officer: OfficerFactory, station: Station) -> User:
    return make_officer("investigator", [Role.INVESTIGATOR], station)


@pytest.fixture
def traffic_officer(make_officer: OfficerFactory, station: Station) -> User:
    return make_officer("traffic", [Role.TRAFFIC], station)


@pytest.fixture
def officer_elsewhere(make_officer: OfficerFactory, other_station: Station) -> User:
    return make_officer("elsewhere", [Role.DESK], other_station)


@pytest.fixture
def commander(make_officer: OfficerFactory, station: Station) -> User:
    return make_officer("commander", [Role.COMMANDER], station)


@pytest.fixture
def analyst(make_officer: OfficerFactory) -> User:
    return make_officer("analyst", [Role.ANALYST], None)


@pytest.fixture
def oversight(make_officer: OfficerFactory) -> User:
    return make_officer("oversight", [Role.OVERSIGHT], None)


@pytest.fixture
def admin_officer(make_officer: OfficerFactory) -> User:
    return make_officer("administrator", [Role.ADMIN], None)


@pytest.fixture
def desk_client(client: Client, desk_officer: User) -> Client:
    client.force_login(desk_officer)
    return client


@pytest.fixture
def public_client(client: Client) -> Client:
    return client


def complaint(**overrides: object) -> EntryDraft:
    """A typical complaint at the counter: a phone snatched near the bus stage an hour ago."""
    fields: dict[str, object] = {
        "entry_type": "COMPLAINT",
        "occurred_at": timezone.now() - timedelta(hours=1),
        "place": "Moi Avenue, near the bus stage",
        "narrative": "Complainant reports that her phone was snatched by a man on a motorcycle.",
        "parties": (PartyInput(role="complainant", name="Wanjiku Kamau", id_number="12345678", phone="0712345678"),),
    }
    fields.update(overrides)
    return EntryDraft(**fields)  # type: ignore[arg-type]


@pytest.fixture
def recorded_complaint(desk_officer: User, station: Station):  # type: ignore[no-untyped-def]
    return record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry


def at_nairobi(*args: int) -> datetime:
    from daftari.occurrences.rules import NAIROBI

    return datetime(*args, tzinfo=NAIROBI)  # type: ignore[misc]


def enrol_second_factor(user: User) -> None:
    """Sets the officer's authenticator up with the tests' known key (tests.browser_support.TEST_TOTP_KEY)."""
    from daftari.stations.services import enrol_totp_with_key
    from tests.browser_support import TEST_TOTP_KEY

    enrol_totp_with_key(user=user, key_hex=TEST_TOTP_KEY.hex())


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run of pytest, copied by the tests that run daftari in real
    processes on a fresh database of their own (tests/migrated_sqlite.py)."""
    from tests.migrated_sqlite import DATABASE_FILE, made_once, migrate_template

    return made_once(tmp_path_factory, "migrated-sqlite", migrate_template) / DATABASE_FILE


@pytest.fixture(scope="session")
def chromium() -> Iterator["BrowserThread"]:
    """One Chromium per pytest worker for the browser tests (starting one takes 1-3 s); each story
    runs in a fresh browser context of its own, with its own cookies and storage."""
    from tests.browser_support import BrowserThread

    browser = BrowserThread()
    yield browser
    browser.close()
