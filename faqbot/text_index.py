"""The fitted TF-IDF part of the ranker's index, and a safe on-disk cache of it.

Fitting the word and character models is most of the time a cold ``faqbot ask`` spends beyond its
imports. The cache keeps the fitted matrices and vocabularies as plain numeric arrays in one ``.bin``
file (:func:`faqbot.cache_files.write_arrays`: raw bytes with a CRC-32, no pickle, nothing in it can
run code; read without copying, several times quicker than ``.npz``), in the user's cache folder
(``$FAQBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/faqbot``, else ``~/.cache/faqbot``). The file name
is a hash of everything the fit depends on (the exact documents, or the key that names them:
:func:`keyed_by`; the model settings, the library versions), so a changed knowledge base never
reads a stale index: it gets another name. A file that cannot be read is ignored and rewritten; a
large one is served from a read-only map of it (:func:`faqbot.cache_files.read_arrays`).
``FAQBOT_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from faqbot.cache_files import KEEP_FILES as KEEP_FILES  # re-exported: older index files are removed
from faqbot.cache_files import ArrayFileWriter, digest, read_arrays, source_digest
from faqbot.sorted_terms import SortedTerms  # numpy only: cheap to import

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from faqbot.char_by_words import CharByWords

WORD_MODEL: dict[str, object] = {"ngram_range": (1, 2), "sublinear_tf": True, "token_pattern": r"\S+"}
CHAR_MODEL: dict[str, object] = {"analyzer": "char_wb", "ngram_range": (3, 5), "sublinear_tf": True}
FORMAT = 4  # 2: a large knowledge base's character model kept as words; 3: terms as text; 4: .bin
# The names this module gives its files; the pruner never touches any other file in the folder.
CACHE_NAME = re.compile(r"index-[0-9a-f]{40}\.bin")
KEY_BATCH = 10_000  # texts hashed at once for the key (a large base's texts are hundreds of megabytes)


# scikit-learn (about a second to import, with the scipy.stats it pulls in) is needed only to fit an
# index; answering from a cached one needs numpy and scipy.sparse (see faqbot.analyzers).
def word_vectorizer() -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**WORD_MODEL, dtype=np.float32)


def char_vectorizer() -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**CHAR_MODEL, dtype=np.float32)


@dataclass(frozen=True)
class FittedText:
    """Term-major word matrices over the phrasings (``word_t``) and whole entries (``entry_t``),
    the character matrix over the phrasings (term-major when ``char_term_major``, else one row per
    phrasing), and each model's terms (in column order) with their idf."""

    word_t: sparse.csr_matrix
    entry_t: sparse.csr_matrix
    char: sparse.csr_matrix
    char_term_major: bool
    word_terms: SortedTerms  # over a million at 100,000 entries: one compact text, not a tuple
    word_idf: np.ndarray
    char_terms: tuple[str, ...]
    char_idf: np.ndarray
    # Not term-major (a large knowledge base): the character model kept as words, and ``char`` empty.
    char_words: CharByWords | None = None


def fit_text(docs: Sequence[str], whole: Sequence[str], *, char_term_major: bool) -> FittedText:
    """Fit both models on the phrasings ``docs``; weigh the whole-entry texts ``whole`` with the word model."""
    from faqbot.char_by_words import fit_char_by_words  # fitting only: a cached index never needs them
    from faqbot.word_fit import fit_words

    # Large (not term-major): the character model by words first, so its working memory is freed
    # before the word model's vocabulary is built (the peak of a large build is one or the other).
    by_words = None if char_term_major else fit_char_by_words(docs)
    word = fit_words(docs, whole)  # scikit-learn's numbers, without its copies (faqbot.word_fit)
    assert word.word_t is not None  # (no on_word_t: kept)
    words = dict(word_t=word.word_t, entry_t=word.entry_t, word_terms=word.terms, word_idf=word.idf.astype(np.float64))
    del word
    if by_words is not None:  # only shortlisted phrasings are scored: no phrasing x n-gram matrix
        empty = sparse.csr_matrix((0, 0), dtype=np.float32)
        return FittedText(
            **words,
            char=empty,
            char_term_major=False,
            char_terms=by_words.terms,
            char_idf=by_words.idf,
            char_words=by_words,
        )
    char = char_vectorizer()
    char_docs = char.fit_transform(docs)
    return FittedText(
        **words,
        char=char_docs.T.tocsr(),
        char_term_major=True,
        char_terms=tuple(char.get_feature_names_out().tolist()),
        char_idf=char.idf_.astype(np.float64),
    )


def default_cache_dir() -> Path | None:
    """Where fitted indexes are kept, or None when caching is off."""
    if os.environ.get("FAQBOT_NO_CACHE"):
        return None
    if configured := os.environ.get("FAQBOT_CACHE_DIR"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "faqbot"


def cache_key(docs: Sequence[str], whole: Sequence[str], *, char_term_major: bool) -> str:
    """A hash of every input of the fit: the settings, the library versions, and each text (its
    length and its characters, so the lists are told apart exactly)."""
    digest = hashlib.sha256()
    header = [FORMAT, version("scikit-learn"), np.__version__, repr(WORD_MODEL), repr(CHAR_MODEL), char_term_major]
    digest.update(json.dumps(header).encode("utf-8") + b"\0")
    for texts in (docs, whole):
        digest.update(np.array([len(text) for text in texts], dtype=np.int64).tobytes() + b"\0")
        for start in range(0, len(texts), KEY_BATCH):  # the same bytes as one join, a batch at a time
            digest.update("".join(texts[start : start + KEY_BATCH]).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:40]


def keyed_by(texts_key: str, *, char_term_major: bool) -> str:
    """The index key when ``texts_key`` already names the exact texts (the prepared phrasings'
    cache key, :mod:`faqbot.phrasing_cache`): the settings, the library versions, the source of the
    code that fits, reads or rebuilds them, and that key. A restart that finds this file needs
    neither the texts nor their hash (hundreds of megabytes on a large knowledge base)."""
    from faqbot import analyzers, phrasing_cache, sorted_terms, whole_texts  # cheap, most already loaded

    header = [FORMAT, version("scikit-learn"), np.__version__, repr(WORD_MODEL), repr(CHAR_MODEL), char_term_major]
    sources = source_digest(
        __file__,
        analyzers.__file__,
        phrasing_cache.__file__,
        sorted_terms.__file__,
        whole_texts.__file__,
        str(Path(__file__).with_name("word_fit.py")),  # not imported: fitting only
        str(Path(__file__).with_name("char_by_words.py")),
    )
    return digest([header, sources, texts_key])


def fit_or_load(
    docs: Sequence[str],
    whole: Sequence[str],
    *,
    char_term_major: bool,
    cache_dir: Path | None,
    key: str | None = None,
) -> FittedText:
    """The fitted text models, from ``cache_dir`` when a file for exactly these inputs is there.
    ``key``: the file's key when the caller has one (:func:`keyed_by`; else the texts are hashed);
    the texts are then read only when the file is not there."""
    if cache_dir is None:
        return fit_text(docs, whole, char_term_major=char_term_major)
    key = key or cache_key(docs, whole, char_term_major=char_term_major)
    path = cache_dir / f"index-{key}.bin"
    loaded = _read(path)  # the name already encodes every input, char_term_major included
    if loaded is not None:
        return loaded
    try:
        with ArrayFileWriter(path, pattern=CACHE_NAME) as writer:
            if char_term_major:  # a small index: fitted whole, then written
                fitted = fit_text(docs, whole, char_term_major=True)
                for name, array in _arrays_of(fitted).items():
                    writer.add(name, array)
                writer.commit()
                return fitted
            _fit_into(writer, docs, whole)
            writer.commit()
    except (OSError, ValueError):  # the cache cannot be written (or a term holds a line break)
        return fit_text(docs, whole, char_term_major=char_term_major)
    # Served from the file just written (mapped when large: faqbot.cache_files.read_arrays), as a
    # restart is: the build never held its whole index at once.
    return _read(path) or fit_text(docs, whole, char_term_major=char_term_major)


def _fit_into(writer: ArrayFileWriter, docs: Sequence[str], whole: Sequence[str]) -> None:
    """:func:`fit_text` of a large knowledge base (not term-major), each part written to ``writer``
    as soon as it is fitted and let go: the character model before the word model is fitted, the
    phrasing matrix before the whole-entry matrix is filled (at 100,000 entries they are 0.15 and
    0.3 GB the build no longer holds at its peak)."""
    from faqbot.char_by_words import fit_char_by_words  # fitting only: a cached index never needs them
    from faqbot.word_fit import fit_words

    by_words = fit_char_by_words(docs)
    empty = sparse.csr_matrix((0, 0), dtype=np.float32)
    arrays: dict[str, np.ndarray] = {
        "char_term_major": np.array(False),
        **_stored_terms("char_terms", by_words.terms),
        "char_idf": by_words.idf,
        "char_norms": by_words.norms,
        **_matrix_arrays("char", empty),
        **_matrix_arrays("doc_words", by_words.doc_words),
        **_matrix_arrays("word_grams_t", by_words.word_grams_t),
    }
    del by_words
    for name, array in arrays.items():
        writer.add(name, array)
    del arrays

    def write_word_t(matrix: sparse.csr_matrix) -> None:
        for name, array in _matrix_arrays("word_t", matrix).items():
            writer.add(name, array)

    word = fit_words(docs, whole, on_word_t=write_word_t)
    for name, array in {
        **_matrix_arrays("entry_t", word.entry_t),
        "word_terms": np.frombuffer(word.terms.text, dtype=np.uint8),
        "word_terms_count": np.array(len(word.terms)),
        "word_idf": word.idf.astype(np.float64),
    }.items():
        writer.add(name, array)


def _read(path: Path) -> FittedText | None:
    data = read_arrays(path)
    if data is None:  # missing, cut off, damaged or foreign: fit again; the caller rewrites it
        return None
    try:
        char_term_major = bool(data["char_term_major"])
        char_words = None
        if not char_term_major:  # a large knowledge base's index only
            from faqbot.char_by_words import CharByWords

            char_words = CharByWords(
                doc_words=_matrix(data, "doc_words"),
                word_grams_t=_matrix(data, "word_grams_t"),
                norms=data["char_norms"],
                terms=_terms(data, "char_terms"),
                idf=data["char_idf"],
            )
        return FittedText(
            word_t=_matrix(data, "word_t"),
            entry_t=_matrix(data, "entry_t"),
            char=_matrix(data, "char"),
            char_term_major=char_term_major,
            word_terms=SortedTerms(bytes(data["word_terms"]), int(data["word_terms_count"])),
            word_idf=data["word_idf"],
            char_terms=_terms(data, "char_terms"),
            char_idf=data["char_idf"],
            char_words=char_words,
        )
    except Exception:  # arrays missing or inconsistent: fit again; the caller rewrites it
        return None


def _terms(data: dict[str, np.ndarray], name: str) -> tuple[str, ...]:
    """Terms stored as one UTF-8 text, one a line (no term holds a line break: both models cut at
    white space); far quicker to read than an array of fixed-width strings."""
    terms = tuple(bytes(data[name]).decode("utf-8").split("\n")) if int(data[f"{name}_count"]) else ()
    if len(terms) != int(data[f"{name}_count"]):
        raise ValueError(f"{name}: expected {int(data[f'{name}_count'])} terms")
    return terms


def _stored_terms(name: str, terms: tuple[str, ...]) -> dict[str, np.ndarray]:
    if any("\n" in term for term in terms):
        raise ValueError("a term holds a line break")  # never from these models: not cached
    return {
        name: np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
        f"{name}_count": np.array(len(terms)),
    }


def _matrix(data: dict[str, np.ndarray], name: str) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        (data[f"{name}_data"], data[f"{name}_indices"], data[f"{name}_indptr"]), shape=tuple(data[f"{name}_shape"])
    )


def _matrix_arrays(name: str, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
    return {
        f"{name}_data": matrix.data,
        f"{name}_indices": matrix.indices,
        f"{name}_indptr": matrix.indptr,
        f"{name}_shape": np.array(matrix.shape),
    }


def _arrays_of(fitted: FittedText) -> dict[str, np.ndarray]:
    """What the index file holds, by name (ValueError: a term holds a line break, never cached)."""
    arrays: dict[str, np.ndarray] = {
        "char_term_major": np.array(fitted.char_term_major),
        "word_terms": np.frombuffer(fitted.word_terms.text, dtype=np.uint8),
        "word_terms_count": np.array(len(fitted.word_terms)),
        "word_idf": fitted.word_idf,
        **_stored_terms("char_terms", fitted.char_terms),
        "char_idf": fitted.char_idf,
    }
    matrices: dict[str, sparse.csr_matrix] = {"word_t": fitted.word_t, "entry_t": fitted.entry_t, "char": fitted.char}
    if fitted.char_words is not None:
        matrices |= {"doc_words": fitted.char_words.doc_words, "word_grams_t": fitted.char_words.word_grams_t}
        arrays["char_norms"] = fitted.char_words.norms
    for name, matrix in matrices.items():
        arrays |= _matrix_arrays(name, matrix)
    return arrays
