"""The OB desk in a real Chromium with a refugee ID card shown as identity: as the number is typed the
person hint says the document's state in the refugee register (at a station node, in its last
verified copy, and how old that is), a mismatch is flagged, and the complaint is recorded either way."""

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.hubfeed.apply import apply_feed, hub_data_as_of, last_verified
from daftari.hubfeed.publish import build_feed, publish_tick
from daftari.ledger import keys
from daftari.occurrences.models import Occurrence
from daftari.refugees import queries, services
from daftari.refugees.models import Person
from daftari.stations.models import Station
from tests.browser_support import BrowserThread, sign_in
from tests.refugees.conftest import days_ago, issue

# Serialized rollback restores the counties (loaded by a data migration) after each flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def start_complaint(page: Page, base_url: str, complainant: str) -> None:
    page.goto(f"{base_url}/entries/new")
    expect(page.locator("#id_entry_type")).to_be_focused()  # the type is chosen by typing its first letters
    page.keyboard.type("Repo")
    expect(page.locator("#id_entry_type")).to_have_value("COMPLAINT")
    expect(page.get_by_label("Action taken")).to_be_visible()  # the type's own fields, swapped in by htmx
    page.get_by_label("Place").fill("Kakuma market, Block 4")
    page.get_by_label("What happened").fill("Her bag with cash and a phone was taken at the market.")
    page.locator("#id_parties-0-name").fill(complainant)


def record(page: Page) -> str:
    page.get_by_label("Place").press("Enter")
    flash = page.locator(".notice-success")
    expect(flash).to_contain_text("Recorded as OB ")
    match = re.search(r"OB \d+/\d+/\d+/\d{4}", flash.inner_text())
    assert match is not None
    return match.group(0)


def test_the_desk_sees_a_refugee_ids_state_as_it_is_typed_and_records_the_complaint_whatever_it_is(
    chromium: BrowserThread,
    live_server: Any,
    desk_officer: User,
    drs_officer: User,
    drs_supervisor: User,
    refugee: Person,
) -> None:
    issue(drs_officer, refugee, "RID-KAK-26-000001")
    revoked = issue(drs_officer, refugee, "RID-KAK-26-000002")
    services.revoke_document(actor=drs_supervisor, document=revoked, on=days_ago(0), reason="issued in error")
    issue(drs_officer, refugee, "RID-KAK-26-000003", issued_ago=400, expires_on=days_ago(30))
    base = live_server.url

    def story(page: Page) -> list[str]:
        sign_in(page, base, "desk", lands_on="Today's book")
        hint = page.locator("#hint-parties-0")

        # A card in force: the register says so as the number is typed.
        start_complaint(page, base, "Amina Hassan Abdi")
        page.locator("#id_parties-0-id_number").fill("RID-KAK-26-000001")
        expect(hint).to_contain_text("Refugee ID card RID-KAK-26-000001: valid in the refugee register.")
        first = record(page)

        # An expired card, then a revoked one: each a mismatch, said and not refused.
        start_complaint(page, base, "Amina Hassan Abdi")
        id_field = page.locator("#id_parties-0-id_number")
        id_field.fill("RID-KAK-26-000003")
        expect(hint).to_contain_text("Mismatch: Refugee ID card RID-KAK-26-000003 is expired in the refugee register.")
        id_field.fill("RID-KAK-26-000002")
        expect(hint).to_contain_text("Mismatch: Refugee ID card RID-KAK-26-000002 is revoked in the refugee register.")
        expect(hint).not_to_contain_text("000003")
        second = record(page)
        return [first, second]

    ob_numbers = chromium.run(story)

    assert len(set(ob_numbers)) == 2
    recorded = Occurrence.objects.filter(entry_type="COMPLAINT").order_by("ob_seq")
    assert [o.ob_number for o in recorded] == ob_numbers
    # Each complainant's refugee ID is kept as typed, and not flagged as an unusual number.
    parties = [o.parties.get() for o in recorded]
    assert [p.id_number for p in parties] == ["RIDKAK26000001", "RIDKAK26000002"]
    assert not any(p.id_number_unusual for p in parties)


def test_at_a_station_node_with_the_link_down_the_desk_sees_the_cards_state_as_the_register_stood_and_records(
    chromium: BrowserThread,
    live_server: Any,
    settings: Any,
    station: Station,
    desk_officer: User,
    drs_officer: User,
    drs_supervisor: User,
    refugee: Person,
) -> None:
    card = issue(drs_officer, refugee, "RID-KAK-26-000001")
    revoked = issue(drs_officer, refugee, "RID-KAK-26-000002")
    services.revoke_document(actor=drs_supervisor, document=revoked, on=days_ago(1), reason="issued in error")
    publish_tick()
    feed = json.loads(json.dumps(build_feed(station, 0)))  # as it travels
    settings.DAFTARI_ROLE = "node"
    assert apply_feed(feed, keys.verifier_key(), last_verified(), station_code=station.code).ok
    as_of = hub_data_as_of()
    assert as_of is not None
    # Then the link drops, and the hub revokes the first card too: the node cannot know yet.
    settings.DAFTARI_ROLE = "hub"
    services.revoke_document(actor=drs_supervisor, document=card, on=days_ago(0), reason="issued in error")
    settings.DAFTARI_ROLE = "node"
    stood = f"(As the register stood at {queries.register_time(as_of)}.)"
    base = live_server.url

    def story(page: Page) -> str:
        sign_in(page, base, "desk", lands_on="Today's book")
        hint = page.locator("#hint-parties-0")
        start_complaint(page, base, "Amina Hassan Abdi")
        id_field = page.locator("#id_parties-0-id_number")
        id_field.fill("RID-KAK-26-000001")
        expect(hint).to_contain_text(f"Refugee ID card RID-KAK-26-000001: valid in the refugee register. {stood}")
        id_field.fill("RID-KAK-26-000002")
        expect(hint).to_contain_text(
            f"Mismatch: Refugee ID card RID-KAK-26-000002 is revoked in the refugee register. {stood}"
        )
        return record(page)

    ob_number = chromium.run(story)

    complaint = Occurrence.objects.get(entry_type="COMPLAINT")
    assert complaint.ob_number == ob_number
    assert complaint.parties.get().id_number == "RIDKAK26000002"
