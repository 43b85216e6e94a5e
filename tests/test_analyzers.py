"""Oracle tests: faqbot's scikit-learn-free analyzers cut text exactly as the fitted models do."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from faqbot.analyzers import analyzer
from faqbot.text_index import CHAR_MODEL, WORD_MODEL

SKLEARN_WORD = TfidfVectorizer(**WORD_MODEL).build_analyzer()
SKLEARN_CHAR = TfidfVectorizer(**CHAR_MODEL).build_analyzer()
OURS_WORD = analyzer(WORD_MODEL)
OURS_CHAR = analyzer(CHAR_MODEL)

texts = st.lists(
    st.sampled_from([*"abcdefxyz0123456789 -/.,?'\t\nÉéßİı", "  ", "77014", "imrt", "Σ"]), max_size=40
).map("".join)


@settings(max_examples=300)
@given(texts)
def test_word_ngrams_equal_sklearns(text: str) -> None:
    assert OURS_WORD(text) == SKLEARN_WORD(text)


@settings(max_examples=300)
@given(texts)
def test_char_wb_ngrams_equal_sklearns(text: str) -> None:
    assert OURS_CHAR(text) == SKLEARN_CHAR(text)


def test_on_real_questions() -> None:
    for text in ("Can CPT 77295 and 77300 be billed together?", "sim  w/ contrast", "a", ""):
        assert OURS_WORD(text) == SKLEARN_WORD(text) and OURS_CHAR(text) == SKLEARN_CHAR(text)
