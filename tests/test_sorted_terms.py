"""A large vocabulary held as one sorted text (faqbot.sorted_terms) finds exactly what a dict finds:
hypothesis over generated terms, and the shipped knowledge base's word model looked up both ways
ranks real questions to the same floats."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import faqbot.ranking
from faqbot.ranking import QueryVectorizer, Ranker
from faqbot.sorted_terms import SortedTerms

# Terms as the word model makes them (no line breaks), any other character allowed.
TERMS = st.lists(st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=6))


@given(terms=TERMS, others=TERMS)
def test_sorted_terms_find_what_a_dict_finds(terms: list[str], others: list[str]) -> None:
    ordered = sorted(set(terms))
    found = SortedTerms.from_sorted(ordered)
    positions = {term: index for index, term in enumerate(ordered)}
    assert len(found) == len(ordered) and list(found) == ordered
    for term in [*ordered, *others]:
        assert found.get(term) == positions.get(term)
    assert found.single_words().tolist() == [i for i, term in enumerate(ordered) if " " not in term]
    assert SortedTerms(found.text, len(found)).get(ordered[-1] if ordered else "x") == (
        len(ordered) - 1 if ordered else None
    )


def test_a_text_that_does_not_hold_the_count_of_terms_is_refused() -> None:
    for text, count in ((b"a\nb", 3), (b"a", 0), (b"a\nb\nc", 2)):
        try:
            SortedTerms(text, count)
        except ValueError:
            continue
        raise AssertionError(f"{text!r} read as {count} terms")


def test_the_word_model_looked_up_in_its_sorted_text_ranks_alike(engine, monkeypatch) -> None:
    """The shipped knowledge base's vocabulary is small enough for a dict; forced to binary search it
    gives the same query weights and the same ranked floats on real questions."""
    kb = engine.kb
    monkeypatch.setattr(faqbot.ranking, "DICT_TERMS", 0)
    searched = Ranker(kb.entries, engine.known, abbreviations=kb.abbreviations, weights=engine.ranker.weights)
    assert isinstance(searched._word_query._vocabulary, SortedTerms)
    assert isinstance(engine.ranker._word_query._vocabulary, dict)
    questions = [entry.question for entry in kb.entries[:40]] + ["is 77427 billed once per week", "imrt qa xyzzy"]
    for question in questions:
        cleaned = engine.ranker.matching_text(question)
        for got, expected in zip(searched._word_query.weights(cleaned), engine.ranker._word_query.weights(cleaned)):
            assert np.array_equal(got, expected)
        assert searched.rank(question) == engine.ranker.rank(question)


def test_query_vectorizer_takes_any_sequence_of_terms() -> None:
    query = QueryVectorizer(str.split, ("a", "b b", "c"), np.array([1.0, 2.0, 3.0]))
    terms, weights = query.weights("c a a")
    assert terms.tolist() == [2, 0] and np.isclose(float(weights @ weights), 1.0)
