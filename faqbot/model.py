"""The knowledge base as frozen dataclasses: sources, code families, code cards, FAQ entries, rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal, get_args

CodeSystem = Literal["CPT", "HCPCS"]
Relation = Literal[
    "bundled",
    "mutually_exclusive",
    "requires",
    "frequency",
    "allowed_together",
    "standalone",
    "condition",
]
RELATIONS: tuple[str, ...] = get_args(Relation)
PAIR_RELATIONS = frozenset({"bundled", "mutually_exclusive", "allowed_together"})
SPANS: tuple[str, ...] = ("claim", "date", "course", "course_before")
PER_UNITS: tuple[str, ...] = ("date", "session", "course", "5 fractions")
SETTINGS: tuple[str, ...] = ("any", "practitioner", "hospital")
# How much a source can be trusted at a glance, best first (knowledge/README.md).
SourceTier = Literal["regulator", "society", "payer", "vendor", "other"]
SOURCE_TIERS: tuple[str, ...] = get_args(SourceTier)
WEAK_TIERS = frozenset({"vendor", "other"})
# What a question asks about a code, and what an entry answers (knowledge/README.md).
Aspect = Literal[
    "definition",  # what a code is, what it covers, how codes differ
    "frequency",  # units, how often, per course / week / fraction, MUE
    "documentation",  # what must be documented, who must supervise or sign
    "combination",  # what may be billed with what
    "timing",  # when in a course: boosts, re-plans, interruptions, after treatment ended
    "setting",  # hospital outpatient vs physician fee schedule, place of service, global vs split
    "coverage",  # medical necessity, coverage policy, prior authorization
    "payment",  # how a service is paid (not fee amounts)
    "modifier",  # which modifier, when
    "scenario",  # how to code a described case, charge sets
]
ASPECTS: tuple[str, ...] = get_args(Aspect)


@dataclass(frozen=True, slots=True)
class Source:
    """Where an answer or rule comes from (knowledge/README.md: sources and their tiers)."""

    id: str
    title: str
    publisher: str
    url: str
    accessed: date
    tier: SourceTier = "other"

    @property
    def weak(self) -> bool:
        """Only a billing company or a site of unknown standing says it."""
        return self.tier in WEAK_TIERS


@dataclass(frozen=True, slots=True)
class Family:
    """A family of codes (proton delivery, IMRT planning ...) that code cards belong to."""

    id: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class CodeCard:
    """One code of the code table, described in our own words."""

    code: str
    system: CodeSystem
    family: str
    description: str
    sources: tuple[str, ...]
    reviewed: date
    unit: str = ""
    component: str = ""
    effective_from: date | None = None
    deleted_on: date | None = None
    deletion: Literal["confirmed", "reported"] = "confirmed"  # "reported": secondary sources only
    replaced_by: tuple[str, ...] = ()
    note: str = ""

    @property
    def deletion_confirmed(self) -> bool:
        return self.deletion == "confirmed"

    def status_on(self, day: date) -> Literal["active", "deleted", "not_yet_effective"]:
        if self.deleted_on is not None and day >= self.deleted_on:
            return "deleted"
        if self.effective_from is not None and day < self.effective_from:
            return "not_yet_effective"
        return "active"


@dataclass(frozen=True, slots=True)
class Entry:
    """A curated question with its answer, alternates and sources."""

    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    codes: tuple[str, ...]
    sources: tuple[str, ...]
    reviewed: date
    misconception: str = ""
    seed: bool = False
    file: str = ""
    aspect: Aspect = "definition"
    layer: int = 0  # 0: the first (shipped) knowledge folder; 1 and up: local folders layered over it


@dataclass(frozen=True, slots=True)
class Rule:
    """A sourced billing rule between codes (or about one code)."""

    id: str
    relation: Relation
    codes_a: tuple[str, ...]
    codes_b: tuple[str, ...]
    scope: str
    setting: str
    reason: str
    sources: tuple[str, ...]
    reviewed: date
    effective_from: date | None = None
    effective_to: date | None = None
    modifier_indicator: int | None = None
    modifiers: tuple[str, ...] = ()
    limit: str = ""
    file: str = ""
    # requires: where the primary code must be. "claim": billed with it; "course": anywhere in the
    # course, on any date (an IMRT device needs an IMRT plan in the course, not on the same claim).
    # bundled / mutually_exclusive: where the codes meet. "claim" (default) and "date": on the same
    # date of service; "course": anywhere in the same course; "course_before": in the same course, the
    # column-2 service on or before the column-1 service (packaging into the IMRT plan when done
    # "before or as part of" it). A one-of set (codes_a == codes_b) with span "date" or "course" also
    # allows one unit per span.
    span: Literal["claim", "date", "course", "course_before"] = "claim"
    # frequency: the limit in numbers, where the source gives one (``limit`` stays the words).
    max_units: int | None = None
    per: Literal["", "date", "session", "course", "5 fractions"] = ""
    leftover_from: int | None = None  # per "5 fractions": this many left-over fractions count one more unit
    short_course_once: bool = False  # per "5 fractions": a course shorter than 5 fractions gets one unit
    rule_of_thumb: bool = False  # practice, not a published limit: more units are a warning, not a problem
    # condition: the code is billed only with one of these modifiers (77387-26 from 2026).
    needs_modifier: tuple[str, ...] = ()
    # condition: only for lines billed at these places of service (with needs_modifier: those lines
    # need it), or: the code is not billed at these places of service (a professional claim from a
    # hospital outpatient department does not carry the facility's technical services).
    pos: tuple[str, ...] = ()
    not_at_pos: tuple[str, ...] = ()
    layer: int = 0  # 0: the first (shipped) knowledge folder; 1 and up: local folders layered over it

    def in_effect(self, dos: date) -> bool:
        """True when the rule applies on this date of service (effective_from <= dos < effective_to)."""
        if self.effective_from is not None and dos < self.effective_from:
            return False
        return self.effective_to is None or dos < self.effective_to


@dataclass(frozen=True, slots=True)
class ScopeTopic:
    """A topic faqbot does not cover, recognized by patterns, with the message it answers."""

    id: str
    patterns: tuple[str, ...]
    message: str
    even_with_codes: bool = False  # refused even when the question names a known code (fee amounts)
    unless: tuple[str, ...] = ()  # patterns of an in-scope subject the topic's words also appear with

    def matches(self, text: str) -> bool:
        """Whether a question is about this topic: one of its patterns, and none of its ``unless``
        patterns ("chemo admin codes for Zevalin?" is a radiopharmaceutical question)."""
        return _any_pattern(self.patterns, text) and not _any_pattern(self.unless, text)


def _any_pattern(patterns: tuple[str, ...], text: str) -> bool:
    return any(re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE) for pattern in patterns)


@dataclass(frozen=True, slots=True)
class Override:
    """A record of a later knowledge folder that replaces one of an earlier folder with the same id."""

    kind: str  # source | family | code | entry | rule | topic
    id: str
    file: str  # the replacing record's file (its folder first)
    replaced_file: str
    reviewed: date | None = None
    replaced_reviewed: date | None = None


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything loaded from one knowledge folder, already validated."""

    root: Path
    sources: Mapping[str, Source]
    families: Mapping[str, Family]
    codes: Mapping[str, CodeCard]
    entries: tuple[Entry, ...]
    rules: tuple[Rule, ...] = ()
    entries_by_id: Mapping[str, Entry] = field(default_factory=dict)
    abbreviations: Mapping[str, str] = field(default_factory=dict)
    out_of_scope: tuple[ScopeTopic, ...] = ()
    # Questions faqbot must refuse: negatives for learning the ranking weights (refusals.toml).
    refusal_examples: tuple[str, ...] = ()
    # The folders it was loaded from, shipped first, local last (one folder: just ``root``).
    layers: tuple[Path, ...] = ()
    overrides: tuple[Override, ...] = ()

    @property
    def roots(self) -> tuple[Path, ...]:
        return self.layers or (self.root,)

    def codes_in_family(self, family: str) -> tuple[CodeCard, ...]:
        return tuple(card for card in self.codes.values() if card.family == family)
