"""Character n-gram TF-IDF over many phrasings, without the phrasing x n-gram matrix.

The character model (``char_wb`` 3-5 grams, sublinear tf, smooth idf, L2-normalised: the settings
of :data:`faqbot.text_index.CHAR_MODEL`) pads each word and cuts it on its own, so a phrasing's
n-gram counts are the sum of its words' n-gram counts. On a large knowledge base the full matrix
(about 145 n-grams a phrasing, 22 million values at 10,000 entries) was most of the memory, yet only
the shortlisted entries' phrasings are ever scored. This keeps instead, per phrasing, its words
(``doc_words``, about 9 a phrasing), per word its n-grams (``word_grams_t``, term-major), each
n-gram's idf and each phrasing's norm; the cosines of the shortlisted phrasings with a query are
computed from these at query time, over the query's n-grams only. Same numbers as scikit-learn's
``TfidfVectorizer(**CHAR_MODEL)`` up to float32 rounding (a test compares them).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from faqbot.analyzers import char_wb_ngrams

CHUNK = 5_000  # phrasings whose n-gram counts are expanded at once while fitting (bounds the peak)


@dataclass(frozen=True)
class CharByWords:
    """The fitted character model, kept as words (see the module docstring)."""

    doc_words: sparse.csr_matrix  # phrasing x word: how often each word occurs (uint8 when all fit)
    word_grams_t: sparse.csr_matrix  # n-gram x word: how often each n-gram occurs in the padded word
    norms: np.ndarray  # each phrasing's L2 norm of sublinear tf x idf
    terms: tuple[str, ...]  # the n-grams, sorted (column order of the query weights)
    idf: np.ndarray

    def cosines(self, rows: np.ndarray, grams: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Cosine of each phrasing in ``rows`` with a query given as n-gram ids and weights
        (already L2-normalised, as :class:`faqbot.ranking.QueryVectorizer` gives them)."""
        if not len(grams) or not len(rows):
            return np.zeros(len(rows))
        counts = (self.doc_words[rows] @ self.word_grams_t[grams].T).tocsr()  # rows x query n-grams
        query = self.idf[grams] * weights
        values = query[counts.indices]  # sublinear tf x query weight: 1 + log(1) = 1 for most counts
        repeated = np.flatnonzero(counts.data > 1)
        values[repeated] *= 1.0 + np.log(counts.data[repeated].astype(np.float64))
        owners = np.repeat(np.arange(len(rows)), np.diff(counts.indptr))
        dots = np.bincount(owners, weights=values, minlength=len(rows))
        norms = self.norms[rows]
        return np.divide(dots, norms, out=np.zeros(len(rows)), where=norms > 0)


def fit_char_by_words(docs: Sequence[str]) -> CharByWords:
    """Fit the character model over ``docs`` by words (lower-cased, split at white space, as
    ``char_wb`` does)."""
    vocabulary: dict[str, int] = {}
    word_ids = array("i")
    indptr = array("q", [0])
    for doc in docs:
        for word in doc.lower().split():
            word_ids.append(vocabulary.setdefault(word, len(vocabulary)))
        indptr.append(len(word_ids))
    ones = np.ones(len(word_ids), dtype=np.float32)
    doc_words = sparse.csr_matrix(
        (ones, np.frombuffer(word_ids, dtype=np.int32), np.frombuffer(indptr, dtype=np.int64)),
        shape=(len(docs), len(vocabulary)),
    )
    doc_words.sum_duplicates()  # a word twice in a phrasing: one entry counting 2
    if not len(doc_words.data) or doc_words.data.max() <= np.iinfo(np.uint8).max:
        # Counts as bytes (a quarter of the memory; 20 million of them at 100,000 entries): the
        # products with the float32 n-gram counts are the same float32 integers.
        doc_words.data = doc_words.data.astype(np.uint8)

    grams: dict[str, int] = {}
    gram_ids, gram_words = array("i"), array("i")
    for word, word_id in vocabulary.items():
        for gram in char_wb_ngrams(word):
            gram_ids.append(grams.setdefault(gram, len(grams)))
            gram_words.append(word_id)
    terms = np.array(list(grams), dtype=str)
    order = np.argsort(terms, kind="stable")
    sorted_id = np.empty(len(order), dtype=np.int64)
    sorted_id[order] = np.arange(len(order))
    word_grams_t = sparse.csr_matrix(
        (
            np.ones(len(gram_ids), dtype=np.float32),
            (sorted_id[np.frombuffer(gram_ids, dtype=np.int32)], np.frombuffer(gram_words, dtype=np.int32)),
        ),
        shape=(len(terms), len(vocabulary)),
    )  # duplicates (an n-gram twice in one word) are summed
    word_grams = word_grams_t.T.tocsr()

    df = np.zeros(len(terms))
    for start in range(0, len(docs), CHUNK):
        counts = doc_words[start : start + CHUNK] @ word_grams
        df += np.bincount(counts.indices, minlength=len(terms))
    idf = np.log((1.0 + len(docs)) / (1.0 + df)) + 1.0  # smooth idf, as scikit-learn's default
    norms = np.zeros(len(docs))
    for start in range(0, len(docs), CHUNK):
        counts = doc_words[start : start + CHUNK] @ word_grams
        values = (1.0 + np.log(counts.data.astype(np.float64))) * idf[counts.indices]
        owners = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        norms[start : start + counts.shape[0]] = np.sqrt(
            np.bincount(owners, values * values, minlength=counts.shape[0])
        )
    return CharByWords(
        doc_words=doc_words, word_grams_t=word_grams_t, norms=norms, terms=tuple(terms[order].tolist()), idf=idf
    )
