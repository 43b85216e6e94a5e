"""The rule check: a structured verdict for a set of codes on a date of service, in a setting.

Every pair is checked against the pair rules (both directions), every code against its own rules
(requires, frequency, condition, standalone) and against the code table (deleted or not yet valid
on the date of service). The overall verdict is the most restrictive finding. A pair with no rule
is ``unknown``: no rule known is never taken to mean "allowed".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date
from functools import cache
from itertools import combinations
from typing import Any, Literal

from faqbot.model import PAIR_RELATIONS, WEAK_TIERS, CodeCard, KnowledgeBase, Rule

Verdict = Literal["allowed", "not_allowed", "allowed_with_modifier", "depends", "unknown"]
SEVERITY: dict[str, int] = {
    "allowed": 0,
    "unknown": 1,
    "depends": 2,
    "allowed_with_modifier": 3,
    "not_allowed": 4,
}
VERDICT_WORDS: dict[str, str] = {
    "allowed": "allowed",
    "not_allowed": "not allowed",
    "allowed_with_modifier": "allowed with a modifier",
    "depends": "depends",
    "unknown": "no rule known",
}
DISTINCT_SERVICE_MODIFIERS = ("59", "XE", "XS", "XP", "XU")
Modifiers = Mapping[str, Iterable[str]]
SETTING_LABELS = {
    "any": "any setting",
    "practitioner": "Medicare physician fee schedule (freestanding centre or office)",
    "hospital": "hospital outpatient (OPPS)",
}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "?"


# The setting a place of service on a claim stands for: 11 office / freestanding, 19 and 22 hospital outpatient.
POS_SETTINGS: dict[str, str] = {"11": "practitioner", "19": "hospital", "22": "hospital"}


def setting_label(setting: str) -> str:
    if setting.startswith("payer:"):
        return f"payer policy: {setting.removeprefix('payer:')}"
    return SETTING_LABELS.get(setting, setting)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source as an answer cites it: id, title, link and tier."""

    id: str
    title: str
    url: str
    tier: str = "other"  # regulator | society | payer | vendor | other (knowledge/README.md)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the rule check found, with why and where it comes from."""

    codes: tuple[str, ...]
    kind: str  # pair | requires | frequency | condition | alone | deleted | not_yet_effective
    verdict: Verdict
    reason: str
    scope: str = ""
    setting: str = "any"
    modifiers: tuple[str, ...] = ()
    effective_from: date | None = None
    effective_to: date | None = None
    rule_id: str | None = None
    sources: tuple[SourceRef, ...] = ()
    asked: bool = True  # about what the question asks (False: a pair among other codes it names)
    modifier_used: str = ""  # the billed modifier that bypasses the edit or meets the rule ("59", "26")
    span: str = "claim"  # the rule's span: claim / date (same date of service) or course
    dos: date | None = None  # for a unit count: the date of service it is about (None: the course)
    local: bool = False  # the rule comes from a local knowledge folder (the help desk's own policy)

    @property
    def weakly_sourced(self) -> bool:
        """Only billing companies or sites of unknown standing support this finding's rule."""
        return bool(self.sources) and all(source.tier in WEAK_TIERS for source in self.sources)


# The order findings are shown in: what decides whether codes go together first, limits last.
_KIND_ORDER = {
    "pair": 0,
    "alone": 0,
    "requires": 1,
    "deleted": 1,
    "not_yet_effective": 1,
    "modifier": 1,
    "setting": 1,
    "condition": 2,
    "frequency": 3,
    "units": 3,
}


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """The verdict on a combination of codes on a date of service, with every finding behind it."""

    verdict: Verdict
    findings: tuple[Finding, ...]
    dos: date
    setting: str
    codes: tuple[str, ...]
    scope: str | None = None  # the scope the question named ("same day", "same course"), if any
    asked_codes: tuple[str, ...] = ()  # the codes the question asks about, when it names others too

    @property
    def headline_codes(self) -> tuple[str, ...]:
        """The codes the verdict is about."""
        return self.asked_codes or self.codes

    @property
    def ordered_findings(self) -> tuple[Finding, ...]:
        """What was asked first, then what was found among the other codes (pairs with no rule among
        those are left out: they answer nothing the question asked)."""
        asked = sorted((f for f in self.findings if f.asked), key=lambda f: _KIND_ORDER.get(f.kind, 0))
        others = [f for f in self.findings if not f.asked and f.verdict != "unknown"]
        return (*asked, *others)

    def to_dict(self) -> dict[str, Any]:
        data = jsonable(self)
        for finding, out in zip(self.findings, data["findings"]):
            out["weakly_sourced"] = finding.weakly_sourced
        return data


def jsonable(value: Any) -> Any:
    """A value as JSON data: dataclasses field by field (without the deep copy of ``dataclasses.asdict``),
    dicts, tuples and lists item by item, dates as ISO text."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {name: jsonable(getattr(value, name)) for name in _field_names(type(value))}
    return value


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def overall_verdict(findings: Iterable[Finding]) -> Verdict:
    worst: Verdict = "unknown"
    best_seen = -1
    for finding in findings:
        if SEVERITY[finding.verdict] > best_seen:
            worst, best_seen = finding.verdict, SEVERITY[finding.verdict]
    return worst


def _applies(rule: Rule, setting: str) -> Literal["direct", "conditional", "no"]:
    """How a rule's setting relates to the setting asked about."""
    if rule.setting == "any" or rule.setting == setting:
        return "direct"
    if rule.setting.startswith("payer:") or setting == "any":
        return "conditional"
    return "no"


def _pair_verdict(rule: Rule) -> tuple[Verdict, tuple[str, ...], str]:
    """Verdict, modifiers and a short explanation of one pair rule as written."""
    if rule.relation == "allowed_together":
        return "allowed", (), "may be reported together"
    if rule.modifier_indicator == 9:
        return "allowed", (), "edit not applicable (modifier indicator 9)"
    if rule.modifier_indicator == 1:
        mods = rule.modifiers or DISTINCT_SERVICE_MODIFIERS
        if set(mods) & set(DISTINCT_SERVICE_MODIFIERS):
            return (
                "allowed_with_modifier",
                mods,
                "not separately payable unless a distinct-service modifier applies (modifier indicator 1)",
            )
        return "allowed_with_modifier", mods, f"reported together only with modifier {', '.join(mods)}"
    if rule.modifier_indicator == 0:
        return "not_allowed", (), "not separately payable; no modifier overrides it (modifier indicator 0)"
    label = "mutually exclusive" if rule.relation == "mutually_exclusive" else "included in the other code"
    return "not_allowed", (), f"{label} (no modifier indicator published)"


def _modifier_map(modifiers: Modifiers | None) -> dict[str, frozenset[str]]:
    return {code: frozenset(m.upper() for m in mods) for code, mods in (modifiers or {}).items()}


def _with_modifiers(
    rule: Rule,
    verdict: Verdict,
    mods: tuple[str, ...],
    detail: str,
    column1: str,
    column2: str,
    billed_mods: dict[str, frozenset[str]],
    billed: bool,
) -> tuple[Verdict, str, str]:
    """A pair verdict with the modifiers billed taken into account: an indicator-1 edit is bypassed by a
    distinct-service modifier on the column-2 code (either code of a mutually exclusive pair); a rule
    that names another modifier (26) is met by it; indicator 0 stays whatever the modifier."""
    on_column2 = billed_mods.get(column2, frozenset())
    either = on_column2 | billed_mods.get(column1, frozenset()) if rule.relation == "mutually_exclusive" else on_column2
    known = billed or column2 in billed_mods
    if verdict == "allowed_with_modifier":
        used = next((m for m in mods if m in either), "")
        if used in DISTINCT_SERVICE_MODIFIERS:
            return (
                verdict,
                f"Bypassed by modifier {used} on {column2}: documentation must support a distinct service. {detail}",
                used,
            )
        if used:
            return "allowed", f"{column2}-{used} is reported as the rule asks. {detail}", used
        if known:
            billed_as = f" (billed with {', '.join(sorted(on_column2))})" if on_column2 else ""
            return "not_allowed", f"{column2} is billed without modifier {' or '.join(mods)}{billed_as}. {detail}", ""
        return verdict, detail, ""
    if verdict == "not_allowed":
        bypass = sorted(either & set(DISTINCT_SERVICE_MODIFIERS))
        if bypass:
            return verdict, f"Modifier {', '.join(bypass)} does not bypass this edit. {detail}", ""
    return verdict, detail, ""


def _component_conflict(card: CodeCard, mods: frozenset[str]) -> str:
    """Why a professional/technical modifier contradicts the code table's component, or ""."""
    component = card.component.lower()
    if "26" in mods and component.startswith("technical-only"):
        return f"{card.code} is technical-only ({card.component}), so modifier 26 (professional part) does not apply."
    if "TC" in mods and component == "professional-only":
        return f"{card.code} is professional-only, so modifier TC (technical part) does not apply."
    return ""


def allowed_units(rule: Rule, fractions: int) -> int:
    """Units a per-5-fractions rule allows for a course of ``fractions`` fractions."""
    assert rule.max_units is not None
    units = fractions // 5 * rule.max_units
    if rule.leftover_from is not None and fractions % 5 >= rule.leftover_from:
        units += rule.max_units
    if rule.short_course_once and 0 < fractions < 5:
        units = max(units, 1)
    return units


# How a finding or an answer from a local knowledge folder (layered over the shipped one) says so.
LOCAL_POLICY = "Local policy"


class RuleChecker:
    """Checks code combinations against one knowledge base's rules."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._by_code: dict[str, list[Rule]] = {}
        self._source_refs: dict[tuple[str, ...], tuple[SourceRef, ...]] = {}
        for rule in kb.rules:
            for code in {*rule.codes_a, *rule.codes_b}:
                self._by_code.setdefault(code, []).append(rule)

    def sources(self, ids: Iterable[str]) -> tuple[SourceRef, ...]:
        key = tuple(ids)
        refs = self._source_refs.get(key)
        if refs is None:
            refs = self._source_refs[key] = tuple(
                SourceRef(s.id, s.title, s.url, s.tier) for source_id in key if (s := self.kb.sources.get(source_id))
            )
        return refs

    def rules_for(self, code: str) -> tuple[Rule, ...]:
        return tuple(self._by_code.get(code, ()))

    def _finding(
        self,
        rule: Rule,
        codes: tuple[str, ...],
        kind: str,
        verdict: Verdict,
        reason: str,
        setting: str,
        modifiers: tuple[str, ...] = (),
        modifier_used: str = "",
        dos: date | None = None,
    ) -> Finding:
        if _applies(rule, setting) == "conditional":
            if kind == "frequency":  # a limit informs; it never decides whether codes go together
                reason = f"In {setting_label(rule.setting)}: {reason}"
            elif verdict != "depends":
                reason = (
                    f"Depends on setting/payer — in {setting_label(rule.setting)}: {VERDICT_WORDS[verdict]}. {reason}"
                )
                verdict = "depends"
        if rule.layer > 0:
            reason = f"{LOCAL_POLICY}: {reason}"
        return Finding(
            codes=codes,
            kind=kind,
            verdict=verdict,
            reason=reason,
            local=rule.layer > 0,
            scope=rule.scope,
            setting=rule.setting,
            modifiers=modifiers,
            effective_from=rule.effective_from,
            effective_to=rule.effective_to,
            rule_id=rule.id,
            sources=self.sources(rule.sources),
            modifier_used=modifier_used,
            span=rule.span,
            dos=dos,
        )

    def pair(
        self, a: str, b: str, *, dos: date, setting: str, modifiers: Modifiers | None = None, billed: bool = False
    ) -> list[Finding]:
        """The findings for two codes billed together (both directions); see :meth:`check` for
        ``modifiers`` and ``billed``."""
        return self._pair(a, b, dos, setting, _modifier_map(modifiers), billed)

    def _pair(
        self, a: str, b: str, dos: date, setting: str, modifiers: dict[str, frozenset[str]], billed: bool
    ) -> list[Finding]:
        findings: list[Finding] = []
        for rule in self._by_code.get(a, ()):
            if rule.relation not in PAIR_RELATIONS:
                continue
            forward = a in rule.codes_a and b in rule.codes_b
            backward = b in rule.codes_a and a in rule.codes_b
            if not (forward or backward) or not rule.in_effect(dos) or _applies(rule, setting) == "no":
                continue
            verdict, mods, why = _pair_verdict(rule)
            column1, column2 = (a, b) if forward else (b, a)
            detail = f"{column1} with {column2}: {why}. {rule.reason}"
            verdict, detail, used = _with_modifiers(rule, verdict, mods, detail, column1, column2, modifiers, billed)
            findings.append(self._finding(rule, (column1, column2), "pair", verdict, detail, setting, mods, used))
        if not findings:
            findings.extend(self._requirement_met(a, b, dos, setting))
        if not findings:
            findings.append(
                Finding(
                    codes=(a, b),
                    kind="pair",
                    verdict="unknown",
                    reason=(
                        f"No rule known for {a} with {b} on this date and setting. That does not mean they may be "
                        "billed together: check the current NCCI edits and the payer's policy."
                    ),
                    setting=setting,
                )
            )
        return findings

    def _requirement_met(self, a: str, b: str, dos: date, setting: str) -> list[Finding]:
        """A pair is fine when one code is the primary code the other one requires (add-on + primary)."""
        found: list[Finding] = []
        for addon, primary in ((a, b), (b, a)):
            for rule in self._by_code.get(addon, ()):
                if (
                    rule.relation == "requires"
                    and addon in rule.codes_a
                    and primary in rule.codes_b
                    and rule.in_effect(dos)
                    and _applies(rule, setting) != "no"
                ):
                    found.append(
                        self._finding(
                            rule,
                            (addon, primary),
                            "pair",
                            "allowed",
                            f"{addon} is reported with its primary code {primary}. {rule.reason}",
                            setting,
                        )
                    )
        return found

    def _place_of_service(
        self, rule: Rule, code: str, pos: str, mods: frozenset[str], modifiers_known: bool, setting: str
    ) -> list[Finding]:
        """A condition that depends on the place of service billed (nothing when it is not known)."""
        if pos and pos in rule.not_at_pos:
            why = f"{code} is not billed with place of service {pos}. {rule.reason}"
            return [self._finding(rule, (code,), "setting", "not_allowed", why, setting)]
        if pos and pos in rule.pos and modifiers_known:
            used = next((m for m in rule.needs_modifier if m in mods), "")
            if used:
                return [self._finding(rule, (code,), "setting", "allowed", f"{code}-{used} at POS {pos}.", setting)]
            shown = f" (billed with {', '.join(sorted(mods))})" if mods else ""
            why = (
                f"{code} at place of service {pos} needs modifier {' or '.join(rule.needs_modifier)}, and this "
                f"line has none{shown}. {rule.reason}"
            )
            return [self._finding(rule, (code,), "setting", "not_allowed", why, setting, rule.needs_modifier)]
        return []

    def _single(
        self,
        code: str,
        codes: tuple[str, ...],
        dos: date,
        setting: str,
        alone: bool,
        modifiers: dict[str, frozenset[str]],
        billed: bool,
        course_codes: frozenset[str] | None,
        pos: str = "",
    ) -> list[Finding]:
        findings: list[Finding] = []
        card = self.kb.codes.get(code)
        mods = modifiers.get(code, frozenset())
        modifiers_known = billed or code in modifiers
        if card is not None and (conflict := _component_conflict(card, mods)):
            findings.append(
                Finding(
                    codes=(code,),
                    kind="modifier",
                    verdict="not_allowed",
                    reason=conflict,
                    modifiers=tuple(sorted(mods)),
                    sources=self.sources(card.sources),
                )
            )
        if card is not None:
            status = card.status_on(dos)
            if status == "deleted":
                replaced = f" Use {', '.join(card.replaced_by)} instead." if card.replaced_by else ""
                note = f" {card.note}" if card.note else ""
                if card.deletion_confirmed:
                    verdict: Verdict = "not_allowed"
                    reason = (
                        f"{code} was deleted on {_iso(card.deleted_on)}, before this date of service.{replaced}{note}"
                    )
                else:
                    verdict = "depends"
                    reason = (
                        f"Depends on whether {code} was deleted: it is reported deleted on "
                        f"{_iso(card.deleted_on)} by secondary sources only; if so, it is not billable "
                        f"on this date of service.{replaced}{note}"
                    )
                findings.append(
                    Finding(
                        codes=(code,),
                        kind="deleted",
                        verdict=verdict,
                        reason=reason,
                        effective_to=card.deleted_on,
                        sources=self.sources(card.sources),
                    )
                )
            elif status == "not_yet_effective":
                findings.append(
                    Finding(
                        codes=(code,),
                        kind="not_yet_effective",
                        verdict="not_allowed",
                        reason=f"{code} takes effect on {_iso(card.effective_from)}, after this date of service.",
                        effective_from=card.effective_from,
                        sources=self.sources(card.sources),
                    )
                )
        standalone = False
        for rule in self._by_code.get(code, ()):
            if code not in rule.codes_a or not rule.in_effect(dos) or _applies(rule, setting) == "no":
                continue
            if rule.relation == "requires":
                present = [other for other in rule.codes_b if other in codes]
                in_course = [other for other in rule.codes_b if course_codes and other in course_codes]
                if present:
                    findings.append(
                        self._finding(
                            rule,
                            (code, *present),
                            "requires",
                            "allowed",
                            f"{code} needs one of {', '.join(rule.codes_b)}: {', '.join(present)} is billed with it. {rule.reason}",
                            setting,
                        )
                    )
                elif rule.span == "course" and course_codes is not None:
                    findings.append(
                        self._finding(
                            rule,
                            (code, *in_course),
                            "requires",
                            "allowed" if in_course else "not_allowed",
                            f"{code} needs one of {', '.join(rule.codes_b)} in the same course: "
                            + (
                                f"{', '.join(in_course)} is billed in the course. "
                                if in_course
                                else "none is billed anywhere in this course. "
                            )
                            + rule.reason,
                            setting,
                        )
                    )
                elif rule.span == "course":
                    findings.append(
                        self._finding(
                            rule,
                            (code,),
                            "requires",
                            "depends",
                            f"{code} needs one of {', '.join(rule.codes_b)} in the same course, on any date: "
                            f"fine if the course has it, not billable if it does not. {rule.reason}",
                            setting,
                        )
                    )
                else:
                    findings.append(
                        self._finding(
                            rule,
                            (code,),
                            "requires",
                            "not_allowed",
                            f"{code} needs one of {', '.join(rule.codes_b)} and none is billed with it. {rule.reason}",
                            setting,
                        )
                    )
            elif rule.relation == "frequency":
                findings.append(
                    self._finding(
                        rule, (code,), "frequency", "allowed", f"{code}: {rule.limit}. {rule.reason}", setting
                    )
                )
            elif rule.relation == "condition" and (rule.pos or rule.not_at_pos):
                findings.extend(self._place_of_service(rule, code, pos, mods, modifiers_known, setting))
            elif rule.relation == "condition" and rule.needs_modifier and modifiers_known:
                used = next((m for m in rule.needs_modifier if m in mods), "")
                if used:
                    reason = f"{code}-{used}: billed with the modifier it needs. {rule.reason}"
                else:
                    shown = f" (billed with {', '.join(sorted(mods))})" if mods else ""
                    reason = (
                        f"{code} is billed only with modifier {' or '.join(rule.needs_modifier)} on this date of "
                        f"service, and this line has none{shown}. {rule.reason}"
                    )
                findings.append(
                    self._finding(
                        rule,
                        (code,),
                        "modifier",
                        "allowed" if used else "not_allowed",
                        reason,
                        setting,
                        rule.needs_modifier,
                        used,
                    )
                )
            elif rule.relation == "condition":
                findings.append(
                    self._finding(
                        rule,
                        (code,),
                        "condition",
                        "depends",
                        f"{code} depends on documentation or authorization: {rule.reason}",
                        setting,
                    )
                )
            elif rule.relation == "standalone":
                standalone = True
                if alone:
                    findings.append(
                        self._finding(
                            rule,
                            (code,),
                            "alone",
                            "allowed",
                            f"{code} may be billed on its own. {rule.reason}",
                            setting,
                        )
                    )
        if alone and not standalone and not any(f.kind == "requires" for f in findings):
            findings.append(
                Finding(
                    codes=(code,),
                    kind="alone",
                    verdict="unknown",
                    reason=f"No rule known says whether {code} may be billed on its own; check the payer's policy.",
                    setting=setting,
                )
            )
        return findings

    def check(
        self,
        codes: Iterable[str],
        *,
        dos: date,
        setting: str = "any",
        alone: bool = False,
        scope: str | None = None,
        asked: Iterable[str] = (),
        modifiers: Modifiers | None = None,
        billed: bool = False,
        course_codes: Iterable[str] | None = None,
        pos: str = "",
        alternatives: Iterable[frozenset[str]] = (),
    ) -> RuleCheck:
        """Check every pair and every single code. ``alone`` asks whether one code may stand alone.

        ``modifiers``: the modifiers written on each code (``{"77336": ["59"]}``): a distinct-service
        modifier on the column-2 code bypasses an indicator-1 edit (reported as such), a rule that names
        another modifier (77387-26) is met by it, and a professional/technical modifier that contradicts
        the code's component is a finding. ``billed``: the codes are billed lines (a claim), so a code
        with no modifiers has none; otherwise only the codes named in ``modifiers`` are judged on them.
        ``course_codes``: every code of the course, when known (a claim): a requirement that spans the
        course is then met or not, instead of "fine if the course has it". ``pos``: the place of service
        billed ("22"), for the rules about what a professional claim from a hospital carries.

        ``asked``: the codes the question asks about, when it names others as context ("we billed
        77301 and 77295; is 77300 bundled?" asks about 77300). The verdict covers what was asked: the
        asked codes themselves and their pairs (with each other, or with the context codes when one
        code is asked); the other findings are kept, marked ``asked = False``. ``alternatives``: groups
        of codes the question lists as examples of one service ("simulation (77280, 77285, 77290)"):
        pairs inside a group are not asked."""
        ordered = tuple(dict.fromkeys(codes))
        focus = frozenset(asked) & frozenset(ordered) or frozenset(ordered)

        groups = tuple(alternatives)

        def is_asked(pair: tuple[str, str]) -> bool:
            if any(pair[0] in group and pair[1] in group for group in groups):
                return False
            inside = sum(code in focus for code in pair)
            return inside == 2 or (inside == 1 and len(focus) == 1)

        mods = _modifier_map(modifiers)
        course = frozenset(course_codes) if course_codes is not None else None
        findings: list[Finding] = []
        for code in ordered:
            single = self._single(code, ordered, dos, setting, alone and len(ordered) == 1, mods, billed, course, pos)
            findings.extend(f if code in focus else replace(f, asked=False) for f in single)
        for a, b in combinations(ordered, 2):
            pair = self._pair(a, b, dos, setting, mods, billed)
            findings.extend(f if is_asked((a, b)) else replace(f, asked=False) for f in pair)
        verdict = overall_verdict(f for f in findings if f.asked)
        asked_codes = tuple(code for code in ordered if code in focus) if len(focus) < len(ordered) else ()
        return RuleCheck(verdict, tuple(findings), dos, setting, ordered, scope, asked_codes)

    def unit_findings(
        self,
        code: str,
        *,
        setting: str,
        units_by_date: Mapping[date, int],
        fractions: int | None,
    ) -> list[Finding]:
        """Units billed for one code in one course, against the rules that give a limit in numbers
        (``max_units`` per date, session, course or 5 fractions) and the one-of sets (``codes_a ==
        codes_b`` with span date or course: one unit per date or per course). A code with no such rule
        gets no finding: faqbot never makes a limit up. Payer rules are left out (a claim names no payer).
        Verdicts: ``not_allowed`` over a published limit, ``depends`` where the rule leaves room (a
        second session, a rule of thumb, left-over fractions the rule does not count), else ``allowed``."""
        if not units_by_date:
            return []
        first = min(units_by_date)
        total = sum(units_by_date.values())
        findings: list[Finding] = []
        for rule in self._by_code.get(code, ()):
            if code not in rule.codes_a or rule.setting.startswith("payer:") or _applies(rule, setting) == "no":
                continue
            if rule.relation == "frequency" and rule.max_units is not None:
                findings.extend(self._unit_limit(rule, code, setting, units_by_date, first, total, fractions))
            elif (
                rule.relation == "mutually_exclusive"
                and rule.span in ("date", "course")
                and set(rule.codes_a) == set(rule.codes_b)
                and rule.in_effect(first)
            ):
                findings.extend(self._one_of(rule, code, setting, units_by_date, first, total))
        return findings

    def _one_of(
        self, rule: Rule, code: str, setting: str, units_by_date: Mapping[date, int], first: date, total: int
    ) -> list[Finding]:
        others = ", ".join(c for c in rule.codes_a if c != code)
        if rule.span == "course":
            if total <= 1:
                return []
            why = (
                f"{code} is billed {total} times in the course: only one of {code}, {others} per course. {rule.reason}"
            )
            return [self._finding(rule, (code,), "units", "not_allowed", why, setting)]
        out = []
        for day, units in sorted(units_by_date.items()):
            if units > 1 and rule.in_effect(day):
                why = f"{code}: {units} units on one date: only one of {code}, {others} per date. {rule.reason}"
                out.append(self._finding(rule, (code,), "units", "not_allowed", why, setting, dos=day))
        return out

    def _unit_limit(
        self,
        rule: Rule,
        code: str,
        setting: str,
        units_by_date: Mapping[date, int],
        first: date,
        total: int,
        fractions: int | None,
    ) -> list[Finding]:
        assert rule.max_units is not None
        over: Verdict = "depends" if rule.rule_of_thumb else "not_allowed"
        if rule.per in ("date", "session"):
            out = []
            for day, units in sorted(units_by_date.items()):
                if units <= rule.max_units or not rule.in_effect(day):
                    continue
                why = f"{code}: {units} units on one date of service; limit: {rule.limit}. {rule.reason}"
                if rule.per == "session":  # a second session after a distinct break, or a line summing dates
                    why += " Give one line per date of service; a second session the same day needs a distinct break."
                verdict: Verdict = "depends" if rule.per == "session" else over
                out.append(self._finding(rule, (code,), "units", verdict, why, setting, dos=day))
            return out
        if not rule.in_effect(first):
            return []
        within: list[Finding] = []  # within the limit: said only where the rule applies as written
        direct = _applies(rule, setting) == "direct"
        if rule.per == "course":
            if total <= rule.max_units:
                counted = f"{code}: {total} in the course."
                return [self._finding(rule, (code,), "units", "allowed", counted, setting)] if direct else within
            why = f"{code}: {total} units in the course; limit: {rule.limit}. {rule.reason}"
            return [self._finding(rule, (code,), "units", over, why, setting)]
        # per 5 fractions
        if fractions is None:
            why = (
                f"{code} is counted per 5 fractions ({rule.limit}), and the number of fractions is not known: "
                f"the course has no delivery lines (give the number of fractions). {rule.reason}"
            )
            return [self._finding(rule, (code,), "units", "depends", why, setting)]
        allowed = allowed_units(rule, fractions)
        counted = f"{code}: {total} units billed for {fractions} fractions, {allowed} expected ({rule.limit})."
        if total > allowed:
            if rule.leftover_from is None and total <= max(1, math.ceil(fractions / 5)) * rule.max_units:
                why = f"{counted} The unit over the count is for {fractions % 5} left-over fractions, which the rule does not count. {rule.reason}"
                return [self._finding(rule, (code,), "units", "depends", why, setting)]
            return [self._finding(rule, (code,), "units", over, f"{counted} {rule.reason}", setting)]
        if total < allowed and rule.leftover_from is not None:
            why = f"{counted} Fewer units than the fractions earn: check for a missing unit. {rule.reason}"
            return [self._finding(rule, (code,), "units", "depends", why, setting)]
        return [self._finding(rule, (code,), "units", "allowed", counted, setting)] if direct else within
