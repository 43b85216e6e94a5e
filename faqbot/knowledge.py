"""Load and validate a knowledge folder (TOML) into a :class:`KnowledgeBase`.

Every problem is reported as one line naming the file, the record id and the field; loading
refuses to return a knowledge base while any problem remains.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

from faqbot.codes import expand_range, is_normal_code
from faqbot.drafts import drafts_path, is_complete
from faqbot.model import (
    ASPECTS,
    PAIR_RELATIONS,
    PER_UNITS,
    RELATIONS,
    SETTINGS,
    SOURCE_TIERS,
    SPANS,
    CodeCard,
    Entry,
    Family,
    KnowledgeBase,
    Override,
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


# One knowledge folder, or several layered (shipped first, local last: the last wins on the same id).
KnowledgePath = Path | tuple[Path, ...]


def shipped_kb_dir() -> Path:
    """The knowledge folder beside the package (a source checkout)."""
    return Path(__file__).resolve().parent.parent / "knowledge"


def default_kb_dir() -> KnowledgePath:
    """$FAQBOT_KB (one folder, or several separated by ``os.pathsep``), else the shipped folder."""
    folders = tuple(Path(part) for part in os.environ.get("FAQBOT_KB", "").split(os.pathsep) if part.strip())
    if not folders:
        return shipped_kb_dir()
    return folders[0] if len(folders) == 1 else folders


def kb_folders(path: KnowledgePath) -> tuple[Path, ...]:
    return (path,) if isinstance(path, Path) else tuple(path)


def kb_label(path: KnowledgePath) -> str:
    """How a knowledge path is named in messages: ``knowledge`` or ``knowledge + local-kb``."""
    return " + ".join(str(folder) for folder in kb_folders(path))


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


def _main_and_extra_records(
    root: Path, name: str, table: str, key: str, problems: list[Problem], *, required: bool = True
) -> Iterator[_Record]:
    """The records of ``NAME.toml`` (required in the first folder) and then of any ``NAME/*.toml`` beside it."""
    path = root / f"{name}.toml"
    if not path.exists():
        if required:
            problems.append(Problem(_rel(path, root), "", "", "missing file"))
        yield from _records(root, f"{name}/*.toml", table, key, problems, required=False)
        return
    for data in _tables(_read_toml(path, root, problems), table, _rel(path, root), problems):
        yield _Record(data, _rel(path, root), table, key, problems)
    yield from _records(root, f"{name}/*.toml", table, key, problems, required=False)


def _draft_records(root: Path, problems: list[Problem]) -> Iterator[_Record]:
    """The drafts (``drafts.toml``) a person has completed: served and validated like any entry."""
    path = drafts_path(root)
    if not path.is_file():
        return
    rel = _rel(path, root)
    for data in _tables(_read_toml(path, root, problems), "entry", rel, problems):
        if is_complete(data):
            yield _Record(data, rel, "entry", "id", problems)


class _Merged:
    """Records of one kind from every folder: the same id twice in one folder is a problem; a later
    folder's record replaces an earlier folder's (the last wins), and the replacement is remembered."""

    def __init__(self, kind: str, overrides: list[Override]) -> None:
        self.kind = kind
        self.items: dict[str, Any] = {}
        self._where: dict[str, tuple[int, str, date | None]] = {}
        self._overrides = overrides

    def add(
        self, key: str, item: Any, r: _Record, layer: int, field: str, duplicate: str, reviewed: date | None = None
    ) -> bool:
        """Keep ``item`` under ``key``; False (and a problem) for a duplicate within one folder."""
        if key in self._where:
            earlier_layer, earlier_file, earlier_reviewed = self._where[key]
            if earlier_layer == layer:
                r.problem(field, duplicate.format(file=earlier_file))
                return False
            self._overrides.append(Override(self.kind, key, r.file, earlier_file, reviewed, earlier_reviewed))
        self.items[key] = item
        self._where[key] = (layer, r.file, reviewed)
        return True


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


def _merge_layers(
    kind: str,
    roots: tuple[Path, ...],
    problems: list[Problem],
    overrides: list[Override],
    load_layer: Callable[[Path, int, _Merged, list[Problem]], None],
) -> dict[str, Any]:
    """One kind of record from every folder, shipped first: ``load_layer`` adds one folder's records."""
    merged = _Merged(kind, overrides)
    for layer, root in enumerate(roots):
        load_layer(root, layer, merged, problems)
    return merged.items


def _load_sources(roots: tuple[Path, ...], problems: list[Problem], overrides: list[Override]) -> dict[str, Source]:
    return _merge_layers("source", roots, problems, overrides, _load_layer_sources)


def _load_layer_sources(root: Path, layer: int, merged: _Merged, problems: list[Problem]) -> None:
    for r in _records(root, "sources/*.toml", "source", "id", problems, required=layer == 0):
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
        if source.id:
            merged.add(source.id, source, r, layer, "id", "duplicate source id")


def _load_families(roots: tuple[Path, ...], problems: list[Problem], overrides: list[Override]) -> dict[str, Family]:
    return _merge_layers("family", roots, problems, overrides, _load_layer_families)


def _load_layer_families(root: Path, layer: int, merged: _Merged, problems: list[Problem]) -> None:
    for r in _main_and_extra_records(root, "families", "family", "id", problems, required=layer == 0):
        r.unknown_fields({"id", "title", "description"})
        family = Family(r.text("id"), r.text("title"), r.text("description"))
        if family.id and not _FAMILY_ID.match(family.id):
            r.problem("id", "use lower case letters, digits and underscores")
        if family.id:
            merged.add(family.id, family, r, layer, "id", "duplicate family id")


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
    roots: tuple[Path, ...],
    sources: dict[str, Source],
    families: dict[str, Family],
    problems: list[Problem],
    overrides: list[Override],
) -> dict[str, CodeCard]:
    records: list[tuple[_Record, CodeCard]] = []
    merged = _Merged("code", overrides)
    codes: dict[str, CodeCard] = merged.items
    for layer, root in enumerate(roots):
        for r in _main_and_extra_records(root, "codes", "code", "code", problems, required=layer == 0):
            card = _code_card(r, sources, families)
            if card.code and merged.add(card.code, card, r, layer, "code", "duplicate code", card.reviewed):
                records.append((r, card))
    for r, card in records:
        if codes.get(card.code) is not card:
            continue  # replaced by a later folder's card
        for other in card.replaced_by:
            if other not in codes:
                r.problem("replaced_by", f"unknown code '{other}'")
    return codes


def _code_card(r: _Record, sources: dict[str, Source], families: dict[str, Family]) -> CodeCard:
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
    return card


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
    roots: tuple[Path, ...],
    sources: dict[str, Source],
    codes: dict[str, CodeCard],
    problems: list[Problem],
    overrides: list[Override],
) -> list[Entry]:
    merged = _Merged("entry", overrides)
    records: dict[str, _Record] = {}
    for layer, root in enumerate(roots):
        faq = _records(root, "faq/*.toml", "entry", "id", problems, required=layer == 0)
        for r in chain(faq, _draft_records(root, problems)):
            entry = _entry(r, sources, set(codes), layer)
            duplicate = "duplicate entry id (also in {file})"
            if entry.id and merged.add(entry.id, entry, r, layer, "id", duplicate, entry.reviewed):
                records[entry.id] = r
    entries: list[Entry] = list(merged.items.values())
    phrasings: dict[str, str] = {}
    for entry in entries:  # after the merge: a local entry may reuse the phrasings of the one it replaces
        for phrase in (entry.question, *entry.alternates):
            key = " ".join(phrase.lower().split()).rstrip("?")
            owner = phrasings.setdefault(key, entry.id)
            if owner != entry.id:
                records[entry.id].problem(
                    "alternates", f"phrasing {phrase!r} is also used by entry '{owner}' (ambiguous)"
                )
    return entries


def _entry(r: _Record, sources: dict[str, Source], known: set[str], layer: int) -> Entry:
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
        layer=layer,
    )
    if entry.id and not _ENTRY_ID.match(entry.id):
        r.problem("id", "use lower case letters, digits and hyphens")
    if 0 < len(entry.alternates) < MIN_ALTERNATES:
        r.problem("alternates", f"needs at least {MIN_ALTERNATES} alternate phrasings, has {len(entry.alternates)}")
    if any(not alt for alt in entry.alternates):
        r.problem("alternates", "contains an empty phrasing")
    _check_sources(r, entry.sources, sources)
    return entry


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
    "max_units",
    "per",
    "leftover_from",
    "short_course_once",
    "needs_modifier",
    "rule_of_thumb",
    "pos",
    "not_at_pos",
}


def _valid_setting(setting: str) -> bool:
    return setting in SETTINGS or (setting.startswith("payer:") and len(setting) > len("payer:"))


def _load_rules(
    roots: tuple[Path, ...],
    sources: dict[str, Source],
    codes: dict[str, CodeCard],
    problems: list[Problem],
    overrides: list[Override],
) -> list[Rule]:
    merged = _Merged("rule", overrides)
    for layer, root in enumerate(roots):
        for r in _records(root, "rules/*.toml", "rule", "id", problems, required=False):
            rule = _rule(r, sources, set(codes), layer)
            if rule.id:
                merged.add(rule.id, rule, r, layer, "id", "duplicate rule id (also in {file})", rule.reviewed)
    rules: list[Rule] = list(merged.items.values())
    _check_contradictions(rules, problems)
    return rules


def _rule(r: _Record, sources: dict[str, Source], known: set[str], layer: int) -> Rule:
    rel = r.file
    r.unknown_fields(_RULE_FIELDS)
    relation = r.text("relation")
    span = r.text("span", required=False) or "claim"
    if span not in SPANS:
        r.problem("span", f"expected {', '.join(SPANS)}, got '{span}'")
    elif span != "claim" and relation not in ("requires", "bundled", "mutually_exclusive"):
        r.problem("span", "only requires, bundled and mutually_exclusive rules have a span")
    elif span in ("date", "course_before") and relation == "requires":
        r.problem("span", "a 'requires' rule's span is claim or course")
    per = r.text("per", required=False)
    if per and per not in PER_UNITS:
        r.problem("per", f"expected one of {', '.join(PER_UNITS)}, got '{per}'")
    max_units = r.data.get("max_units")
    if max_units is not None and (isinstance(max_units, bool) or not isinstance(max_units, int) or max_units < 1):
        r.problem("max_units", f"expected a whole number of at least 1, got {max_units!r}")
        max_units = None
    leftover = r.data.get("leftover_from")
    if leftover is not None and leftover not in (1, 2, 3, 4):
        r.problem("leftover_from", f"expected 1 to 4 left-over fractions, got {leftover!r}")
        leftover = None
    if (per or max_units is not None or "rule_of_thumb" in r.data) and relation != "frequency":
        r.problem("per", "only a 'frequency' rule has max_units and per")
    if (per == "") != (max_units is None):
        r.problem("max_units", "give max_units and per together")
    if (leftover is not None or "short_course_once" in r.data) and per != "5 fractions":
        r.problem("per", 'leftover_from and short_course_once need per = "5 fractions"')
    needs_modifier = r.texts("needs_modifier", required=False)
    if needs_modifier and relation != "condition":
        r.problem("needs_modifier", "only a 'condition' rule names the modifiers a code needs")
    places = {name: r.texts(name, required=False) for name in ("pos", "not_at_pos")}
    for name, values in places.items():
        if values and relation != "condition":
            r.problem(name, "only a 'condition' rule names places of service")
        if any(not (len(v) == 2 and v.isdigit()) for v in values):
            r.problem(name, "places of service are two digits, such as 11, 19, 22")
    if places["pos"] and not needs_modifier:
        r.problem("pos", "give needs_modifier with pos (or use not_at_pos)")
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
        span=span if span in SPANS else "claim",  # type: ignore[arg-type]
        max_units=max_units,
        per=per if per in PER_UNITS else "",  # type: ignore[arg-type]
        leftover_from=leftover,
        short_course_once=r.flag("short_course_once"),
        rule_of_thumb=r.flag("rule_of_thumb"),
        needs_modifier=needs_modifier,
        pos=places["pos"],
        not_at_pos=places["not_at_pos"],
        layer=layer,
    )
    _check_rule_shape(r, rule)
    _check_sources(r, rule.sources, sources)
    return rule


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
        r.unknown_fields({"id", "patterns", "message", "even_with_codes", "unless"})
        topic = ScopeTopic(
            r.text("id"),
            r.texts("patterns"),
            r.text("message"),
            even_with_codes=r.flag("even_with_codes"),
            unless=r.texts("unless", required=False),
        )
        for field, patterns in (("patterns", topic.patterns), ("unless", topic.unless)):
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    r.problem(field, f"not a valid regular expression {pattern!r}: {exc}")
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


def validate_knowledge(root: KnowledgePath) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load ``root`` (one folder, or several layered: the last wins on the same id) and return
    (knowledge base or None, every problem found, each naming its folder)."""
    roots = kb_folders(root)
    problems: list[Problem] = []
    for folder in roots:
        if not folder.is_dir():
            what = "is a file, not a knowledge folder" if folder.exists() else "knowledge folder not found"
            problems.append(Problem(str(folder), "", "", what))
    if problems or not roots:
        return None, problems or [Problem("", "", "", "no knowledge folder given")]
    overrides: list[Override] = []
    sources = _load_sources(roots, problems, overrides)
    families = _load_families(roots, problems, overrides)
    codes = _load_codes(roots, sources, families, problems, overrides)
    entries = _load_entries(roots, sources, codes, problems, overrides)
    rules = _load_rules(roots, sources, codes, problems, overrides)
    abbreviations: dict[str, str] = {}
    topics: dict[str, ScopeTopic] = {}
    refusals: dict[str, str] = {}
    for folder in roots:
        abbreviations.update(_load_abbreviations(folder, problems))
        topics.update((topic.id or f"#{len(topics)}", topic) for topic in _load_scope(folder, problems))
        refusals.update((q.lower(), q) for q in _load_refusals(folder, problems) if q.lower() not in refusals)
    out_of_scope = tuple(topics.values())
    refusal_examples = tuple(refusals.values())
    kb = KnowledgeBase(
        root=roots[0],
        sources=sources,
        families=families,
        codes=codes,
        entries=tuple(entries),
        rules=tuple(rules),
        entries_by_id={entry.id: entry for entry in entries},
        abbreviations=abbreviations,
        out_of_scope=out_of_scope,
        refusal_examples=refusal_examples,
        layers=roots if len(roots) > 1 else (),
        overrides=tuple(overrides),
    )
    return (None if problems else kb), problems


def load_knowledge(root: KnowledgePath | None = None) -> KnowledgeBase:
    """Load and validate; raise :class:`KnowledgeError` listing every problem."""
    kb, problems = validate_knowledge(root or default_kb_dir())
    if kb is None:
        raise KnowledgeError(problems)
    return kb
