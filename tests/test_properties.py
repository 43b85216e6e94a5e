"""Property tests: the question-context parser and the whole answer path never fail on any text."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TODAY
from faqbot.codes import find_mentions
from faqbot.question_context import alternative_groups, offers_choice, read_context
from faqbot.question_reading import asking_parts, question_focus

question_text = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "can",
                "77014",
                "g 6012",
                "77261-77263",
                "alone",
                "in",
                "2025",
                "hospital",
                "freestanding",
                "12/31/2025",
                "2026-13-45",
                "-26",
                "through",
                "99213",
                "[bold]",
                "é",
                "?",
                "and",
                "77300",
                "or",
                "(simple plan)",
                ",",
            ]
        ),
        max_size=12,
    ).map(" ".join),
)


@given(question_text)
def test_read_context_never_raises_and_dates_are_real(text: str) -> None:
    context = read_context(text)
    assert context.dos is None or isinstance(context.dos, date)
    assert context.setting in (None, "hospital", "practitioner")


@given(question_text)
def test_a_choice_needs_two_codes_and_the_word_or(text: str) -> None:
    mentions = find_mentions(text)
    if offers_choice(text, mentions):
        assert len(mentions) >= 2 and " or" in text.lower()


@given(st.lists(st.sampled_from(["77402", "77407", "77412", "77300"]), min_size=2, max_size=4))
def test_codes_joined_by_or_are_a_choice_and_by_and_are_not(codes: list[str]) -> None:
    assert offers_choice(" or ".join(codes), find_mentions(" or ".join(codes)))
    assert not offers_choice(" and ".join(codes), find_mentions(" and ".join(codes)))


@given(question_text)
def test_example_groups_are_codes_inside_one_pair_of_parentheses(text: str) -> None:
    mentions = find_mentions(text)
    for group in alternative_groups(text, mentions):
        assert len(group) >= 2
        assert group <= {m.code for m in mentions}
        assert "(" in text and ")" in text


@given(
    st.lists(st.sampled_from(["77280", "77285", "77290", "77332", "77333"]), min_size=2, max_size=4, unique=True),
    st.sampled_from([", ", " or ", ", or ", "/", " and "]),
)
def test_codes_listed_in_parentheses_are_one_group(codes: list[str], joiner: str) -> None:
    text = f"can 77295 be billed with simulation ({joiner.join(codes)}) the same day"
    assert alternative_groups(text, find_mentions(text)) == (frozenset(codes),)
    bare = f"can 77295 be billed with {joiner.join(codes)} the same day"
    assert alternative_groups(bare, find_mentions(bare)) == ()


@given(question_text)
def test_a_posts_questions_are_its_own_sentences_and_make_up_its_focus(text: str) -> None:
    parts = asking_parts(text)
    focus, long = question_focus(text)
    assert not parts or (long and len(parts) >= 2)
    assert all(part in focus and part.strip() for part in parts)


@given(st.integers(1900, 2099), st.integers(1, 12), st.integers(1, 28))
def test_a_written_date_of_service_is_read_back(year: int, month: int, day: int) -> None:
    written = date(year, month, day)
    assert read_context(f"can 77295 and 77300 be billed on {written.isoformat()}").dos == written
    assert read_context(f"billed on {month}/{day}/{year}?").dos == written


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(question_text)
def test_answer_never_raises_and_always_serializes(engine, text: str) -> None:
    answer = engine.answer(text, as_of=TODAY)
    data = json.loads(json.dumps(answer.to_dict()))
    assert data["status"] in ("answered", "no_match")
    assert 0.0 <= data["confidence"] <= 1.0
    assert set(answer.codes) <= set(engine.kb.codes)
    assert len(answer.suggestions) <= 3
    if answer.status == "answered":
        assert answer.answer.strip()
