"""The word model's fit, by hand and lean: scikit-learn's numbers, a fraction of its memory.

``TfidfVectorizer(**WORD_MODEL)`` keeps every term occurrence of the whole corpus as Python lists
before building its matrix, then copies the matrix several times (sorting, weighting, transposing);
at 100,000 entries (1.55 million phrasings, over a million terms) that was most of the build's peak
memory. This fit reads each list of texts twice: once for the vocabulary and each term's count of
texts, then batch by batch, weighing each batch and writing it straight into the final term-major
arrays (4 + 4 bytes a stored value, no other copy of the matrix). It follows scikit-learn's
arithmetic step for step (float32 counts and idf, float32 squares summed in float64 in the same
order, the same sort of the vocabulary), so the terms, the idf and the matrices are the same
floats: tests compare them on the shipped knowledge base and on a synthetic one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
from scipy import sparse

from faqbot.analyzers import word_ngrams
from faqbot.sorted_terms import SortedTerms

CHUNK = 1 << 22  # stored values weighed at once (bounds the temporaries)
BATCH_CHARS = 1 << 21  # characters of text counted, weighed and placed at once (bounds the temporaries)


@dataclass(frozen=True)
class WordFit:
    """Term-major TF-IDF matrices over the phrasings (``word_t``) and the whole entries
    (``entry_t``), the terms in column order (sorted; one compact text, :mod:`faqbot.sorted_terms`)
    and their idf (float32 values, as scikit-learn's)."""

    word_t: sparse.csr_matrix | None  # None: handed to ``on_word_t`` instead (see fit_words)
    entry_t: sparse.csr_matrix
    terms: SortedTerms
    idf: np.ndarray


def fit_words(
    docs: Sequence[str],
    whole: Sequence[str],
    *,
    on_word_t: Callable[[sparse.csr_matrix], None] | None = None,
) -> WordFit:
    """Fit word 1-2 grams (lower-cased ``\\S+`` tokens, sublinear tf, smooth idf, L2 rows) on
    ``docs`` and weigh the whole-entry texts ``whole`` with the fitted terms and idf.

    Each list is read twice: first for the vocabulary and each term's count of texts, then, batch
    by batch, weighed and written straight into the term-major matrix (no whole document-major
    copy of either matrix ever exists, which halves the fit's peak). ``on_word_t``: given the phrasing
    matrix as soon as it is complete, which is then not kept (``WordFit.word_t`` is None): a caller
    that writes it away never holds both matrices."""
    vocabulary: dict[str, int] = {}  # term -> id in order of first appearance, as scikit-learn counts
    doc_freq = np.zeros(0, dtype=np.int64)
    batch: list[int] = []
    for text in docs:
        terms = dict.fromkeys(word_ngrams(text))  # each term once, in order of first appearance
        for term in terms:
            if term not in vocabulary:
                vocabulary[term] = len(vocabulary)
        batch.extend(map(vocabulary.__getitem__, terms))
        if len(batch) >= CHUNK:
            doc_freq, batch = _counted(doc_freq, batch, len(vocabulary)), []
    doc_freq = _counted(doc_freq, batch, len(vocabulary))
    order = sorted(range(len(vocabulary)), key=list(vocabulary).__getitem__)  # terms sorted, as scikit-learn
    new_id = np.empty(len(order), dtype=np.int32)
    new_id[order] = np.arange(len(order), dtype=np.int32)
    del order
    sorted_freq = np.zeros(len(new_id), dtype=np.int64)
    sorted_freq[new_id] = doc_freq
    doc_freq = sorted_freq
    df = doc_freq.astype(np.float32)
    df += 1.0  # smooth idf: log((n + 1) / (df + 1)) + 1, in float32 as scikit-learn with dtype float32
    idf = np.full_like(df, fill_value=len(docs) + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    word_t: sparse.csr_matrix | None = _term_major(_weighed_chunks(docs, vocabulary, new_id, idf), doc_freq, len(docs))
    if on_word_t is not None:
        on_word_t(word_t)
        word_t = None
    for term, old in vocabulary.items():  # the same dict now maps each term to its column
        vocabulary[term] = int(new_id[old])
    del new_id
    # The whole-entry texts likewise: each term's count of texts first, then weighed and placed.
    term_counts = np.zeros(len(vocabulary), dtype=np.int64)
    batch = []
    for text in whole:
        batch.extend(map(vocabulary.get, dict.fromkeys(word_ngrams(text)), repeat(-1)))
        if len(batch) >= CHUNK:
            term_counts, batch = _counted(term_counts, batch, len(vocabulary)), []
    term_counts = _counted(term_counts, batch, len(vocabulary))
    entry_t = _term_major(_weighed_chunks(whole, vocabulary, None, idf), term_counts, len(whole))
    terms_sorted = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        terms_sorted[column] = term
    del vocabulary
    return WordFit(word_t=word_t, entry_t=entry_t, terms=SortedTerms.from_sorted(terms_sorted), idf=idf)


def _weighed_chunks(
    texts: Iterable[str], vocabulary: dict[str, int], new_id: np.ndarray | None, idf: np.ndarray
) -> Iterator[sparse.csr_matrix]:
    """``texts`` as weighed text x term matrices of about ``BATCH_CHARS`` characters each. ``new_id``: the sorted
    column of each id ``vocabulary`` gives (rows are sorted by the given id first, as scikit-learn's)."""
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= BATCH_CHARS:
            yield _weighed(batch, vocabulary, new_id, idf)
            batch, size = [], 0
    if batch:
        yield _weighed(batch, vocabulary, new_id, idf)


def _weighed(
    texts: list[str], vocabulary: dict[str, int], new_id: np.ndarray | None, idf: np.ndarray
) -> sparse.csr_matrix:
    counts = _count(texts, vocabulary)
    if new_id is not None:
        counts.indices[:] = new_id[counts.indices]
    _weigh(counts, idf)
    return counts


def _term_major(chunks: Iterable[sparse.csr_matrix], term_counts: np.ndarray, n_docs: int) -> sparse.csr_matrix:
    """The transpose of the chunks stacked in order, written straight into its final arrays (the
    same arrays ``vstack(chunks).T.tocsr()`` gives: each term's documents ascending)."""
    indptr = np.zeros(len(term_counts) + 1, dtype=np.int64)
    np.cumsum(term_counts, out=indptr[1:])
    filled = indptr[:-1].copy()
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    data = np.empty(int(indptr[-1]), dtype=np.float32)
    first = 0
    for chunk in chunks:
        by_term = np.argsort(chunk.indices, kind="stable")
        terms = chunk.indices[by_term]
        starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]]) if len(terms) else np.zeros(0, np.int64)
        runs = np.diff(np.r_[starts, len(terms)])
        positions = filled[terms] + (np.arange(len(terms)) - np.repeat(starts, runs))
        rows = np.repeat(np.arange(first, first + chunk.shape[0], dtype=np.int32), np.diff(chunk.indptr))
        indices[positions] = rows[by_term]
        data[positions] = chunk.data[by_term]
        filled[terms[starts]] += runs
        first += chunk.shape[0]
    return sparse.csr_matrix((data, indices, indptr), shape=(len(term_counts), n_docs))


def _counted(totals: np.ndarray, ids: list[int], size: int) -> np.ndarray:
    """``totals`` (grown to ``size``) plus how often each id occurs in ``ids`` (-1: none)."""
    found = np.array(ids, dtype=np.int32)
    counts = np.bincount(found[found >= 0], minlength=size).astype(np.int64)
    counts[: len(totals)] += totals
    return counts


def _count(texts: Iterable[str], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """Text x term counts (float32), each row sorted by term id; terms not in ``vocabulary`` are
    skipped."""
    ids: list[int] = []  # lists, then one conversion: quicker than typed arrays grown item by item
    values: list[int] = []
    indptr = [0]
    for text in texts:
        counts = Counter(word_ngrams(text))  # in order of first appearance, as scikit-learn's rows
        ids.extend(map(vocabulary.get, counts, repeat(-1)))
        values.extend(counts.values())
        indptr.append(len(ids))
    found = np.array(ids, dtype=np.int32)
    known = found >= 0
    row_lengths = np.diff(np.array(indptr, dtype=np.int64)).astype(np.int64)
    rows = np.repeat(np.arange(len(indptr) - 1), row_lengths)
    kept = np.zeros(len(indptr), dtype=np.int64)
    np.cumsum(np.bincount(rows[known], minlength=len(indptr) - 1), out=kept[1:])
    matrix = sparse.csr_matrix(
        (np.array(values, dtype=np.float32)[known], found[known], kept),
        shape=(len(indptr) - 1, len(vocabulary)),
    )
    matrix.sort_indices()
    return matrix


def _weigh(counts: sparse.csr_matrix, idf: np.ndarray) -> None:
    """Sublinear tf x idf, rows L2-normalised as scikit-learn does (float32 squares summed in
    float64, in stored order; the division in float64), in place."""
    data, indices, indptr = counts.data, counts.indices, counts.indptr
    for first, last in _row_chunks(indptr):
        start, stop = int(indptr[first]), int(indptr[last])
        part = data[start:stop]
        np.log(part, out=part)
        part += 1.0
        part *= idf[indices[start:stop]]
        rows = np.repeat(np.arange(last - first), np.diff(indptr[first : last + 1]))
        norms = np.sqrt(np.bincount(rows, weights=part * part, minlength=last - first))
        norms[norms == 0.0] = 1.0  # an empty row stays empty
        part[:] = part / norms[rows]


def _row_chunks(indptr: np.ndarray) -> list[tuple[int, int]]:
    """Runs of whole rows holding about ``CHUNK`` stored values each (a row's sum is never split)."""
    bounds = np.unique(np.searchsorted(indptr, np.arange(0, int(indptr[-1]), CHUNK), side="right") - 1)
    edges = [*bounds.tolist(), len(indptr) - 1]
    return [(first, last) for first, last in zip(edges, edges[1:]) if last > first]
