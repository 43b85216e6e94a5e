"""Draft entries: ``drafts.toml`` in a knowledge folder, written by ``faqbot curate draft``.

A draft is an ``[[entry]]`` in the usual format with its answer, sources or review date still
missing: validation reports it as "draft, not served". Once a person fills in the answer, at least
one source and ``reviewed``, the loader serves it like any entry (and validates it like one).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

DRAFTS_NAME = "drafts.toml"
DRAFTS_HEADER = """\
# Draft entries from `faqbot curate draft`: questions the help desk asked that no entry answers.
# A draft is not served until a person writes its answer (in our own words), cites at least one
# source id from sources/ and sets `reviewed` to the day they checked it (no quotes). Then
# `faqbot kb validate` checks it like any entry, and faqbot answers with it.

"""


def drafts_path(root: Path) -> Path:
    return root / DRAFTS_NAME


def missing_fields(data: dict[str, Any]) -> tuple[str, ...]:
    """What a draft still needs before it is served: ``answer``, ``sources``, ``reviewed``."""
    missing = []
    answer = data.get("answer")
    if not isinstance(answer, str) or not answer.strip():
        missing.append("answer")
    if not data.get("sources"):
        missing.append("sources")
    if data.get("reviewed") is None:
        missing.append("reviewed")
    return tuple(missing)


def is_complete(data: dict[str, Any]) -> bool:
    return not missing_fields(data)


def read_drafts(root: Path) -> list[dict[str, Any]]:
    """The ``[[entry]]`` tables of a folder's drafts file ([] without one, or when it is unreadable:
    the loader reports that)."""
    import tomllib  # here: answering from a cached knowledge base never parses TOML

    path = drafts_path(root)
    if not path.is_file():
        return []
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("entry", [])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def draft_notes(roots: Iterable[Path]) -> list[str]:
    """One line per draft not yet served, naming the file, the draft and what it still needs."""
    notes = []
    for root in roots:
        for data in read_drafts(root):
            missing = missing_fields(data)
            if missing:
                where = f"{root.name}/{DRAFTS_NAME}"
                notes.append(f"{where}: entry '{data.get('id', '?')}': draft, not served (needs {', '.join(missing)})")
    return notes


def drafted_questions(roots: Iterable[Path]) -> set[str]:
    """Every phrasing of every draft, as :func:`faqbot.curation.phrasing_key` keys them."""
    out: set[str] = set()
    for root in roots:
        for data in read_drafts(root):
            for text in (data.get("question"), *(data.get("alternates") or ())):
                if isinstance(text, str):
                    out.add(phrasing_key(text))
    return out


def phrasing_key(text: str) -> str:
    """A phrasing as the loader compares them: lower case, spaces folded, no trailing '?'."""
    return " ".join(text.lower().split()).rstrip("?")
