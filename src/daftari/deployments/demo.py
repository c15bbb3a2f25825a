"""The MSS demo (``daftari demo``): the mission, its fifth contingent (back in the mission) and the sixth
(leaving in three months), with candidates in every state of the readiness board.

desk1 is ready and certified; desk2 is not yet ready (two modules to go, a passport lapsing during
the deployment); investigator1 served with the fifth contingent, where misconduct was alleged, and
awaits vetting for the sixth; traffic1 is excluded at vetting, an IPOA matter against him still
pending. Logins: deploy1, vetting1, medical1,
trainer1 (and oversight1 for IPOA, commander1 to read the board).
"""

from datetime import date, datetime, timedelta
from typing import Any

from daftari.deployments import criteria, services
from daftari.deployments.models import Candidate, DisciplinaryMatter, Mission

MISSION_CODE = "MSS-HAITI"
IPOA_REFERENCE = "IPOA/CMP/2026/0142"


def _ready_in_every_test(candidate: Candidate, users: dict[str, Any], on: date) -> None:
    for criterion in criteria.current().criteria:
        if criterion.kind == "assessment":
            services.record_result(
                actor=users["trainer1"],
                candidate=candidate,
                criterion=criterion.code,
                passed=True,
                assessed_on=on,
                assessed_by="IP George Otieno",
            )
        elif criterion.kind == "fitness":
            services.record_result(
                actor=users["medical1"],
                candidate=candidate,
                criterion=criterion.code,
                passed=True,
                assessed_on=on,
                assessed_by="Dr Amina Hassan",
            )


def _train(candidate: Candidate, users: dict[str, Any], on: date, *, skip: int = 0) -> None:
    codes = criteria.course().codes
    for code in codes[: len(codes) - skip]:
        services.record_training(
            actor=users["trainer1"],
            candidate=candidate,
            module=code,
            attended=True,
            passed=True,
            held_on=on,
            trainer_name="SSP Wanjiru, GSU Training School",
        )


def _equip(candidate: Candidate, users: dict[str, Any], on: date, *, passport_expires: date) -> None:
    for rule in criteria.documents().documents:
        services.record_document(
            actor=users["medical1" if rule.medical else "deploy1"],
            candidate=candidate,
            kind=rule.code,
            number="" if rule.medical else f"{rule.code[:2].upper()}{candidate.officer.service_number}",
            issued_on=on,
            expires_on=passport_expires if rule.code == "passport" else (on + timedelta(days=3 * 365)),
        )


def _pending_ipoa_matter(users: dict[str, Any], today: date) -> int:
    """traffic1's pending IPOA matter, once (its reference says it is there): a demo that ran before
    matters were recorded gains it too."""
    if DisciplinaryMatter.objects.filter(body="ipoa", reference=IPOA_REFERENCE).exists():
        return 0
    services.record_disciplinary_matter(
        actor=users["vetting1"],
        service_number=users["traffic1"].officer.service_number,
        body="ipoa",
        reference=IPOA_REFERENCE,
        opened_on=today - timedelta(days=200),
        allegation="Complainant A, a boda boda rider, alleges he was beaten at a roadblock on Thika Road.",
    )
    return 1


def register_demo_deployments(stations: dict[str, Any], users: dict[str, Any], now: datetime) -> int:
    """Idempotent: the mission's code says the demo is there."""
    needed = ("deploy1", "vetting1", "medical1", "trainer1", "desk1", "desk2", "investigator1", "traffic1")
    if any(users.get(u) is None for u in needed):
        return 0
    today = now.date()
    matters = _pending_ipoa_matter(users, today)
    if Mission.objects.filter(code=MISSION_CODE).exists():
        return matters
    deploy = users["deploy1"]
    mission = services.open_mission(
        actor=deploy, code=MISSION_CODE, name="Gang Suppression Force, Haiti", mandate="UNSC Resolution 2793 (2025)"
    )
    fifth = services.open_contingent(
        actor=deploy,
        mission=mission,
        number=5,
        departs_on=today - timedelta(days=300),
        returns_on=today + timedelta(days=60),
        size=230,
        units="GSU, AP-RDU, ASTU",
    )
    sixth = services.open_contingent(
        actor=deploy,
        mission=mission,
        number=6,
        departs_on=today + timedelta(days=90),
        returns_on=today + timedelta(days=90 + 365),
        size=170,
        units="GSU, BPU",
    )

    def nominate(contingent: Any, username: str, born: date, joined: date) -> Candidate:
        return services.nominate_candidate(
            actor=deploy,
            contingent=contingent,
            service_number=users[username].officer.service_number,
            date_of_birth=born,
            joined_service_on=joined,
        )

    held_on = today - timedelta(days=20)
    ready = nominate(sixth, "desk1", date(1991, 4, 12), date(2014, 2, 3))
    _ready_in_every_test(ready, users, held_on)
    _train(ready, users, held_on)
    _equip(ready, users, held_on, passport_expires=today + timedelta(days=6 * 365))
    services.issue_training_certificate(actor=users["trainer1"], candidate=ready)
    services.decide_vetting(
        actor=users["vetting1"],
        candidate=ready,
        decision="cleared",
        reason="No finding in the cell register, the book or earlier deployments.",
        findings_seen=[],
    )
    services.certify_candidate(actor=deploy, candidate=ready)

    waiting = nominate(sixth, "desk2", date(1988, 9, 30), date(2012, 6, 18))
    _ready_in_every_test(waiting, users, held_on)
    _train(waiting, users, held_on, skip=2)
    _equip(waiting, users, held_on, passport_expires=today + timedelta(days=90 + 200))

    served = nominate(fifth, "investigator1", date(1986, 1, 20), date(2009, 3, 2))
    allegation = services.record_allegation(
        actor=users["vetting1"],
        candidate=served,
        category="force",
        reported_on=today - timedelta(days=120),
        source="MSS conduct and discipline unit",
        summary="Complainant A, a vendor at Delmas 33, alleges he was struck with a baton during a cordon.",
    )
    services.record_allegation_step(
        actor=users["vetting1"],
        allegation=allegation,
        step="referred",
        on=today - timedelta(days=118),
        note="Referred to the mission's investigators; HNP informed.",
    )
    nominate(sixth, "investigator1", date(1986, 1, 20), date(2009, 3, 2))

    excluded = nominate(sixth, "traffic1", date(1984, 7, 7), date(2008, 1, 14))
    services.decide_vetting(
        actor=users["vetting1"],
        candidate=excluded,
        decision="excluded",
        reason="A pending IPOA complaint (demo).",
        findings_seen=[],
    )
    return 1 + 2 + 6 + 1 + matters
