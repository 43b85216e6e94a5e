"""What the shipped knowledge says, pinned: audited verdicts, user-facing wording, source tiers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from faqbot.engine import Faqbot
from faqbot.model import WEAK_TIERS, KnowledgeBase

AFTER_2026 = date(2026, 6, 1)


def _user_facing_texts(kb: KnowledgeBase):
    for entry in kb.entries:
        yield f"entry {entry.id}", entry.answer + " " + entry.misconception
    for card in kb.codes.values():
        yield f"code {card.code}", card.description + " " + card.note
    for rule in kb.rules:
        yield f"rule {rule.id}", rule.reason


def test_no_user_facing_text_says_the_seed(kb: KnowledgeBase) -> None:
    """Users do not know the FAQ the project grew from: "a widely copied online FAQ says ..." instead."""
    said = [
        where for where, text in _user_facing_texts(kb) if re.search(r"\bthe seed\b|\bseed faq\b", text, re.IGNORECASE)
    ]
    assert not said


def test_no_answer_cites_an_ai_generated_code_site_as_evidence(kb: KnowledgeBase) -> None:
    said = [
        where
        for where, text in _user_facing_texts(kb)
        if re.search(r"according to an ai-generated", text, re.IGNORECASE)
    ]
    assert not said


def test_an_entry_resting_only_on_weak_sources_says_what_they_are(kb: KnowledgeBase) -> None:
    """Billing companies, blogs, forums and copies: the answer names the kind of source it rests on."""
    kinds = re.compile(
        r"billing (?:blog|company)|vendor|consultant|forum|column|article|code summary|copy|copies|"
        r"manual|one (?:billing|code)|\bblog\b",
        re.IGNORECASE,
    )
    unsaid = [
        entry.id
        for entry in kb.entries
        if all(kb.sources[s].tier in WEAK_TIERS for s in entry.sources) and not kinds.search(entry.answer)
    ]
    assert not unsaid


def test_every_source_has_a_tier_and_an_address(kb: KnowledgeBase) -> None:
    assert all(source.tier and source.url.startswith("http") for source in kb.sources.values())


def test_each_page_is_one_source_record(kb: KnowledgeBase) -> None:
    """A page cited twice under two ids was counted twice in the tier shares (36 such records were folded
    into one each on 2026-12-03); cite the existing id instead of adding a record for the same address."""
    pages: dict[str, str] = {}
    for source in kb.sources.values():
        page = re.sub(r"^https?://(?:www\.)?", "", source.url.strip()).rstrip("/")
        assert pages.setdefault(page, source.id) == source.id, f"{source.id} cites the page of {pages[page]}"


@pytest.mark.parametrize(
    ("codes", "dos", "verdict"),
    [
        (("77261", "77263"), AFTER_2026, "not_allowed"),  # one clinical-planning level per course
        (("77280", "77290"), AFTER_2026, "not_allowed"),  # one simulation per date
        (("77402", "77407"), AFTER_2026, "not_allowed"),  # one delivery level per session
        (("77373", "77387"), AFTER_2026, "not_allowed"),  # SBRT delivery includes image guidance in 2026
        (("77373", "77412"), AFTER_2026, "not_allowed"),  # SBRT is not billed with conventional delivery
        (("77014", "77407"), AFTER_2026, "not_allowed"),  # guidance's technical part is inside 2026 delivery
        (("77470", "77427"), AFTER_2026, "allowed"),  # special treatment procedure with weekly management
        (("77295", "77300"), AFTER_2026, "allowed"),  # the 2016 edit was deleted retroactively
        (("77767", "77300"), AFTER_2026, "not_allowed"),  # skin HDR includes basic dosimetry
    ],
)
def test_audited_verdicts(engine: Faqbot, codes: tuple[str, ...], dos: date, verdict: str) -> None:
    """The pair's own finding (a documentation condition on one code may still make the whole check 'depends')."""
    check = engine.check(codes, dos=dos, setting="any")
    pair = [f.verdict for f in check.findings if f.kind == "pair" and set(f.codes) == set(codes)]
    assert pair and pair[0] == verdict


def test_a_course_level_requirement_is_stated_as_such(engine: Faqbot) -> None:
    """77338 needs an IMRT plan in the course, possibly on another date: not 'none is billed'."""
    check = engine.check(("77338",), dos=AFTER_2026, setting="any", alone=True)
    requirement = next(f for f in check.findings if f.kind == "requires")
    assert requirement.verdict == "depends" and "in the same course" in requirement.reason
    with_plan = engine.check(("77338", "77301"), dos=AFTER_2026, setting="any")
    assert with_plan.verdict == "allowed"
