"""The MSS demo: every state of the readiness board once, whatever how often the demo runs."""

from django.contrib.auth.models import User
from django.core.management import call_command

from daftari.deployments import queries
from daftari.deployments.models import Allegation, CertificationLetter, Contingent, DisciplinaryMatter
from daftari.deployments.rules import Readiness
from daftari.ledger.models import Leaf


def test_the_demo_fills_the_board_once_with_a_certified_candidate_and_an_allegation_found_at_vetting(
    db: None,
) -> None:
    call_command("demo", verbosity=0)
    call_command("demo", verbosity=0)
    deploy, vetting = User.objects.get(username="deploy1"), User.objects.get(username="vetting1")
    sixth = Contingent.objects.get(number=6)
    board = {
        r.service_number: r.judgement.readiness
        for r in queries.readiness_board(reader=deploy, contingent_id=sixth.pk).rows
    }
    by_user = {
        u: User.objects.get(username=u).officer.service_number for u in ("desk1", "desk2", "investigator1", "traffic1")
    }
    assert board[by_user["desk1"]] == Readiness.READY
    assert board[by_user["desk2"]] == Readiness.NOT_YET
    assert board[by_user["traffic1"]] == Readiness.EXCLUDED
    assert CertificationLetter.objects.count() == 1 and Leaf.objects.filter(kind="deploy_letter").count() == 1
    assert Allegation.objects.count() == 1
    again = sixth.candidates.get(officer__user__username="investigator1")
    kinds = [f.kind for f in queries.vetting_record(reader=vetting, candidate_id=again.pk).findings]
    assert "mission_allegation" in kinds
    # traffic1, excluded at vetting, has an IPOA matter still pending: recorded once, found at vetting.
    assert DisciplinaryMatter.objects.count() == 1
    excluded = sixth.candidates.get(officer__user__username="traffic1")
    kinds = [f.kind for f in queries.vetting_record(reader=vetting, candidate_id=excluded.pk).findings]
    assert kinds == ["pending_matter"]
