"""Rank FAQ entries for a question: TF-IDF text similarity combined with a code-overlap signal.

Each entry is indexed as several short documents (its question and every alternate). Text
similarity is the best cosine over an entry's documents, averaged over a word (1-2 gram) and a
character (3-5 gram, within word boundaries) TF-IDF model. When the question names known codes,
only entries whose own question/alternates name one of them compete, and the Jaccard overlap of
the two code sets is blended in, so "what is 77012" can never land on the 77014 entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from faqbot.codes import expand_range, find_mentions
from faqbot.model import Entry

# Weight of the code-overlap signal when the question names known codes.
CODE_WEIGHT = 0.5
# Entries that name no code at all still compete with code questions, at a discount.
CODELESS_DISCOUNT = 0.8


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


class Ranker:
    """A fitted index over FAQ entries. Build once per knowledge base; ``rank`` is read-only."""

    def __init__(self, entries: Sequence[Entry], known_codes: Collection[str]) -> None:
        self.entries = tuple(entries)
        docs: list[str] = []
        owners: list[int] = []
        for index, entry in enumerate(self.entries):
            for text in (entry.question, *entry.alternates):
                docs.append(text)
                owners.append(index)
        self._starts = np.flatnonzero(np.r_[True, np.diff(owners) != 0]) if owners else np.array([], dtype=int)
        self._word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
        self._word_matrix = self._word.fit_transform(docs) if docs else None
        self._char_matrix = self._char.fit_transform(docs) if docs else None
        self.subject_codes = tuple(
            subject_codes((entry.question, *entry.alternates), known_codes) for entry in self.entries
        )
        self.question_codes = {
            entry.id: subject_codes((entry.question,), known_codes) for entry in self.entries
        }

    def text_scores(self, question: str) -> np.ndarray:
        """Best cosine similarity of ``question`` to each entry's documents, in entry order."""
        if self._word_matrix is None or self._char_matrix is None:
            return np.zeros(0)
        word = (self._word_matrix @ self._word.transform([question]).T).toarray().ravel()
        char = (self._char_matrix @ self._char.transform([question]).T).toarray().ravel()
        per_doc = 0.5 * word + 0.5 * char
        return np.maximum.reduceat(per_doc, self._starts)

    def rank(self, question: str, codes: Collection[str] = (), *, limit: int = 5) -> list[Scored]:
        """Entries best first. ``codes`` are the known codes the question names."""
        text = self.text_scores(question)
        if text.size == 0:
            return []
        asked = frozenset(codes)
        code_scores = np.zeros_like(text)
        if asked:
            for index, entry_codes in enumerate(self.subject_codes):
                if entry_codes:
                    code_scores[index] = len(asked & entry_codes) / len(asked | entry_codes)
            has_codes = np.array([bool(c) for c in self.subject_codes])
            combined = np.where(
                code_scores > 0,
                CODE_WEIGHT * code_scores + (1 - CODE_WEIGHT) * text,
                np.where(has_codes, 0.0, CODELESS_DISCOUNT * text),
            )
        else:
            combined = text
        order = np.argsort(-combined, kind="stable")[:limit]
        return [
            Scored(self.entries[i].id, float(combined[i]), float(text[i]), float(code_scores[i]))
            for i in order
            if combined[i] > 0
        ]
