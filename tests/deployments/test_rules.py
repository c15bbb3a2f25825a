"""The selection criteria, judged without a database."""

import json
from datetime import date

import pytest

from daftari.deployments import criteria
from daftari.deployments.rules import (
    CandidateFacts,
    Readiness,
    Vetting,
    failing_reasons,
    judge,
    may_certify_training,
    modules_passed,
    names_service_number,
    parse_course,
    parse_criteria,
    training_reasons,
    whole_years,
)

DEPARTS = date(2027, 6, 1)
TESTS = ("language_english", "firearms", "driving", "computer", "medical_fitness", "mental_fitness")
ALL_PASSED = dict.fromkeys(TESTS, True)


def facts(
    born: date = date(1990, 3, 15),
    joined: date = date(2012, 1, 10),
    results: dict[str, bool] | None = None,
    vetting: Vetting = Vetting.CLEARED,
) -> CandidateFacts:
    return CandidateFacts(
        date_of_birth=born,
        joined_service_on=joined,
        results=ALL_PASSED if results is None else results,
        vetting=vetting,
    )


def codes(candidate: CandidateFacts) -> list[str]:
    return [r.code for r in failing_reasons(criteria.current(), candidate, departs_on=DEPARTS)]


def test_the_criteria_in_force_have_a_version_and_a_source_for_each_criterion() -> None:
    current = criteria.current()
    assert current.version
    assert {"age", "service", *TESTS} <= current.codes
    assert all(c.sources and all(s.startswith("https://") for s in c.sources) for c in current.criteria)


def test_a_criterion_without_a_source_is_refused() -> None:
    text = json.dumps({"version": "x", "criteria": [{"code": "age", "kind": "age", "sources": []}]})
    with pytest.raises(ValueError, match="no source"):
        parse_criteria(text)


def test_an_officer_who_turns_20_on_the_departure_day_meets_the_age_rule() -> None:
    assert "age" not in codes(facts(born=date(2007, 6, 1), joined=date(2001, 1, 1)))


def test_an_officer_a_day_short_of_20_on_departure_fails_the_age_rule() -> None:
    reasons = failing_reasons(criteria.current(), facts(born=date(2007, 6, 2)), departs_on=DEPARTS)
    assert [r.code for r in reasons if r.code == "age"] == ["age"]
    assert "Aged 19 on the departure date" in reasons[0].message


def test_an_officer_aged_55_on_departure_meets_the_age_rule() -> None:
    # 55 until the day before their 56th birthday.
    assert "age" not in codes(facts(born=date(1971, 6, 2)))
    assert "age" not in codes(facts(born=date(1972, 6, 1)))


def test_an_officer_who_turns_56_on_the_departure_day_fails_the_age_rule() -> None:
    assert "age" in codes(facts(born=date(1971, 6, 1)))


def test_exactly_five_years_of_service_on_departure_is_enough() -> None:
    assert "service" not in codes(facts(joined=date(2022, 6, 1)))


def test_a_day_short_of_five_years_of_service_is_not_enough() -> None:
    reasons = failing_reasons(criteria.current(), facts(joined=date(2022, 6, 2)), departs_on=DEPARTS)
    assert [r.code for r in reasons] == ["service"]
    assert "4 years of service" in reasons[0].message


@pytest.mark.parametrize("test", TESTS)
def test_each_test_not_taken_is_a_reason(test: str) -> None:
    results = {k: v for k, v in ALL_PASSED.items() if k != test}
    assert codes(facts(results=results)) == [test]


@pytest.mark.parametrize("test", TESTS)
def test_each_test_failed_is_a_reason(test: str) -> None:
    reasons = failing_reasons(criteria.current(), facts(results={**ALL_PASSED, test: False}), departs_on=DEPARTS)
    assert [r.code for r in reasons] == [test]
    assert reasons[0].message.endswith("not passed.")


def test_every_failing_reason_is_given_not_only_the_first() -> None:
    too_young_and_new = facts(born=date(2008, 1, 1), joined=date(2024, 1, 1), results={"firearms": False})
    assert codes(too_young_and_new) == ["age", "service", *TESTS]


def test_a_candidate_who_meets_every_criterion_and_is_cleared_is_ready() -> None:
    judgement = judge(criteria.current(), facts(), departs_on=DEPARTS)
    assert judgement.readiness == Readiness.READY
    assert judgement.reasons == ()


def test_a_candidate_awaiting_vetting_or_a_test_is_not_yet_ready() -> None:
    pending = judge(criteria.current(), facts(vetting=Vetting.PENDING), departs_on=DEPARTS)
    assert pending.readiness == Readiness.NOT_YET
    assert [r.code for r in pending.reasons] == ["vetting"]
    failed = judge(criteria.current(), facts(results={**ALL_PASSED, "driving": False}), departs_on=DEPARTS)
    assert failed.readiness == Readiness.NOT_YET


def test_a_candidate_excluded_at_vetting_or_too_old_is_excluded() -> None:
    assert judge(criteria.current(), facts(vetting=Vetting.EXCLUDED), departs_on=DEPARTS).readiness == "excluded"
    too_old = judge(criteria.current(), facts(born=date(1960, 1, 1)), departs_on=DEPARTS)
    assert too_old.readiness == Readiness.EXCLUDED


def test_the_reasons_are_given_in_kiswahili_too() -> None:
    from django.utils import translation

    with translation.override("sw"):
        reasons = failing_reasons(criteria.current(), facts(results={}), departs_on=DEPARTS)
    assert all("not passed" not in r.message and "no result recorded" not in r.message for r in reasons)


def test_a_birthday_on_29_february_turns_over_on_1_march() -> None:
    assert whole_years(date(2004, 2, 29), date(2024, 2, 28)) == 19
    assert whole_years(date(2004, 2, 29), date(2024, 3, 1)) == 20


def test_a_service_number_is_found_in_the_officers_on_duty_only_as_a_whole_word() -> None:
    assert names_service_number("PC Kamau SN1001, Cpl Wanjiru SN1002", "SN1001")
    assert not names_service_number("SN10011 on duty", "SN1001")
    assert not names_service_number("anything", "")


# --- Pre-deployment training ----------------------------------------------------------------------


def test_the_course_in_force_has_the_un_core_modules_each_with_a_source() -> None:
    course = criteria.course()
    assert {"conduct_discipline", "sea_prevention", "human_rights", "protection_of_civilians"} <= set(course.codes)
    assert all(m.sources for m in course.modules)
    assert all(m.name != m.code for m in course.modules)  # every module has a name on screen


def test_a_module_without_a_source_is_refused() -> None:
    text = json.dumps({"version": "t", "modules": [{"code": "x", "group": "cptm", "sources": []}]})
    with pytest.raises(ValueError, match="no source"):
        parse_course(text)


def test_training_not_yet_passed_keeps_a_candidate_not_yet_ready_and_names_the_modules() -> None:
    course = criteria.course()
    almost = dict.fromkeys(course.codes, True) | {"sea_prevention": False}
    judged = judge(criteria.current(), facts(results=ALL_PASSED), departs_on=DEPARTS, course=course)
    assert judged.readiness == Readiness.NOT_YET
    [reason] = [r for r in judged.reasons if r.code == "training"]
    assert f"0 of {len(course.codes)}" in reason.message
    one_left = training_reasons(course, almost)
    assert len(one_left) == 1 and "sexual exploitation" in one_left[0].message and not one_left[0].final


def test_a_candidate_who_passed_every_module_is_ready_and_may_be_certified() -> None:
    course = criteria.course()
    passed = dict.fromkeys(course.codes, True)
    candidate = CandidateFacts(
        date_of_birth=date(1990, 3, 15),
        joined_service_on=date(2012, 1, 10),
        results=ALL_PASSED,
        vetting=Vetting.CLEARED,
        training=passed,
    )
    assert judge(criteria.current(), candidate, departs_on=DEPARTS, course=course).readiness == Readiness.READY
    assert may_certify_training(course, passed)
    assert not may_certify_training(course, passed | {"french_creole": False})
    assert modules_passed(course, passed | {"french_creole": False}) == len(course.codes) - 1
