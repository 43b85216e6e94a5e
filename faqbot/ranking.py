"""Rank FAQ entries for a question: a learned combination of text and code signals.

Each entry is indexed as several short documents (its question and every alternate) plus one
whole-entry document (all phrasings and the answer). For a question, every entry gets a row of
signals (:data:`FEATURES`): best word and character TF-IDF cosine over its phrasings, whole-entry
cosine, overlap of the asked codes with the codes its question / phrasings / ``codes`` field name,
whether it names only other codes, and whether it asks the same kind of question. A logistic model
learned from the knowledge base's own phrasings (``python -m faqbot.learn_ranking``, weights in
:mod:`faqbot.ranking_weights`) turns the row into a relevance that orders the entries; a Platt
calibration of that relevance and of the share of the question's words the knowledge base knows
turns it into the score: the chance that the entry is the right answer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from scipy import sparse

import faqbot.codes
from faqbot.analyzers import analyzer
from faqbot.cache_files import source_digest
from faqbot.codes import CodeMention, expand_range, find_mentions, mentions_of_known
from faqbot.model import ASPECTS, Entry
from faqbot.phrasing_cache import Phrasings, prepared_phrasings
from faqbot.question_reading import modifiers_named, question_aspect
from faqbot.sorted_terms import SortedTerms
from faqbot.text_index import CHAR_MODEL, WORD_MODEL, fit_or_load, keyed_by

# How much an entry's other codes lower its code score ("what is 77011" vs an entry on 77011 and 77014).
EXTRA_CODES_PENALTY = 0.3
# Entries whose character n-grams are scored (the best on words, plus entries naming an asked code)
# in a knowledge base larger than ALL_ENTRIES_SCORED.
SHORTLIST = 300
# Up to this many entries, the character model scores every entry (term-major, like words): the shipped
# knowledge base, with room to grow. Above it, only a shortlist of SHORTLIST entries.
ALL_ENTRIES_SCORED = 500
# Alternates with fewer content words than this are left out of the text index (codes still count).
MIN_PHRASING_WORDS = 2
SPELLING_MEMO_SIZE = 10_000
# Query terms whose postings average more documents than this are read one slice per term.
LONG_POSTINGS = 1000
# Vocabularies larger than this are not copied into a dict for the query (see QueryVectorizer).
DICT_TERMS = 200_000
# The best phrasing per entry is taken over every document once the hits are a tenth of them.
DENSE_HITS = 10
# Entries whose texts are hashed at once for the cache key (about 3 MB of text).
KEY_BATCH = 1_000

# Words that say nothing about the topic. The kind of question (alone, together, how often ...) is
# read from the raw question by ``question_intent``, so question words are dropped here too.
STOP_WORDS = frozenset(
    "a an the for of to in on at by from is are was be been am do does did i me my we our you your it its "
    "this that these those there here please pls thanks thank hi hello hey s t ok okay just so about "
    "any some and or "
    # question words: the intent detector reads them from the raw question; as text they only add noise
    "what what's whats which who whom whose when where why how can could should would will shall may "
    "might must tell know need want get got".split()
)
_EM = re.compile(r"\be\s*[/&]\s*m\b")  # "E/M", "E&M": one word, not two letters
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("alone", re.compile(r"\b(alone|by itself|on its own|standalone|stand alone|stand-alone|without)\b")),
    ("difference", re.compile(r"\b(differences?|differ|differs|different (?:from|than)|vs\.?|versus|compared)\b")),
    (
        "together",
        re.compile(
            r"\b(together|same (claim|day|date|encounter)|on the claim|bundl\w*|along with|both|"
            r"(bill|billed|billable|paid|pay|payable|report|reported|denied) with)\b|\+"
        ),
    ),
    ("frequency", re.compile(r"\b(how often|how many|frequency|once per|per course|per week|twice|units?|mue)\b")),
    ("coverage", re.compile(r"\b(cover(ed|age)?|medicare pay|pay for|lcd|ncd)\b")),
    ("replacement", re.compile(r"\b(replace[ds]?|instead|still (valid|bill|use)|deleted|in 2026)\b")),
)


_DEFINITION = re.compile(
    r"\b(what (is|are|does)|what (kind|type|sort) of|what's|whats|define|definition|def|meaning|means|describe|description|explain)\b"
)


def question_intent(text: str) -> str:
    """The kind of question: alone, difference, together, frequency, coverage, replacement,
    definition (what is X, or a bare code) or about."""
    lowered = text.lower()
    for name, pattern in _INTENTS:
        if pattern.search(lowered):
            return name
    if _DEFINITION.search(lowered) or not text_for_matching(text):
        return "definition"
    return "about"


def text_for_matching(
    text: str, abbreviations: Mapping[str, str] | None = None, mentions: Sequence[CodeMention] | None = None
) -> str:
    """Lower-cased words without codes and function words, shorthand expanded: what TF-IDF compares.
    ``mentions`` are the text's codes when the caller has already found them."""
    without_codes = text
    for mention in reversed(find_mentions(text) if mentions is None else mentions):
        without_codes = without_codes[: mention.start] + " " + without_codes[mention.end :]
    words: list[str] = []
    for token in _TOKEN.findall(_EM.sub(" em ", without_codes.lower())):
        expanded = abbreviations.get(token, token) if abbreviations else token
        words.extend(word for word in expanded.split() if word not in STOP_WORDS)
    return " ".join(words)


# The signals the ranking model weighs, one column each, in this order (see ``Ranker.features``).
FEATURES: tuple[str, ...] = (
    "phrasing_word",  # best word 1-2 gram cosine over the entry's question and alternates
    "phrasing_char",  # best character 3-5 gram cosine over them (0 outside the shortlist)
    "phrasing_mix",  # best mean of the two on a single phrasing
    "entry_word",  # word cosine with the whole entry (phrasings and answer)
    "codes_question",  # overlap of the asked codes with the codes the entry's question names
    "codes_phrasings",  # ... with the codes any of its phrasings names
    "codes_declared",  # ... with its ``codes`` field (what its answer covers)
    "codes_elsewhere",  # codes asked, the entry names codes, none of them asked
    "codes_none",  # codes asked, the entry names no code at all
    "same_intent",  # the question and the entry ask the same kind of thing (alone, together ...)
    "phrasing_word_with_codes",  # the text signals again when codes are asked: words count
    "phrasing_char_with_codes",  # differently next to a code
    "entry_word_with_codes",
    "codes_question_no_words",  # the code signals again when the question is nothing but codes
    "codes_declared_no_words",
    "same_aspect",  # the question's aspect (documentation, timing, units ...) is the entry's
    "other_aspect",  # the question names an aspect and the entry answers another one
    "codes_subject",  # "what is X" / "how often X": X is the entry's subject (the first code of its ``codes``)
    "modifier_named",  # the question names a modifier (PO, 59, XS ...) that the entry's phrasings name
)


@dataclass(frozen=True, slots=True)
class RankingWeights:
    """A logistic model over :data:`FEATURES`: one coefficient per feature, in order, and a bias."""

    coefficients: tuple[float, ...]
    bias: float
    calibration: tuple[float, float, float] = (1.0, 0.0, 0.0)  # a, b, c: see ``confidence``

    def __post_init__(self) -> None:
        if len(self.coefficients) != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} coefficients, got {len(self.coefficients)}")

    def relevance(self, features: np.ndarray) -> np.ndarray:
        """The model's logit that each row's entry answers the question (orders the entries)."""
        return features @ np.asarray(self.coefficients, dtype=np.float64) + self.bias

    def confidence(self, relevance: np.ndarray, coverage: float) -> np.ndarray:
        """Calibrated chance that an entry with this relevance, ranked first, is the right answer:
        sigmoid(a * relevance + b * coverage + c), ``coverage`` the question's known-word share."""
        a, b, c = self.calibration
        return 1.0 / (1.0 + np.exp(-(a * relevance + b * coverage + c)))


class CodePostings:
    """For each code, the entries whose code set holds it: :func:`code_overlap` for every entry at
    once, touching only the entries that name an asked code."""

    def __init__(self, code_sets: Sequence[frozenset[str]]) -> None:
        self.sizes = np.array([len(codes) for codes in code_sets], dtype=np.float64)
        holders: dict[str, list[int]] = {}
        for index, codes in enumerate(code_sets):
            for code in codes:
                holders.setdefault(code, []).append(index)
        self._postings = {code: np.array(entries, dtype=np.int64) for code, entries in holders.items()}

    def overlaps(self, asked: frozenset[str]) -> np.ndarray:
        out = np.zeros(len(self.sizes))
        postings = [self._postings[code] for code in asked if code in self._postings]
        if not postings:
            return out
        # Only the entries that name an asked code are touched (no pass over every entry).
        hit, counts = np.unique(np.concatenate(postings), return_counts=True)
        shared, sizes = counts.astype(np.float64), self.sizes[hit]
        out[hit] = shared / len(asked) * (1 - EXTRA_CODES_PENALTY * (sizes - shared) / sizes)
        return out


class QueryVectorizer:
    """One query as a fitted ``TfidfVectorizer`` would weigh it, as (term indices, weights):
    sublinear tf times idf, L2-normalised. The same numbers as ``vectorizer.transform`` (a test
    checks), without its per-call validation, which dominated the time of a question, and without
    importing scikit-learn (``analyze`` cuts text as the fitted model did: :mod:`faqbot.analyzers`)."""

    def __init__(self, analyze: Callable[[str], list[str]], terms: Sequence[str], idf: np.ndarray) -> None:
        self._analyze = analyze
        # A large vocabulary is looked up in its compact sorted text (faqbot.sorted_terms: a dict of
        # a million terms is about 150 MB); a smaller one in a dict, a little quicker.
        self._vocabulary: SortedTerms | dict[str, int] = (
            terms if isinstance(terms, SortedTerms) and len(terms) > DICT_TERMS else dict(zip(terms, range(len(terms))))
        )
        self._idf = np.asarray(idf, dtype=np.float64)

    def weights(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for term in self._analyze(text):
            index = self._vocabulary.get(term)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        terms = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self._idf[terms]
        norm = float(np.sqrt(values @ values))
        return terms, (values / norm if norm > 0 else values)


def postings_dot(matrix_t: sparse.csr_matrix, terms: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``matrix_t[terms].T @ weights`` for a term-major matrix, read straight from its CSR arrays: per
    document, the sum over the query terms, in order, of posting weight times query weight. The same
    products added in the same order as scipy's, so the same floats, without building the slice."""
    return postings_dot_hits(matrix_t, terms, weights)[0]


def postings_dot_hits(
    matrix_t: sparse.csr_matrix, terms: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`postings_dot`, and the documents the postings name (once per posting: a document
    twice when two query terms name it). Every other document's value is 0."""
    indptr, indices, data = matrix_t.indptr, matrix_t.indices, matrix_t.data
    starts = indptr[terms]
    lengths = indptr[terms + 1] - starts
    total = int(lengths.sum())
    if total > LONG_POSTINGS * len(terms):  # long postings (a large knowledge base): one slice per term
        spans = [slice(start, start + length) for start, length in zip(starts.tolist(), lengths.tolist())]
        # Each span times its weight in float64 (the same products as widening first, without
        # repeating the weights along the postings).
        products = np.concatenate(
            [np.multiply(data[span], weight, dtype=np.float64) for span, weight in zip(spans, weights.tolist())]
        )
        hits = np.concatenate([indices[span] for span in spans])
        return np.bincount(hits, weights=products, minlength=matrix_t.shape[1]), hits
    if not total:  # np.bincount would give integers here
        return np.zeros(matrix_t.shape[1]), np.zeros(0, dtype=indices.dtype)
    # Short postings: all of them in one gather, summed per document in the same order.
    positions = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
    products = data[positions].astype(np.float64) * np.repeat(weights, lengths)
    hits = indices[positions]
    return np.bincount(hits, weights=products, minlength=matrix_t.shape[1]), hits


def best_per_entry(values: np.ndarray, hits: np.ndarray, owners: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each entry's largest value over its documents (``owners``: each document's entry, sorted;
    ``starts``: each entry's first document), when every value is 0 or more and only the documents
    in ``hits`` can be above 0. Few hits: a maximum over the hits alone; else over every document
    (one pass in order beats gathering a tenth of the documents at random). A maximum is exact
    whichever way it is taken."""
    if DENSE_HITS * len(hits) >= len(values):
        return np.maximum.reduceat(values, starts)
    best = np.zeros(len(starts))
    np.maximum.at(best, owners[hits], values[hits])
    return best


@dataclass(frozen=True, slots=True)
class Scored:
    """One entry's score for a question, with its text and code parts."""

    entry_id: str
    score: float
    text_score: float
    code_score: float


def codes_in(mentions: Iterable[CodeMention], known: Collection[str]) -> set[str]:
    """The known codes among ``mentions`` (ranges expanded)."""
    codes: set[str] = set()
    for mention in mentions:
        if mention.range_end:
            codes.update(expand_range(mention.code, mention.range_end, known))
        elif mention.code in known:
            codes.add(mention.code)
    return codes


def code_overlap(asked: frozenset[str], entry_codes: frozenset[str]) -> float:
    """Share of the asked codes the entry is about, lowered a little for each other code it names."""
    shared = len(asked & entry_codes)
    if not shared:
        return 0.0
    extra = len(entry_codes - asked) / len(entry_codes)
    return shared / len(asked) * (1 - EXTRA_CODES_PENALTY * extra)


def entry_texts_digest(entries: Sequence[Entry]) -> str:
    """A hash of every entry's question, alternates and answer (each with its length), taken
    ``KEY_BATCH`` entries at a time: a large knowledge base's texts are never joined whole."""
    hasher = hashlib.sha256()
    for start in range(0, len(entries), KEY_BATCH):
        batch = entries[start : start + KEY_BATCH]
        texts = "".join(f"{len(text)}:{text}" for e in batch for text in (e.question, *e.alternates, e.answer))
        hasher.update(texts.encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


def prepare_phrasings(
    entries: Sequence[Entry],
    known_codes: Collection[str],
    abbreviations: Mapping[str, str],
    *,
    lazy_whole: bool = False,
) -> Phrasings:
    """Each entry's phrasings as the text index sees them, and the codes each entry names.
    ``lazy_whole``: the whole-entry texts are built when read (:class:`faqbot.whole_texts.WholeTexts`:
    the same strings, not held; for a large knowledge base)."""
    docs: list[str] = []
    owners: list[int] = []
    whole: list[str] = []
    counts: list[int] = []
    short: list[tuple[tuple[int, str], ...]] = []
    answers: list[str] = []
    words: set[str] = set()
    question_codes: list[frozenset[str]] = []
    all_codes: list[frozenset[str]] = []
    for index, entry in enumerate(entries):
        texts = (entry.question, *entry.alternates)
        mentions = [find_mentions(text) for text in texts]  # once per phrasing: for text and for codes
        question_codes.append(frozenset(codes_in(mentions[0], known_codes)))
        all_codes.append(frozenset(code for found in mentions for code in codes_in(found, known_codes)))
        cleaned = [text_for_matching(text, abbreviations, found) for text, found in zip(texts, mentions)]
        # An alternate that is little more than a code ("77321 used for" -> "used") says nothing as text.
        kept = [0, *(i for i, c in enumerate(cleaned) if i and len(c.split()) >= MIN_PHRASING_WORDS)]
        docs.extend(cleaned[i] for i in kept)
        owners.extend([index] * len(kept))
        answer = text_for_matching(entry.answer, abbreviations)
        if lazy_whole:
            counts.append(len(kept))
            short.append(tuple((i, c) for i, c in enumerate(cleaned) if i and i not in kept))
            answers.append(answer)
            words.update(word for text in (*cleaned, answer) for word in text.split())
        else:
            whole.append(" ".join([*cleaned, answer]))
    intents = tuple(question_intent(entry.question) for entry in entries)
    if lazy_whole:
        from faqbot.whole_texts import WholeTexts  # a large knowledge base only

        held = tuple(docs)
        return Phrasings(
            held,
            tuple(owners),
            WholeTexts(held, counts, short, answers),
            tuple(question_codes),
            tuple(all_codes),
            intents,
            tuple(sorted(words)),
        )
    vocabulary = tuple(sorted({word for doc in whole for word in doc.split()}))
    return Phrasings(
        tuple(docs), tuple(owners), tuple(whole), tuple(question_codes), tuple(all_codes), intents, vocabulary
    )


class Ranker:
    """A fitted index over FAQ entries. Build once per knowledge base; ``rank`` is read-only.

    Scoring is exact for every entry on the word models; the character model, the costly one on a
    large knowledge base (above ``ALL_ENTRIES_SCORED``), is computed only for a shortlist of ``SHORTLIST`` entries (the best on
    words, plus every entry naming an asked code). Query words are typo-corrected against the
    vocabulary first, so a typo still reaches the shortlist.
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        known_codes: Collection[str],
        *,
        abbreviations: Mapping[str, str] | None = None,
        weights: RankingWeights | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        """``cache_dir``: where to keep the fitted text models between runs (see :mod:`faqbot.text_index`)."""
        self.entries = tuple(entries)
        self.weights = weights or shipped_weights()
        self._known = frozenset(known_codes)
        self._abbreviations = dict(abbreviations or {})
        self._index = {entry.id: i for i, entry in enumerate(self.entries)}
        prepared = prepared_phrasings(
            lambda: [
                source_digest(__file__, faqbot.codes.__file__),
                sorted(self._known),
                sorted(self._abbreviations.items()),
                [len(e.alternates) for e in self.entries],
                entry_texts_digest(self.entries),
            ],
            lambda: prepare_phrasings(
                self.entries, self._known, self._abbreviations, lazy_whole=len(self.entries) > ALL_ENTRIES_SCORED
            ),
            cache_dir,
        )
        docs, whole = prepared.docs, prepared.whole
        self._owners = np.asarray(prepared.owners, dtype=np.int32)  # int32: half the bytes to gather per hit
        owned = len(self._owners)
        self._starts = np.flatnonzero(np.r_[True, np.diff(self._owners) != 0]) if owned else np.array([], dtype=int)
        self._lengths = np.diff(np.r_[self._starts, owned]).astype(np.int64)
        # Every entry fits the shortlist: score character n-grams term-major, like words. Else
        # keep phrasings as rows, to score only the shortlisted ones.
        self._char_all = len(self.entries) <= ALL_ENTRIES_SCORED
        # The phrasing documents, kept when every entry fits the shortlist (the shipped knowledge
        # base); a large one does not keep them (ranking reads only the fitted models: 230 MB of
        # text at 100,000 entries).
        self.docs = docs if self._char_all else ()
        if len(docs):
            # Keyed by the phrasings' key: a restart that finds the index never reads the texts.
            key = keyed_by(prepared.key, char_term_major=self._char_all) if prepared.key else None
            fitted = fit_or_load(docs, whole, char_term_major=self._char_all, cache_dir=cache_dir, key=key)
            # Term-major (term x document): a query touches only its own terms' postings.
            self._word_t, self._entry_t, self._char_docs = fitted.word_t, fitted.entry_t, fitted.char
            self._char_words = fitted.char_words  # not term-major: the shortlist's cosines from words
            word_terms = fitted.word_terms
            # A small vocabulary is decoded once (for the query's dict and the words' idf); a large
            # one stays one sorted text (faqbot.sorted_terms).
            listed: Sequence[str] = list(word_terms) if len(word_terms) <= DICT_TERMS else word_terms
            self._word_query = QueryVectorizer(analyzer(WORD_MODEL), listed, fitted.word_idf)
            self._char_query = QueryVectorizer(analyzer(CHAR_MODEL), fitted.char_terms, fitted.char_idf)
            # Each word's idf (Python floats: ``tolist`` of float64 values).
            single = word_terms.single_words()  # the 1-grams: words
            self._idf: dict[str, float] = dict(
                zip((listed[i] for i in single.tolist()), fitted.word_idf[single].tolist())
            )
            del fitted, listed, word_terms
        else:
            self._idf = {}
        self._max_idf = max(self._idf.values(), default=1.0)
        self._vocabulary = frozenset(prepared.vocabulary)
        # Typos rarely change a word's first letter ("president" is not a typo of "resident").
        self._vocabulary_by_initial: dict[str, list[str]] = {}
        for word in prepared.vocabulary:  # sorted
            self._vocabulary_by_initial.setdefault(word[:1], []).append(word)
        self._spelling_memo: dict[str, str | None] = {}  # typo -> word; a cache, not state that changes answers
        self._intent_names = sorted({name for name, _ in _INTENTS} | {"about", "definition"})
        self._intents = np.array([self._intent_names.index(intent) for intent in prepared.intents], dtype=np.int64)
        self.intents = tuple(self._intent_names[i] for i in self._intents)
        self._aspects = np.array([ASPECTS.index(e.aspect) for e in self.entries], dtype=np.int64)
        # Per-entry masks that do not depend on the question, so a question reads them instead of
        # comparing every entry again.
        self._intent_masks = tuple(self._intents == i for i in range(len(self._intent_names)))
        self._aspect_masks = tuple(self._aspects == i for i in range(len(ASPECTS)))
        self.subject_codes = prepared.all_codes
        self.question_codes = prepared.question_codes
        self._own_codes = CodePostings(self.question_codes)
        self._all_codes = CodePostings(self.subject_codes)
        self._declared_codes = CodePostings([frozenset(e.codes) for e in self.entries])
        self._subject_codes = CodePostings([frozenset(e.codes[:1]) for e in self.entries])
        self._modifiers: CodePostings | None = None  # built on the first question that names a modifier
        self._names_codes = self._all_codes.sizes > 0

    def _modifier_postings(self) -> CodePostings:
        """The modifiers each entry's phrasings name. Reading them is a third of a cold start's
        set-up, and only a question that names a modifier needs them."""
        if self._modifiers is None:
            self._modifiers = CodePostings(
                [
                    frozenset(m for text in (e.question, *e.alternates) for m in modifiers_named(text))
                    for e in self.entries
                ]
            )
        return self._modifiers

    def question_codes_of(self, entry_id: str) -> frozenset[str]:
        return self.question_codes[self._index[entry_id]]

    def matching_text(self, question: str) -> str:
        """The question's words as the index sees them: codes (also "77 301") removed, shorthand expanded."""
        return text_for_matching(question, self._abbreviations, mentions_of_known(question, self._known))

    def question_coverage(self, question: str, codes: Collection[str] = ()) -> float:
        """:meth:`vocabulary_coverage` of a raw question; each known code it names counts as a known word."""
        return self.vocabulary_coverage(self.matching_text(question), known_codes=len(codes))

    def vocabulary_coverage(self, cleaned: str, *, known_codes: int = 0) -> float:
        """IDF-weighted share of the question's words that the knowledge base uses (1.0 with no words).
        ``known_codes`` known codes count as that many known words of the highest weight."""
        tokens = cleaned.split()
        if not tokens:
            return 1.0
        weights = [self._idf.get(tok, self._max_idf) for tok in tokens]
        known = sum(w for tok, w in zip(tokens, weights) if self._spelled(tok) is not None)
        return (known + known_codes * self._max_idf) / (sum(weights) + known_codes * self._max_idf)

    def _spelled(self, token: str) -> str | None:
        """The vocabulary word ``token`` is (allowing one typo, not in the first letter, in words of five
        letters or more: a letter added, dropped or changed, or two neighbouring letters swapped)."""
        if token in self._vocabulary:
            return token
        if len(token) < 5 or token.isdigit():
            return None
        if token not in self._spelling_memo:
            if len(self._spelling_memo) >= SPELLING_MEMO_SIZE:
                self._spelling_memo.clear()
            candidates = self._vocabulary_by_initial.get(token[:1], [])
            match = process.extractOne(token, candidates, scorer=OSA.distance, score_cutoff=1)
            self._spelling_memo[token] = match[0] if match else None
        return self._spelling_memo[token]

    def _code_overlaps(self, asked: frozenset[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`code_overlap` for every entry on its question's, its phrasings' and its declared codes."""
        return (
            self._own_codes.overlaps(asked),
            self._all_codes.overlaps(asked),
            self._declared_codes.overlaps(asked),
        )

    def _text_signals(
        self, cleaned: str, boost: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Best word, best character and best mixed phrasing cosine, and whole-entry cosine, per entry.

        ``boost`` (per entry, e.g. code overlap) only helps choose the character-model shortlist.
        """
        corrected = " ".join(self._spelled(tok) or tok for tok in cleaned.split())
        terms, weights = self._word_query.weights(corrected)
        word_docs, hits = postings_dot_hits(self._word_t, terms, weights)  # term-major: only the query's postings
        word_best = best_per_entry(word_docs, hits, self._owners, self._starts)
        whole_entry = postings_dot(self._entry_t, terms, weights)
        grams, gram_weights = self._char_query.weights(cleaned)
        size = len(self.entries) if self._char_all else min(SHORTLIST, len(self.entries))
        if self._char_all:
            shortlist, offsets = np.arange(size), self._starts
            doc_rows: np.ndarray | slice = slice(None)
            char_docs = postings_dot(self._char_docs, grams, gram_weights)
        else:
            shortlist = np.sort(np.argpartition(-(word_best + whole_entry + boost), size - 1)[:size])
            starts, lengths = self._starts[shortlist], self._lengths[shortlist]
            offsets = np.r_[0, np.cumsum(lengths)[:-1]]
            doc_rows = np.repeat(starts - offsets, lengths) + np.arange(lengths.sum())
            assert self._char_words is not None
            char_docs = self._char_words.cosines(doc_rows, grams, gram_weights)
        char_best = np.zeros_like(word_best)  # outside the shortlist: the word model alone
        char_best[shortlist] = np.maximum.reduceat(char_docs, offsets)
        mixed = 0.5 * word_best
        mixed[shortlist] = np.maximum.reduceat(0.5 * word_docs[doc_rows] + 0.5 * char_docs, offsets)
        return word_best, char_best, mixed, whole_entry

    def features(self, question: str, codes: Collection[str] = (), *, aspect: str | None = None) -> np.ndarray:
        """One row of :data:`FEATURES` per entry, in entry order. ``codes``: the known codes asked;
        ``aspect``: what the question asks (default: read from ``question``)."""
        return self._features(question, frozenset(codes), self.matching_text(question), aspect)

    def _features(self, question: str, asked: frozenset[str], cleaned: str, aspect: str | None = None) -> np.ndarray:
        return np.column_stack(
            [np.broadcast_to(column, len(self.entries)) for column in self._columns(question, asked, cleaned, aspect)]
        ).astype(np.float64)

    def _columns(
        self, question: str, asked: frozenset[str], cleaned: str, aspect: str | None = None
    ) -> list[np.ndarray | float]:
        """The columns of :data:`FEATURES`, in order: one value per entry, or one number for every entry."""
        # Columns that are 0 for every entry are the number 0.0 (no pass over the entries): the
        # code signals when no code is asked, the intent when it is "about", the aspects when the
        # question names none.
        own: np.ndarray | float = 0.0
        phrasings: np.ndarray | float = 0.0
        declared: np.ndarray | float = 0.0
        if asked:
            own, phrasings, declared = self._code_overlaps(asked)
        word, char, mixed, whole = self._text_signals(cleaned, np.maximum(own, phrasings) if asked else 0.0)
        has_codes = float(bool(asked))
        no_words = float(bool(asked) and not cleaned)
        names_codes = self._names_codes
        intent = question_intent(question)
        same_intent = self._intent_masks[self._intent_names.index(intent)] if intent != "about" else 0.0
        aspect = aspect or question_aspect(question)
        same_aspect = self._aspect_masks[ASPECTS.index(aspect)] if aspect else 0.0
        other_aspect = ~self._aspect_masks[ASPECTS.index(aspect)] if aspect else 0.0
        subject = self._subject_codes.overlaps(asked) > 0 if asked and aspect in ("definition", "frequency") else 0.0
        named_modifiers = modifiers_named(question)
        return [
            word,
            char,
            mixed,
            whole,
            own,
            phrasings,
            declared,
            names_codes & ~(np.maximum(np.maximum(own, phrasings), declared) > 0) if has_codes else 0.0,
            ~names_codes if has_codes else 0.0,
            same_intent,
            # 1.0 x a column is the column itself, to the bit: no copy.
            word if has_codes else 0.0,
            char if has_codes else 0.0,
            whole if has_codes else 0.0,
            own if no_words else 0.0,
            declared if no_words else 0.0,
            same_aspect,
            other_aspect,
            subject,
            self._modifier_postings().overlaps(named_modifiers) > 0 if named_modifiers else 0.0,
        ]

    def _relevance(self, columns: list[np.ndarray | float]) -> np.ndarray:
        """:meth:`RankingWeights.relevance` of the feature rows, as a weighted sum of the columns: the
        entries x features matrix is never built (a test checks it equals the matrix product)."""
        relevance = np.full(len(self.entries), self.weights.bias)
        product = np.empty_like(relevance)  # one buffer for every column's products
        constant = 0.0
        for coefficient, column in zip(self.weights.coefficients, columns):
            if isinstance(column, np.ndarray) and column.dtype == np.bool_:
                np.add(relevance, coefficient, out=relevance, where=column)  # + coefficient x 1, or + 0
            elif isinstance(column, np.ndarray):
                relevance += np.multiply(coefficient, column, out=product)
            else:
                constant += coefficient * column
        return relevance + constant if constant else relevance

    def rank(
        self,
        question: str,
        codes: Collection[str] = (),
        *,
        limit: int = 5,
        aspect: str | None = None,
        without: Collection[str] = (),
    ) -> list[Scored]:
        """Entries best first. ``codes`` are the known codes the question names; ``aspect`` what it
        asks about them (default: read from ``question``); ``without``: ids of entries to leave out
        (as if the knowledge base lacked them: the evaluation's left-out answers)."""
        if not self.entries:
            return []
        cleaned = self.matching_text(question)  # once: for the features and for the known-word share
        columns = self._columns(question, frozenset(codes), cleaned, aspect)
        coverage = self.vocabulary_coverage(cleaned, known_codes=len(codes))
        combined = self.weights.confidence(self._relevance(columns), coverage)
        if without:
            left_out = [i for i, entry in enumerate(self.entries) if entry.id in without]
            combined[left_out] = -1.0  # below any score: never ranked before an entry that is there
            limit = min(limit, len(combined) - len(left_out))
            if limit <= 0:
                return []
        limit = min(limit, len(combined))
        top = np.argpartition(-combined, limit - 1)[:limit]
        order = top[np.lexsort((top, -combined[top]))]
        text = columns[FEATURES.index("phrasing_mix")]
        code = columns[FEATURES.index("codes_phrasings")]
        return [Scored(self.entries[i].id, float(combined[i]), _at(text, i), _at(code, i)) for i in order]


def _at(column: np.ndarray | float, index: int) -> float:
    """A column's value for one entry (a number is every entry's value)."""
    return float(column[index]) if isinstance(column, np.ndarray) else float(column)


def shipped_weights() -> RankingWeights:
    """The weights learned from the shipped knowledge base (:mod:`faqbot.ranking_weights`)."""
    from faqbot.ranking_weights import BIAS, CALIBRATION, COEFFICIENTS

    if tuple(COEFFICIENTS) != FEATURES:
        raise ValueError("faqbot/ranking_weights.py does not match FEATURES: run python -m faqbot.learn_ranking")
    return RankingWeights(tuple(COEFFICIENTS.values()), BIAS, CALIBRATION)
