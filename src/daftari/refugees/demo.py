"""Demo households of the refugee register (``daftari demo``): a recognised refugee's family in Kakuma,
an asylum seeker in Dadaab and a rejected applicant appealing to the RSAC in Kalobeyei."""

from datetime import date, datetime, timedelta
from typing import Any

from daftari.refugees import services
from daftari.refugees.models import Person
from daftari.refugees.rules import DocumentKind, PersonDraft, Relationship, StatusKind


def _person(given: str, family: str, sex: str, born: date, nationality: str, ref: str, **more: Any) -> PersonDraft:
    return PersonDraft(
        given_names=given,
        family_name=family,
        sex=sex,
        date_of_birth=born,
        date_of_birth_estimated=born.month == 1 and born.day == 1,
        nationality=nationality,
        biometric_ref=ref,
        **more,
    )


def register_demo_households(stations: dict[str, Any], users: dict[str, Any], now: datetime) -> int:
    """Idempotent: the first demo person's biometric record id says the households are there."""
    officer, supervisor = users.get("drs1"), users.get("drssup1")
    if officer is None or supervisor is None or Person.objects.filter(biometric_ref="DEMO-BIMS-0001").exists():
        return 0
    today, yy = now.date(), now.year % 100

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    mother = services.register_person(
        actor=officer,
        draft=_person(
            "Nyakuoth",
            "Deng Garang",
            "F",
            date(1989, 1, 1),
            "South Sudanese",
            "DEMO-BIMS-0001",
            aliases="Nyakuoth Deng",
            languages="Dinka, Arabic, Kiswahili",
            phone="0712000111",
            ethnicity="Dinka",
            religion="Christian",
        ),
        office="KAK",
        registered_on=ago(400),
        case_reference="KAK-CF-0001",
    )
    household = mother.memberships.get().household
    services.register_person(
        actor=officer,
        draft=_person(
            "Achol",
            "Deng Garang",
            "F",
            date(2016, 1, 1),
            "South Sudanese",
            "DEMO-BIMS-0002",
            specific_needs="Child at risk",
        ),
        office="KAK",
        registered_on=ago(400),
        household=household,
        relationship=Relationship.CHILD,
    )
    services.record_status_step(
        actor=supervisor, person=mother, step=StatusKind.REFUGEE, on=ago(200), reference="CRA/DEC/0001"
    )
    for kind, prefix, serial, issued, expires in (
        (DocumentKind.PROOF_OF_REGISTRATION, "POR", 1, 400, None),
        (DocumentKind.RECOGNITION_LETTER, "RRL", 1, 200, None),
        (DocumentKind.REFUGEE_ID, "RID", 1, 190, ago(190 - 5 * 365)),
    ):
        services.issue_document(
            actor=officer,
            person=mother,
            kind=kind,
            number=f"{prefix}-KAK-{yy:02d}-{serial:06d}",
            office="KAK",
            issued_on=ago(issued),
            expires_on=expires,
        )

    seeker = services.register_person(
        actor=officer,
        draft=_person(
            "Abdullahi",
            "Hassan Farah",
            "M",
            date(1995, 6, 14),
            "Somali",
            "DEMO-BIMS-0003",
            languages="Somali",
            phone="0722000222",
        ),
        office="DAD",
        registered_on=ago(60),
        case_reference="DAD-CF-0002",
    )
    services.issue_document(
        actor=officer,
        person=seeker,
        kind=DocumentKind.ASYLUM_SEEKER_PASS,
        number=f"ASP-DAD-{yy:02d}-000001",
        office="DAD",
        issued_on=ago(59),
        expires_on=ago(-120),
    )

    appellant = services.register_person(
        actor=officer,
        draft=_person(
            "Jean-Claude",
            "Mugisha",
            "M",
            date(1984, 1, 1),
            "Congolese (DRC)",
            "DEMO-BIMS-0004",
            aliases="JC Mugisha",
            languages="French, Kiswahili, Lingala",
        ),
        office="KAL",
        registered_on=ago(300),
        case_reference="KAL-CF-0003",
    )
    services.record_status_step(
        actor=supervisor, person=appellant, step=StatusKind.REJECTED, on=ago(90), reference="CRA/DEC/0002"
    )
    services.record_status_step(
        actor=officer, person=appellant, step=StatusKind.APPEAL_RSAC, on=ago(80), reference="RSAC/APP/0001"
    )
    return 4
