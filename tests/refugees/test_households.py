"""Households merged and split: each one append-only step with its reason, moving whole people."""

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.test import Client

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.refugees import rules, services
from daftari.refugees.forms import member_field, moving_field
from daftari.refugees.models import Household, HouseholdChange, HouseholdChangeMove, Membership, Person
from daftari.refugees.queries import household_of, members_of
from daftari.refugees.rules import Relationship
from tests.refugees.conftest import days_ago, draft

R = Relationship


# --- Rules, without a database ----------------------------------------------------------------


def test_a_merge_moves_everyone_and_keeps_the_other_households_principal() -> None:
    members = {"a": R.PRINCIPAL, "b": R.CHILD}
    ok = rules.merge_problems(
        same_household=False,
        members=members,
        target_members={"m": R.PRINCIPAL},
        moves={"a": R.CHILD, "b": R.CHILD},
        reason="reunified",
    )
    assert ok == {}
    partial = rules.merge_problems(
        same_household=False, members=members, target_members={"m": R.PRINCIPAL}, moves={"a": R.CHILD}, reason="x"
    )
    assert "members" in partial
    second_principal = rules.merge_problems(
        same_household=False,
        members=members,
        target_members={"m": R.PRINCIPAL},
        moves={"a": R.PRINCIPAL, "b": R.CHILD},
        reason="x",
    )
    assert "principal" in second_principal["members"]


def test_a_household_is_not_merged_into_itself_nor_into_an_empty_one_nor_without_a_reason() -> None:
    members = {"a": R.PRINCIPAL}
    assert set(
        rules.merge_problems(
            same_household=True, members=members, target_members=members, moves={"a": R.OTHER}, reason=" "
        )
    ) == {"target", "reason"}
    assert "target" in rules.merge_problems(
        same_household=False, members=members, target_members={}, moves={"a": R.OTHER}, reason="x"
    )


def test_a_split_leaves_the_principal_behind_and_gives_the_new_household_one_principal() -> None:
    members = {"p": R.PRINCIPAL, "s": R.SPOUSE, "c": R.CHILD}
    assert rules.split_problems(members=members, moves={"c": R.PRINCIPAL}, reason="own family") == {}
    assert (
        "principal applicant stays"
        in rules.split_problems(members=members, moves={"p": R.PRINCIPAL}, reason="x")["members"]
    )
    assert (
        "one principal"
        in rules.split_problems(members=members, moves={"s": R.SPOUSE, "c": R.CHILD}, reason="x")["members"]
    )
    assert (
        "one principal"
        in rules.split_problems(members=members, moves={"s": R.PRINCIPAL, "c": R.PRINCIPAL}, reason="x")["members"]
    )
    assert "Only members" in rules.split_problems(members=members, moves={"z": R.PRINCIPAL}, reason="x")["members"]
    assert set(rules.split_problems(members=members, moves={}, reason="")) == {"members", "reason"}


def test_a_principal_moving_in_a_merge_is_proposed_as_another_relative() -> None:
    assert rules.relationship_after_merge(R.PRINCIPAL) is R.OTHER
    assert rules.relationship_after_merge(R.CHILD) is R.CHILD


# --- Services -----------------------------------------------------------------------------------


@pytest.fixture
def mother(drs_officer: User) -> Person:
    """The mother in Nairobi, principal applicant of her own household."""
    return services.register_person(
        actor=drs_officer, draft=draft(given_names="Halima"), office="NBI", registered_on=days_ago(40)
    )


@pytest.fixture
def children(drs_officer: User) -> tuple[Person, Person]:
    """Her two children, registered in Kakuma as a household of their own (the elder its principal)."""
    elder = services.register_person(
        actor=drs_officer,
        draft=draft(given_names="Yusuf", date_of_birth=days_ago(6000)),
        office="KAK",
        registered_on=days_ago(30),
    )
    younger = services.register_person(
        actor=drs_officer,
        draft=draft(given_names="Fatuma", date_of_birth=days_ago(4000)),
        office="KAK",
        registered_on=days_ago(30),
        household=household_of(elder),
        relationship=R.SIBLING,
    )
    return elder, younger


@pytest.mark.django_db
def test_merging_the_childrens_household_into_their_mothers_moves_both_as_of_the_date(
    drs_officer: User, mother: Person, children: tuple[Person, Person]
) -> None:
    elder, younger = children
    theirs, hers = household_of(elder), household_of(mother)
    assert theirs is not None and hers is not None

    change = services.merge_households(
        actor=drs_officer,
        household=theirs,
        into=hers,
        on=days_ago(2),
        reason="Family reunification",
        relationships={str(elder.pk): R.CHILD, str(younger.pk): R.CHILD},
    )

    assert (change.kind, change.source, change.target) == ("merge", theirs, hers)
    assert {m.person for m in members_of(hers)} == {mother, elder, younger}
    assert members_of(theirs) == []
    assert household_of(elder) == hers and household_of(younger) == hers
    assert {m.relationship for m in members_of(hers) if m.person != mother} == {"child"}
    assert HouseholdChangeMove.objects.filter(change=change).count() == 2
    # As of the day before, nothing had moved.
    assert {m.person for m in members_of(theirs, on=days_ago(3))} == {elder, younger}


@pytest.mark.django_db
def test_by_default_a_merged_principal_becomes_another_relative(
    drs_officer: User, mother: Person, children: tuple[Person, Person]
) -> None:
    elder, _younger = children
    services.merge_households(
        actor=drs_officer,
        household=household_of(elder),
        into=household_of(mother),
        on=days_ago(1),
        reason="Reunified",  # type: ignore[arg-type]
    )
    moved = {m.person: m.relationship for m in members_of(household_of(mother))}  # type: ignore[arg-type]
    assert moved[elder] == "other" and moved[mother] == "principal"


@pytest.mark.django_db
def test_splitting_off_a_grown_child_forms_a_new_household_of_the_same_office(
    drs_officer: User, mother: Person, children: tuple[Person, Person]
) -> None:
    elder, younger = children
    theirs = household_of(elder)
    assert theirs is not None

    change = services.split_household(
        actor=drs_officer,
        household=theirs,
        on=days_ago(1),
        reason="Married, own family",
        moves={str(younger.pk): R.PRINCIPAL},
    )

    new = change.target
    assert new.office == "KAK" and new.number != theirs.number and new.number.startswith("HH-KAK-")
    assert [(m.person, m.relationship) for m in members_of(new)] == [(younger, "principal")]
    assert [m.person for m in members_of(theirs)] == [elder]
    assert HouseholdChange.objects.get().reason == "Married, own family"


@pytest.mark.django_db
def test_a_refused_split_changes_nothing(drs_officer: User, children: tuple[Person, Person]) -> None:
    elder, _younger = children
    before = Membership.objects.count(), Household.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.split_household(
            actor=drs_officer,
            household=household_of(elder),
            on=days_ago(1),
            reason="x",
            moves={str(elder.pk): R.PRINCIPAL},  # type: ignore[arg-type]
        )
    assert "principal applicant stays" in refused.value.fields["members"]
    assert (Membership.objects.count(), Household.objects.count()) == before
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
def test_a_change_dated_before_the_households_last_change_or_in_the_future_is_refused(
    drs_officer: User, mother: Person, children: tuple[Person, Person]
) -> None:
    elder, younger = children
    with pytest.raises(InvalidInput) as early:
        services.merge_households(
            actor=drs_officer,
            household=household_of(elder),
            into=household_of(mother),
            on=days_ago(35),
            reason="x",  # type: ignore[arg-type]
        )
    assert "last change" in early.value.fields["on"]
    with pytest.raises(InvalidInput) as future:
        services.split_household(
            actor=drs_officer,
            household=household_of(elder),
            on=days_ago(-1),
            reason="x",
            moves={str(younger.pk): R.PRINCIPAL},  # type: ignore[arg-type]
        )
    assert "future" in future.value.fields["on"]


@pytest.mark.django_db
def test_only_drs_registration_staff_merge_or_split(
    unhcr_liaison: User, desk_officer: User, mother: Person, children: tuple[Person, Person]
) -> None:
    elder, _ = children
    for actor in (unhcr_liaison, desk_officer):
        with pytest.raises(NotPermitted):
            services.merge_households(
                actor=actor,
                household=household_of(elder),
                into=household_of(mother),
                on=days_ago(1),
                reason="x",  # type: ignore[arg-type]
            )


@pytest.mark.django_db
def test_a_recorded_household_change_cannot_be_altered(
    drs_officer: User, mother: Person, children: tuple[Person, Person]
) -> None:
    elder, _ = children
    services.merge_households(
        actor=drs_officer,
        household=household_of(elder),
        into=household_of(mother),
        on=days_ago(1),
        reason="Reunified",  # type: ignore[arg-type]
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdChange.objects.update(reason="something else")
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdChangeMove.objects.all().delete()


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_merge_page_merges_and_the_household_page_shows_the_step(
    client: Client, drs_officer: User, mother: Person, children: tuple[Person, Person]
) -> None:
    elder, younger = children
    theirs, hers = household_of(elder), household_of(mother)
    assert theirs is not None and hers is not None
    client.force_login(drs_officer)
    page = client.get(f"/refugees/households/{theirs.number}/merge")
    assert page.status_code == 200 and "Yusuf" in page.content.decode()

    response = client.post(
        f"/refugees/households/{theirs.number}/merge",
        {
            "into": hers.number.lower(),
            "on": days_ago(1).isoformat(),
            "reason": "Family reunification",
            member_field(elder.pk): "child",
            member_field(younger.pk): "child",
        },
    )

    assert response.status_code == 302 and response["Location"] == f"/refugees/households/{hers.number}"
    shown = client.get(f"/refugees/households/{hers.number}").content.decode()
    assert "Family reunification" in shown and theirs.number in shown and "Fatuma" in shown


@pytest.mark.django_db
def test_the_merge_page_names_an_unknown_household_and_merging_into_itself(
    client: Client, drs_officer: User, children: tuple[Person, Person]
) -> None:
    elder, younger = children
    theirs = household_of(elder)
    assert theirs is not None
    client.force_login(drs_officer)
    form = {
        "on": days_ago(1).isoformat(),
        "reason": "x",
        member_field(elder.pk): "child",
        member_field(younger.pk): "child",
    }
    unknown = client.post(f"/refugees/households/{theirs.number}/merge", {**form, "into": "HH-KAK-26-999999"})
    assert unknown.status_code == 422 and "No household has this number" in unknown.content.decode()
    itself = client.post(f"/refugees/households/{theirs.number}/merge", {**form, "into": theirs.number})
    assert itself.status_code == 422 and "cannot be merged into itself" in itself.content.decode()
    assert not HouseholdChange.objects.exists()


@pytest.mark.django_db
def test_the_split_page_forms_the_new_household_and_says_so(
    client: Client, drs_officer: User, children: tuple[Person, Person]
) -> None:
    elder, younger = children
    theirs = household_of(elder)
    assert theirs is not None
    client.force_login(drs_officer)
    response = client.post(
        f"/refugees/households/{theirs.number}/split",
        {
            "on": days_ago(1).isoformat(),
            "reason": "Own family",
            moving_field(younger.pk): "on",
            member_field(younger.pk): "principal",
        },
        follow=True,
    )
    new = HouseholdChange.objects.get().target
    assert response.status_code == 200 and f"New household {new.number} formed" in response.content.decode()
    refused = client.post(f"/refugees/households/{theirs.number}/split", {"on": days_ago(1).isoformat(), "reason": "x"})
    assert refused.status_code == 422 and "Choose who leaves" in refused.content.decode()


@pytest.mark.django_db
def test_a_police_officer_gets_no_household_pages(
    client: Client, desk_officer: User, children: tuple[Person, Person]
) -> None:
    number = household_of(children[0]).number  # type: ignore[union-attr]
    client.force_login(desk_officer)
    assert client.get(f"/refugees/households/{number}").status_code == 403
    assert client.get(f"/refugees/households/{number}/merge").status_code == 403


@pytest.mark.django_db
def test_the_household_page_is_in_kiswahili_for_a_kiswahili_reader(
    client: Client, drs_officer: User, children: tuple[Person, Person]
) -> None:
    number = household_of(children[0]).number  # type: ignore[union-attr]
    client.force_login(drs_officer)
    page = client.get(f"/refugees/households/{number}", HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Wanachama leo" in page and "Unganisha na kaya nyingine" in page
