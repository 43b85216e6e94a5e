"""The one API every front end uses: :meth:`Faqbot.answer` returns a structured :class:`Answer`.

The CLI (``--json`` prints ``Answer.to_dict()``), the chat app, the transcript runner and the
evaluation all call this, so they can never disagree about an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from faqbot.codes import CodeScan, close_codes, find_mentions, range_problems, recognize
from faqbot.kb_cache import load_knowledge_cached
from faqbot.kb_weights import WeightsFileError, load_kb_weights
from faqbot.knowledge import KnowledgeError, KnowledgePath, Problem, default_kb_dir
from faqbot.model import CodeCard, Entry, KnowledgeBase
from faqbot.question_context import alternative_groups, codes_left_out, offers_choice, read_context
from faqbot.question_reading import (
    QuestionReading,
    asked_codes,
    asking_parts,
    modifiers_named,
    read_question,
    text_covers,
)
from faqbot.ranking import Ranker, RankingWeights, Scored, question_intent
from faqbot.rules import LOCAL_POLICY, VERDICT_WORDS, RuleCheck, RuleChecker, SourceRef, _iso, jsonable, setting_label
from faqbot.text_index import default_cache_dir

Status = Literal["answered", "no_match"]

# An as-of date this long after the newest review, or before the code history starts, gets a notice.
STALE_AFTER = timedelta(days=365)
HISTORY_FROM = date(2009, 1, 1)
# Below this combined score an entry is not trusted; see README "Quality" for how it was chosen.
MATCH_THRESHOLD = 0.35
MAX_SUGGESTIONS = 3
# Between an entry's text and the rule-check summary appended to it.
RULE_CHECK_SEPARATOR = "\n\nRule check for "
# Confidence labels, best first: (lowest confidence, label). One set for every front end; chosen so
# that "high" answers are right at least 95% of the time on real questions (README, "Quality").
MEDIUM = 0.5
HIGH = 0.8
CONFIDENCE_LEVELS: tuple[tuple[float, str], ...] = ((HIGH, "high"), (MEDIUM, "medium"), (0.0, "low"))
# A close call is never "high": an entry that leads the next-best entry by less than CLEAR_LEAD is at
# most CLOSE_CALL_CONFIDENCE. Chosen on the dev sets by leaving each question's right entries out
# (the knowledge base lacking the asked point, as it does for many real questions): the entry then
# answered "high" led the next by at most 0.13, while most right "high" answers lead by more.
CLEAR_LEAD = 0.15
CLOSE_CALL_CONFIDENCE = 0.75
# A code card answers "what is X" (a definition question, or the bare code) for sure; for any other
# question it is the nearest thing faqbot has, shown when no entry answers: as likely as not to
# answer the question ("medium" at most, like the two caps below).
CODE_CARD_CONFIDENCE: dict[str | None, float] = {"definition": 1.0}
CODE_CARD_OTHER_ASPECT_CONFIDENCE = MEDIUM
# A rule-check verdict resting only on vendor or other sources is never more than "medium".
WEAKLY_SOURCED_CONFIDENCE = MEDIUM
# A family's definition entry, rather than the code's card, answers "what is X" only from "medium" up.
FAMILY_ENTRY_FLOOR = MEDIUM
# A post's other question is listed with its entry only from "medium" up: a sentence read alone
# ("Also, is that allowed?") can lack what it refers to.
ALSO_ASKED_FLOOR = MEDIUM
# A question without a code and with at most this many words is too short to answer: faqbot asks.
CLARIFY_MAX_WORDS = 2
# Aspects an entry must speak to before it answers a question that asks about them: an entry on the
# right code but another aspect is shown as context, not as the answer.
GATED_ASPECTS: dict[str, str] = {
    "documentation": "what must be documented, or who must perform, supervise or sign,",
    "timing": "this timing question (when in a course, or after it)",
    "payment": "how this is paid",
    "coverage": "coverage or prior authorization",
    "modifier": "this modifier question",
}


_WORDS = re.compile(r"\w+")
# The aspects of an entry that may answer whether codes go together when none asks about exactly them.
_SAYS_WHAT_GOES_TOGETHER = frozenset({"combination", "definition", "scenario", "setting"})
_SAYS_MODIFIER = re.compile(r"\bmod(?:ifier)?s?\b", re.IGNORECASE)


def _gap(reading: QuestionReading) -> str | None:
    """What the question asks that an entry must speak to (a gated aspect), in words, or None."""
    if reading.aspect == "modifier" and (named := modifiers_named(reading.focus)):
        return "modifier " + ", ".join(sorted(named))
    return GATED_ASPECTS.get(reading.aspect or "")


def _speaks_to(entry: Entry, reading: QuestionReading) -> bool:
    """Whether an entry answers the aspect the question asks about (its own aspect, or its text speaks
    to it). A question about a named modifier ("what is modifier 59") needs an entry about that
    modifier: its aspect is modifiers and its text names it, or its own question names it."""
    if reading.aspect == "modifier" and modifiers_named(reading.focus):
        named = modifiers_named(reading.focus)
        return bool(named & modifiers_named(entry.question)) or (
            entry.aspect == "modifier" and text_covers("modifier", entry.answer, reading.focus)
        )
    return (
        reading.aspect is None
        or entry.aspect == reading.aspect
        or text_covers(reading.aspect, entry.answer, reading.focus)
    )


def close_call_notice(runner_up: Suggestion) -> str:
    """What a close call says: the next-best entry, which may be the one that answers."""
    return (
        f'Close call: another entry scored nearly as high, "{runner_up.question}" ({runner_up.entry_id}). '
        "If this answer is not what you asked, look at that one and the related questions."
    )


def confidence_level(confidence: float) -> str:
    """``high``, ``medium`` or ``low``: the label (and colour) of a confidence, from :data:`CONFIDENCE_LEVELS`."""
    return next(label for floor, label in CONFIDENCE_LEVELS if confidence >= floor)


_YES = ("yes", "generally yes", "usually yes", "allowed")
_NO = ("no", "generally no", "usually no", "not ")


# "For Medicare, yes: ..." / "In a freestanding center, no: ...": a yes or no for one setting or payer.
_QUALIFIER = re.compile(r"^(?:for|in|under) [^,.:;]{1,40}, (?=(?:generally |usually )?(?:yes|no)\b)")


def opening_stance(text: str) -> str | None:
    """``yes`` or ``no`` when a text opens with a yes/no answer (also one qualified by a setting or
    payer: "For Medicare, yes"), else None."""
    opening = _QUALIFIER.sub("", text.lstrip().lower(), count=1)
    if any(opening.startswith(word) and not opening[len(word) : len(word) + 1].isalpha() for word in _YES):
        return "yes"
    if any(
        opening.startswith(word) and (word.endswith(" ") or not opening[len(word) : len(word) + 1].isalpha())
        for word in _NO
    ):
        return "no"
    return None


def contradicts(text: str, verdict: str) -> bool:
    """Whether an answer's opening words say the opposite of a rule-check verdict."""
    stance = opening_stance(text)
    return (stance == "yes" and verdict == "not_allowed") or (stance == "no" and verdict == "allowed")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Another entry close to the question, with its score."""

    entry_id: str
    question: str
    score: float


@dataclass(frozen=True, slots=True)
class AlsoAsked:
    """Another question a long post asks, and the entry that answers it on its own."""

    part: str  # the post's sentence(s) that ask it
    entry_id: str
    question: str  # the entry's question
    confidence: float


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
    kind: str = "faq"  # faq | code_card | rule_check | out_of_scope | not_covered | unknown_code | clarify | none
    misconception: str = ""
    notices: tuple[str, ...] = ()
    did_you_mean: dict[str, str] = field(default_factory=dict)
    modifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    aspect: str | None = None  # what the question asks about its codes (documentation, timing ...)
    focus: str = ""  # the sentences of a long post that ask the question ("" when the whole text does)
    also_asked: tuple[AlsoAsked, ...] = ()  # the other questions of a long post, each with its own entry

    @property
    def confidence_level(self) -> str:
        return confidence_level(self.confidence) if self.status == "answered" else "none"

    @property
    def direct_answer(self) -> str:
        """The answer's own text: without the rule-check summary that front ends show as a table."""
        if self.kind == "rule_check":
            return ""
        return self.answer.split(RULE_CHECK_SEPARATOR, 1)[0].strip()

    def to_dict(self) -> dict[str, Any]:
        """Every field in order (dates as ISO text, tuples as lists), the rule check converted once, by
        its own ``to_dict``, scores rounded, then ``confidence_level``; no ``dataclasses.asdict`` deep copy."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            data[f.name] = value.to_dict() if isinstance(value, RuleCheck) else jsonable(value)
        return with_rounded_scores(data, self)


def with_rounded_scores(data: dict[str, Any], answer: Answer) -> dict[str, Any]:
    """An answer's JSON data with its scores rounded to 3 places and ``confidence_level`` added."""
    data["confidence"] = round(answer.confidence, 3)
    data["confidence_level"] = answer.confidence_level
    for suggestion in data["suggestions"]:
        suggestion["score"] = round(suggestion["score"], 3)
    for other in data["also_asked"]:
        other["confidence"] = round(other["confidence"], 3)
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
        return f"Status on {as_of.isoformat()}: {how} on {_iso(card.deleted_on)}{replaced}."
    if status == "not_yet_effective":
        return f"Status on {as_of.isoformat()}: not yet valid (effective {_iso(card.effective_from)})."
    since = f" (since {_iso(card.effective_from)})" if card.effective_from else ""
    return f"Status on {as_of.isoformat()}: active{since}."


def rule_check_text(check: RuleCheck) -> str:
    """One paragraph summing up a rule check: the verdict on what was asked first, then each
    non-trivial finding about it, then what else was found among the other codes named."""
    asked = check.asked_codes or check.codes
    head = (
        f"Rule check for {', '.join(asked)}: {VERDICT_WORDS[check.verdict].upper()} "
        f"(date of service {check.dos.isoformat()}, {setting_label(check.setting)})."
    )
    reasons = [f.reason for f in check.findings if f.kind != "frequency" and f.asked]
    others = [f.reason for f in check.findings if f.kind != "frequency" and not f.asked and f.verdict != "unknown"]
    if others:
        others.insert(0, "Also found among the other codes named:")
    return " ".join([head, *reasons, *others])


_ALONE_OR_PAIR_KINDS = ("pair", "alone", "requires", "deleted", "not_yet_effective")


class Faqbot:
    """A loaded knowledge base with its fitted index and rule checker."""

    def __init__(
        self, kb: KnowledgeBase, *, cache_dir: Path | None = None, weights: RankingWeights | None = None
    ) -> None:
        """``cache_dir``: keep the fitted index there between runs (None: fit every time). ``weights``:
        the ranking weights (default: the knowledge folder's own ``ranking_weights.toml``, else the
        package's)."""
        self.kb = kb
        self.known = frozenset(kb.codes)
        if weights is None:
            try:
                weights = load_kb_weights(kb.roots)
            except WeightsFileError as exc:
                raise KnowledgeError(
                    [Problem(str(exc).split(": ", 1)[0], "", "", str(exc).split(": ", 1)[-1])]
                ) from None
        self.ranker = Ranker(
            kb.entries, self.known, abbreviations=kb.abbreviations, cache_dir=cache_dir, weights=weights
        )
        self.checker = RuleChecker(kb)
        self.reviewed_until = max((entry.reviewed for entry in kb.entries), default=date.min)

    @classmethod
    def from_path(cls, kb_dir: KnowledgePath | None = None) -> Faqbot:
        """Load, validate and index a knowledge folder, reusing a cached fitted index when there is one."""
        cache_dir = default_cache_dir()
        return cls(load_knowledge_cached(kb_dir or default_kb_dir(), cache_dir), cache_dir=cache_dir)

    def scan(self, text: str) -> CodeScan:
        return recognize(text, self.known)

    def check(
        self,
        codes: tuple[str, ...] | list[str],
        *,
        dos: date,
        setting: str = "any",
        alone: bool = False,
        scope: str | None = None,
        asked: tuple[str, ...] = (),
        modifiers: dict[str, tuple[str, ...]] | None = None,
        pos: str = "",
        course_codes: tuple[str, ...] | None = None,
        alternatives: tuple[frozenset[str], ...] = (),
    ) -> RuleCheck:
        return self.checker.check(
            codes,
            dos=dos,
            setting=setting,
            alone=alone,
            scope=scope,
            asked=asked,
            modifiers=modifiers,
            pos=pos,
            course_codes=course_codes,
            alternatives=alternatives,
        )

    def _sources(self, ids: tuple[str, ...]) -> tuple[SourceRef, ...]:
        return self.checker.sources(ids)

    def _suggestions(self, ranked: list[Scored], skip: str | None = None) -> tuple[Suggestion, ...]:
        return tuple(
            Suggestion(s.entry_id, self.kb.entries_by_id[s.entry_id].question, s.score)
            for s in ranked
            if s.entry_id != skip
        )[:MAX_SUGGESTIONS]

    def _notices(self, scan: CodeScan, as_of: date, question: str = "", dos: date | None = None) -> tuple[str, ...]:
        # A range that is reversed or too wide is read as two separate codes: say so, never silently.
        notes: list[str] = [f"{problem}; it is read as two separate codes." for problem in range_problems(question)]
        if as_of > self.reviewed_until + STALE_AFTER:
            notes.append(
                f"Answers are as of {as_of.isoformat()}, but the knowledge base was last reviewed on "
                f"{self.reviewed_until.isoformat()}: later code, rule and payer changes are not known."
            )
        elif as_of < HISTORY_FROM:
            notes.append(
                f"Answers are as of {as_of.isoformat()}: faqbot's code history starts around "
                f"{HISTORY_FROM.year}, so older codes and rules may be missing."
            )
        day = dos or as_of  # a code's status on the date of service the question states, else as of
        for code in scan.codes:
            card = self.kb.codes[code]
            if card.status_on(day) == "deleted":
                replaced = f" For later dates of service use {', '.join(card.replaced_by)}." if card.replaced_by else ""
                when = _iso(card.deleted_on)
                if card.deletion_confirmed:
                    notes.append(f"{code} was deleted on {when}.{replaced}")
                else:
                    notes.append(
                        f"{code} is reported deleted on {when} (secondary sources only; confirm with your MAC).{replaced}"
                    )
            elif card.status_on(day) == "not_yet_effective":
                notes.append(f"{code} is not valid before {_iso(card.effective_from)}.")
        for typed, guess in scan.did_you_mean.items():
            notes.append(f"{typed} is not in our code table. Did you mean {guess}?")
        for code in scan.unknown:
            if code not in scan.did_you_mean:
                close = close_codes(code, self.known)
                hint = f" Codes one digit away: {', '.join(close)}." if close else ""
                notes.append(f"{code} is not in our code table, so faqbot has no answer about it.{hint}")
        return tuple(notes)

    def _trusted_entry(
        self,
        best: Scored | None,
        codes: tuple[str, ...],
        scan: CodeScan,
        check: RuleCheck | None,
        threshold: float,
        intent: str,
        unknown: tuple[str, ...],
    ) -> Entry | None:
        """The best entry, when it scores at least ``threshold`` and may answer this question."""
        if best is None or best.score < threshold:
            return None
        candidate = self.kb.entries_by_id[best.entry_id]
        # A question about two or more codes (a rule check, a difference) is answered by an entry only
        # when the entry's answer covers every code asked, and its opening words do not say the
        # opposite of the verdict.
        pair_question = check is not None or (intent == "difference" and len(codes) >= 2)
        if pair_question and not set(codes) <= set(candidate.codes):
            return None
        if check is not None and contradicts(candidate.answer, check.verdict):
            return None
        own_codes = self.ranker.question_codes_of(candidate.id)
        # "X vs Y" asks how those codes differ: an entry whose own question is about other codes (that
        # merely mentions X and Y) answers another question; the codes' cards answer this one. A family's
        # definition entry that describes both codes and whose question names no other code ("What are
        # the proton codes?") does answer it.
        family_definition = (
            candidate.aspect == "definition" and set(codes) <= set(candidate.codes) and own_codes <= set(codes)
        )
        if intent == "difference" and len(codes) >= 2 and not set(codes) <= own_codes and not family_definition:
            return None
        # With an unknown code in the question, an entry about a code the user did not name is
        # probably about the code they mistyped: never answer with another code's entry.
        if unknown and own_codes - set(scan.codes):
            return None
        # An entry about other codes (it names codes, none of those asked, in its answer's codes or its
        # phrasings) answers another question: the asked codes' cards are nearer (a deleted code's card
        # says so and names what replaced it).
        if codes and candidate.codes and best.code_score == 0 and not set(codes) & set(candidate.codes):
            return None
        return candidate

    def _answering(
        self,
        speaking: list[tuple[Scored, Entry]],
        reading: QuestionReading,
        codes: tuple[str, ...],
        check: RuleCheck | None,
        intent: str,
    ) -> list[tuple[Scored, Entry]]:
        """The trusted entries that speak to the question, narrowed to those that answer what it asks:
        "what is X" wants a definition of X, a story no definition, "what is modifier 59" the entry on
        59, codes billed together the entry on that combination (or one that could say so)."""
        if reading.aspect == "definition" and codes:
            # "What is 77372?": an entry about another point of that code (units, timing ...) is not a
            # definition; the code's own card is.
            speaking = [(scored, entry) for scored, entry in speaking if entry.aspect == "definition"]
            # ... and the entry whose subject (first code) is X, else whose own question names X, defines
            # X better than one that only lists it ("What is C1717?" mentions 77770 but is about C1717);
            # a family's definition entry comes next.
            subject = [(sc, e) for sc, e in speaking if e.codes[:1] and e.codes[0] in codes]
            named = [(sc, e) for sc, e in speaking if self.ranker.question_codes_of(e.id) & set(codes)]
            # A family's entry answers "what is X" for one code only when its own question defines codes
            # and names no other ("What are the proton codes?"), as a medium match or better; else X's own card (certain)
            # is the better answer ("what is cpt 99214" is not the entry on which code a consult uses).
            family = [
                (sc, e)
                for sc, e in speaking
                if len(codes) > 1
                or (
                    sc.score >= FAMILY_ENTRY_FLOOR
                    and question_intent(e.question) == "definition"
                    # "What is C1717?" defines another code, not the family of the one asked.
                    and not self.ranker.question_codes_of(e.id) - set(codes)
                )
            ]
            speaking = subject or named or family
        asked_modifiers = modifiers_named(reading.focus)
        if reading.aspect == "modifier" and intent == "definition" and len(asked_modifiers) == 1:
            # "What is modifier 59": the entry whose own question is about modifier 59 beats one that only
            # mentions it (the X modifiers are subsets of 59).
            speaking = [(sc, e) for sc, e in speaking if asked_modifiers & modifiers_named(e.question)] or speaking
        if reading.long and reading.aspect is None:
            # A post that tells what happened and asks about it ("... the provider opted not to treat.
            # Can we still charge the 77014?") does not ask what a code is: a definition entry is not
            # its answer (the code's card, at most medium, is context).
            speaking = [(sc, e) for sc, e in speaking if e.aspect != "definition"]
        if check is not None and reading.aspect in (None, "combination"):
            # Codes billed together ask whether they combine: an entry whose own question asks whether
            # exactly these codes combine beats one that defines them; an entry on units, timing,
            # documentation ... of those codes answers another question (the verdict is nearer).
            speaking = [
                (sc, e)
                for sc, e in speaking
                if e.aspect == "combination" and set(codes) <= self.ranker.question_codes_of(e.id)
            ] or [(sc, e) for sc, e in speaking if e.aspect in _SAYS_WHAT_GOES_TOGETHER]
        return speaking

    def _entry_text(self, entry: Entry, codes: tuple[str, ...], check: RuleCheck | None, as_of: date) -> str:
        """The entry's answer, plus the card of each asked code its question doesn't name (a family-level
        entry found through an alternate), plus the rule-check summary."""
        if check is not None:
            return f"{entry.answer}\n\n{rule_check_text(check)}"  # rule_check_text begins RULE_CHECK_SEPARATOR's words
        named = self.ranker.question_codes_of(entry.id)
        cards = [self.kb.codes[c] for c in codes if c not in named]
        return "\n\n".join([entry.answer, *(code_card_text(card, as_of) for card in cards)])

    def _cards(self, codes: tuple[str, ...], as_of: date) -> tuple[str, tuple[str, ...]]:
        """The codes' cards as text, and their source ids."""
        cards = [self.kb.codes[code] for code in codes]
        return (
            "\n\n".join(code_card_text(card, as_of) for card in cards),
            tuple(dict.fromkeys(s for card in cards for s in card.sources)),
        )

    def answer(
        self,
        question: str,
        *,
        as_of: date | None = None,
        setting: str | None = None,
        threshold: float = MATCH_THRESHOLD,
        others: bool = True,
        without: frozenset[str] = frozenset(),
    ) -> Answer:
        """Answer one question as of a date (default today). Never raises on any text. A long post
        that asks several things is answered on what it asks as a whole; each other question it asks
        that an entry answers on its own is listed in ``also_asked`` (unless ``others`` is False:
        the evaluation's threshold sweep needs the main answer only). ``without``: entry ids to
        answer as if the knowledge base lacked them (the evaluation's left-out answers)."""
        as_of = as_of or date.today()
        main = self._answer_one(question, as_of=as_of, setting=setting, threshold=threshold, without=without)
        parts = asking_parts(question) if others and main.kind not in ("out_of_scope", "unknown_code") else ()
        if not parts:
            return main
        also: dict[str, AlsoAsked] = {}
        for part in parts:
            sub = self._answer_one(part, as_of=as_of, setting=setting, threshold=threshold, without=without)
            entry_id = sub.entry_id
            if sub.kind != "faq" or sub.confidence < ALSO_ASKED_FLOOR or entry_id is None:
                continue
            if entry_id != main.entry_id and entry_id not in also:
                also[entry_id] = AlsoAsked(part, entry_id, self.kb.entries_by_id[entry_id].question, sub.confidence)
        return replace(main, also_asked=tuple(also.values())) if also else main

    def _answer_one(
        self, question: str, *, as_of: date, setting: str | None, threshold: float, without: frozenset[str]
    ) -> Answer:
        """The answer to one question, read as a whole."""
        reading = read_question(question)
        scan = self.scan(question)
        codes = asked_codes(question, reading, self.known, whole=scan.codes)
        context = read_context(question)
        notices = self._notices(scan, as_of, question, dos=context.dos)
        base: dict[str, Any] = dict(
            question=question,
            codes=scan.codes,
            unknown_codes=scan.unknown,
            as_of=as_of,
            notices=notices,
            did_you_mean=scan.did_you_mean,
            modifiers=scan.modifiers,
            aspect=reading.aspect,
            focus=reading.focus if reading.long else "",
        )

        topic = next(
            (t for t in self.kb.out_of_scope if (t.even_with_codes or not scan.codes) and t.matches(question)), None
        )
        if topic is not None:
            return Answer(
                status="no_match",
                entry_id=None,
                confidence=0.0,
                suggestions=(),
                sources=(),
                answer=" ".join((topic.message, *notices)),
                kind="out_of_scope",
                **base,
            )

        intent = question_intent(reading.focus)
        check: RuleCheck | None = None
        mentions = find_mentions(question)
        billed = tuple(c for c in scan.codes if c not in codes_left_out(question, mentions))
        # A range ("77300-77334") names a family of codes, not codes billed together, unless the
        # question asks about billing them together.
        names_a_range = any(m.range_end for m in mentions) and intent not in ("together", "alone")
        # "77402 or 77407?" asks which code, not whether they go together.
        choice = offers_choice(question, mentions) and intent not in ("together", "alone")
        if (
            intent != "difference"
            and not names_a_range
            and not choice
            and (len(billed) >= 2 or (len(billed) == 1 and context.alone))
        ):
            check = self.check(
                billed,
                dos=context.dos or as_of,
                setting=setting or context.setting or "any",
                alone=context.alone and len(billed) == 1,
                scope=context.scope,
                asked=codes,
                modifiers=scan.modifiers,
                # "77338 without an IMRT plan": the course is what the question names, so a requirement
                # that spans the course is judged on it.
                course_codes=billed if context.without else None,
                alternatives=alternative_groups(question, mentions),
            )

        # The whole text is ranked (its story carries words the entries use); the asked codes and the
        # aspect come from the sentences that ask. Codes billed together with no other aspect named
        # ask whether they combine.
        aspect = reading.aspect or ("combination" if check is not None else None)
        ranked = self.ranker.rank(question, codes, limit=MAX_SUGGESTIONS + 1, aspect=aspect, without=without)
        if not scan.codes and not scan.unknown and len(_WORDS.findall(question)) <= CLARIFY_MAX_WORDS:
            return Answer(
                status="no_match",
                entry_id=None,
                confidence=0.0,
                suggestions=self._suggestions(ranked),
                sources=(),
                answer=(
                    "Could you say a little more? Name the code or codes and what you want to know about them "
                    "(what a code covers, how often it may be billed, what it may be billed with, documentation, "
                    "hospital or freestanding ...). Some questions faqbot can answer are listed below."
                ),
                kind="clarify",
                **base,
            )

        # An unknown code in the story of a long post (not in the sentences that ask) is context; in a
        # long post that asks about it, it stops the answer only when the question is whether codes combine.
        unknown = self.scan(reading.focus).unknown if reading.long else scan.unknown
        several = len(scan.codes) + len(unknown) >= 2 and not reading.long
        if unknown and (not scan.codes or intent in ("together", "alone") or several):
            text = " ".join(notices)
            cards, card_sources = self._cards(scan.codes, as_of)
            if scan.codes:
                text += (
                    f" faqbot cannot check {', '.join(scan.codes)} with a code it does not know. "
                    "What it knows about the codes it recognised:\n\n"
                ) + cards
            return Answer(
                status="no_match",
                entry_id=None,
                confidence=0.0,
                suggestions=self._suggestions(ranked),
                sources=self._sources(card_sources),
                answer=text,
                kind="unknown_code",
                **base,
            )

        best = ranked[0] if ranked else None
        gap = _gap(reading)
        trusted = [
            (scored, entry)
            for scored in ranked
            if (entry := self._trusted_entry(scored, codes, scan, check, threshold, intent, unknown)) is not None
        ]
        # The best trusted entry that speaks to what is asked; an entry on another aspect is context only.
        speaking = [(scored, entry) for scored, entry in trusted if gap is None or _speaks_to(entry, reading)]
        speaking = self._answering(speaking, reading, codes, check, intent)
        if not speaking and reading.aspect == "modifier" and scan.modifiers and not _SAYS_MODIFIER.search(question):
            # Only a modifier written onto a code ("what is 77012-26"): the code's best entry still
            # answers, and the notices say which modifier was split off.
            speaking = trusted[:1]
        if speaking:
            scored, entry = speaking[0]
            if entry.layer > 0:
                local = self.kb.roots[entry.layer].name
                base["notices"] = (
                    f"{LOCAL_POLICY}: this answer is your help desk's own entry (folder {local}), "
                    "not the shipped knowledge base.",
                    *notices,
                )
            confidence = scored.score
            suggestions = self._suggestions(ranked, skip=entry.id)  # the first is the runner-up
            if suggestions and confidence - suggestions[0].score < CLEAR_LEAD:
                confidence = min(confidence, CLOSE_CALL_CONFIDENCE)
                base["notices"] = (*base["notices"], close_call_notice(suggestions[0]))
            return Answer(
                status="answered",
                entry_id=entry.id,
                confidence=confidence,
                answer=self._entry_text(entry, codes, check, as_of),
                suggestions=suggestions,
                sources=self._sources(entry.sources),
                rule_check=check,
                kind="faq",
                misconception=entry.misconception,
                **base,
            )
        if trusted and gap is not None and check is None:
            return self._not_covered(gap, codes, ranked, as_of, base)

        if check is not None:
            decided = [f for f in check.findings if f.kind in _ALONE_OR_PAIR_KINDS and f.asked]
            covered = [f for f in decided if f.verdict != "unknown"]
            confidence = len(covered) / len(decided) if decided else 0.0
            if any(f.weakly_sourced for f in covered):
                confidence = min(confidence, WEAKLY_SOURCED_CONFIDENCE)
            # A verdict answers whether codes go together; for a question that asks something else
            # (documentation, coverage, units ...) it is, like a code card, only the nearest thing.
            if reading.aspect not in (None, "combination"):
                confidence = min(confidence, CODE_CARD_OTHER_ASPECT_CONFIDENCE)
            source_ids: list[str] = []
            for finding in check.findings:
                source_ids.extend(s.id for s in finding.sources if s.id not in source_ids)
            return Answer(
                status="answered",
                entry_id=None,
                confidence=confidence,
                answer=rule_check_text(check),
                suggestions=self._suggestions(ranked),
                sources=self._sources(tuple(source_ids)),
                rule_check=check,
                kind="rule_check",
                **base,
            )

        if codes:
            gap = _gap(reading)
            if gap is not None:
                return self._not_covered(gap, codes, ranked, as_of, base)
            text, source_ids_ = self._cards(codes, as_of)
            return Answer(
                status="answered",
                entry_id=None,
                answer=text,
                confidence=CODE_CARD_CONFIDENCE.get(reading.aspect, CODE_CARD_OTHER_ASPECT_CONFIDENCE),
                suggestions=self._suggestions(ranked),
                sources=self._sources(source_ids_),
                kind="code_card",
                **base,
            )

        text = "I don't know: no entry in the knowledge base matches this question well enough."
        if ranked:
            text += " Did you mean one of the suggestions?"
        return Answer(
            status="no_match",
            entry_id=None,
            confidence=best.score if best else 0.0,
            answer=text,
            suggestions=self._suggestions(ranked),
            sources=(),
            kind="none",
            **base,
        )

    def _not_covered(
        self, gap: str, codes: tuple[str, ...], ranked: list[Scored], as_of: date, base: dict[str, Any]
    ) -> Answer:
        """The question asks about an aspect no entry covers: say so, with the codes' cards as context."""
        about = f" for {', '.join(codes)}" if codes else ""
        text = f"Nothing in the knowledge base covers {gap}{about}."
        source_ids: tuple[str, ...] = ()
        if codes:
            cards, source_ids = self._cards(codes, as_of)
            text += " What faqbot knows about the code, as context:\n\n" + cards
        return Answer(
            status="no_match",
            entry_id=None,
            confidence=0.0,
            suggestions=self._suggestions(ranked),
            sources=self._sources(source_ids),
            answer=text,
            kind="not_covered",
            **base,
        )
