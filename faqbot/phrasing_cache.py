"""The ranker's prepared phrasings (cleaned texts and the codes each entry names), cached as JSON.

Cleaning every entry's question, alternates and answer (codes found and removed, shorthand
expanded: :func:`faqbot.ranking.text_for_matching`) is, after the knowledge base itself, the next
cost of a cold ``faqbot ask``. The cache file (``phrasings-<key>.json`` beside the fitted index) is
named by a hash the ranker gives it: the entries' texts, the known codes, the abbreviations and
the source of the code that cleans them. A damaged file is ignored and rewritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faqbot.cache_files import digest, read_checked_text, write_checked

FORMAT = 3  # 3: a large base's whole-entry texts stored as their parts, not whole
CACHE_NAME = re.compile(r"phrasings-[0-9a-f]{40}\.json")


@dataclass(frozen=True)
class Phrasings:
    """What the ranker indexes: the phrasing documents (``owners``: each one's entry), one whole-entry
    document per entry, the codes each entry's question and all its phrasings name, and the kind of
    question each entry asks."""

    docs: tuple[str, ...]
    owners: tuple[int, ...]
    whole: Sequence[str]  # a tuple, or built when read for a large base (faqbot.whole_texts)
    question_codes: tuple[frozenset[str], ...]
    all_codes: tuple[frozenset[str], ...]
    intents: tuple[str, ...]  # each entry's kind of question (:func:`faqbot.ranking.question_intent`)
    vocabulary: tuple[str, ...]  # every word of the whole-entry documents, sorted


def prepared_phrasings(
    key_parts: Callable[[], Sequence[Any]], build: Callable[[], Phrasings], cache_dir: Path | None
) -> Phrasings:
    """``build()``, or its copy from ``cache_dir`` when one was written for the same ``key_parts()``
    (called only when there is a cache)."""
    if cache_dir is None:
        return build()
    path = cache_dir / f"phrasings-{digest([FORMAT, *key_parts()])}.json"
    cached = _read(path)
    if cached is not None:
        return cached
    phrasings = build()
    from faqbot.whole_texts import WholeTexts  # a large knowledge base only

    whole = phrasings.whole
    data = {
        "docs": phrasings.docs,
        "owners": phrasings.owners,
        # A large base's whole-entry texts as the parts the phrasings lack (faqbot.whole_texts).
        **({"whole_parts": whole.parts()} if isinstance(whole, WholeTexts) else {"whole": list(whole)}),
        "question_codes": [sorted(codes) for codes in phrasings.question_codes],
        "all_codes": [sorted(codes) for codes in phrasings.all_codes],
        "intents": phrasings.intents,
        "vocabulary": phrasings.vocabulary,
    }
    write_checked(path, json.dumps(data, ensure_ascii=False).encode("utf-8"), pattern=CACHE_NAME)
    return phrasings


def _read(path: Path) -> Phrasings | None:
    payload = read_checked_text(path)
    if payload is None:
        return None
    try:
        data = json.loads(payload)
        del payload
        docs = tuple(data["docs"])
        whole: Sequence[str]
        if "whole_parts" in data:  # a large knowledge base's
            from faqbot.whole_texts import WholeTexts

            counts, short, answers = data["whole_parts"]
            whole = WholeTexts(docs, counts, [tuple((p, t) for p, t in s) for s in short], answers)
        else:
            whole = tuple(data["whole"])
        phrasings = Phrasings(
            docs=docs,
            owners=tuple(data["owners"]),
            whole=whole,
            question_codes=tuple(frozenset(codes) for codes in data["question_codes"]),
            all_codes=tuple(frozenset(codes) for codes in data["all_codes"]),
            intents=tuple(data["intents"]),
            vocabulary=tuple(data["vocabulary"]),
        )
    except Exception:  # foreign or damaged content behind a valid checksum: prepare again, rewrite
        return None
    if len(phrasings.docs) != len(phrasings.owners) or not (
        len(phrasings.whole) == len(phrasings.all_codes) == len(phrasings.question_codes) == len(phrasings.intents)
    ):
        return None
    return phrasings
