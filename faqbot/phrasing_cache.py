"""The ranker's prepared phrasings (cleaned texts and the codes each entry names), cached as JSON.

Cleaning every entry's question, alternates and answer (codes found and removed, shorthand
expanded: :func:`faqbot.ranking.text_for_matching`) is, after the knowledge base itself, the next
cost of a cold ``faqbot ask``. The cache is two files beside the fitted index, named by a hash the
ranker gives (the entries' texts, the known codes, the abbreviations and the source of the code
that cleans them): ``phrasings-<key>.json``, what answering needs (each entry's count of phrasings,
codes, kind of question; the vocabulary), and ``texts-<key>.json``, the cleaned texts themselves,
which only fitting the index reads (hundreds of megabytes on a large knowledge base: a restart that
finds its index never decodes them; the index is keyed by the same key, see :mod:`faqbot.text_index`).
A damaged file is ignored and rewritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, overload

import numpy as np

from faqbot.cache_files import digest, read_checked_text, write_checked

FORMAT = 4  # 3: a large base's whole-entry texts stored as their parts; 4: the texts in their own file
CACHE_NAME = re.compile(r"phrasings-[0-9a-f]{40}\.json")
TEXTS_NAME = re.compile(r"texts-[0-9a-f]{40}\.json")


@dataclass(frozen=True)
class Phrasings:
    """What the ranker indexes: the phrasing documents (``owners``: each one's entry, ascending), one
    whole-entry document per entry, the codes each entry's question and all its phrasings name, and
    the kind of question each entry asks. ``key``: the name of its cache files ("" when not cached)."""

    docs: Sequence[str]  # read from the cache only when first used (:class:`CachedTexts`)
    owners: Sequence[int] | np.ndarray
    whole: Sequence[str]  # a tuple, or built when read for a large base (faqbot.whole_texts)
    question_codes: tuple[frozenset[str], ...]
    all_codes: tuple[frozenset[str], ...]
    intents: tuple[str, ...]  # each entry's kind of question (:func:`faqbot.ranking.question_intent`)
    vocabulary: tuple[str, ...]  # every word of the whole-entry documents, sorted
    key: str = ""


class CachedTexts(Sequence[str]):
    """``count`` texts read from the cache (or prepared again) when first used, then held."""

    def __init__(self, count: int, load: Callable[[], Sequence[str]]) -> None:
        self._count = count
        self._load: Callable[[], Sequence[str]] | None = load
        self._texts: Sequence[str] = ()

    def _held(self) -> Sequence[str]:
        if self._load is not None:
            texts = self._load()
            if len(texts) != self._count:
                raise ValueError("cached texts: another count than the phrasings file says")
            self._texts, self._load = texts, None
        return self._texts

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._held()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._held())


def prepared_phrasings(
    key_parts: Callable[[], Sequence[Any]], build: Callable[[], Phrasings], cache_dir: Path | None
) -> Phrasings:
    """``build()``, or its copy from ``cache_dir`` when one was written for the same ``key_parts()``
    (called only when there is a cache). From the cache, the texts are read when first used."""
    if cache_dir is None:
        return build()
    key = digest([FORMAT, *key_parts()])
    path = cache_dir / f"phrasings-{key}.json"
    cached = _read(path, key, lambda counts: _texts(cache_dir / f"texts-{key}.json", counts, build))
    if cached is not None:
        return cached
    phrasings = build()
    owners = np.asarray(phrasings.owners, dtype=np.int64)
    data = {
        "owner_counts": np.bincount(owners, minlength=len(phrasings.intents)).tolist()
        if len(owners)
        else [0] * len(phrasings.intents),
        "question_codes": [sorted(codes) for codes in phrasings.question_codes],
        "all_codes": [sorted(codes) for codes in phrasings.all_codes],
        "intents": phrasings.intents,
        "vocabulary": phrasings.vocabulary,
    }
    # The texts first: a phrasings file is never there without the texts file it was written with
    # (a texts file gone since, pruned or deleted, is prepared again when first needed).
    _write_texts(cache_dir / f"texts-{key}.json", phrasings)
    write_checked(path, json.dumps(data, ensure_ascii=False).encode("utf-8"), pattern=CACHE_NAME)
    return replace(phrasings, key=key)


def _write_texts(path: Path, phrasings: Phrasings) -> None:
    from faqbot.whole_texts import WholeTexts  # a large knowledge base only

    whole = phrasings.whole
    texts = {
        "docs": list(phrasings.docs),
        # A large base's whole-entry texts as the parts the phrasings lack (faqbot.whole_texts).
        **({"whole_parts": whole.parts()} if isinstance(whole, WholeTexts) else {"whole": list(whole)}),
    }
    write_checked(path, json.dumps(texts, ensure_ascii=False).encode("utf-8"), pattern=TEXTS_NAME)


Texts = tuple[Sequence[str], Sequence[str]]  # the phrasing texts and the whole-entry texts


def _read(path: Path, key: str, texts: Callable[[tuple[int, int]], Texts]) -> Phrasings | None:
    payload = read_checked_text(path)
    if payload is None:
        return None
    try:
        data = json.loads(payload)
        del payload
        counts = np.array(data["owner_counts"], dtype=np.int64).reshape(-1)
        entries = len(data["intents"])
        if not len(counts) == len(data["question_codes"]) == len(data["all_codes"]) == entries or (
            entries and counts.min() < 0
        ):
            return None
        owners = np.repeat(np.arange(entries, dtype=np.int32), counts)
        loaded: list[Texts] = []  # both lists come from one read, on first use

        def both() -> Texts:
            if not loaded:
                loaded.append(texts((len(owners), entries)))
            return loaded[0]

        shared: dict[tuple[str, ...], frozenset[str]] = {}  # one set for the entries naming the same codes
        return Phrasings(
            docs=CachedTexts(len(owners), lambda: both()[0]),
            owners=owners,
            whole=CachedTexts(entries, lambda: both()[1]),
            question_codes=tuple(shared.setdefault(tuple(c), frozenset(c)) for c in data["question_codes"]),
            all_codes=tuple(shared.setdefault(tuple(c), frozenset(c)) for c in data["all_codes"]),
            intents=tuple(data["intents"]),
            vocabulary=tuple(data["vocabulary"]),
            key=key,
        )
    except Exception:  # foreign or damaged content behind a valid checksum: prepare again, rewrite
        return None


def _texts(path: Path, counts: tuple[int, int], build: Callable[[], Phrasings]) -> Texts:
    """The phrasing and whole-entry texts from ``path`` when it holds ``counts`` of them, else from
    ``build()`` (the file missing or damaged: rewritten)."""
    payload = read_checked_text(path)
    if payload is not None:
        try:
            data = json.loads(payload)
            del payload
            docs = tuple(data["docs"])
            whole: Sequence[str]
            if "whole_parts" in data:  # a large knowledge base's
                from faqbot.whole_texts import WholeTexts

                parts, short, answers = data["whole_parts"]
                whole = WholeTexts(docs, parts, [tuple((p, t) for p, t in s) for s in short], answers)
            else:
                whole = tuple(data["whole"])
            if (len(docs), len(whole)) == counts:
                return docs, whole
        except Exception:  # foreign or damaged content behind a valid checksum: prepare again
            pass
    phrasings = build()
    _write_texts(path, phrasings)
    return phrasings.docs, phrasings.whole
