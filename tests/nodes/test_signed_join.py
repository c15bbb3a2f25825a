"""The join answer travels signed (NODES.md rule 5): the enrolment code ends with the fingerprint of
the hub's own log key, the hub signs its answer with that key, and the node stores nothing of an
answer that is unsigned, signed by another key, altered on the way, or made for another join."""

import copy
from typing import Any

import pytest
from daftari_verify import note
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.core.errors import InvalidInput
from daftari.hubfeed import publish as feed
from daftari.nodes import hub, keys, node, rules, wire
from daftari.nodes.models import HubLink
from daftari.stations.models import Officer, Station

pytestmark = pytest.mark.django_db

HUB_URL = "https://hub.example"


def enrol_and_join(station: Station) -> tuple[str, dict[str, Any]]:
    """At the hub: a code for ``station`` and the answer to the node's join on it, as the node
    receives it. The hub's writes are rolled back, so the database holds only what the node stores."""
    with transaction.atomic():
        _enrolled, code = hub.enrol(station=station, by="admin1")
        answer = Client().post(
            "/api/v1/hub/join",
            {"code": code, "public_key": str(keys.node_signer().verifier())},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        transaction.set_rollback(True)
    return code, answer.json()


def refused(answer: Any, code: str, settings: SettingsWrapper) -> InvalidInput:
    settings.DAFTARI_ROLE = "node"
    with pytest.raises(InvalidInput) as caught:
        node.accept_join_answer(hub_url=HUB_URL, code=code, answer=answer, now=timezone.now())
    assert not HubLink.objects.exists()
    return caught.value


def test_the_enrolment_code_ends_with_the_fingerprint_of_the_hubs_own_log_key(station: Station) -> None:
    _enrolled, code = hub.enrol(station=station)
    assert len(code.split("-")) == rules.CODE_GROUPS + rules.FINGERPRINT_GROUPS
    assert rules.code_fingerprint(code) == rules.key_fingerprint(feed.hub_verifier_key())
    assert rules.code_fingerprint(code.lower().replace("-", " ")) == rules.code_fingerprint(code)


def test_a_code_without_its_whole_fingerprint_is_refused_before_the_hub_is_asked(settings: SettingsWrapper) -> None:
    settings.DAFTARI_ROLE = "node"
    code = rules.new_enrolment_code(hub_key=feed.hub_verifier_key())
    with pytest.raises(InvalidInput) as caught:
        # No hub listens at this address: the code is refused before any request.
        node.join(hub_url="http://127.0.0.1:9", code=code[:-6])
    assert "code" in caught.value.fields
    assert not HubLink.objects.exists()


def test_an_answer_with_officers_altered_on_the_way_is_refused_and_nothing_is_stored(
    station: Station, desk_officer: User, settings: SettingsWrapper
) -> None:
    code, answer = enrol_and_join(station)
    forged = copy.deepcopy(answer)
    intruder = {**forged["officers"][0], "username": "intruder", "service_number": "99999"}
    forged["officers"].append(intruder)
    for officer in forged["officers"]:
        officer["password"] = "pbkdf2_sha256$1000000$salt$the-intruders-hash="
    password = User.objects.get(pk=desk_officer.pk).password
    assert "signature" in refused(forged, code, settings).fields
    assert not User.objects.filter(username="intruder").exists()
    assert User.objects.get(pk=desk_officer.pk).password == password


def test_an_answer_resigned_by_another_key_posing_as_the_hub_is_refused_and_nothing_is_stored(
    station: Station, settings: SettingsWrapper
) -> None:
    code, answer = enrol_and_join(station)
    impostor = note.Signer.generate(settings.DAFTARI_LOG_ORIGIN)
    forged = {key: value for key, value in answer.items() if key != "signature"}
    forged["feed_key"] = str(impostor.verifier())
    forged["hub_key"] = "daftari.local/hub+00000000+" + "A" * 44
    forged = wire.sign_join_answer(impostor, code=code, node_key=str(keys.node_signer().verifier()), answer=forged)
    assert "feed_key" in refused(forged, code, settings).fields


def test_an_answer_with_another_cosigner_key_under_the_hubs_signature_is_refused(
    station: Station, settings: SettingsWrapper
) -> None:
    code, answer = enrol_and_join(station)
    forged = {**answer, "hub_key": str(keys.hub_cosigner().verifier()).replace("+", "x+", 1)}
    assert "signature" in refused(forged, code, settings).fields


@pytest.mark.parametrize("answer", [None, "ok", {}, {"signature": None}])
def test_an_unsigned_answer_is_refused_and_nothing_is_stored(
    station: Station, settings: SettingsWrapper, answer: Any
) -> None:
    code, genuine = enrol_and_join(station)
    unsigned = {key: value for key, value in genuine.items() if key != "signature"} if answer == {} else answer
    assert "signature" in refused(unsigned, code, settings).fields


def test_a_genuine_answer_replayed_to_another_join_is_refused(
    station: Station, other_station: Station, settings: SettingsWrapper
) -> None:
    _code, answer = enrol_and_join(station)
    other_code, _other = enrol_and_join(other_station)
    assert "signature" in refused(answer, other_code, settings).fields


def test_a_genuine_answer_stores_the_station_its_officers_and_the_hubs_keys(
    station: Station, desk_officer: User, settings: SettingsWrapper
) -> None:
    code, answer = enrol_and_join(station)
    settings.DAFTARI_ROLE = "node"
    joined = node.accept_join_answer(hub_url=HUB_URL, code=code, answer=answer, now=timezone.now())
    assert joined.station == station
    assert joined.feed_key == feed.hub_verifier_key()
    assert joined.hub_key == str(keys.hub_cosigner().verifier())
    assert {o["username"] for o in answer["officers"]} == set(
        Officer.objects.filter(station=station).values_list("user__username", flat=True)
    )
    assert desk_officer.username in {o["username"] for o in answer["officers"]}
