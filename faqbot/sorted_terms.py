"""A large sorted vocabulary held as one text: a million terms in tens of megabytes, not hundreds.

The word model of a large knowledge base has over a million terms (1-2 grams). As Python strings in
a tuple, with a dict from term to column, they took about 200 MB at 100,000 entries, yet a question
looks up a few dozen terms. :class:`SortedTerms` keeps the terms, sorted, as one UTF-8 text (one a
line, as the index file stores them) and the offset of each; a term is found by binary search (UTF-8
bytes sort as their code points do, so byte order is the terms' order).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

import numpy as np

_LINE = ord("\n")
_SPACE = ord(" ")


class SortedTerms(Sequence[str]):
    """Terms in sorted order as one ``\\n``-separated UTF-8 text; ``get`` gives a term's position."""

    def __init__(self, text: bytes, count: int) -> None:
        """``text``: ``count`` terms, sorted, joined by ``\\n`` (no term holds one) and UTF-8 encoded."""
        codes = np.frombuffer(text, dtype=np.uint8)
        breaks = np.flatnonzero(codes == _LINE)
        if (count == 0 and text) or (count > 0 and len(breaks) != count - 1):
            raise ValueError(f"expected {count} terms")
        # Term i is text[starts[i] : starts[i + 1] - 1].
        starts = np.empty(count + 1, dtype=np.int64)
        if count:
            starts[0] = 0
            starts[1:-1] = breaks + 1
            starts[-1] = len(text) + 1
        else:
            starts[0] = 0
        self.text = text
        self._starts = starts
        self._view = starts.data  # indexing gives Python ints, quicker than numpy scalars

    @classmethod
    def from_sorted(cls, terms: Iterable[str]) -> SortedTerms:
        """From terms already in sorted order (none holding a line break)."""
        listed = terms if isinstance(terms, list) else list(terms)
        if any("\n" in term for term in listed):
            raise ValueError("a term holds a line break")
        return cls("\n".join(listed).encode("utf-8", "surrogatepass"), len(listed))

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("term index out of range")
        return self._bytes(index).decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return iter(self.text.decode("utf-8", "surrogatepass").split("\n") if len(self) else [])

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def _bytes(self, index: int) -> bytes:
        view = self._view
        return self.text[view[index] : view[index + 1] - 1]

    def get(self, term: str) -> int | None:
        """The position of ``term``, or None when it is not a term."""
        key = term.encode("utf-8", "surrogatepass")
        text, view = self.text, self._view
        low, high = 0, len(self)
        while low < high:
            middle = (low + high) // 2
            if text[view[middle] : view[middle + 1] - 1] < key:
                low = middle + 1
            else:
                high = middle
        if low < len(self) and text[view[low] : view[low + 1] - 1] == key:
            return low
        return None

    def single_words(self) -> np.ndarray:
        """Positions of the terms that hold no space (the 1-grams of a word model)."""
        if not self.text:  # no terms, or one empty term
            return np.arange(len(self), dtype=np.int64)
        # The term each space falls in (not a count per term by ``np.add.reduceat``, which widens the
        # whole text to int64 first: 220 MB at 100,000 entries).
        spaces = np.flatnonzero(np.frombuffer(self.text, dtype=np.uint8) == _SPACE)
        spaced = np.zeros(len(self), dtype=bool)
        spaced[np.searchsorted(self._starts, spaces, side="right") - 1] = True
        return np.flatnonzero(~spaced)
