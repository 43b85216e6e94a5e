"""Load and validate a knowledge folder (TOML) into a :class:`KnowledgeBase`.

Every problem is reported as one line naming the file, the record id and the field; loading
refuses to return a knowledge base while any problem remains.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from faqbot.codes import expand_range, is_normal_code
from faqbot.model import (
    ASPECTS,
    PAIR_RELATIONS,
    RELATIONS,
    SETTINGS,
    SOURCE_TIERS,
    CodeCard,
    Entry,
    Family,
    KnowledgeBase,
    Rule,
    ScopeTopic,
    Source,
)

MIN_ALTERNATES = 4
_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FAMILY_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in the knowledge base."""

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.record}" if self.record else self.file
        return f"{where}: field '{self.field}': {self.message}" if self.field else f"{where}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base has problems; ``problems`` lists each one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


def default_kb_dir() -> Path:
    """The knowledge folder: $FAQBOT_KB, else the one beside the package (a source checkout)."""
    env = os.environ.get("FAQBOT_KB")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "knowledge"


class _Record:
    """Reads typed fields of one TOML table, collecting problems instead of raising."""

    def __init__(self, data: dict[str, Any], file: str, kind: str, key: str, problems: list[Problem]) -> None:
        self.data = data
        self.file = file
        self.problems = problems
        raw_id = data.get(key)
        self.label = f"{kind} '{raw_id}'" if isinstance(raw_id, str) and raw_id else f"{kind} (no {key})"

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.label, field, message))

    def text(self, name: str, *, required: bool = True) -> str:
        value = self.data.get(name)
        if value is None:
            if required:
                self.problem(name, "missing")
            return ""
        if not isinstance(value, str):
            self.problem(name, f"expected text, got {type(value).__name__}")
            return ""
        if required and not value.strip():
            self.problem(name, "empty")
        return value.strip()

    def day(self, name: str, *, required: bool = False) -> date | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.problem(name, "missing")
            return None
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        self.problem(name, f"expected a date like 2026-11-26 (no quotes), got {value!r}")
        return None

    def texts(self, name: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(name)
        if value is None:
            if required:
                self.problem(name, "missing")
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(name, "expected a list of text")
            return ()
        if required and not value:
            self.problem(name, "empty list")
        return tuple(item.strip() for item in value)

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            self.problem(name, "expected true or false")
            return False
        return value

    def integer(self, name: str, allowed: tuple[int, ...]) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            self.problem(name, f"expected one of {', '.join(map(str, allowed))}, got {value!r}")
            return None
        return value

    def unknown_fields(self, allowed: set[str]) -> None:
        for name in sorted(set(self.data) - allowed):
            self.problem(name, "unknown field (typo?)")


def _read_toml(path: Path, root: Path, problems: list[Problem]) -> dict[str, Any]:
    import tomllib  # here: answering from a cached knowledge base (faqbot.kb_cache) never parses TOML

    rel = _rel(path, root)
    try:
        with path.open("rb") as handle:
            if handle.read(3) == b"\xef\xbb\xbf":
                problems.append(
                    Problem(rel, "", "", "the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM")
                )
                return {}
            handle.seek(0)
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(rel, "", "", f"not valid TOML: {exc}"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, "", "", f"cannot read: {exc}"))
    return {}


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _tables(doc: dict[str, Any], key: str, rel: str, problems: list[Problem]) -> Iterator[dict[str, Any]]:
    items = doc.get(key, [])
    if not isinstance(items, list):
        problems.append(Problem(rel, "", key, f"expected [[{key}]] tables"))
        return
    for other in sorted(set(doc) - {key}):
        problems.append(Problem(rel, "", other, f"unexpected top-level key (expected only [[{key}]])"))
    yield from (item for item in items if isinstance(item, dict))


def _records(
    root: Path, pattern: str, table: str, key: str, problems: list[Problem], *, required: bool = True
) -> Iterator[_Record]:
    """Every ``[[table]]`` in the files matching ``pattern``, as a field reader labelled by ``key``."""
    files = sorted(root.glob(pattern))
    if required and not files:
        problems.append(Problem(_rel(root / pattern.split("/")[0], root), "", "", f"no {table} files found"))
    for path in files:
        rel = _rel(path, root)
        for data in _tables(_read_toml(path, root, problems), table, rel, problems):
            yield _Record(data, rel, table, key, problems)


def _main_and_extra_records(root: Path, name: str, table: str, key: str, problems: list[Problem]) -> Iterator[_Record]:
    """The records of ``NAME.toml`` (required) and then of any ``NAME/*.toml`` beside it."""
    path = root / f"{name}.toml"
    if not path.exists():
        problems.append(Problem(_rel(path, root), "", "", "missing file"))
        return
    for data in _tables(_read_toml(path, root, problems), table, _rel(path, root), problems):
        yield _Record(data, _rel(path, root), table, key, problems)
    yield from _records(root, f"{name}/*.toml", table, key, problems, required=False)


def _check_sources(record: _Record, ids: tuple[str, ...], sources: dict[str, Source]) -> None:
    for source_id in ids:
        if source_id not in sources:
            record.problem("sources", f"unknown source id '{source_id}' (add it to knowledge/sources/)")


def _expand_codes(record: _Record, field: str, values: tuple[str, ...], known: set[str]) -> tuple[str, ...]:
    """Check and expand a list of codes and ranges ("77261-77263") against the code table."""
    out: list[str] = []
    for value in values:
        if "-" in value:
            first, _, last = value.partition("-")
            if not (is_normal_code(first) and is_normal_code(last)):
                record.problem(field, f"malformed code range '{value}' (write e.g. \"77261-77263\")")
                continue
            for end in (first, last):
                if end not in known:
                    record.problem(field, f"range end '{end}' is not in the code table")
            expanded = expand_range(first, last, known)
            if not expanded:
                record.problem(field, f"range '{value}' contains no known code")
            out.extend(code for code in expanded if code not in out)
        elif not is_normal_code(value):
            record.problem(field, f"malformed code '{value}' (write 77014, 0073T or G6012)")
        elif value not in known:
            record.problem(field, f"unknown code '{value}' (not in knowledge/codes.toml)")
        elif value not in out:
            out.append(value)
    return tuple(out)


def _load_sources(root: Path, problems: list[Problem]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for r in _records(root, "sources/*.toml", "source", "id", problems):
        r.unknown_fields({"id", "title", "publisher", "url", "accessed", "tier"})
        tier = r.text("tier")
        if tier and tier not in SOURCE_TIERS:
            r.problem("tier", f"'{tier}' is not one of {', '.join(SOURCE_TIERS)}")
        source = Source(
            r.text("id"),
            r.text("title"),
            r.text("publisher"),
            r.text("url"),
            r.day("accessed", required=True) or date.min,
            tier=tier if tier in SOURCE_TIERS else "other",  # type: ignore[arg-type]
        )
        if source.id and not _SOURCE_ID.match(source.id):
            r.problem("id", "use lower case letters, digits and hyphens")
        if source.url and not _URL.match(source.url):
            r.problem("url", f"not a web address: '{source.url}'")
        if source.id in sources:
            r.problem("id", "duplicate source id")
        elif source.id:
            sources[source.id] = source
    return sources


def _load_families(root: Path, problems: list[Problem]) -> dict[str, Family]:
    families: dict[str, Family] = {}
    for r in _main_and_extra_records(root, "families", "family", "id", problems):
        r.unknown_fields({"id", "title", "description"})
        family = Family(r.text("id"), r.text("title"), r.text("description"))
        if family.id and not _FAMILY_ID.match(family.id):
            r.problem("id", "use lower case letters, digits and underscores")
        if family.id in families:
            r.problem("id", "duplicate family id")
        elif family.id:
            families[family.id] = family
    return families


_CODE_FIELDS = {
    "code",
    "system",
    "family",
    "description",
    "unit",
    "component",
    "effective_from",
    "deleted_on",
    "deletion",
    "replaced_by",
    "note",
    "sources",
    "reviewed",
}


def _load_codes(
    root: Path, sources: dict[str, Source], families: dict[str, Family], problems: list[Problem]
) -> dict[str, CodeCard]:
    records: list[tuple[_Record, CodeCard]] = []
    codes: dict[str, CodeCard] = {}
    for r in _main_and_extra_records(root, "codes", "code", "code", problems):
        r.unknown_fields(_CODE_FIELDS)
        card = CodeCard(
            code=r.text("code"),
            system=r.text("system"),  # type: ignore[arg-type]
            family=r.text("family"),
            description=r.text("description"),
            sources=r.texts("sources"),
            reviewed=r.day("reviewed", required=True) or date.min,
            unit=r.text("unit", required=False),
            component=r.text("component", required=False),
            effective_from=r.day("effective_from"),
            deleted_on=r.day("deleted_on"),
            deletion=r.text("deletion", required=False) or "confirmed",  # type: ignore[arg-type]
            replaced_by=r.texts("replaced_by", required=False),
            note=r.text("note", required=False),
        )
        if card.code and not is_normal_code(card.code):
            r.problem("code", f"malformed code '{card.code}' (write 77014, 0073T or G6012)")
        if card.system and card.system not in ("CPT", "HCPCS"):
            r.problem("system", f"expected CPT or HCPCS, got '{card.system}'")
        if card.family and card.family not in families:
            r.problem("family", f"unknown family '{card.family}' (add it to knowledge/families.toml)")
        if card.effective_from and card.deleted_on and card.deleted_on <= card.effective_from:
            r.problem("deleted_on", "is not after effective_from")
        if card.deletion not in ("confirmed", "reported"):
            r.problem("deletion", f"expected confirmed or reported, got '{card.deletion}'")
        elif "deletion" in r.data and card.deleted_on is None:
            r.problem("deletion", "set, but the code has no deleted_on date")
        if card.replaced_by and card.deleted_on is None:
            r.problem("replaced_by", "set, but the code has no deleted_on date")
        _check_sources(r, card.sources, sources)
        if card.code in codes:
            r.problem("code", "duplicate code")
        elif card.code:
            codes[card.code] = card
            records.append((r, card))
    for r, card in records:
        for other in card.replaced_by:
            if other not in codes:
                r.problem("replaced_by", f"unknown code '{other}'")
    return codes


_ENTRY_FIELDS = {
    "id",
    "question",
    "alternates",
    "answer",
    "codes",
    "misconception",
    "sources",
    "reviewed",
    "seed",
    "aspect",
}


def _load_entries(
    root: Path, sources: dict[str, Source], codes: dict[str, CodeCard], problems: list[Problem]
) -> list[Entry]:
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    phrasings: dict[str, str] = {}
    known = set(codes)
    for r in _records(root, "faq/*.toml", "entry", "id", problems):
        rel = r.file
        r.unknown_fields(_ENTRY_FIELDS)
        aspect = r.text("aspect")
        if aspect and aspect not in ASPECTS:
            r.problem("aspect", f"'{aspect}' is not one of {', '.join(ASPECTS)}")
        entry = Entry(
            id=r.text("id"),
            question=r.text("question"),
            alternates=r.texts("alternates"),
            answer=r.text("answer"),
            codes=_expand_codes(r, "codes", r.texts("codes", required=False), known),
            sources=r.texts("sources"),
            reviewed=r.day("reviewed", required=True) or date.min,
            misconception=r.text("misconception", required=False),
            seed=r.flag("seed"),
            file=rel,
            aspect=aspect if aspect in ASPECTS else "definition",  # type: ignore[arg-type]
        )
        if entry.id and not _ENTRY_ID.match(entry.id):
            r.problem("id", "use lower case letters, digits and hyphens")
        if 0 < len(entry.alternates) < MIN_ALTERNATES:
            r.problem("alternates", f"needs at least {MIN_ALTERNATES} alternate phrasings, has {len(entry.alternates)}")
        if any(not alt for alt in entry.alternates):
            r.problem("alternates", "contains an empty phrasing")
        _check_sources(r, entry.sources, sources)
        for phrase in (entry.question, *entry.alternates):
            key = " ".join(phrase.lower().split()).rstrip("?")
            owner = phrasings.setdefault(key, entry.id)
            if owner != entry.id:
                r.problem("alternates", f"phrasing {phrase!r} is also used by entry '{owner}' (ambiguous)")
        if entry.id in seen:
            r.problem("id", f"duplicate entry id (also in {seen[entry.id]})")
        elif entry.id:
            seen[entry.id] = rel
            entries.append(entry)
    return entries


_RULE_FIELDS = {
    "id",
    "relation",
    "codes_a",
    "codes_b",
    "scope",
    "setting",
    "effective_from",
    "effective_to",
    "modifier_indicator",
    "modifiers",
    "limit",
    "reason",
    "sources",
    "reviewed",
    "span",
}


def _valid_setting(setting: str) -> bool:
    return setting in SETTINGS or (setting.startswith("payer:") and len(setting) > len("payer:"))


def _load_rules(
    root: Path, sources: dict[str, Source], codes: dict[str, CodeCard], problems: list[Problem]
) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    known = set(codes)
    for r in _records(root, "rules/*.toml", "rule", "id", problems, required=False):
        rel = r.file
        r.unknown_fields(_RULE_FIELDS)
        relation = r.text("relation")
        span = r.text("span", required=False) or "claim"
        if span not in ("claim", "course"):
            r.problem("span", f"expected claim or course, got '{span}'")
        elif span == "course" and relation != "requires":
            r.problem("span", "only a 'requires' rule has a span")
        rule = Rule(
            id=r.text("id"),
            relation=relation,  # type: ignore[arg-type]
            codes_a=_expand_codes(r, "codes_a", r.texts("codes_a"), known),
            codes_b=_expand_codes(r, "codes_b", r.texts("codes_b", required=False), known),
            scope=r.text("scope"),
            setting=r.text("setting"),
            reason=r.text("reason"),
            sources=r.texts("sources"),
            reviewed=r.day("reviewed", required=True) or date.min,
            effective_from=r.day("effective_from"),
            effective_to=r.day("effective_to"),
            modifier_indicator=r.integer("modifier_indicator", (0, 1, 9)),
            modifiers=r.texts("modifiers", required=False),
            limit=r.text("limit", required=relation == "frequency"),
            file=rel,
            span="course" if span == "course" else "claim",
        )
        _check_rule_shape(r, rule)
        _check_sources(r, rule.sources, sources)
        if rule.id in seen:
            r.problem("id", f"duplicate rule id (also in {seen[rule.id]})")
        elif rule.id:
            seen[rule.id] = rel
            rules.append(rule)
    _check_contradictions(rules, problems)
    return rules


def _check_rule_shape(r: _Record, rule: Rule) -> None:
    if rule.id and not _ENTRY_ID.match(rule.id):
        r.problem("id", "use lower case letters, digits and hyphens")
    if rule.relation and rule.relation not in RELATIONS:
        r.problem("relation", f"expected one of {', '.join(RELATIONS)}, got '{rule.relation}'")
    needs_b = rule.relation in PAIR_RELATIONS or rule.relation == "requires"
    if needs_b and not rule.codes_b and "codes_b" in r.data and not r.data["codes_b"]:
        r.problem("codes_b", f"a '{rule.relation}' rule needs codes on both sides")
    if needs_b and "codes_b" not in r.data:
        r.problem("codes_b", "missing")
    if rule.relation in ("frequency", "standalone", "condition") and r.data.get("codes_b"):
        r.problem("codes_b", f"a '{rule.relation}' rule is about codes_a only; leave codes_b empty")
    if rule.setting and not _valid_setting(rule.setting):
        r.problem("setting", f"expected any, practitioner, hospital or payer:<name>, got '{rule.setting}'")
    if rule.effective_from and rule.effective_to and rule.effective_to <= rule.effective_from:
        r.problem("effective_to", "is not after effective_from")
    if rule.modifier_indicator is not None and rule.relation not in PAIR_RELATIONS:
        r.problem("modifier_indicator", f"only bundled and mutually_exclusive rules take one, not '{rule.relation}'")


def rule_verdict_class(rule: Rule) -> str:
    """'allowed' or 'restricted' for pair rules (what two rules must agree on), else the relation."""
    if rule.relation == "allowed_together" or rule.modifier_indicator == 9:
        return "allowed"
    if rule.relation in ("bundled", "mutually_exclusive"):
        return "restricted"
    return rule.relation


def dates_overlap(a: Rule, b: Rule) -> bool:
    """True when the two rules' date-of-service windows share at least one day."""
    start_a, start_b = a.effective_from or date.min, b.effective_from or date.min
    end_a, end_b = a.effective_to or date.max, b.effective_to or date.max
    return start_a < end_b and start_b < end_a


def _check_contradictions(rules: list[Rule], problems: list[Problem]) -> None:
    """Two pair rules on the same pair, setting and dates that disagree (allowed vs restricted)."""
    by_pair: dict[tuple[frozenset[str], str], list[tuple[Rule, str]]] = {}
    for rule in rules:
        if rule.relation not in PAIR_RELATIONS:
            continue
        for a in rule.codes_a:
            for b in rule.codes_b:
                by_pair.setdefault((frozenset((a, b)), rule.setting), []).append((rule, f"{a}+{b}"))
    reported: set[tuple[str, str]] = set()
    for items in by_pair.values():
        for i, (first, pair) in enumerate(items):
            for second, _ in items[i + 1 :]:
                key = (first.id, second.id)
                if key in reported or first.id == second.id:
                    continue
                if rule_verdict_class(first) != rule_verdict_class(second) and dates_overlap(first, second):
                    reported.add(key)
                    problems.append(
                        Problem(
                            second.file,
                            f"rule '{second.id}'",
                            "relation",
                            f"contradicts rule '{first.id}' for {pair} in setting '{first.setting}' "
                            "on overlapping dates (give them different settings or dates)",
                        )
                    )


def _load_abbreviations(root: Path, problems: list[Problem]) -> dict[str, str]:
    path = root / "abbreviations.toml"
    if not path.exists():
        return {}
    rel = _rel(path, root)
    doc = _read_toml(path, root, problems)
    table = doc.get("abbreviations", {})
    for other in sorted(set(doc) - {"abbreviations"}):
        problems.append(Problem(rel, "", other, "unexpected top-level key (expected only [abbreviations])"))
    out: dict[str, str] = {}
    if not isinstance(table, dict):
        problems.append(Problem(rel, "", "abbreviations", 'expected a table of word = "expansion"'))
        return out
    for word, expansion in table.items():
        if not isinstance(expansion, str) or not expansion.strip() or word != word.lower() or " " in word:
            problems.append(Problem(rel, f"abbreviation '{word}'", "", 'use a lower-case word = "non-empty expansion"'))
        else:
            out[word] = expansion.strip().lower()
    return out


def _load_scope(root: Path, problems: list[Problem]) -> tuple[ScopeTopic, ...]:
    path = root / "scope.toml"
    if not path.exists():
        return ()
    rel = _rel(path, root)
    topics: list[ScopeTopic] = []
    for data in _tables(_read_toml(path, root, problems), "topic", rel, problems):
        r = _Record(data, rel, "topic", "id", problems)
        r.unknown_fields({"id", "patterns", "message", "even_with_codes"})
        topic = ScopeTopic(
            r.text("id"), r.texts("patterns"), r.text("message"), even_with_codes=r.flag("even_with_codes")
        )
        for pattern in topic.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                r.problem("patterns", f"not a valid regular expression {pattern!r}: {exc}")
        topics.append(topic)
    return tuple(topics)


def _load_refusals(root: Path, problems: list[Problem]) -> tuple[str, ...]:
    path = root / "refusals.toml"
    if not path.exists():
        return ()
    rel = _rel(path, root)
    doc = _read_toml(path, root, problems)
    for other in sorted(set(doc) - {"questions"}):
        problems.append(Problem(rel, "", other, "unexpected top-level key (expected only questions = [...])"))
    questions = doc.get("questions", [])
    if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
        problems.append(Problem(rel, "", "questions", "expected a list of non-empty strings"))
        return ()
    seen: set[str] = set()
    for question in questions:
        if question.lower() in seen:
            problems.append(Problem(rel, "", "questions", f"duplicate question {question!r}"))
        seen.add(question.lower())
    return tuple(questions)


def validate_knowledge(root: Path) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load ``root`` and return (knowledge base or None, every problem found)."""
    problems: list[Problem] = []
    if not root.is_dir():
        what = "is a file, not a knowledge folder" if root.exists() else "knowledge folder not found"
        return None, [Problem(str(root), "", "", what)]
    sources = _load_sources(root, problems)
    families = _load_families(root, problems)
    codes = _load_codes(root, sources, families, problems)
    entries = _load_entries(root, sources, codes, problems)
    rules = _load_rules(root, sources, codes, problems)
    abbreviations = _load_abbreviations(root, problems)
    out_of_scope = _load_scope(root, problems)
    refusal_examples = _load_refusals(root, problems)
    kb = KnowledgeBase(
        root=root,
        sources=sources,
        families=families,
        codes=codes,
        entries=tuple(entries),
        rules=tuple(rules),
        entries_by_id={entry.id: entry for entry in entries},
        abbreviations=abbreviations,
        out_of_scope=out_of_scope,
        refusal_examples=refusal_examples,
    )
    return (None if problems else kb), problems


def load_knowledge(root: Path | None = None) -> KnowledgeBase:
    """Load and validate; raise :class:`KnowledgeError` listing every problem."""
    kb, problems = validate_knowledge(root or default_kb_dir())
    if kb is None:
        raise KnowledgeError(problems)
    return kb
