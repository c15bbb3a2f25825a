"""The certification letter as committed to in the deployments' own signed log.

The log is ``<DAFTARI_LOG_ORIGIN>/deployments`` (LEDGER.md's naming): the letters are national, no
station's book holds them. ``stored_letter`` reads a letter back for ``daftari ledger verify`` and
for the public verify page.
"""

from datetime import UTC, datetime
from typing import Any

from daftari.deployments.models import CertificationLetter, ContingentLetter

LOG_NAME = "deployments"
KIND_LETTER = "deploy_letter"
KIND_CONTINGENT_LETTER = "deploy_cont_letter"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def letter_record(letter: CertificationLetter) -> dict[str, Any]:
    candidate = letter.candidate
    officer = candidate.officer
    contingent = candidate.contingent
    return {
        "id": str(letter.pk),
        "number": letter.number,
        "code": letter.code,
        "candidate": str(candidate.pk),
        "service_number": officer.service_number,
        "name": officer.user.get_full_name() or officer.user.username,
        "mission": contingent.mission.code,
        "contingent": contingent.number,
        "departs_on": contingent.departs_on.isoformat(),
        "returns_on": contingent.returns_on.isoformat(),
        "criteria_version": letter.criteria_version,
        "course_version": letter.course_version,
        "documents_version": letter.documents_version,
        "training_certificate": letter.training_certificate,
        "vetting_decided_at": _moment(letter.vetting_decided_at),
        "issued_at": _moment(letter.issued_at),
        "issued_by": letter.issued_by.service_number,
    }


def stored_letter(record_id: str) -> dict[str, Any] | None:
    letter = (
        CertificationLetter.objects.select_related(
            "candidate__officer__user", "candidate__contingent__mission", "issued_by"
        )
        .filter(pk=record_id)
        .first()
    )
    return letter_record(letter) if letter is not None else None


def contingent_letter_record(letter: ContingentLetter) -> dict[str, Any]:
    contingent = letter.contingent
    return {
        "id": str(letter.pk),
        "number": letter.number,
        "code": letter.code,
        "contingent": str(contingent.pk),
        "mission": contingent.mission.code,
        "contingent_number": contingent.number,
        "sequence": letter.sequence,
        "supersedes": str(letter.supersedes_id) if letter.supersedes_id else None,
        "certified": letter.certified,
        "not_yet": letter.not_yet,
        "excluded": letter.excluded,
        "criteria_version": letter.criteria_version,
        "course_version": letter.course_version,
        "documents_version": letter.documents_version,
        "issued_at": _moment(letter.issued_at),
        "issued_by": letter.issued_by.service_number,
    }


def stored_contingent_letter(record_id: str) -> dict[str, Any] | None:
    letter = ContingentLetter.objects.select_related("contingent__mission", "issued_by").filter(pk=record_id).first()
    return contingent_letter_record(letter) if letter is not None else None
