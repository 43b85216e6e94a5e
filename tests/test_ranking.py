"""The ranker's fast paths against simple reference computations (oracle tests)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import faqbot.ranking as ranking
from faqbot.ranking import FEATURES, Ranker, RankingWeights, code_overlap, question_intent
from faqbot.text_index import char_vectorizer, word_vectorizer

# Module-scoped fixtures are built once per worker: keep this file's tests on one worker.
pytestmark = pytest.mark.xdist_group("test_ranking")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(data=st.data())
def test_vectorized_code_scores_match_the_reference(engine, data) -> None:
    ranker = engine.ranker
    asked = frozenset(data.draw(st.lists(st.sampled_from(sorted(engine.kb.codes)), min_size=1, max_size=4)))
    own, phrasings, declared = ranker._code_overlaps(asked)
    for index, entry in enumerate(ranker.entries):
        assert own[index] == pytest.approx(code_overlap(asked, ranker.question_codes[index]))
        assert phrasings[index] == pytest.approx(code_overlap(asked, ranker.subject_codes[index]))
        assert declared[index] == pytest.approx(code_overlap(asked, frozenset(entry.codes)))


def test_character_shortlist_keeps_the_top_answers(engine, monkeypatch) -> None:
    """With more entries than the shortlist (two copies of the knowledge base), the shortlisted ranking
    agrees with scoring every entry in full."""
    entries = [
        replace(e, id=f"{e.id}-{i}", question=f"{e.question} v{i}", alternates=tuple(f"{a} v{i}" for a in e.alternates))
        for i in range(2)
        for e in engine.kb.entries
    ]
    ranker = Ranker(entries, engine.kb.codes.keys(), abbreviations=engine.kb.abbreviations)
    questions = [e.question for e in engine.kb.entries] + [
        "how often can 77336 be billed",
        "sbrt codes",
        "g6015 in 2026",
    ]
    asked = [(q, engine.scan(q).codes) for q in questions]
    assert len(entries) > ranking.SHORTLIST
    shortlisted = [ranker.rank(q, codes, limit=1)[0] for q, codes in asked]
    monkeypatch.setattr(ranking, "SHORTLIST", len(entries))  # read at query time: now every entry is scored
    full = [ranker.rank(q, codes, limit=1)[0] for q, codes in asked]
    for a, b in zip(shortlisted, full):
        assert np.isclose(a.score, b.score), (a, b)


def test_question_intent_reads_the_kind_of_question() -> None:
    assert question_intent("Can CPT 77014 be billed alone?") == "alone"
    assert question_intent("77385 vs 77386") == "difference"
    assert question_intent("can 77295 and 77300 be billed together") == "together"
    assert question_intent("how often can 77336 be billed") == "frequency"
    assert question_intent("is 55874 covered by medicare") == "coverage"
    assert question_intent("what replaced g6015") == "replacement"
    assert question_intent("what is 77012") == "definition"
    assert question_intent("77301?") == "definition"
    assert question_intent("what kind of service is 77301") == "definition"
    assert question_intent("is 77300 denied if 77295 is on the claim") == "together"
    assert question_intent("can 77417 be billed with 77427") == "together"
    assert question_intent("billing tips for brachytherapy") == "about"


def test_features_are_one_row_per_entry_in_feature_order(engine) -> None:
    rows = engine.ranker.features("can 77295 and 77300 be billed together", ("77295", "77300"))
    assert rows.shape == (len(engine.kb.entries), len(FEATURES))
    pair = [e.id for e in engine.kb.entries].index("77295-with-77300")
    assert rows[pair, FEATURES.index("codes_question")] == pytest.approx(1.0)
    assert rows[pair, FEATURES.index("same_intent")] == 1.0
    assert rows[:, FEATURES.index("codes_question_no_words")].max() == 0.0  # the question has words


def test_a_question_of_codes_only_switches_on_the_no_words_signals(engine) -> None:
    rows = engine.ranker.features("77295 + 77300?", ("77295", "77300"))
    assert rows[:, FEATURES.index("codes_question_no_words")].max() > 0
    assert rows[:, FEATURES.index("phrasing_word")].max() == 0.0


def test_ranking_weights_must_match_the_features() -> None:
    with pytest.raises(ValueError, match="coefficients"):
        RankingWeights((1.0,), 0.0)


def test_confidence_grows_with_relevance_and_known_words(engine) -> None:
    weights = engine.ranker.weights
    low, high = weights.confidence(np.array([-2.0, 2.0]), 1.0)
    assert 0 < low < high < 1
    assert weights.confidence(np.array([2.0]), 0.0)[0] < high


@pytest.fixture(scope="module")
def fitted_word(engine):
    return word_vectorizer().fit(engine.ranker.docs)


@pytest.fixture(scope="module")
def fitted_char(engine):
    return char_vectorizer().fit(engine.ranker.docs)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=80, deadline=None)
@given(data=st.data())
def test_query_vectorizer_matches_scikit_learn_transform(engine, fitted_word, fitted_char, data) -> None:
    """The hand-rolled query weighting gives exactly what TfidfVectorizer.transform gives."""
    ranker = engine.ranker
    words = sorted(ranker._vocabulary)
    text = " ".join(data.draw(st.lists(st.one_of(st.sampled_from(words), st.text(max_size=8)), max_size=12)))
    for vectorizer, query in ((fitted_word, ranker._word_query), (fitted_char, ranker._char_query)):
        expected = vectorizer.transform([text]).toarray().ravel()
        terms, weights = query.weights(text)
        got = np.zeros_like(expected, dtype=np.float64)
        got[terms] = weights
        assert np.allclose(got, expected, atol=1e-6)
