"""The one stylesheet is cached: outside debug it is linked by a name carrying a hash of its content,
which whitenoise answers as immutable for a year; before collectstatic, the plain name still works."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

VERSIONED = {"BACKEND": "daftari.core.staticfiles.VersionedStaticFiles"}


@pytest.fixture
def versioned_static(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": VERSIONED}
    return Path(settings.STATIC_ROOT)


def stylesheet_href(client: Client) -> str:
    page = client.get("/public/").content.decode()
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)
    assert len(links) == 1
    return str(links[0])


def test_after_collectstatic_the_stylesheet_has_a_hashed_name_and_is_cached_for_a_year(
    client: Client, db: None, versioned_static: Path
) -> None:
    call_command("collectstatic", "--noinput", verbosity=0)
    href = stylesheet_href(client)
    assert re.fullmatch(r"/static/daftari/daftari\.[0-9a-f]{12}\.css", href)
    response = client.get(href)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) >= 365 * 24 * 3600  # type: ignore[union-attr]
    assert b".lang-switch" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_before_collectstatic_the_plain_name_is_linked_and_served(
    client: Client, db: None, versioned_static: Path
) -> None:
    assert not versioned_static.exists()
    href = stylesheet_href(client)
    assert href == "/static/daftari/daftari.css"
    assert client.get(href).status_code == 200
