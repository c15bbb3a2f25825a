"""A push over HTTP as a node sends it: gzip-compressed JSON, signed over the JSON itself. The hub
inflates it within the request limit, and never past it."""

import gzip
import json

import pytest
from django.test import Client

from daftari.nodes import hub, keys, wire
from daftari.nodes.models import MirroredLeaf
from daftari.stations.models import Station
from tests.nodes.test_hub import Book

pytestmark = pytest.mark.django_db

PUSH = "/api/v1/hub/push"


@pytest.fixture
def book(station: Station) -> Book:
    _node, code = hub.enrol(station=station)
    hub.join(code=code, public_key=str(keys.node_signer().verifier()))
    return Book(origin=f"daftari.local/ob/{station.code}", signer=keys.node_signer())


def _post(body: bytes, *, signed: bytes, encoding: str | None = "gzip") -> object:
    signature = wire.sign_request(
        keys.node_signer(), origin=json.loads(signed)["origin"], method="POST", path=PUSH, body=signed
    )
    headers = {wire.SIGNATURE_HEADER: signature, **({"Content-Encoding": encoding} if encoding else {})}
    return Client().post(PUSH, data=body, content_type="application/json", headers=headers)


def _json(push: wire.Push) -> bytes:
    return json.dumps(push.to_json(), separators=(",", ":")).encode()


def test_a_compressed_push_is_mirrored_like_a_plain_one_and_is_several_times_smaller(book: Book) -> None:
    book.record(40)
    plain = _json(book.push(0, 40))
    compressed = wire.compress(plain)
    answer = _post(compressed, signed=plain)
    assert answer.status_code == 200, answer.content  # type: ignore[attr-defined]
    assert answer.json()["size"] == 40  # type: ignore[attr-defined]
    assert MirroredLeaf.objects.count() == 40
    assert len(compressed) * 2 < len(plain)


def test_a_small_body_that_would_inflate_past_the_request_limit_is_refused_with_413(book: Book, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_MAX_REQUEST_BYTES = 100_000
    book.record(1)
    plain = _json(book.push(0, 1))
    bomb = gzip.compress(plain[:-1] + b" " * 200_000 + b"}")
    assert len(bomb) < 5_000
    answer = _post(bomb, signed=plain)
    assert answer.status_code == 413  # type: ignore[attr-defined]
    assert not MirroredLeaf.objects.exists()


def test_a_body_that_says_gzip_but_is_not_is_refused_with_422_naming_the_body(book: Book) -> None:
    book.record(1)
    plain = _json(book.push(0, 1))
    for broken in (plain, wire.compress(plain)[:-9], wire.compress(plain) + b"more"):
        answer = _post(broken, signed=plain)
        assert answer.status_code == 422, broken  # type: ignore[attr-defined]
        assert "gzip" in answer.json()["fields"]["body"]  # type: ignore[attr-defined]
    assert not MirroredLeaf.objects.exists()
