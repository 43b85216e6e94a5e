"""The word and character n-gram analyzers of the fitted TF-IDF models, without scikit-learn.

scikit-learn (and the scipy.stats it pulls in) takes about a second to import; answering a question
from a cached index needs only how a text is cut into terms. These functions cut it exactly as
``TfidfVectorizer(**WORD_MODEL).build_analyzer()`` and ``TfidfVectorizer(**CHAR_MODEL).build_analyzer()``
do (lower-casing, then ``\\S+`` tokens in 1-2 grams; or ``char_wb`` 3-5 grams); an oracle test
compares them with scikit-learn's on generated text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WHITE_SPACES = re.compile(r"\s\s+")
_TOKEN = re.compile(r"\S+")


def word_ngrams(text: str, min_n: int = 1, max_n: int = 2) -> list[str]:
    """Lower-cased ``\\S+`` tokens and their n-grams up to ``max_n``, joined by one space."""
    tokens = _TOKEN.findall(text.lower())
    if max_n == 1:
        return tokens
    grams = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), min(max_n, len(tokens)) + 1):
        grams.extend(map(" ".join, zip(*(tokens[k:] for k in range(n)))))  # tokens i .. i + n - 1
    return grams


def char_wb_ngrams(text: str, min_n: int = 3, max_n: int = 5) -> list[str]:
    """Character n-grams inside word boundaries: each word padded with one space on each side."""
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(min_n, max_n + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < length:
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:  # the word is shorter than n: counted once
                break
    return grams


def analyzer(settings: dict[str, object]) -> Callable[[str], list[str]]:
    """The analyzer for a model's settings (``text_index.WORD_MODEL`` or ``CHAR_MODEL``)."""
    ngram_range = settings["ngram_range"]
    assert isinstance(ngram_range, tuple)
    low, high = int(ngram_range[0]), int(ngram_range[1])
    if settings.get("analyzer") == "char_wb":
        return lambda text: char_wb_ngrams(text, low, high)
    return lambda text: word_ngrams(text, low, high)
