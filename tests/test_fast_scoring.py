"""The lean scoring path against the reference path it replaced (oracle tests, real questions):
postings read from the CSR arrays vs scipy slicing, each entry's best phrasing over the hit
phrasings alone vs over all of them, the learned score as a weighted sum vs the
entries x features matrix, and ``Answer.to_dict`` vs ``dataclasses.asdict``."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from conftest import DATA, TODAY
from faqbot.bench import asdict_reference
from faqbot.evaluate import labeled_questions
from faqbot.question_reading import read_question
from faqbot.ranking import DENSE_HITS, best_per_entry, postings_dot, postings_dot_hits
from faqbot.transcripts import parse_transcript

# Module-scoped fixtures are built once per worker: keep this file's tests on one worker.
pytestmark = pytest.mark.xdist_group("test_fast_scoring")


@pytest.fixture(scope="module")
def real_questions() -> list[str]:
    """The real-question dev set and the help-desk dev set: questions people ask, as they ask them."""
    sets = [parse_transcript(DATA / name) for name in ("realq-dev.toml", "devset.toml")]
    return [item.question for item in labeled_questions(sets)]


def test_postings_read_from_the_arrays_equal_scipy_slicing(engine, real_questions) -> None:
    ranker = engine.ranker
    checked = 0
    for question in real_questions:
        cleaned = ranker.matching_text(question)
        for vectorizer, matrix in (
            (ranker._word_query, ranker._word_t),
            (ranker._word_query, ranker._entry_t),
            (ranker._char_query, ranker._char_docs),
        ):
            terms, weights = vectorizer.weights(cleaned)
            fast = postings_dot(matrix, terms, weights)
            assert fast.dtype == np.float64 and np.array_equal(fast, matrix[terms].T @ weights), question
            checked += bool(len(terms))
    assert checked > len(real_questions)


def test_long_and_short_postings_are_read_alike(monkeypatch) -> None:
    """Both ways of reading postings (one gather, or a slice per term) give scipy's floats exactly."""
    import faqbot.ranking as ranking

    rng = np.random.default_rng(7)
    matrix = sparse.random(900, 5000, density=0.05, format="csr", dtype=np.float32, random_state=rng)
    for terms in (np.sort(rng.choice(900, 40, replace=False)), np.array([5]), np.array([], dtype=np.int64)):
        weights = rng.random(len(terms))
        reference = matrix[terms].T @ weights
        for long_postings in (0, 10**9):
            monkeypatch.setattr(ranking, "LONG_POSTINGS", long_postings)
            fast = postings_dot(matrix, terms, weights)
            assert fast.dtype == np.float64 and np.array_equal(fast, reference)


def test_the_best_phrasing_over_the_hits_alone_is_the_best_over_all(engine, real_questions) -> None:
    ranker = engine.ranker
    owners, starts = ranker._owners, ranker._starts
    maxima = 0
    for question in real_questions:
        terms, weights = ranker._word_query.weights(ranker.matching_text(question))
        values, hits = postings_dot_hits(ranker._word_t, terms, weights)
        assert np.array_equal(values, postings_dot(ranker._word_t, terms, weights))
        assert set(np.flatnonzero(values)) <= set(hits.tolist())
        reference = np.maximum.reduceat(values, starts)
        assert np.array_equal(best_per_entry(values, hits, owners, starts), reference), question
        every = np.arange(len(values))  # as many hits as documents: the reduceat branch
        assert np.array_equal(best_per_entry(values, every, owners, starts), reference)
        maxima += DENSE_HITS * len(hits) < len(values)
    assert maxima > len(real_questions) // 4  # the maximum over hits alone was checked on many questions


def test_the_weighted_sum_equals_the_feature_matrix_product(engine, real_questions) -> None:
    """rank() never builds the entries x features matrix; its scores and order are the reference's."""
    ranker = engine.ranker
    for question in real_questions:
        reading = read_question(question)
        codes = engine.scan(question).codes
        rows = ranker.features(question, codes, aspect=reading.aspect)
        reference = ranker.weights.confidence(ranker.weights.relevance(rows), ranker.question_coverage(question, codes))
        ranked = ranker.rank(question, codes, limit=5, aspect=reading.aspect)
        chosen = [ranker._index[s.entry_id] for s in ranked]
        # The best five by the reference, in order (entries with equal rows tie: either may be listed).
        assert np.allclose(reference[chosen], np.sort(reference)[::-1][:5], rtol=0, atol=1e-12), question
        assert np.allclose([s.score for s in ranked], reference[chosen], rtol=0, atol=1e-12)
        assert [s.text_score for s in ranked] == rows[chosen, 2].tolist()  # phrasing_mix
        assert [s.code_score for s in ranked] == rows[chosen, 5].tolist()  # codes_phrasings


def test_to_dict_is_the_asdict_shape_key_for_key(engine, real_questions) -> None:
    kinds = set()
    for question in real_questions[:120]:
        answer = engine.answer(question, as_of=TODAY)
        data = answer.to_dict()
        assert data == asdict_reference(answer) and list(data) == list(asdict_reference(answer))
        kinds.add(answer.kind)
    assert {"faq", "rule_check"} <= kinds
