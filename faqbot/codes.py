"""Recognize billing codes in free text: CPT, HCPCS Level II, modifiers and ranges.

Tolerant of the ways people type codes ("g 6012", "G-6012", "77-014", "CPT® 77014", "77014-26",
"77261 through 77263"). Normalization is pure and never raises; knowing which codes exist is
left to :func:`recognize`, which takes the code table's codes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

# Modifiers that may follow a code after a space as well as after a hyphen.
KNOWN_MODIFIERS = frozenset(
    {"26", "TC", "59", "XE", "XS", "XP", "XU", "25", "76", "77", "91", "KX", "GA", "GY", "GZ", "LT", "RT"}
)
# HCPCS Level II first letters that may be separated from their digits by a space ("g 6012").
# "A" and "I" are left out: "a 2016 edit" is English, not A2016.
_SPACED_LETTERS = "BCDEGHJKLMPQRSTUVbcdeghjklmpqrstuv"

_CODE = (
    r"(?:"
    r"(?P<hcpcs>[A-Va-v]-?\d{4}|[" + _SPACED_LETTERS + r"]\s\d{4})"
    r"|(?P<cat>\d{4}[FTUftu])"
    r"|(?P<cpt>\d{5}|\d{2}-\d{3}|\d{3}-\d{2})"
    r")"
)
_CODE_RE = re.compile(r"(?<![\w.,])" + _CODE + r"(?![\w.,]\d|\w)")
_RANGE_JOIN_RE = re.compile(r"\s*(?:-|–|—|\bthrough\b|\bthru\b|\bto\b)\s*", re.IGNORECASE)
_MODIFIER_RE = re.compile(r"(?:\s*-\s*(?P<hyph>[A-Za-z0-9]{2})|\s+(?P<space>[A-Za-z0-9]{2}))(?![\w])")
_CLEAN_RE = re.compile(r"[®™©]|\bCPT\b|\bHCPCS\b", re.IGNORECASE)
# A code in normal form: CPT (five digits, or four and F/T/U) or HCPCS Level II (a letter, four digits).
CODE_FORM = r"(?:[0-9]{5}|[0-9]{4}[FTU]|[A-V][0-9]{4})"
_NORMAL_FORM = re.compile(rf"^{CODE_FORM}$")

MAX_RANGE_SPAN = 200
MAX_TO_RANGE_SPAN = 10


@dataclass(frozen=True, slots=True)
class CodeMention:
    """One code (or range) as written in the text."""

    raw: str
    start: int
    end: int
    code: str
    range_end: str = ""
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeScan:
    """The codes a text names, checked against a code table."""

    codes: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    modifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    did_you_mean: dict[str, str] = field(default_factory=dict)
    mentions: tuple[CodeMention, ...] = ()


def normalize_code(raw: str) -> str | None:
    """Return the normal form of one written code (``"g 6012"`` -> ``"G6012"``), or None."""
    text = _CLEAN_RE.sub("", raw).strip()
    compact = re.sub(r"[\s\-–]", "", text).upper()
    return compact if _NORMAL_FORM.match(compact) else None


def is_normal_code(code: str) -> bool:
    return bool(_NORMAL_FORM.match(code))


def _range_key(code: str) -> tuple[str, int] | None:
    """A (prefix, number) pair that orders codes of one kind; None if codes of this kind have no order."""
    if code[0].isalpha():
        return code[0], int(code[1:])
    if code[-1].isalpha():
        return code[-1], int(code[:-1])
    return "", int(code)


def expand_range(first: str, last: str, known: Iterable[str]) -> tuple[str, ...]:
    """Known codes from ``first`` to ``last`` inclusive (same kind of code), sorted."""
    a, b = _range_key(first), _range_key(last)
    if a is None or b is None or a[0] != b[0] or b[1] < a[1]:
        return ()
    return tuple(
        sorted(
            code
            for code in known
            if (key := _range_key(code)) is not None and key[0] == a[0] and a[1] <= key[1] <= b[1]
        )
    )


def find_mentions(text: str) -> list[CodeMention]:
    """Every code, range and attached modifier in ``text``, in order. Never raises."""
    mentions: list[CodeMention] = []
    pos = 0
    while True:
        match = _CODE_RE.search(text, pos)
        if match is None:
            return mentions
        code = normalize_code(match.group(0))
        end = match.end()
        if code is None:
            pos = end
            continue
        range_end = ""
        join = _RANGE_JOIN_RE.match(text, end)
        if join is not None:
            second = _CODE_RE.match(text, join.end())
            other = normalize_code(second.group(0)) if second else None
            if second and other and _is_range(code, other, join.group(0)):
                range_end, end = other, second.end()
        modifiers: list[str] = []
        while True:
            mod = _MODIFIER_RE.match(text, end)
            if mod is None:
                break
            value = (mod.group("hyph") or mod.group("space")).upper()
            if mod.group("space") and value not in KNOWN_MODIFIERS:
                break
            if mod.group("hyph") and not (value in KNOWN_MODIFIERS or value.isalpha()):
                break
            modifiers.append(value)
            end = mod.end()
        mentions.append(CodeMention(text[match.start() : end], match.start(), end, code, range_end, tuple(modifiers)))
        pos = end


_EXPLICIT_RANGE_JOIN_RE = re.compile(r"\s*(?:-|–|—|\bthrough\b|\bthru\b)\s*", re.IGNORECASE)


def range_problems(text: str) -> list[str]:
    """Ranges written in ``text`` (``A-B``, ``A through B``) that are not read as ranges, each with
    the reason: reversed, wider than :data:`MAX_RANGE_SPAN`, or mixing kinds of code. Recognition
    reads such text as two separate codes; a caller that was given a range (``faqbot lookup``) says
    so instead of silently showing only the two ends."""
    problems: list[str] = []
    for match in _CODE_RE.finditer(text):
        first = normalize_code(match.group(0))
        join = _EXPLICIT_RANGE_JOIN_RE.match(text, match.end())
        second = _CODE_RE.match(text, join.end()) if join else None
        last = normalize_code(second.group(0)) if second else None
        if join is None or second is None or first is None or last is None or _is_range(first, last, join.group(0)):
            continue
        written = text[match.start() : second.end()].strip()
        a, b = _range_key(first), _range_key(last)
        if a is None or b is None or a[0] != b[0]:
            problems.append(
                f"{written}: the two ends are different kinds of code; a range runs between codes of one kind"
            )
        elif b[1] < a[1]:
            problems.append(f"{written}: the range is reversed; write {last}-{first}")
        elif b[1] == a[1]:
            problems.append(f"{written}: the range starts and ends with the same code; write {first}")
        else:
            problems.append(
                f"{written}: a range may span at most {MAX_RANGE_SPAN} numbers (this one spans "
                f"{b[1] - a[1]}); split it or name a family"
            )
    return problems


def _is_range(first: str, last: str, joiner: str) -> bool:
    a, b = _range_key(first), _range_key(last)
    if a is None or b is None or a[0] != b[0] or b[1] <= a[1]:
        return False
    limit = MAX_TO_RANGE_SPAN if joiner.strip().lower() == "to" else MAX_RANGE_SPAN
    return b[1] - a[1] <= limit


def close_codes(code: str, known: Collection[str], *, limit: int = 5) -> tuple[str, ...]:
    """Known codes a single edit away from ``code``: the first ``limit`` in sorted order (the same ones
    every run, whatever the order of ``known``)."""
    close = process.extract(code, known, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
    return tuple(sorted(c for c, _, _ in close)[:limit])


def suggest_code(code: str, known: Collection[str]) -> str | None:
    """The one known code a single edit away from ``code``; None when there are none or several."""
    close = close_codes(code, known, limit=2)
    return close[0] if len(close) == 1 else None


_SPACED_CPT_RE = re.compile(r"(?<![\w.,])(\d{2}) (\d{3})(?![\w.,]\d|\w)")


def _spaced_known(text: str, known: Collection[str]) -> list[CodeMention]:
    """CPT codes typed with a space inside ("77 301"), taken only when the code is known."""
    return [
        CodeMention(m.group(0), m.start(), m.end(), m.group(1) + m.group(2))
        for m in _SPACED_CPT_RE.finditer(text)
        if m.group(1) + m.group(2) in known
    ]


# A CPT code typed with a letter for a look-alike digit ("7730l", "77O14"): five characters, at least
# three of them digits, only l/I/O besides.
_LOOKALIKE_RE = re.compile(r"(?<![\w.,])(?=[0-9lIoO]{5}(?![\w.,]\d|\w))(?=(?:[lIoO]*[0-9]){3})[0-9]*[lIoO][0-9lIoO]*")
_LOOKALIKE_DIGITS = str.maketrans("lIoO", "1100")


def _lookalikes(text: str, known: Collection[str]) -> dict[str, str]:
    """Tokens that read as a known CPT code once look-alike letters are digits: {as typed: the code}."""
    return {
        m.group(0): code
        for m in _LOOKALIKE_RE.finditer(text)
        if (code := m.group(0).translate(_LOOKALIKE_DIGITS)) in known
    }


def mentions_of_known(text: str, known: Collection[str]) -> list[CodeMention]:
    """:func:`find_mentions` plus known CPT codes typed with a space inside, in text order."""
    return sorted(find_mentions(text) + _spaced_known(text, known), key=lambda m: m.start)


def recognize(text: str, known: Collection[str]) -> CodeScan:
    """Codes named in ``text``: known ones (ranges expanded), unknown ones, modifiers, did-you-mean."""
    found: list[str] = []
    unknown: list[str] = []
    modifiers: dict[str, tuple[str, ...]] = {}
    did_you_mean: dict[str, str] = {}
    mentions = mentions_of_known(text, known)
    for mention in mentions:
        if mention.range_end:
            expanded = expand_range(mention.code, mention.range_end, known)
            for ends in (mention.code, mention.range_end):
                if ends not in known and ends not in unknown:
                    unknown.append(ends)
            found.extend(code for code in expanded if code not in found)
            continue
        if mention.code in known:
            if mention.code not in found:
                found.append(mention.code)
            if mention.modifiers:
                modifiers[mention.code] = mention.modifiers
        elif mention.code not in unknown:
            unknown.append(mention.code)
            guess = suggest_code(mention.code, known)
            if guess is not None:
                did_you_mean[mention.code] = guess
    # "7730l": not a code as typed (so not in ``unknown``), but did you mean 77301?
    did_you_mean.update(_lookalikes(text, known))
    return CodeScan(tuple(found), tuple(unknown), modifiers, did_you_mean, tuple(mentions))
