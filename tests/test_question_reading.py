"""Reading a question: its focus (the question inside a long post), its aspect, the modifiers it names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faqbot.question_reading import LONG_QUESTION_WORDS, modifiers_named, question_aspect, question_focus, read_question

LONG_POST = (
    "We treated a breast patient with 3-D conformal radiation for 25 fractions and billed the physics "
    "weekly as usual. The physician then asked the physicist for a special consult on the heart dose. "
    "The course ended last week. Can we still bill 77370 now?"
)


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("how do I document image guidance for 77387", "documentation"),
        ("can the physician review the IGRT images remotely and bill 77387", "documentation"),
        ("Can we bill 77370 after treatment ended?", "timing"),
        ("boost plan without a new CT, can we bill 77295 again", "timing"),
        ("does 77301 need prior auth with UHC?", "coverage"),
        ("what is modifier 59", "modifier"),
        ("how many units of 77334 for three blocks", "frequency"),
        ("can 77295 and 77300 be billed together", "combination"),
        ("can 77014 be billed alone", "combination"),
        ("77263 vs 77262 difference", "definition"),
        ("is 77387 paid separately in the hospital", "payment"),
        ("77300", "definition"),
        ("which codes cover the management of a course", "scenario"),
    ],
)
def test_the_aspect_is_what_the_question_wants_to_know(question: str, aspect: str | None) -> None:
    assert question_aspect(question) == aspect


def test_a_long_post_is_read_for_the_sentence_that_asks() -> None:
    reading = read_question(LONG_POST)
    assert reading.long
    assert reading.focus == "Can we still bill 77370 now?"
    assert reading.aspect == "timing"  # from the story, since the asking sentence names no aspect


def test_a_short_asking_sentence_takes_the_sentence_before_it() -> None:
    post = (
        "Our physicist reviews every IMRT chart weekly and we bill 77336 each week of treatment, but this "
        "patient had a two-week break in the middle of the course. Is that right?"
    )
    focus, long = question_focus(post)
    assert long and focus.startswith("Our physicist") and focus.endswith("Is that right?")


def test_a_short_question_is_its_own_focus() -> None:
    question = "Can 77295 and 77300 be billed together? Thanks."
    assert question_focus(question) == (question, False)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("what is modifier 59", {"59"}),
        ("77387-26 in 2026", {"26"}),
        ("bill 77300 with XS", {"XS"}),
        ("77300", set()),
        ("do we use modifier 59 or 76?", {"59", "76"}),
        ("modifiers 26, TC and 59", {"26", "TC", "59"}),
        ("mod 59/XS", {"59", "XS"}),
        ("modifier 59 and 77300", {"59"}),
    ],
)
def test_modifiers_named(text: str, named: set[str]) -> None:
    assert modifiers_named(text) == named


sentences = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60), max_size=8
)


@given(sentences, st.sampled_from(["?", ".", "!", "\n", ""]))
def test_the_focus_is_made_of_the_texts_own_sentences(parts: list[str], end: str) -> None:
    text = end.join(parts)
    focus, long = question_focus(text)
    if not long:
        assert focus == text
    else:
        assert focus.strip()
        for piece in focus.split(" "):
            assert piece in text


@given(st.text(max_size=300))
def test_reading_never_fails_and_short_texts_stay_whole(text: str) -> None:
    reading = read_question(text)
    if len(re.findall(r"[a-z0-9]+", text, re.IGNORECASE)) < LONG_QUESTION_WORDS:
        assert reading.focus == text and not reading.long


@pytest.mark.parametrize(
    "question",
    [
        "What are the appropriate planning codes that may be billed for SRS or SBRT treatments?",
        "When using the gamma knife, what is the correct code or codes that should be used?",
        "what codes are used for imrt",
    ],
)
def test_which_codes_to_bill_for_a_service_is_a_scenario_question(question: str) -> None:
    assert read_question(question).aspect == "scenario"


@pytest.mark.parametrize(
    "question, aspect",
    [
        ("will aetna pay for 77301", "coverage"),
        ("does medicare reimburse cpt 55874 spacer placement", "coverage"),
        ("does 77263 cover building the dosimetry plan", None),  # what a code includes, not a payer's coverage
        ("77263 and 77295 both on same course ok?", "combination"),
        ("can a second plan be billed in the same course", "timing"),
    ],
)
def test_payer_coverage_and_same_course_cues(question: str, aspect: str | None) -> None:
    assert question_aspect(question) == aspect


def test_what_constitutes_x_asks_what_x_is_before_how_to_report_it() -> None:
    assert question_aspect("What exactly constitutes complex simulation, and how should we report it?") == "definition"
    assert question_aspect("what counts as documentation for 77290") == "documentation"
