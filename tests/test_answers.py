"""Answers on the real knowledge base: seed questions, paraphrases, refusals, the seed's errors."""

from __future__ import annotations

import pytest

from conftest import TODAY
from faqbot.engine import Faqbot

# Two paraphrases per seed entry, worded differently from the entry's stored alternates.
PARAPHRASES: dict[str, tuple[str, str]] = {
    "treatment-management-codes": (
        "which codes cover the radiation oncologist's management of the treatment course",
        "list the rad onc treatment management cpt codes",
    ),
    "imrt-codes": ("how is intensity-modulated radiotherapy billed", "codes used for an IMRT course"),
    "what-is-g6012": ("define G6012", "G 6012 meaning please"),
    "how-often-77301": ("is 77301 limited to one per course", "frequency rules for billing 77301"),
    "how-often-77263": ("how many times per course may 77263 be reported", "frequency of 77263"),
    "what-is-g6002": ("define g6002", "what does hcpcs g 6002 describe"),
    "77470-alone": ("may 77470 be reported by itself", "is it ok to bill 77470 on its own"),
    "what-is-77012": ("define cpt 77012", "what does 77012 describe"),
    "77295-with-77300": ("77295 + 77300 on the same claim ok?", "may 77300 be reported with 77295"),
    "how-often-77336": ("frequency of 77336", "how many times can 77336 be reported"),
    "77014-alone": ("may 77014 be reported by itself", "is it ok to bill 77014 on its own"),
    "77385-vs-77386": ("how do 77385 and 77386 differ", "77385 versus 77386 explained"),
    "what-is-77301": ("define cpt 77301", "what does 77301 describe"),
    "55874-medicare-coverage": (
        "will medicare pay for 55874",
        "is the rectal spacer procedure 55874 a covered medicare service",
    ),
    "what-is-c1717": ("define c1717", "what does hcpcs c 1717 describe"),
    "treatment-planning-codes": (
        "which cpt code is used for the physician's treatment plan",
        "codes for clinical treatment planning in radiation oncology",
    ),
}

OUT_OF_SCOPE = [
    "weather in Boston",
    "ICD-10 for prostate cancer",
    "what is 27447",
    "what's a good recipe for lasagna",
    "how do I reset my password",
    "who won the world series",
    "icd 10 code for breast cancer",
    "what is 45378",
    "tell me a joke",
    "what is the capital of France",
]


def test_every_seed_question_gets_its_entry(engine: Faqbot, seed_entries) -> None:
    for entry in seed_entries:
        answer = engine.answer(entry.question, as_of=TODAY)
        assert (answer.status, answer.entry_id) == ("answered", entry.id), entry.question


def test_paraphrases_cover_every_seed_entry(seed_entries) -> None:
    assert {entry.id for entry in seed_entries} == set(PARAPHRASES)


# Known gaps: strict, so a fix shows up as a failure asking to remove the mark.
# Paraphrases faqbot is known to miss, each with why (a strict xfail: fixing one fails the test).
KNOWN_GAPS: dict[str, str] = {}


def _paraphrase_cases():
    for entry_id, questions in PARAPHRASES.items():
        for question in questions:
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[question])] if question in KNOWN_GAPS else []
            yield pytest.param(entry_id, question, marks=marks)


@pytest.mark.parametrize(("entry_id", "question"), list(_paraphrase_cases()))
def test_seed_paraphrase_gets_its_entry(engine: Faqbot, kb, entry_id: str, question: str) -> None:
    stored = {a.lower() for a in kb.entries_by_id[entry_id].alternates}
    assert question.lower() not in stored, "a paraphrase must not copy a stored alternate"
    assert engine.answer(question, as_of=TODAY).entry_id == entry_id


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_is_refused(engine: Faqbot, question: str) -> None:
    answer = engine.answer(question, as_of=TODAY)
    assert answer.status == "no_match"
    assert answer.entry_id is None
    assert len(answer.suggestions) <= 3


def test_unknown_code_is_named_and_never_answered_with_another_code(engine: Faqbot) -> None:
    answer = engine.answer("what is 27447", as_of=TODAY)
    assert answer.unknown_codes == ("27447",) and answer.codes == ()
    assert "27447 is not in our code table" in answer.answer


def test_question_about_77012_never_returns_the_77014_entry(engine: Faqbot) -> None:
    for question in ("what is 77012", "77012?", "is 77012 ct guidance", "cpt 77012"):
        assert engine.answer(question, as_of=TODAY).entry_id == "what-is-77012"


def test_known_code_without_entry_answers_from_its_code_card(engine: Faqbot, kb) -> None:
    covered = {code for codes in engine.ranker.subject_codes for code in codes}
    uncovered = sorted(set(kb.codes) - covered)
    assert uncovered, "every code has an entry; pick another test"
    code = uncovered[0]
    answer = engine.answer(f"what is {code}", as_of=TODAY)
    assert answer.status == "answered" and answer.kind == "code_card"
    assert kb.codes[code].description in answer.answer


def test_deleted_code_is_flagged_with_its_replacement(engine: Faqbot) -> None:
    answer = engine.answer("what is g6015", as_of=TODAY)
    assert any("G6015 was deleted on 2026-01-01" in note for note in answer.notices)
    before = engine.answer("what is g6015", as_of=TODAY.replace(year=2025))
    assert not any("deleted" in note for note in before.notices)


def test_did_you_mean_for_a_one_edit_code_typo(engine: Faqbot) -> None:
    answer = engine.answer("what is 79102", as_of=TODAY)
    assert answer.status == "no_match"
    assert answer.did_you_mean == {"79102": "79101"}
    assert "Did you mean 79101?" in answer.answer


@pytest.mark.parametrize(
    "question", ["radiation treatmnet managment cpt codes", "radiation treatment management cpt codes"]
)
def test_a_word_with_two_letters_swapped_is_read_as_the_word(engine: Faqbot, question: str) -> None:
    # "treatmnet": two neighbouring letters swapped, the commonest typo, is one edit like a dropped letter.
    answer = engine.answer(question, as_of=TODAY)
    assert answer.status == "answered" and answer.entry_id == "treatment-management-codes"


# The seed FAQ's known errors must not come back: each check names the correct fact.
def _text(engine: Faqbot, question: str) -> str:
    answer = engine.answer(question, as_of=TODAY)
    return (answer.answer + " " + answer.misconception).lower(), answer.answer.lower()


def test_77012_answer_says_needle_placement(engine: Faqbot) -> None:
    _, text = _text(engine, "What is the CPT code 77012?")
    assert "needle" in text and "77014" in text


def test_77300_answer_says_basic_dosimetry_calculation(engine: Faqbot) -> None:
    _, text = _text(engine, "Can CPT 77295 and 77300 be billed together?")
    assert "basic dosimetry" in text
    assert "77300 (special teletherapy port plan)" not in text
    assert text.startswith("yes")


def test_77336_answer_says_per_week_not_per_short_course(engine: Faqbot) -> None:
    _, text = _text(engine, "How often can CPT 77336 be billed?")
    assert "week" in text and "five" in text


def test_77385_77386_answer_says_delivery_and_deleted(engine: Faqbot) -> None:
    _, text = _text(engine, "What is the difference between 77385 and 77386?")
    assert "delivery" in text and "2026-01-01" in text
    assert "77407" in text and "77412" in text


def test_77263_answer_separates_clinical_planning_from_the_3d_plan(engine: Faqbot) -> None:
    _, text = _text(engine, "How often can 77263 be billed?")
    assert "77295" in text and "complex" in text


def test_g_codes_are_called_hcpcs_not_cpt(engine: Faqbot) -> None:
    for question in ("What is g6012 CPT?", "What is CPT G6002?", "What is CPT C1717?"):
        _, text = _text(engine, question)
        assert "hcpcs" in text, question


def test_77014_alone_answer_does_not_call_77470_a_delivery_code(engine: Faqbot) -> None:
    _, text = _text(engine, "Can CPT 77014 be billed alone?")
    assert "special treatment procedure" in text


def test_imrt_answer_names_the_plan_and_the_2026_delivery_codes(engine: Faqbot) -> None:
    _, text = _text(engine, "What are the CPT codes for IMRT?")
    assert "77301" in text and "77407" in text
