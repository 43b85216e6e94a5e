"""The rule check: a structured verdict for a set of codes on a date of service, in a setting.

Every pair is checked against the pair rules (both directions), every code against its own rules
(requires, frequency, condition, standalone) and against the code table (deleted or not yet valid
on the date of service). The overall verdict is the most restrictive finding. A pair with no rule
is ``unknown``: no rule known is never taken to mean "allowed".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date
from functools import cache
from itertools import combinations
from typing import Any, Literal

from faqbot.model import PAIR_RELATIONS, WEAK_TIERS, KnowledgeBase, Rule

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
SETTING_LABELS = {
    "any": "any setting",
    "practitioner": "Medicare physician fee schedule (freestanding centre or office)",
    "hospital": "hospital outpatient (OPPS)",
}


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "?"


def setting_label(setting: str) -> str:
    if setting.startswith("payer:"):
        return f"payer policy: {setting.removeprefix('payer:')}"
    return SETTING_LABELS.get(setting, setting)


@dataclass(frozen=True, slots=True)
class SourceRef:
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
    "condition": 2,
    "frequency": 3,
}


@dataclass(frozen=True, slots=True)
class RuleCheck:
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


class RuleChecker:
    """Checks code combinations against one knowledge base's rules."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._by_code: dict[str, list[Rule]] = {}
        for rule in kb.rules:
            for code in {*rule.codes_a, *rule.codes_b}:
                self._by_code.setdefault(code, []).append(rule)

    def sources(self, ids: Iterable[str]) -> tuple[SourceRef, ...]:
        return tuple(
            SourceRef(s.id, s.title, s.url, s.tier) for source_id in ids if (s := self.kb.sources.get(source_id))
        )

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
    ) -> Finding:
        if _applies(rule, setting) == "conditional":
            if kind == "frequency":  # a limit informs; it never decides whether codes go together
                reason = f"In {setting_label(rule.setting)}: {reason}"
            elif verdict != "depends":
                reason = (
                    f"Depends on setting/payer — in {setting_label(rule.setting)}: {VERDICT_WORDS[verdict]}. {reason}"
                )
                verdict = "depends"
        return Finding(
            codes=codes,
            kind=kind,
            verdict=verdict,
            reason=reason,
            scope=rule.scope,
            setting=rule.setting,
            modifiers=modifiers,
            effective_from=rule.effective_from,
            effective_to=rule.effective_to,
            rule_id=rule.id,
            sources=self.sources(rule.sources),
        )

    def _pair(self, a: str, b: str, dos: date, setting: str) -> list[Finding]:
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
            findings.append(self._finding(rule, (column1, column2), "pair", verdict, detail, setting, mods))
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

    def _single(self, code: str, codes: tuple[str, ...], dos: date, setting: str, alone: bool) -> list[Finding]:
        findings: list[Finding] = []
        card = self.kb.codes.get(code)
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
    ) -> RuleCheck:
        """Check every pair and every single code. ``alone`` asks whether one code may stand alone.

        ``asked``: the codes the question asks about, when it names others as context ("we billed
        77301 and 77295; is 77300 bundled?" asks about 77300). The verdict covers what was asked: the
        asked codes themselves and their pairs (with each other, or with the context codes when one
        code is asked); the other findings are kept, marked ``asked = False``."""
        ordered = tuple(dict.fromkeys(codes))
        focus = frozenset(asked) & frozenset(ordered) or frozenset(ordered)

        def is_asked(pair: tuple[str, str]) -> bool:
            inside = sum(code in focus for code in pair)
            return inside == 2 or (inside == 1 and len(focus) == 1)

        findings: list[Finding] = []
        for code in ordered:
            single = self._single(code, ordered, dos, setting, alone and len(ordered) == 1)
            findings.extend(f if code in focus else replace(f, asked=False) for f in single)
        for a, b in combinations(ordered, 2):
            findings.extend(f if is_asked((a, b)) else replace(f, asked=False) for f in self._pair(a, b, dos, setting))
        verdict = overall_verdict(f for f in findings if f.asked)
        asked_codes = tuple(code for code in ordered if code in focus) if len(focus) < len(ordered) else ()
        return RuleCheck(verdict, tuple(findings), dos, setting, ordered, scope, asked_codes)
