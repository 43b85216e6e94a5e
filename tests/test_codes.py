"""Code recognition: the forms people type, modifiers, ranges, did-you-mean; property tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faqbot.codes import close_codes, find_mentions, normalize_code, recognize, suggest_code

KNOWN = frozenset(
    {
        "77011",
        "77012",
        "77014",
        "77261",
        "77262",
        "77263",
        "77295",
        "77300",
        "77301",
        "G6012",
        "G6015",
        "0073T",
        "C1717",
    }
)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("what is g6012", ("G6012",)),
        ("G 6012?", ("G6012",)),
        ("g-6012", ("G6012",)),
        ("77-014 alone?", ("77014",)),
        ("CPT® 77014", ("77014",)),
        ("cpt77014", ()),
        ("(77014)", ("77014",)),
        ("77014/77012", ("77014", "77012")),
        ("0073t", ("0073T",)),
        ("c1717.", ("C1717",)),
        ("77295, 77300 and 77301", ("77295", "77300", "77301")),
        ("77261-77263", ("77261", "77262", "77263")),
        ("77261 through 77263", ("77261", "77262", "77263")),
        ("77261 to 77263", ("77261", "77262", "77263")),
        ("a 2016 edit in 2025", ()),
        ("on 2025-01-01", ()),
        ("call 617-555-1234", ()),
    ],
)
def test_recognizes_codes(text: str, codes: tuple[str, ...]) -> None:
    assert recognize(text, KNOWN).codes == codes


@pytest.mark.parametrize(
    ("text", "modifiers"),
    [
        ("77014-26", {"77014": ("26",)}),
        ("77014 -TC", {"77014": ("TC",)}),
        ("77014-26-59", {"77014": ("26", "59")}),
        ("77014 XS with 77301", {"77014": ("XS",)}),
        ("77014 alone", {}),
    ],
)
def test_splits_off_modifiers(text: str, modifiers: dict) -> None:
    scan = recognize(text, KNOWN)
    assert scan.codes[0] == "77014"
    assert scan.modifiers == modifiers


def test_unknown_code_is_reported_not_substituted() -> None:
    scan = recognize("what is 99213", KNOWN)
    assert scan.codes == () and scan.unknown == ("99213",) and scan.did_you_mean == {}


def test_one_edit_typo_with_one_neighbour_gets_did_you_mean() -> None:
    scan = recognize("what is 77296", KNOWN)
    assert scan.codes == () and scan.unknown == ("77296",)
    assert scan.did_you_mean == {"77296": "77295"}


def test_one_edit_typo_with_several_neighbours_gets_no_guess() -> None:
    assert suggest_code("77013", KNOWN) is None  # 77011, 77012 and 77014 are all one edit away


def test_wide_to_is_not_a_range() -> None:
    scan = recognize("switch from 77014 to 77301", KNOWN)
    assert scan.codes == ("77014", "77301")


@given(st.text())
@settings(max_examples=300)
def test_recognize_never_raises_and_returns_normal_codes(text: str) -> None:
    scan = recognize(text, KNOWN)
    assert set(scan.codes) <= KNOWN
    for code in scan.unknown:
        assert normalize_code(code) == code


code_strategy = st.one_of(
    st.from_regex(r"\A[0-9]{5}\Z"),
    st.from_regex(r"\A[0-9]{4}[FTU]\Z"),
    st.from_regex(r"\A[A-V][0-9]{4}\Z"),
)


@given(code_strategy)
def test_normalize_is_idempotent(code: str) -> None:
    normal = normalize_code(code)
    assert normal is not None
    assert normalize_code(normal) == normal


@given(code_strategy, st.sampled_from(["", " ", "-"]), st.booleans())
def test_spelling_variants_normalize_to_the_same_code(code: str, sep: str, lower: bool) -> None:
    written = code[0] + sep + code[1:] if code[0].isalpha() else code
    written = written.lower() if lower else written
    assert normalize_code(written) == code


@given(code_strategy, st.text(alphabet=" ?!.,;:()abc", max_size=5), st.text(alphabet=" ?!.,;:()abc", max_size=5))
def test_a_code_in_punctuated_text_is_found(code: str, before: str, after: str) -> None:
    if code[0] in "AI" and before.endswith("a"):
        return
    text = f"what about {before} {code} {after}"
    assert code in [m.code for m in find_mentions(text)]


def test_ranges_that_are_not_read_as_ranges_are_named_with_the_reason() -> None:
    """Trial row 12: a reversed or too-wide range is reported, never silently read as its two ends."""
    from faqbot.codes import MAX_RANGE_SPAN, range_problems

    assert range_problems("77261-77263") == [] and range_problems("77261 through 77263") == []
    assert range_problems("77014-26 alone") == [] and range_problems("77301 and 77014") == []
    (reversed_,) = range_problems("lookup 77263-77261")
    assert "reversed" in reversed_ and "77261-77263" in reversed_
    (wide,) = range_problems("77261 thru 77999")
    assert f"at most {MAX_RANGE_SPAN}" in wide
    assert len(range_problems("g6012-77301")) == 1


def test_codes_one_digit_away_are_the_same_whatever_the_order_of_the_table() -> None:
    known = [f"7730{d}" for d in range(9)] + [f"7731{d}" for d in range(10)]  # 77309 is unknown: 10 neighbours
    first = close_codes("77309", known)
    assert first == close_codes("77309", list(reversed(known))) == ("77300", "77301", "77302", "77303", "77304")


@pytest.mark.parametrize(
    ("text", "guess"),
    [("7730l", {"7730l": "77301"}), ("what is 77O14", {"77O14": "77014"}), ("hello lollo", {}), ("77301", {})],
)
def test_a_letter_typed_for_a_look_alike_digit_is_offered_as_the_code(text: str, guess: dict[str, str]) -> None:
    """ "7730l" is not a code as typed (not in ``unknown``), but did you mean 77301? (a new user's trial)."""
    scan = recognize(text, KNOWN)
    assert scan.did_you_mean == guess
    assert not set(scan.unknown) & set(guess)


@given(st.sampled_from(sorted(c for c in KNOWN if c.isdigit())), st.data())
def test_any_one_look_alike_letter_in_a_known_code_is_offered_as_that_code(code: str, data: st.DataObject) -> None:
    spots = [i for i, ch in enumerate(code) if ch in "10"]
    if not spots:
        return
    i = data.draw(st.sampled_from(spots))
    typed = code[:i] + data.draw(st.sampled_from("lI" if code[i] == "1" else "oO")) + code[i + 1 :]
    assert recognize(f"can I bill {typed}?", KNOWN).did_you_mean.get(typed) == code
