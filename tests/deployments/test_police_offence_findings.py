"""Vetting finds the officer suspected in, or named by, an OB entry counted under offences involving
police officers, as the entry reads after its corrections (issue 15)."""

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from daftari.deployments import queries
from daftari.deployments.models import Contingent
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import OffenceInput, PartCorrection, PartsCorrection, PartyInput
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import AccessEvent, Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory, complaint
from tests.deployments.conftest import Nominate

ASSAULT = (OffenceInput("Penal Code s.251", "Assault causing actual bodily harm"),)


def police_assault(desk_officer: User, station: Station, suspected: str, **overrides: object) -> Occurrence:
    """A complaint that an officer assaulted a hawker at the bus stage."""
    fields: dict[str, object] = {
        "narrative": "Complainant reports that a police officer slapped and kicked him at the bus stage.",
        "offences": ASSAULT,
        "details": {"suspected_officer": suspected},
    }
    fields.update(overrides)
    return record_occurrence(actor=desk_officer, station=station, draft=complaint(**fields)).entry


def test_vetting_finds_the_police_officer_suspected_in_an_offence_involving_police_officers_with_its_evidence(
    desk_officer: User, station: Station, vetting_officer: User, nominate: Nominate
) -> None:
    candidate = nominate("kipchumba")
    entry = police_assault(desk_officer, station, candidate.officer.service_number)
    record = queries.vetting_record(reader=vetting_officer, candidate_id=candidate.pk)
    [finding] = record.findings
    assert (finding.kind, finding.role) == ("ob_police_offence", "suspected")
    assert finding.occurrence_id == entry.pk and finding.ob_number == entry.ob_number
    assert finding.station_name == station.name
    # The evidence read with the vetting record is logged as a look-up of the entry.
    assert AccessEvent.objects.filter(
        username="vetting", record_type="occurrence", record_id=str(entry.pk), purpose="lookup", outcome="shown"
    ).exists()


def test_an_officer_not_named_in_such_an_entry_has_no_finding_from_it(
    desk_officer: User, station: Station, vetting_officer: User, nominate: Nominate
) -> None:
    suspected, colleague = nominate("kipchumba"), nominate("wafula")
    number = colleague.officer.service_number
    # The colleague is only a witness's neighbour in the narrative of an ordinary complaint, which is
    # not an offence involving police officers: nothing for the vetting officer there.
    police_assault(desk_officer, station, suspected.officer.service_number)
    record_occurrence(
        actor=desk_officer,
        station=station,
        draft=complaint(narrative=f"Phone stolen outside the house of PC Wafula {number}.", offences=ASSAULT),
    )
    assert queries.vetting_record(reader=vetting_officer, candidate_id=colleague.pk).findings == []


def test_an_officer_named_among_the_suspects_of_such_an_entry_is_found_too(
    desk_officer: User, station: Station, vetting_officer: User, nominate: Nominate
) -> None:
    suspected, accomplice = nominate("kipchumba"), nominate("wafula")
    number = accomplice.officer.service_number
    parties = (
        PartyInput(role="complainant", name="Otieno Hawker", phone="0712345678"),
        PartyInput(role="suspect", name=f"PC Wafula {number}"),
    )
    entry = police_assault(desk_officer, station, suspected.officer.service_number, parties=parties)
    found = queries.vetting_record(reader=vetting_officer, candidate_id=accomplice.pk).findings
    assert [(f.kind, f.role, f.occurrence_id) for f in found] == [("ob_police_offence", "named", entry.pk)]


def test_a_correction_naming_another_officer_moves_the_finding_and_one_naming_none_takes_it_away(
    desk_officer: User, station: Station, vetting_officer: User, nominate: Nominate
) -> None:
    first, second = nominate("kipchumba"), nominate("wafula")
    entry = police_assault(desk_officer, station, first.officer.service_number)
    amend_occurrence(
        actor=desk_officer,
        occurrence=entry,
        reason="The complainant picked out the other officer at the parade.",
        changes={"suspected_officer": second.officer.service_number},
    )
    assert queries.vetting_record(reader=vetting_officer, candidate_id=first.pk).findings == []
    [moved] = queries.vetting_record(reader=vetting_officer, candidate_id=second.pk).findings
    assert (moved.role, moved.occurrence_id) == ("suspected", entry.pk)
    amend_occurrence(
        actor=desk_officer,
        occurrence=entry,
        reason="The man who assaulted him was a county askari, not a police officer.",
        changes={"suspected_officer": "none"},
    )
    assert queries.vetting_record(reader=vetting_officer, candidate_id=second.pk).findings == []


def test_a_suspect_struck_out_as_entered_in_error_no_longer_names_the_officer(
    desk_officer: User, station: Station, vetting_officer: User, nominate: Nominate
) -> None:
    suspected, accomplice = nominate("kipchumba"), nominate("wafula")
    parties = (
        PartyInput(role="complainant", name="Otieno Hawker", phone="0712345678"),
        PartyInput(role="suspect", name=f"PC Wafula {accomplice.officer.service_number}"),
    )
    entry = police_assault(desk_officer, station, suspected.officer.service_number, parties=parties)
    amend_occurrence(
        actor=desk_officer,
        occurrence=entry,
        reason="PC Wafula was on leave that day: named in error.",
        changes={},
        parts=PartsCorrection(parties=(PartCorrection(of=1, in_error=True),)),
    )
    assert queries.vetting_record(reader=vetting_officer, candidate_id=accomplice.pk).findings == []
    assert len(queries.vetting_record(reader=vetting_officer, candidate_id=suspected.pk).findings) == 1


def test_the_vetting_page_links_the_finding_to_its_evidence(
    client: Client, desk_officer: User, station: Station, vetting_officer: User, nominate: Nominate
) -> None:
    candidate = nominate("kipchumba")
    entry = police_assault(desk_officer, station, candidate.officer.service_number)
    client.force_login(vetting_officer)
    body = client.get(reverse("deployments_vetting", args=[candidate.pk])).content.decode()
    assert "Offence involving a police officer (OB entry)" in body and "the police officer suspected" in body
    assert f'href="{reverse("deployments_evidence", args=[candidate.pk, entry.pk])}"' in body
    client.cookies["django_language"] = "sw"
    swahili = client.get(reverse("deployments_vetting", args=[candidate.pk]), HTTP_ACCEPT_LANGUAGE="sw")
    assert "afisa wa polisi anayeshukiwa" in swahili.content.decode()


def test_a_colleague_at_the_desk_cannot_read_any_of_it_and_the_refusal_is_logged(
    client: Client, desk_officer: User, station: Station, nominate: Nominate
) -> None:
    candidate = nominate("kipchumba")
    police_assault(desk_officer, station, candidate.officer.service_number)
    client.force_login(desk_officer)
    assert client.get(reverse("deployments_vetting", args=[candidate.pk])).status_code == 403
    assert AccessEvent.objects.filter(
        username="desk", record_type="vetting", record_id=str(candidate.pk), outcome="denied"
    ).exists()
    assert not AccessEvent.objects.filter(username="desk", record_type="occurrence", purpose="lookup").exists()


def test_findings_for_400_officers_take_the_same_number_of_queries_as_for_one(
    desk_officer: User,
    station: Station,
    make_officer: OfficerFactory,
    deployment_officer: User,
    contingent: Contingent,
) -> None:
    officers = [make_officer(f"officer{n}", [Role.DESK], station).officer for n in range(400)]
    for n, officer in enumerate(officers[:3]):
        entry = police_assault(desk_officer, station, officer.service_number)
        if n == 0:
            amend_occurrence(
                actor=desk_officer,
                occurrence=entry,
                reason="The complainant picked out another officer.",
                changes={"suspected_officer": officers[5].service_number},
            )
    numbers = [o.service_number for o in officers]
    counts = []
    for wanted in (numbers[:1], numbers):
        with CaptureQueriesContext(connection) as run:
            found = queries.findings_for(wanted)
        counts.append(len(run.captured_queries))
    assert (
        counts[0] == counts[1] == 11
    )  # with the one for disciplinary and IPOA matters, and the mirrored books (three)
    assert [len(found[n]) for n in numbers[:6]] == [0, 1, 1, 0, 0, 1]


def test_the_vetting_officer_reads_the_evidence_in_full_though_restricted_at_another_station(
    client: Client, officer_elsewhere: User, other_station: Station, vetting_officer: User, nominate: Nominate
) -> None:
    candidate = nominate("kipchumba")
    survivor = PartyInput(role="complainant", name="Achieng Survivor", phone="0712345678")
    entry = police_assault(
        officer_elsewhere,
        other_station,
        candidate.officer.service_number,
        entry_type="GBV",
        narrative="The complainant reports that an officer assaulted her at the roadblock.",
        parties=(survivor,),
    )
    client.force_login(vetting_officer)
    assert client.get(reverse("entry", args=[entry.pk])).status_code == 404  # the book is not theirs
    page = client.get(reverse("deployments_evidence", args=[candidate.pk, entry.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "assaulted her at the roadblock" in body and "the police officer suspected" in body
    assert AccessEvent.objects.filter(
        username="vetting", record_type="occurrence", record_id=str(entry.pk), purpose="evidence", outcome="shown"
    ).exists()


def test_an_entry_that_is_no_finding_of_the_candidate_is_not_evidence_and_colleagues_are_refused(
    client: Client, desk_officer: User, station: Station, vetting_officer: User, nominate: Nominate
) -> None:
    candidate, other = nominate("kipchumba"), nominate("wafula")
    entry = police_assault(desk_officer, station, other.officer.service_number)
    ordinary = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    client.force_login(vetting_officer)
    for unrelated in (entry, ordinary):
        assert client.get(reverse("deployments_evidence", args=[candidate.pk, unrelated.pk])).status_code == 404
    assert AccessEvent.objects.filter(
        username="vetting", record_type="occurrence", record_id=str(ordinary.pk), outcome="denied"
    ).exists()
    assert not AccessEvent.objects.filter(username="vetting", purpose="evidence", outcome="shown").exists()
    client.force_login(desk_officer)
    assert client.get(reverse("deployments_evidence", args=[other.pk, entry.pk])).status_code == 403
    assert AccessEvent.objects.filter(username="desk", record_type="vetting", outcome="denied").exists()
