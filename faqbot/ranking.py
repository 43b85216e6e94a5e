"""Rank FAQ entries for a question: TF-IDF text similarity combined with a code-overlap signal.

Each entry is indexed as several short documents (its question and every alternate). Text
similarity is the best cosine over an entry's documents, averaged over a word (1-2 gram) and a
character (3-5 gram, within word boundaries) TF-IDF model. When the question names known codes,
only entries whose own question/alternates name one of them compete, and the Jaccard overlap of
the two code sets is blended in, so "what is 77012" can never land on the 77014 entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Collection, Mapping, Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sklearn.feature_extraction.text import TfidfVectorizer

from faqbot.codes import expand_range, find_mentions
from faqbot.model import Entry

# Weight of the code-overlap signal when the question names known codes.
CODE_WEIGHT = 0.5
# Entries that name no code at all still compete with code questions, at a discount.
CODELESS_DISCOUNT = 0.8
# Text similarity: best single phrasing (question or alternate) vs the entry's phrasings as one document.
PHRASING_WEIGHT = 0.6
# An entry whose own question names no code competes on the codes of its alternates, at a discount.
ALTERNATE_CODES_DISCOUNT = 0.8
# How much an entry's other codes lower its code score ("what is 77011" vs an entry on 77011 and 77014).
EXTRA_CODES_PENALTY = 0.3
# Relative bonus when the question and the entry ask the same kind of thing (alone, together, how often ...).
INTENT_WEIGHT = 0.2
# Share of the text score kept when none of the question's words occur in the knowledge base.
OFF_VOCABULARY_FLOOR = 0.3

# Function words that say nothing about the topic. Question words (what, how, can, alone, with)
# are kept on purpose: they carry the intent.
STOP_WORDS = frozenset(
    "a an the for of to in on at by from is are was be been am do does did i me my we our you your it its "
    "this that these those there here please pls thanks thank hi hello hey s t ok okay just so about "
    "any some".split()
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("alone", re.compile(r"\b(alone|by itself|on its own|standalone|stand alone|stand-alone|without)\b")),
    ("difference", re.compile(r"\b(difference|differ|vs\.?|versus|compared)\b")),
    ("together", re.compile(r"\b(together|same (claim|day|date|encounter)|bundl\w*|along with|both)\b|\+")),
    ("frequency", re.compile(r"\b(how often|how many|frequency|once per|per course|per week|twice|units?|mue)\b")),
    ("coverage", re.compile(r"\b(cover(ed|age)?|medicare pay|pay for|lcd|ncd)\b")),
    ("replacement", re.compile(r"\b(replace[ds]?|instead|still (valid|bill|use)|deleted|in 2026)\b")),
)


def question_intent(text: str) -> str:
    """The kind of question: alone, difference, together, frequency, coverage, replacement or about."""
    lowered = text.lower()
    for name, pattern in _INTENTS:
        if pattern.search(lowered):
            return name
    return "about"


def text_for_matching(text: str, abbreviations: Mapping[str, str] | None = None) -> str:
    """Lower-cased words without codes and function words, shorthand expanded: what TF-IDF compares."""
    without_codes = text
    for mention in reversed(find_mentions(text)):
        without_codes = without_codes[: mention.start] + " " + without_codes[mention.end :]
    words: list[str] = []
    for token in _TOKEN.findall(without_codes.lower()):
        expanded = abbreviations.get(token, token) if abbreviations else token
        words.extend(word for word in expanded.split() if word not in STOP_WORDS)
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Scored:
    entry_id: str
    score: float
    text_score: float
    code_score: float


def subject_codes(texts: Sequence[str], known: Collection[str]) -> frozenset[str]:
    """Codes written in an entry's question and alternates (ranges expanded), known ones only."""
    codes: set[str] = set()
    for text in texts:
        for mention in find_mentions(text):
            if mention.range_end:
                codes.update(expand_range(mention.code, mention.range_end, known))
            elif mention.code in known:
                codes.add(mention.code)
    return frozenset(codes)


def code_overlap(asked: frozenset[str], entry_codes: frozenset[str]) -> float:
    """Share of the asked codes the entry is about, lowered a little for each other code it names."""
    shared = len(asked & entry_codes)
    if not shared:
        return 0.0
    extra = len(entry_codes - asked) / len(entry_codes)
    return shared / len(asked) * (1 - EXTRA_CODES_PENALTY * extra)


class Ranker:
    """A fitted index over FAQ entries. Build once per knowledge base; ``rank`` is read-only."""

    def __init__(
        self, entries: Sequence[Entry], known_codes: Collection[str], *, abbreviations: Mapping[str, str] | None = None
    ) -> None:
        self.entries = tuple(entries)
        self._abbreviations = dict(abbreviations or {})
        docs: list[str] = []
        owners: list[int] = []
        for index, entry in enumerate(self.entries):
            for text in (entry.question, *entry.alternates):
                docs.append(text)
                owners.append(index)
        self._starts = np.flatnonzero(np.r_[True, np.diff(owners) != 0]) if owners else np.array([], dtype=int)
        cleaned = [text_for_matching(doc, self._abbreviations) for doc in docs]
        self._word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+")
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self._word_matrix = self._word.fit_transform(cleaned) if docs else None
        self._char_matrix = self._char.fit_transform(cleaned) if docs else None
        whole = [
            " ".join([*(c for c, owner in zip(cleaned, owners) if owner == i),
                      text_for_matching(entry.answer, self._abbreviations)])
            for i, entry in enumerate(self.entries)
        ]
        self._entry_matrix = self._word.transform(whole) if docs else None
        idf = dict(zip(self._word.get_feature_names_out(), self._word.idf_))
        self._idf = {tok: weight for tok, weight in idf.items() if " " not in tok}
        self._max_idf = max(self._idf.values(), default=1.0)
        self._vocabulary = frozenset(tok for doc in whole for tok in doc.split())
        self._vocabulary_list = sorted(self._vocabulary)
        self.intents = tuple(question_intent(entry.question) for entry in self.entries)
        self._index = {entry.id: i for i, entry in enumerate(self.entries)}
        self.subject_codes = tuple(
            subject_codes((entry.question, *entry.alternates), known_codes) for entry in self.entries
        )
        self.question_codes = tuple(subject_codes((entry.question,), known_codes) for entry in self.entries)

    def question_codes_of(self, entry_id: str) -> frozenset[str]:
        return self.question_codes[self._index[entry_id]]

    def vocabulary_coverage(self, cleaned: str) -> float:
        """IDF-weighted share of the question's words that the knowledge base uses (1.0 with no words)."""
        tokens = cleaned.split()
        if not tokens:
            return 1.0
        weights = [self._idf.get(tok, self._max_idf) for tok in tokens]
        known = sum(w for tok, w in zip(tokens, weights) if self._known_word(tok))
        return known / sum(weights)

    def _known_word(self, token: str) -> bool:
        """In the knowledge base's vocabulary, allowing one typo in words of five letters or more."""
        if token in self._vocabulary:
            return True
        if len(token) < 5 or token.isdigit():
            return False
        return process.extractOne(token, self._vocabulary_list, scorer=Levenshtein.distance, score_cutoff=1) is not None

    def text_scores(self, question: str) -> np.ndarray:
        """Best cosine similarity of ``question`` to each entry's documents, in entry order."""
        if self._word_matrix is None or self._char_matrix is None:
            return np.zeros(0)
        cleaned = text_for_matching(question, self._abbreviations)
        word = (self._word_matrix @ self._word.transform([cleaned]).T).toarray().ravel()
        char = (self._char_matrix @ self._char.transform([cleaned]).T).toarray().ravel()
        best_phrasing = np.maximum.reduceat(0.5 * word + 0.5 * char, self._starts)
        whole_entry = (self._entry_matrix @ self._word.transform([cleaned]).T).toarray().ravel()
        coverage = self.vocabulary_coverage(cleaned)
        factor = OFF_VOCABULARY_FLOOR + (1 - OFF_VOCABULARY_FLOOR) * coverage
        return factor * (PHRASING_WEIGHT * best_phrasing + (1 - PHRASING_WEIGHT) * whole_entry)

    def rank(self, question: str, codes: Collection[str] = (), *, limit: int = 5) -> list[Scored]:
        """Entries best first. ``codes`` are the known codes the question names."""
        text = self.text_scores(question)
        if text.size == 0:
            return []
        asked = frozenset(codes)
        code_scores = np.zeros_like(text)
        if asked:
            for index, (own, all_codes) in enumerate(zip(self.question_codes, self.subject_codes)):
                if own:
                    code_scores[index] = code_overlap(asked, own)
                elif all_codes:
                    code_scores[index] = ALTERNATE_CODES_DISCOUNT * code_overlap(asked, all_codes)
            has_codes = np.array([bool(c) for c in self.subject_codes])
            combined = np.where(
                code_scores > 0,
                CODE_WEIGHT * code_scores + (1 - CODE_WEIGHT) * text,
                np.where(has_codes, 0.0, CODELESS_DISCOUNT * text),
            )
        else:
            combined = text
        intent = question_intent(question)
        same_intent = np.array([entry_intent == intent for entry_intent in self.intents])
        combined = np.minimum(1.0, combined * (1 + INTENT_WEIGHT * same_intent))
        order = np.argsort(-combined, kind="stable")[:limit]
        return [
            Scored(self.entries[i].id, float(combined[i]), float(text[i]), float(code_scores[i]))
            for i in order
            if combined[i] > 0
        ]
