"""The large knowledge base's character model kept as words (faqbot.char_by_words) against
scikit-learn's character TF-IDF matrix (oracle), and its round trip through the index cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import DATA
from faqbot.analyzers import analyzer
from faqbot.char_by_words import fit_char_by_words
from faqbot.evaluate import labeled_questions
from faqbot.ranking import QueryVectorizer
from faqbot.text_index import CHAR_MODEL, char_vectorizer, fit_or_load
from faqbot.transcripts import parse_transcript

# Module-scoped fixtures are built once per worker: keep this file's tests on one worker.
pytestmark = pytest.mark.xdist_group("test_char_by_words")


@pytest.fixture(scope="module")
def phrasings(engine) -> list[str]:
    return list(engine.ranker.docs)


def test_the_model_by_words_scores_like_the_full_character_matrix(engine, phrasings) -> None:
    by_words = fit_char_by_words(phrasings)
    reference = char_vectorizer()
    matrix = reference.fit_transform(phrasings)
    assert list(by_words.terms) == reference.get_feature_names_out().tolist()
    assert np.allclose(by_words.idf, reference.idf_)
    query = QueryVectorizer(analyzer(CHAR_MODEL), by_words.terms, by_words.idf)
    rows = np.arange(len(phrasings))
    questions = [item.question for item in labeled_questions([parse_transcript(DATA / "realq-dev.toml")])][:40]
    for question in [*questions, "stereotactic radiosurgry", "x", ""]:
        grams, weights = query.weights(engine.ranker.matching_text(question))
        expected = matrix @ np.bincount(grams, weights=weights, minlength=matrix.shape[1])
        assert np.allclose(by_words.cosines(rows, grams, weights), expected, rtol=0, atol=1e-6), question
    some = np.array([0, 5, 5, len(phrasings) - 1])
    grams, weights = query.weights("imrt plan")
    assert np.array_equal(by_words.cosines(some, grams, weights), by_words.cosines(rows, grams, weights)[some])


def test_a_large_index_is_cached_with_its_model_by_words(tmp_path: Path) -> None:
    docs = ["imrt plan code", "basic dosimetry calculation", "weekly treatment management", "imrt imrt"]
    whole = ["imrt plan code answer", "dosimetry answer", "management answer", "imrt"]
    written = fit_or_load(docs, whole, char_term_major=False, cache_dir=tmp_path)
    read = fit_or_load(docs, whole, char_term_major=False, cache_dir=tmp_path)
    assert written.char_words is not None and read.char_words is not None
    assert written.char.nnz == 0  # no phrasing x n-gram matrix
    grams = np.arange(len(read.char_terms))
    weights = np.full(len(grams), 1 / np.sqrt(len(grams)))
    rows = np.arange(len(docs))
    assert np.array_equal(
        written.char_words.cosines(rows, grams, weights), read.char_words.cosines(rows, grams, weights)
    )
    assert read.char_terms == written.char_terms
