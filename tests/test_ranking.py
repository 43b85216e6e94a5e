"""The ranker's fast paths against simple reference computations (oracle tests)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import faqbot.ranking as ranking
from faqbot.ranking import ALTERNATE_CODES_DISCOUNT, Ranker, code_overlap, question_intent


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
@given(data=st.data())
def test_vectorized_code_scores_match_the_reference(engine, data) -> None:
    ranker = engine.ranker
    asked = frozenset(data.draw(st.lists(st.sampled_from(sorted(engine.kb.codes)), min_size=1, max_size=4)))
    fast = ranker._code_scores(asked)
    for index, (own, alternates) in enumerate(zip(ranker.question_codes, ranker.subject_codes)):
        expected = code_overlap(asked, own) if own else ALTERNATE_CODES_DISCOUNT * code_overlap(asked, alternates)
        assert abs(fast[index] - expected) < 1e-6


def test_character_shortlist_keeps_the_top_answers(engine, monkeypatch) -> None:
    """On 1,000 entries the shortlisted ranking agrees with scoring every entry in full."""
    entries = [
        replace(e, id=f"{e.id}-{i}", question=f"{e.question} v{i}", alternates=tuple(f"{a} v{i}" for a in e.alternates))
        for i in range(13) for e in engine.kb.entries
    ]
    ranker = Ranker(entries, engine.kb.codes.keys(), abbreviations=engine.kb.abbreviations)
    questions = [e.question for e in engine.kb.entries] + ["how often can 77336 be billed", "sbrt codes", "g6015 in 2026"]
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
    assert question_intent("billing tips for brachytherapy") == "about"
