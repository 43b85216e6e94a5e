"""The rule check on the real rules: both directions, dates of service, settings, unknown pairs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import TODAY
from faqbot.engine import Faqbot
from faqbot.model import PAIR_RELATIONS, Rule
from faqbot.rules import SEVERITY, overall_verdict


def _inside(rule: Rule) -> date:
    if rule.effective_from is not None:
        return rule.effective_from
    if rule.effective_to is not None:
        return rule.effective_to - timedelta(days=1)
    return TODAY


def _setting(rule: Rule) -> str:
    return rule.setting if rule.setting in ("practitioner", "hospital") else "any"


def _pair_rules(kb) -> list[tuple[Rule, str, str]]:
    """Each pair rule with one pair of distinct codes it names (a rule over one code family, such as
    one simulation level per date, lists the family on both sides)."""
    out = []
    for r in kb.rules:
        if r.relation in PAIR_RELATIONS:
            a = r.codes_a[0]
            b = next(code for code in r.codes_b if code != a)
            out.append((r, a, b))
    return out


def test_every_pair_rule_is_found_both_ways_round(engine: Faqbot, kb) -> None:
    pairs = _pair_rules(kb)
    assert len(pairs) >= 30
    for rule, a, b in pairs:
        dos, setting = _inside(rule), _setting(rule)
        for codes in ((a, b), (b, a)):
            check = engine.check(codes, dos=dos, setting=setting)
            ids = [f.rule_id for f in check.findings]
            assert rule.id in ids, (rule.id, codes)


def test_pair_rules_do_not_apply_outside_their_dates(engine: Faqbot, kb) -> None:
    for rule, a, b in _pair_rules(kb):
        if rule.effective_from is not None:
            before = engine.check((a, b), dos=rule.effective_from - timedelta(days=1), setting=_setting(rule))
            assert rule.id not in [f.rule_id for f in before.findings], rule.id
        if rule.effective_to is not None:
            after = engine.check((a, b), dos=rule.effective_to, setting=_setting(rule))
            assert rule.id not in [f.rule_id for f in after.findings], rule.id


def test_verdict_follows_the_modifier_indicator(engine: Faqbot, kb) -> None:
    expected = {0: "not_allowed", 1: "allowed_with_modifier", 9: "allowed", None: "not_allowed"}
    for rule, a, b in _pair_rules(kb):
        if rule.relation == "allowed_together" or rule.setting.startswith("payer:"):
            continue
        finding = next(
            f for f in engine.check((a, b), dos=_inside(rule), setting=_setting(rule)).findings if f.rule_id == rule.id
        )
        assert finding.verdict == expected[rule.modifier_indicator], rule.id
        if finding.verdict == "allowed_with_modifier":
            assert finding.modifiers


def test_payer_rules_say_depends(engine: Faqbot, kb) -> None:
    payer_rules = [r for r, _, _ in _pair_rules(kb) if r.setting.startswith("payer:")]
    assert payer_rules
    for rule in payer_rules:
        check = engine.check((rule.codes_a[0], rule.codes_b[0]), dos=_inside(rule), setting="any")
        finding = next(f for f in check.findings if f.rule_id == rule.id)
        assert finding.verdict in ("depends", "allowed")
        assert rule.setting.removeprefix("payer:") in finding.reason or finding.verdict == "allowed"


def test_hospital_only_rule_does_not_apply_to_a_freestanding_claim(engine: Faqbot, kb) -> None:
    hospital = [r for r, _, _ in _pair_rules(kb) if r.setting == "hospital"]
    assert hospital
    for rule in hospital:
        codes = (rule.codes_a[0], rule.codes_b[0])
        assert rule.id in [f.rule_id for f in engine.check(codes, dos=_inside(rule), setting="hospital").findings]
        assert rule.id not in [
            f.rule_id for f in engine.check(codes, dos=_inside(rule), setting="practitioner").findings
        ]
        any_setting = next(
            f for f in engine.check(codes, dos=_inside(rule), setting="any").findings if f.rule_id == rule.id
        )
        assert any_setting.verdict == "depends"


def test_pair_without_rule_is_unknown_never_allowed(engine: Faqbot, kb) -> None:
    ruled = {frozenset((a, b)) for r in kb.rules for a in r.codes_a for b in r.codes_b}
    codes = sorted(c for c in kb.codes if kb.codes[c].deleted_on is None)
    pair = next(
        (a, b)
        for a in codes
        for b in codes
        if a < b
        and frozenset((a, b)) not in ruled
        and not engine.checker.rules_for(a)
        and not engine.checker.rules_for(b)
    )
    check = engine.check(pair, dos=TODAY)
    assert check.verdict == "unknown"
    assert "does not mean they may be billed together" in check.findings[-1].reason


def test_a_deletion_reported_only_by_secondary_sources_depends(engine: Faqbot) -> None:
    check = engine.check(("77014",), dos=TODAY, alone=True)
    deleted = next(f for f in check.findings if f.kind == "deleted")
    assert deleted.verdict == "depends" and "secondary sources" in deleted.reason
    assert check.verdict == "depends"


def test_deleted_code_is_a_finding_with_its_replacement(engine: Faqbot) -> None:
    check = engine.check(("G6015", "77301"), dos=TODAY)
    deleted = [f for f in check.findings if f.kind == "deleted"]
    assert deleted and "77407" in deleted[0].reason and check.verdict == "not_allowed"
    assert not [f for f in engine.check(("G6015", "77301"), dos=date(2025, 6, 1)).findings if f.kind == "deleted"]


def test_overall_verdict_is_the_most_restrictive(engine: Faqbot) -> None:
    check = engine.check(("77301", "77295", "77300"), dos=TODAY)
    assert check.verdict == overall_verdict(check.findings)
    assert SEVERITY[check.verdict] == max(SEVERITY[f.verdict] for f in check.findings)
    assert check.verdict == "not_allowed"  # 77295 is paid inside the IMRT plan 77301
    assert {frozenset(f.codes) for f in check.findings if f.kind == "pair"} == {
        frozenset(("77301", "77295")),
        frozenset(("77301", "77300")),
        frozenset(("77295", "77300")),
    }


def test_requires_rule_makes_a_lone_add_on_not_allowed(engine: Faqbot, kb) -> None:
    """Not allowed alone when the primary must be on the claim; depends when it may be anywhere in the course."""
    requires = [r for r in kb.rules if r.relation == "requires"]
    assert requires and any(r.span == "course" for r in requires)
    for rule in requires:
        code = rule.codes_a[0]
        alone = engine.check((code,), dos=_inside(rule), setting=_setting(rule), alone=True)
        assert alone.verdict == ("depends" if rule.span == "course" else "not_allowed"), rule.id
        with_primary = engine.check((code, rule.codes_b[0]), dos=_inside(rule), setting=_setting(rule))
        finding = next(f for f in with_primary.findings if f.rule_id == rule.id)
        assert finding.verdict == "allowed"


def test_standalone_rule_allows_a_code_alone(engine: Faqbot) -> None:
    assert engine.check(("77470",), dos=TODAY, alone=True).verdict == "allowed"


def test_code_alone_with_no_rule_is_unknown(engine: Faqbot, kb) -> None:
    plain = next(c for c in sorted(kb.codes) if not engine.checker.rules_for(c) and kb.codes[c].deleted_on is None)
    assert engine.check((plain,), dos=TODAY, alone=True).verdict == "unknown"


# The seed's combination questions: the verdict, and the entry's text agreeing with it.
SEED_COMBINATIONS = {
    "Can CPT 77295 and 77300 be billed together?": ("77295-with-77300", "allowed", "yes"),
    "Can CPT 77470 be billed alone?": ("77470-alone", "allowed", "yes"),
    # 77014's 2026 deletion is reported by secondary sources only: depends, and the entry says so.
    "Can CPT 77014 be billed alone?": ("77014-alone", "depends", None),
}


@pytest.mark.parametrize("question", SEED_COMBINATIONS)
def test_seed_combination_questions(engine: Faqbot, question: str) -> None:
    entry_id, verdict, opening = SEED_COMBINATIONS[question]
    answer = engine.answer(question, as_of=TODAY)
    assert answer.entry_id == entry_id
    assert answer.rule_check is not None and answer.rule_check.verdict == verdict
    text = answer.answer.lower()
    if opening:
        assert text.startswith(opening)
    if verdict != "allowed":
        assert not text.startswith("yes")
        assert "deleted" in text and "confirm" in text  # 77014 on today's date of service


def test_77295_and_77300_in_2016_after_the_retroactive_deletion(engine: Faqbot) -> None:
    assert engine.check(("77295", "77300"), dos=date(2016, 3, 1)).verdict == "allowed"


def test_question_context_sets_date_and_setting(engine: Faqbot) -> None:
    answer = engine.answer("can 77301 and 77014 be billed together in a hospital in 2025", as_of=TODAY)
    check = answer.rule_check
    assert check is not None and check.dos == date(2025, 7, 1) and check.setting == "hospital"
    assert not [f for f in check.findings if f.kind == "deleted"]
    assert check.verdict == "not_allowed"


def test_multi_code_question(engine: Faqbot) -> None:
    answer = engine.answer("can 77301, 77295 and 77300 be billed on the same day?", as_of=TODAY)
    assert answer.codes == ("77301", "77295", "77300")
    assert answer.rule_check is not None and answer.rule_check.verdict == "not_allowed"


def test_code_recognition_edge_cases_feed_the_check(engine: Faqbot) -> None:
    answer = engine.answer("77-295 w/ 77300-26 same claim?", as_of=TODAY)
    assert answer.codes == ("77295", "77300") and answer.modifiers == {"77300": ("26",)}
    assert answer.rule_check is not None and answer.rule_check.verdict == "allowed"
    ranged = engine.answer("can 77261-77263 be billed together", as_of=TODAY)
    assert ranged.codes == ("77261", "77262", "77263") and ranged.rule_check is not None
