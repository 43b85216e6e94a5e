"""Whole-entry texts built when read, not held: a large knowledge base's biggest build input.

An entry's whole-entry document is its cleaned question, its cleaned alternates and its cleaned
answer joined by spaces (:func:`faqbot.ranking.prepare_phrasings`). Most of that text is already
held once as the phrasing documents; holding it again whole was 220 MB at 100,000 entries. This
sequence keeps only what the phrasings lack (each answer, and the few alternates too short to be a
phrasing, with their places) and joins the same string again each time an entry's text is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload


class WholeTexts(Sequence[str]):
    """Entry ``i``'s whole-entry text: ``docs[starts[i] : starts[i] + counts[i]]`` (its question
    and kept alternates, in order) with ``short[i]`` (position, text) put back in their places, then
    ``answers[i]``; all joined by one space, exactly as the whole text was built."""

    def __init__(
        self,
        docs: Sequence[str],
        counts: Sequence[int],
        short: Sequence[tuple[tuple[int, str], ...]],
        answers: Sequence[str],
    ) -> None:
        if not len(counts) == len(short) == len(answers) or sum(counts) != len(docs):
            raise ValueError("whole texts: docs, counts, short alternates and answers disagree")
        self._docs = docs
        self._counts = tuple(counts)
        self._short = tuple(short)
        self._answers = tuple(answers)
        starts, total = [], 0
        for count in self._counts:
            starts.append(total)
            total += count
        self._starts = tuple(starts)

    def parts(self) -> tuple[tuple[int, ...], tuple[tuple[tuple[int, str], ...], ...], tuple[str, ...]]:
        """What is held beside the phrasings: each entry's count of them, its short alternates with
        their places, and its answer (to store them as they are, see :mod:`faqbot.phrasing_cache`)."""
        return self._counts, self._short, self._answers

    def __len__(self) -> int:
        return len(self._answers)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self._text(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("whole text index out of range")
        return self._text(index)

    def __iter__(self) -> Iterator[str]:
        return (self._text(i) for i in range(len(self)))

    def _text(self, index: int) -> str:
        start = self._starts[index]
        parts = list(self._docs[start : start + self._counts[index]])
        for position, text in self._short[index]:  # ascending positions: each lands where it was
            parts.insert(position, text)
        parts.append(self._answers[index])
        return " ".join(parts)
