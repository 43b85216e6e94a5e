"""Read the billing context a question states: date of service, setting, scope, "alone"."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from faqbot.codes import CodeMention
from faqbot.rules import POS_SETTINGS

_ISO_DATE = re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")
_US_DATE = re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d{2})\b")
_YEAR = re.compile(r"\b(?:in|for|during|since|year|dos|cy|of|as of)\s+(?P<y>(?:19|20)\d{2})\b", re.IGNORECASE)
_BARE_YEAR = re.compile(r"(?<![\w-])(?P<y>20[0-4]\d)(?![\w-])")
_ALONE = re.compile(
    r"\b(alone|by itself|on its own|without|standalone|stand-alone|stand alone|by themselves|solo)\b", re.IGNORECASE
)
_HOSPITAL = re.compile(r"\b(hospital|outpatient|facility|hopd|opps|provider-based)\b", re.IGNORECASE)
_PRACTITIONER = re.compile(
    r"\b(freestanding|free-standing|free standing|office|physician fee schedule|mpfs|pfs|practitioner|physician office|private practice)\b",
    re.IGNORECASE,
)
# "77338 without 77301", "codes other than 77778": such a code is not billed, it is what the question leaves out.
_WITHOUT_BEFORE = re.compile(
    r"\b(?:without|w/o|other than|except(?: for)?|excluding)\s+(?:[\w-]+\s+){0,4}\(?\s*$", re.IGNORECASE
)
_WITHOUT = re.compile(r"\b(?:without|w/o)\b", re.IGNORECASE)
_POS = re.compile(r"\bpos\s*[:#=]?\s*(?P<pos>11|19|22)\b", re.IGNORECASE)
_SAME_DAY = re.compile(r"\bsame (?:day|date)\b", re.IGNORECASE)
_SAME_COURSE = re.compile(r"\bsame (?:course|plan)\b", re.IGNORECASE)

# A bare year stands for a date of service in the middle of that year.
YEAR_DAY = (7, 1)


@dataclass(frozen=True, slots=True)
class QuestionContext:
    """What a question says about its circumstances: date of service, setting, scope, alone or without."""

    dos: date | None = None
    setting: str | None = None
    scope: str | None = None
    alone: bool = False
    without: bool = False  # the question says a code is billed without something ("77338 without an IMRT plan")


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def codes_left_out(question: str, mentions: Iterable[CodeMention]) -> frozenset[str]:
    """Codes the question says are not billed ("without 77301", "w/o a 77301")."""
    return frozenset(m.code for m in mentions if _WITHOUT_BEFORE.search(question[max(0, m.start - 40) : m.start]))


_PARENTHETICAL = re.compile(r"\([^)]*\)")
_CHOICE_BETWEEN = re.compile(r"^[\s,]*(?:or|either)?[\s,]*$", re.IGNORECASE)
_OR = re.compile(r"\bor\b", re.IGNORECASE)
_OR_AFTER = re.compile(r"^[\s,]*or\b", re.IGNORECASE)


def offers_choice(question: str, mentions: Sequence[CodeMention]) -> bool:
    """Whether the question offers its codes as alternatives ("77402 or 77407", "as a 77305 (simple
    isodose plan), 77300 (basic dosimetry) or another code"): it asks which one, not whether they
    go together. Parentheses (a code's name) between the codes are skipped."""
    if len(mentions) < 2:
        return False
    gaps = [_PARENTHETICAL.sub(" ", question[a.end : b.start]) for a, b in zip(mentions, mentions[1:])]
    if not all(_CHOICE_BETWEEN.match(gap) for gap in gaps):
        return False
    after = _PARENTHETICAL.sub(" ", question[mentions[-1].end : mentions[-1].end + 60])
    return any(_OR.search(gap) for gap in gaps) or bool(_OR_AFTER.match(after))


_LIST_JOINER = re.compile(r"^[\s,/]*(?:(?:or|and|e\.g\.|eg|such as)[\s,]*)?$", re.IGNORECASE)


def alternative_groups(question: str, mentions: Sequence[CodeMention]) -> tuple[frozenset[str], ...]:
    """Codes listed together in parentheses as examples of one service ("77295 with simulation (77280,
    77285, 77290)"): each is billed with the others' partner, not with the others. Each group has two
    or more codes, and its parentheses hold nothing but those codes and list words."""
    groups: list[frozenset[str]] = []
    for match in _PARENTHETICAL.finditer(question):
        inside = [m for m in mentions if match.start() < m.start and m.end < match.end()]
        if len(inside) < 2:
            continue
        gaps = [question[a.end : b.start] for a, b in zip(inside, inside[1:])]
        edges = (question[match.start() + 1 : inside[0].start], question[inside[-1].end : match.end() - 1])
        if all(_LIST_JOINER.match(gap) for gap in (*gaps, *edges)):
            groups.append(frozenset(m.code for m in inside))
    return tuple(groups)


def read_context(question: str) -> QuestionContext:
    """The date of service, setting, scope and 'alone' a question states (None where it doesn't)."""
    dos: date | None = None
    for pattern in (_ISO_DATE, _US_DATE):
        match = pattern.search(question)
        if match:
            dos = _safe_date(int(match["y"]), int(match["m"]), int(match["d"]))
            break
    if dos is None:
        match = _YEAR.search(question) or _BARE_YEAR.search(question)
        if match:
            dos = date(int(match["y"]), *YEAR_DAY)
    hospital = bool(_HOSPITAL.search(question))
    practitioner = bool(_PRACTITIONER.search(question))
    setting = "hospital" if hospital and not practitioner else "practitioner" if practitioner and not hospital else None
    if pos := _POS.search(question):  # place of service: 11 office / freestanding, 19 and 22 hospital outpatient
        setting = POS_SETTINGS[pos["pos"]]
    scope = "same day" if _SAME_DAY.search(question) else "same course" if _SAME_COURSE.search(question) else None
    return QuestionContext(dos, setting, scope, bool(_ALONE.search(question)), bool(_WITHOUT.search(question)))
