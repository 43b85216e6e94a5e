"""The one API every front end uses: :meth:`Faqbot.answer` returns a structured :class:`Answer`.

The CLI (``--json`` prints ``Answer.to_dict()``), the chat app, the transcript runner and the
evaluation all call this, so they can never disagree about an answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from faqbot.codes import CodeScan, close_codes, recognize
from faqbot.knowledge import load_knowledge
from faqbot.model import CodeCard, Entry, KnowledgeBase
from faqbot.question_context import read_context
from faqbot.ranking import Ranker, Scored
from faqbot.text_index import default_cache_dir
from faqbot.rules import VERDICT_WORDS, RuleChecker, RuleCheck, SourceRef, _jsonable, setting_label

Status = Literal["answered", "no_match"]

# Below this combined score an entry is not trusted; see README "Quality" for how it was chosen.
MATCH_THRESHOLD = 0.35
MAX_SUGGESTIONS = 3
# Between an entry's text and the rule-check summary appended to it.
RULE_CHECK_SEPARATOR = "\n\nRule check for "


@dataclass(frozen=True, slots=True)
class Suggestion:
    entry_id: str
    question: str
    score: float


@dataclass(frozen=True, slots=True)
class Answer:
    """Everything faqbot says about one question. ``to_dict`` is the stable JSON shape."""

    question: str
    status: Status
    entry_id: str | None
    answer: str
    confidence: float
    codes: tuple[str, ...]
    unknown_codes: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]
    sources: tuple[SourceRef, ...]
    as_of: date
    rule_check: RuleCheck | None = None
    kind: str = "faq"  # faq | code_card | rule_check | out_of_scope | none
    misconception: str = ""
    notices: tuple[str, ...] = ()
    did_you_mean: dict[str, str] = field(default_factory=dict)
    modifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def direct_answer(self) -> str:
        """The answer's own text: without the rule-check summary that front ends show as a table."""
        if self.kind == "rule_check":
            return ""
        return self.answer.split(RULE_CHECK_SEPARATOR, 1)[0].strip()

    def to_dict(self) -> dict[str, Any]:
        data = _jsonable(asdict(self))
        data["rule_check"] = self.rule_check.to_dict() if self.rule_check else None
        data["confidence"] = round(self.confidence, 3)
        for suggestion in data["suggestions"]:
            suggestion["score"] = round(suggestion["score"], 3)
        return data


def code_card_text(card: CodeCard, as_of: date) -> str:
    """A code card as prose, with its status on ``as_of``."""
    parts = [f"{card.code} ({card.system}): {card.description}"]
    if card.unit:
        parts.append(f"Billing unit: {card.unit}.")
    if card.component:
        parts.append(f"Component: {card.component}.")
    parts.append(code_status_text(card, as_of))
    if card.note:
        parts.append(card.note)
    return " ".join(parts)


def code_status_text(card: CodeCard, as_of: date) -> str:
    status = card.status_on(as_of)
    if status == "deleted":
        replaced = f"; replaced by {', '.join(card.replaced_by)}" if card.replaced_by else ""
        how = "DELETED" if card.deletion_confirmed else "REPORTED DELETED (unconfirmed)"
        return f"Status on {as_of.isoformat()}: {how} on {card.deleted_on.isoformat()}{replaced}."
    if status == "not_yet_effective":
        return f"Status on {as_of.isoformat()}: not yet valid (effective {card.effective_from.isoformat()})."
    since = f" (since {card.effective_from.isoformat()})" if card.effective_from else ""
    return f"Status on {as_of.isoformat()}: active{since}."


def rule_check_text(check: RuleCheck) -> str:
    """One paragraph summing up a rule check: verdict first, then each non-trivial finding."""
    head = (
        f"Rule check for {', '.join(check.codes)}: {VERDICT_WORDS[check.verdict].upper()} "
        f"(date of service {check.dos.isoformat()}, {setting_label(check.setting)})."
    )
    reasons = [f.reason for f in check.findings if f.kind != "frequency"]
    return " ".join([head, *reasons])


_ALONE_OR_PAIR_KINDS = ("pair", "alone", "requires", "deleted", "not_yet_effective")


class Faqbot:
    """A loaded knowledge base with its fitted index and rule checker."""

    def __init__(self, kb: KnowledgeBase, *, cache_dir: Path | None = None) -> None:
        """``cache_dir``: keep the fitted index there between runs (None: fit every time)."""
        self.kb = kb
        self.known = frozenset(kb.codes)
        self.ranker = Ranker(kb.entries, self.known, abbreviations=kb.abbreviations, cache_dir=cache_dir)
        self.checker = RuleChecker(kb)

    @classmethod
    def from_path(cls, kb_dir: Path | None = None) -> "Faqbot":
        """Load, validate and index a knowledge folder, reusing a cached fitted index when there is one."""
        return cls(load_knowledge(kb_dir), cache_dir=default_cache_dir())

    def scan(self, text: str) -> CodeScan:
        return recognize(text, self.known)

    def check(
        self, codes: tuple[str, ...] | list[str], *, dos: date, setting: str = "any", alone: bool = False,
        scope: str | None = None,
    ) -> RuleCheck:
        return self.checker.check(codes, dos=dos, setting=setting, alone=alone, scope=scope)

    def _sources(self, ids: tuple[str, ...]) -> tuple[SourceRef, ...]:
        return self.checker.sources(ids)

    def _suggestions(self, ranked: list[Scored], skip: str | None = None) -> tuple[Suggestion, ...]:
        return tuple(
            Suggestion(s.entry_id, self.kb.entries_by_id[s.entry_id].question, s.score)
            for s in ranked
            if s.entry_id != skip
        )[:MAX_SUGGESTIONS]

    def _notices(self, scan: CodeScan, as_of: date) -> tuple[str, ...]:
        notes: list[str] = []
        for code in scan.codes:
            card = self.kb.codes[code]
            if card.status_on(as_of) == "deleted":
                replaced = f" For later dates of service use {', '.join(card.replaced_by)}." if card.replaced_by else ""
                when = card.deleted_on.isoformat()
                if card.deletion_confirmed:
                    notes.append(f"{code} was deleted on {when}.{replaced}")
                else:
                    notes.append(f"{code} is reported deleted on {when} (secondary sources only; confirm with your MAC).{replaced}")
            elif card.status_on(as_of) == "not_yet_effective":
                notes.append(f"{code} is not valid before {card.effective_from.isoformat()}.")
        for typed, guess in scan.did_you_mean.items():
            notes.append(f"{typed} is not in our code table. Did you mean {guess}?")
        for code in scan.unknown:
            if code not in scan.did_you_mean:
                close = close_codes(code, self.known)
                hint = f" Codes one digit away: {', '.join(close)}." if close else ""
                notes.append(f"{code} is not in our code table, so faqbot has no answer about it.{hint}")
        return tuple(notes)

    def _trusted_entry(
        self, best: Scored | None, scan: CodeScan, check: RuleCheck | None, threshold: float
    ) -> Entry | None:
        """The best entry, when it scores at least ``threshold`` and may answer this question."""
        if best is None or best.score < threshold:
            return None
        candidate = self.kb.entries_by_id[best.entry_id]
        # A rule question is answered by an entry only when the entry's answer covers every code asked.
        if check is not None and not set(scan.codes) <= set(candidate.codes):
            return None
        # With an unknown code in the question, an entry about a code the user did not name is
        # probably about the code they mistyped: never answer with another code's entry.
        if scan.unknown and self.ranker.question_codes_of(candidate.id) - set(scan.codes):
            return None
        return candidate

    def _entry_text(self, entry: Entry, scan: CodeScan, check: RuleCheck | None, as_of: date) -> str:
        """The entry's answer, plus the card of each asked code its question doesn't name (a family-level
        entry found through an alternate), plus the rule-check summary."""
        if check is not None:
            return f"{entry.answer}\n\n{rule_check_text(check)}"  # rule_check_text begins RULE_CHECK_SEPARATOR's words
        named = self.ranker.question_codes_of(entry.id)
        cards = [self.kb.codes[c] for c in scan.codes if c not in named]
        return "\n\n".join([entry.answer, *(code_card_text(card, as_of) for card in cards)])

    def answer(
        self, question: str, *, as_of: date | None = None, setting: str | None = None, threshold: float = MATCH_THRESHOLD
    ) -> Answer:
        """Answer one question as of a date (default today). Never raises on any text."""
        as_of = as_of or date.today()
        scan = self.scan(question)
        context = read_context(question)
        notices = self._notices(scan, as_of)
        base = dict(
            question=question, codes=scan.codes, unknown_codes=scan.unknown, as_of=as_of,
            notices=notices, did_you_mean=scan.did_you_mean, modifiers=scan.modifiers,
        )

        topic = None if scan.codes else next((t for t in self.kb.out_of_scope if t.matches(question)), None)
        if topic is not None:
            return Answer(
                status="no_match", entry_id=None, confidence=0.0, suggestions=(), sources=(),
                answer=" ".join((topic.message, *notices)), kind="out_of_scope", **base,
            )

        ranked = self.ranker.rank(question, scan.codes, limit=MAX_SUGGESTIONS + 1)
        check: RuleCheck | None = None
        if len(scan.codes) >= 2 or (len(scan.codes) == 1 and context.alone):
            check = self.check(
                scan.codes, dos=context.dos or as_of, setting=setting or context.setting or "any",
                alone=context.alone, scope=context.scope,
            )

        if scan.unknown and not scan.codes:
            return Answer(
                status="no_match", entry_id=None, confidence=0.0, suggestions=self._suggestions(ranked),
                sources=(), answer=" ".join(notices), kind="none", **base,
            )

        best = ranked[0] if ranked else None
        entry = self._trusted_entry(best, scan, check, threshold)
        if entry is not None and best is not None:
            return Answer(
                status="answered", entry_id=entry.id, confidence=best.score,
                answer=self._entry_text(entry, scan, check, as_of),
                suggestions=self._suggestions(ranked, skip=entry.id), sources=self._sources(entry.sources),
                rule_check=check, kind="faq", misconception=entry.misconception, **base,
            )

        if check is not None:
            decided = [f for f in check.findings if f.kind in _ALONE_OR_PAIR_KINDS]
            covered = sum(1 for f in decided if f.verdict != "unknown")
            source_ids: list[str] = []
            for finding in check.findings:
                source_ids.extend(s.id for s in finding.sources if s.id not in source_ids)
            return Answer(
                status="answered", entry_id=None, confidence=covered / len(decided) if decided else 0.0,
                answer=rule_check_text(check), suggestions=self._suggestions(ranked), sources=self._sources(tuple(source_ids)),
                rule_check=check, kind="rule_check", **base,
            )

        if scan.codes:
            cards = [self.kb.codes[code] for code in scan.codes]
            source_ids = tuple(dict.fromkeys(s for card in cards for s in card.sources))
            return Answer(
                status="answered", entry_id=None, confidence=1.0,
                answer="\n\n".join(code_card_text(card, as_of) for card in cards),
                suggestions=self._suggestions(ranked), sources=self._sources(source_ids), kind="code_card", **base,
            )

        text = "I don't know: no entry in the knowledge base matches this question well enough."
        if ranked:
            text += " Did you mean one of the suggestions?"
        return Answer(
            status="no_match", entry_id=None, confidence=best.score if best else 0.0, answer=text,
            suggestions=self._suggestions(ranked), sources=(), kind="none", **base,
        )
