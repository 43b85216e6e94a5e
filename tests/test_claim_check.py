"""The claim check on the shipped knowledge base: dates, modifiers, settings, units, course counts,
course-level requirements; the example claims; the pair check now counting modifiers and POS."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from faqbot.claim_check import ClaimReport, check_claim
from faqbot.claim_examples import claim_example_files, parse_claim_example, replay_claim_example
from faqbot.claim_lines import read_claim
from faqbot.rules import RuleChecker

# Module-scoped fixtures are built once per worker: keep this file's tests on one worker.
pytestmark = pytest.mark.xdist_group("test_claim_check")

CLAIMS = Path(__file__).resolve().parents[1] / "transcripts" / "claims"


@pytest.fixture(scope="module")
def checker(kb) -> RuleChecker:
    return RuleChecker(kb)


def claim(checker: RuleChecker, text: str, **options) -> ClaimReport:
    return check_claim(checker, read_claim(text), **options)


def about(report: ClaimReport, *codes: str):
    return [f for f in report.findings if set(f.codes) == set(codes)]


def test_a_code_is_judged_on_its_date_of_service_not_today(checker):
    in_2025 = claim(checker, "2025-03-15 77385\n2025-03-16 77385\n")
    in_2026 = claim(checker, "2026-03-16 77385\n2026-03-17 77407\n")
    assert not about(in_2025, "77385")
    (deleted,) = about(in_2026, "77385")
    assert deleted.severity == "problem" and deleted.kind == "deleted" and deleted.lines == (1,)
    assert "77407" in deleted.message and deleted.sources


def test_indicator_1_with_a_distinct_service_modifier_is_bypassed_and_without_it_is_a_problem(checker):
    bypassed = claim(checker, "2025-05-01 77295\n2025-05-01 77336-59\n")
    (finding,) = about(bypassed, "77295", "77336")
    assert finding.severity == "warning" and finding.rule_id == "77295-bundles-77336-ncci"
    assert finding.message.startswith("Bypassed by modifier 59 on 77336: documentation must support a distinct service")
    plain = claim(checker, "2025-05-01 77295\n2025-05-01 77336\n")
    (finding,) = about(plain, "77295", "77336")
    assert finding.severity == "problem" and "without modifier" in finding.message


def test_indicator_0_is_a_problem_whatever_the_modifier(checker):
    report = claim(checker, "2025-05-01 77778\n2025-05-01 77790-59\n")
    (finding,) = about(report, "77778", "77790")
    assert finding.severity == "problem" and "does not bypass" in finding.message


def test_2026_image_guidance_is_billed_only_as_a_professional_service(checker):
    good = claim(checker, "2026-03-02 77407\n2026-03-02 77387-26\n")
    assert not good.problems
    bad = claim(checker, "2026-03-02 77407\n2026-03-02 77387-TC\n")
    rules = {f.rule_id for f in bad.problems}
    assert {"2026-delivery-includes-77387-technical", "77387-professional-with-delivery-2026"} <= rules
    # The physician's claim has no delivery line (it is on the hospital's claim): -26 still required.
    alone = claim(checker, "2026-03-02 77387\n2026-03-03 77387-26\n")
    (missing,) = alone.problems
    assert missing.lines == (1,) and missing.rule_id == "77387-professional-with-delivery-2026"


def test_professional_and_technical_modifiers_that_contradict_the_component(checker):
    report = claim(checker, "2026-03-02 77427-TC\n2026-03-02 77417-26\n")
    kinds = {(f.codes, f.kind, f.severity) for f in report.findings}
    assert (("77427",), "modifier", "problem") in kinds and (("77417",), "modifier", "problem") in kinds


def test_pos_is_the_setting_and_hospital_packaging_spans_the_course(checker):
    text = "2025-04-01 77290 POS {pos}\n2025-04-03 77301 POS {pos}\n"
    hospital = claim(checker, text.format(pos=22))
    rules = {f.rule_id for f in hospital.problems}
    assert "77301-bundles-planning-services-opps" in rules and hospital.setting == "hospital"
    # Simulation after the plan date is not "before or as part of" it for the OPPS rule (ASTRO's
    # course-wide rule still applies, in every setting).
    after = claim(checker, "2025-04-03 77301-26 POS 22\n2025-04-20 77290-26 POS 22\n")
    (finding,) = after.problems
    assert finding.rule_id == "77301-bundles-simulation-astro" and finding.also_rules == ()
    office = claim(checker, text.format(pos=11))
    assert office.setting == "practitioner"
    assert "77301-bundles-planning-services-opps" not in {f.rule_id for f in office.findings}
    assert "77301-bundles-planning-services-opps" not in {r for f in office.findings for r in f.also_rules}


def test_a_professional_claim_from_a_hospital_carries_26_on_split_codes_and_no_technical_codes(checker):
    report = claim(checker, "2025-03-15 77300 POS 22\n2025-03-15 77295-26 POS 19\n2025-03-15 77385 POS 22\n")
    by_line = {f.lines: f for f in report.findings if f.kind == "setting"}
    assert by_line[(1,)].rule_id == "pos-19-22-split-codes-need-26" and by_line[(1,)].severity == "problem"
    assert (2,) not in by_line  # 77295-26 is right
    assert by_line[(3,)].rule_id == "pos-19-22-no-technical-only-codes"
    office = claim(checker, "2025-03-15 77300 POS 11\n2025-03-15 77385 POS 11\n")
    assert not [f for f in office.findings if f.kind == "setting"]
    # A hospital's own facility charges carry no POS: --setting hospital, and these rules say nothing.
    facility = claim(checker, "2025-03-15 77300\n2025-03-15 77385\n", setting="hospital")
    assert not [f for f in facility.findings if f.kind == "setting"]


def test_setting_option_applies_to_lines_without_pos(checker):
    report = claim(checker, "2025-04-01 77290\n2025-04-03 77301\n", setting="hospital")
    assert report.setting == "hospital"
    assert "77301-bundles-planning-services-opps" in {f.rule_id for f in report.problems}


def test_77427_is_counted_against_the_fractions_with_left_overs(checker):
    def management(units: int, fractions: int) -> ClaimReport:
        return claim(checker, f"2026-03-02 77407 x{fractions}\n2026-03-02 77427 x{units}\n")

    def counts(report: ClaimReport):
        return [f for f in report.findings if f.kind == "units" and f.codes == ("77427",)]

    assert not counts(management(6, 28))  # 5 weeks + 3 left over = 6
    assert not counts(management(5, 27))  # 2 left over do not count
    (over,) = counts(management(6, 27))
    assert over.severity == "problem" and "6 units billed for 27 fractions, 5 expected" in over.message
    (under,) = counts(management(4, 28))
    assert under.severity == "warning"


def test_fractions_count_sessions_two_levels_on_one_date_once(checker):
    report = claim(checker, "2026-03-02 77407\n2026-03-02 77412\n2026-03-03 77407 x3\n2026-03-03 77387-26 x3\n")
    assert report.fractions == 4  # 77387 is guidance, not a fraction; 77407 + 77412 on 03-02 is one session


def test_fractions_come_from_the_option_when_the_file_has_no_delivery_lines(checker):
    text = "2026-03-06 77427 x4\n2026-03-06 77336 x4\n"
    unknown = claim(checker, text)
    assert unknown.fractions is None
    assert {f.rule_id for f in unknown.warnings if f.kind == "units"} == {"77427-per-five-fractions", "77336-per-week"}
    given = claim(checker, text, fractions=20)
    assert given.fractions == 20 and not [f for f in given.findings if f.kind == "units"]
    assert given.courses[0].fractions_from == "--fractions"


def test_once_per_course_codes_and_one_simulation_per_date(checker):
    report = claim(
        checker, "2026-03-02 77470\n2026-03-20 77470\n2026-03-02 77280 x2\n2026-03-03 77263\n2026-03-09 77263\n"
    )
    by_rule = {f.rule_id: f for f in report.findings if f.kind == "units"}
    assert by_rule["77470-once-per-course"].severity == "problem"
    assert by_rule["simulation-one-level-per-date"].lines == (3,)
    assert by_rule["clinical-planning-one-level-per-course"].lines == (4, 5)


def test_imrt_plan_once_per_course_is_a_rule_of_thumb_warning(checker):
    report = claim(checker, "2026-03-02 77301\n2026-04-02 77301\n")
    (finding,) = [f for f in report.findings if f.kind == "units"]
    assert finding.severity == "warning" and "not from an NCCI or CMS rule" in finding.message


def test_a_requirement_that_spans_the_course_is_stated_as_such(checker):
    met = claim(checker, "2026-03-02 77301\n2026-03-09 77338\n")
    assert not [f for f in met.findings if f.kind == "requires"]
    missing = claim(checker, "2026-03-09 77338\n2026-03-10 77407\n")
    (finding,) = [f for f in missing.findings if f.kind == "requires"]
    assert finding.severity == "problem" and "in the same course" in finding.message
    assert "none is billed anywhere in this course" in finding.message


def test_courses_in_one_file_are_checked_apart(checker):
    text = "dos,code,course\n2026-03-02,77263,A\n2026-03-02,77262,B\n"
    report = claim(checker, text)
    assert not report.problems and len(report.courses) == 2


def test_unknown_codes_are_findings_and_no_rule_known_pairs_are_counted_not_listed(checker):
    report = claim(checker, "2026-03-02 77999\n2026-03-02 77407\n2026-03-02 77300\n2026-03-03 77999\n")
    (unknown,) = [f for f in report.findings if f.kind == "unknown_code"]
    assert unknown.severity == "warning" and unknown.codes == ("77999",) and unknown.lines == (1, 4)
    assert report.no_rule_known and all(f.codes != ("77999",) for f in report.no_rule_known)
    assert "no_rule_known" not in report.to_dict() and report.to_dict(verbose=True)["no_rule_known"]


def test_one_finding_per_pair_naming_every_rule_that_says_so(checker):
    report = claim(checker, "2025-04-01 77301 POS 22\n2025-04-01 77014 POS 22\n")
    (finding,) = about(report, "77301", "77014")
    assert finding.also_rules  # the OPPS rule and ASTRO's report of the CMS list: one finding
    assert len({s.id for s in finding.sources}) >= 2


def test_json_shape(checker):
    data = claim(checker, "2026-03-02 77412\n2026-02-30 77412\n2026-03-02 77387\n2026-03-02 77999\n").to_dict()
    assert set(data) >= {"summary", "setting", "fractions", "lines", "findings"}
    assert set(data["summary"]) >= {"problems", "warnings", "lines", "unreadable"}
    assert {line["status"] for line in data["lines"]} == {"warning", "problem", "unreadable"}
    finding = data["findings"][0]
    assert set(finding) >= {"severity", "kind", "lines", "codes", "dos", "message", "rule_id", "sources"}
    assert set(finding["sources"][0]) == {"id", "title", "url", "tier"}


@pytest.mark.parametrize("path", claim_example_files([CLAIMS]), ids=lambda p: p.name)
def test_example_claims_find_what_they_expect(checker, path):
    result = replay_claim_example(checker, parse_claim_example(path))
    assert result.passed, result.failures


def test_there_are_four_example_claims():
    assert len(claim_example_files([CLAIMS])) == 4


def test_the_pair_check_counts_modifiers_and_pos(engine):
    bypassed = engine.check(["77295", "77336"], dos=date(2025, 5, 1), modifiers={"77336": ("59",)})
    (pair,) = [f for f in bypassed.findings if f.kind == "pair"]
    assert pair.modifier_used == "59" and "Bypassed by modifier 59" in pair.reason
    wrong = engine.check(["77407", "77387"], dos=date(2026, 5, 1), modifiers={"77387": ("TC",)})
    assert wrong.verdict == "not_allowed"
    right = engine.check(["77407", "77387"], dos=date(2026, 5, 1), modifiers={"77387": ("26",)})
    assert right.verdict != "not_allowed"
    answer = engine.answer("can we bill 77301 and 77014 together, POS 22, 2025-03-15?")
    assert answer.rule_check is not None and answer.rule_check.setting == "hospital"


def test_a_question_with_a_2025_date_gets_no_deleted_notice_for_77385(engine):
    answer = engine.answer("can 77385 and 77301 be billed on 03/15/2025?", as_of=date(2026, 12, 3))
    assert not any("77385 was deleted" in notice for notice in answer.notices)
