"""The word model fitted by hand (faqbot.word_fit) against scikit-learn's ``TfidfVectorizer`` (oracle):
the same terms, idf and matrices, to the bit, on the shipped knowledge base and on a synthetic one
read in many small batches; whole-entry texts built when read are the held ones; a large ranker
keeps no texts and ranks alike from its caches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

import faqbot.ranking as ranking
import faqbot.word_fit
from faqbot.bench import synthetic_entries
from faqbot.ranking import ALL_ENTRIES_SCORED, Ranker, prepare_phrasings
from faqbot.text_index import word_vectorizer
from faqbot.whole_texts import WholeTexts
from faqbot.word_fit import fit_words


def assert_fits_like_scikit_learn(docs: Sequence[str], whole: Sequence[str]) -> None:
    reference = word_vectorizer()
    word_t = reference.fit_transform(docs).T.tocsr()
    entry_t = reference.transform(whole).T.tocsr()
    fitted = fit_words(docs, whole)
    assert tuple(fitted.terms) == tuple(reference.get_feature_names_out().tolist())
    assert fitted.idf.dtype == reference.idf_.dtype and np.array_equal(fitted.idf, reference.idf_)
    for ours, theirs in ((fitted.word_t, word_t), (fitted.entry_t, entry_t)):
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        assert np.array_equal(ours.indptr, theirs.indptr)
        assert np.array_equal(ours.indices, theirs.indices)
        assert np.array_equal(ours.data, theirs.data)  # the same floats, not merely close ones


def test_the_shipped_knowledge_base_fits_like_scikit_learn(kb) -> None:
    prepared = prepare_phrasings(kb.entries, kb.codes.keys(), kb.abbreviations)
    assert_fits_like_scikit_learn(prepared.docs, prepared.whole)


def test_a_synthetic_base_read_in_many_batches_fits_like_scikit_learn(monkeypatch) -> None:
    kb, entries = synthetic_entries(1000)
    prepared = prepare_phrasings(entries, kb.codes.keys(), kb.abbreviations)
    monkeypatch.setattr(faqbot.word_fit, "BATCH_CHARS", 20_000)  # dozens of batches, rows never split
    monkeypatch.setattr(faqbot.word_fit, "CHUNK", 5_000)
    assert_fits_like_scikit_learn(prepared.docs, prepared.whole)


def test_empty_and_stop_word_only_texts_stay_empty_rows() -> None:
    docs = ["imrt plan", "", "imrt imrt boost", "plan"]
    assert_fits_like_scikit_learn(docs, ["", "boost plan imrt", "unknown words only"])


def test_whole_texts_built_when_read_are_the_held_ones(kb) -> None:
    held = prepare_phrasings(kb.entries, kb.codes.keys(), kb.abbreviations)
    lazy = prepare_phrasings(kb.entries, kb.codes.keys(), kb.abbreviations, lazy_whole=True)
    assert isinstance(lazy.whole, WholeTexts) and not isinstance(held.whole, WholeTexts)
    assert any(lazy.whole._short)  # alternates too short to be phrasings are put back in their places
    assert tuple(lazy.whole) == held.whole and len(lazy.whole) == len(held.whole)
    assert lazy.whole[-1] == held.whole[-1] and list(lazy.whole[2:5]) == list(held.whole[2:5])
    assert (lazy.docs, lazy.owners, lazy.vocabulary) == (held.docs, held.owners, held.vocabulary)
    with pytest.raises(IndexError):
        lazy.whole[len(held.whole)]


def test_a_large_ranker_keeps_no_texts_ranks_alike_from_its_caches(engine, tmp_path, monkeypatch) -> None:
    """Also: a restart reads only the index and the small phrasings file; texts are read to fit."""
    kb, entries = synthetic_entries(ALL_ENTRIES_SCORED + 1)
    fresh = Ranker(entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=tmp_path)
    assert fresh.docs == ()
    assert sorted(path.name.split("-")[0] for path in tmp_path.iterdir()) == ["index", "phrasings", "texts"]
    (texts,) = tmp_path.glob("texts-*.json")
    written = texts.read_bytes()
    texts.unlink()  # a restart that finds its index never reads (nor prepares again) the texts
    monkeypatch.setattr(ranking, "prepare_phrasings", lambda *a, **k: pytest.fail("prepared again"))
    cached = Ranker(entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=tmp_path)
    assert not texts.exists()
    (index,) = tmp_path.glob("index-*.bin")
    index.unlink()
    texts.write_bytes(written)  # no index: fitted again from the cached texts, not prepared again
    refitted = Ranker(entries, kb.codes.keys(), abbreviations=kb.abbreviations, cache_dir=tmp_path)
    assert index.exists()
    question, codes = "Can 77295 and 77300 be billed together?", ("77295", "77300")
    best = fresh.rank(question, codes)
    assert best[0].entry_id.rsplit("-", 1)[0] == engine.ranker.rank(question, codes)[0].entry_id  # a copy of it
    for asked, named in [(question, codes), ("imrt plan with simulation", ()), ("sbrt per fraction", ())]:
        assert cached.rank(asked, named) == fresh.rank(asked, named) == refitted.rank(asked, named)
