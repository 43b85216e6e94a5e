"""Checking a whole claim or course of charges with the rule engine of the pair check.

The claim is the pair check applied per date of service and per course (``RuleChecker.check`` with
the billed modifiers), plus the course-level rules the same engine evaluates: pairs whose rule spans
the course (hospital packaging into the IMRT plan), requirements that span the course, and unit
counts (``RuleChecker.unit_findings``). Verdicts become severities: not allowed → problem; allowed
only with a modifier that is not billed → problem; bypassed by a distinct-service modifier, or
depends → warning; no rule known → counted (listed with ``verbose``). Nothing here decides a
verdict of its own, so ``faqbot check``, the answers' rule check and ``faqbot claim`` agree.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any, Literal

from faqbot.claim_lines import ClaimInput, ClaimLine, UnreadableLine
from faqbot.model import KnowledgeBase
from faqbot.rules import Finding, RuleChecker, SourceRef

Severity = Literal["problem", "warning"]
LineStatus = Literal["ok", "problem", "warning", "unreadable"]

# Codes whose units count the course's fractions (treatment sessions): external-beam, stereotactic,
# proton, special and surface delivery. Image guidance, port films and management are not fractions.
FRACTION_FAMILIES = frozenset(
    {
        "external_beam_delivery",
        "medicare_pfs_gcode_delivery",
        "delivery_special",
        "proton",
        "stereotactic",
        "surface_radiation_therapy",
        "biology_guided_rt",
    }
)
FRACTION_CODES_EXTRA = frozenset({"77385", "77386", "0073T", "77418"})
NOT_FRACTIONS = frozenset({"77417", "77436", "77439", "G0562"})


def is_fraction_code(kb: KnowledgeBase, code: str) -> bool:
    """Whether each unit of ``code`` is one treatment session (a fraction) of the course."""
    card = kb.codes.get(code)
    if card is None or code in NOT_FRACTIONS:
        return False
    return card.family in FRACTION_FAMILIES or code in FRACTION_CODES_EXTRA


@dataclass(frozen=True, slots=True)
class ClaimFinding:
    """One problem or warning about a claim, with the lines it concerns, the rule and its sources."""

    severity: Severity
    kind: str  # pair | requires | deleted | not_yet_effective | modifier | setting | units | condition | unknown_code
    lines: tuple[int, ...]
    codes: tuple[str, ...]
    dos: date | None  # the first date of service it concerns (None: the course as a whole)
    message: str
    rule_id: str | None = None
    sources: tuple[SourceRef, ...] = ()
    course: str = ""
    dates: tuple[date, ...] = ()  # every date of service it concerns
    also_rules: tuple[str, ...] = ()  # other rules that say the same about these codes

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "kind": self.kind,
            "lines": list(self.lines),
            "codes": list(self.codes),
            "dos": self.dos.isoformat() if self.dos else None,
            "dates": [d.isoformat() for d in self.dates],
            "course": self.course,
            "message": self.message,
            "rule_id": self.rule_id,
            "also_rules": list(self.also_rules),
            "sources": [{"id": s.id, "title": s.title, "url": s.url, "tier": s.tier} for s in self.sources],
        }


@dataclass(frozen=True, slots=True)
class CourseSummary:
    course: str
    setting: str
    fractions: int | None
    fractions_from: Literal["delivery lines", "--fractions", "unknown"]
    first_dos: date
    last_dos: date
    lines: int


@dataclass(frozen=True, slots=True)
class ClaimReport:
    """Everything ``faqbot claim`` found. ``to_dict`` is the stable JSON shape (README, "Checking a claim")."""

    lines: tuple[ClaimLine, ...]
    unreadable: tuple[UnreadableLine, ...]
    findings: tuple[ClaimFinding, ...]  # problems first, then warnings
    no_rule_known: tuple[ClaimFinding, ...]  # pairs with no rule (severity "warning", listed with --verbose)
    courses: tuple[CourseSummary, ...]
    setting: str
    status: dict[int, LineStatus] = field(default_factory=dict)

    @property
    def problems(self) -> tuple[ClaimFinding, ...]:
        return tuple(f for f in self.findings if f.severity == "problem")

    @property
    def warnings(self) -> tuple[ClaimFinding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def fractions(self) -> int | None:
        known = [c.fractions for c in self.courses if c.fractions is not None]
        return sum(known) if known else None

    def summary_line(self) -> str:
        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        parts = [count(len(self.problems), "problem"), count(len(self.warnings), "warning")]
        checked = f"{count(len(self.lines), 'line')} checked"
        if self.unreadable:
            checked += f", {len(self.unreadable)} unreadable"
        return ", ".join([*parts, checked])

    def to_dict(self, *, verbose: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "summary": {
                "problems": len(self.problems),
                "warnings": len(self.warnings),
                "lines": len(self.lines),
                "unreadable": len(self.unreadable),
                "no_rule_known": len(self.no_rule_known),
            },
            "setting": self.setting,
            "fractions": self.fractions,
            "courses": [
                {
                    "course": c.course,
                    "setting": c.setting,
                    "fractions": c.fractions,
                    "fractions_from": c.fractions_from,
                    "first_dos": c.first_dos.isoformat(),
                    "last_dos": c.last_dos.isoformat(),
                    "lines": c.lines,
                }
                for c in self.courses
            ],
            "lines": [
                {
                    "line": line.line,
                    "dos": line.dos.isoformat(),
                    "code": line.code,
                    "modifiers": list(line.modifiers),
                    "units": line.units,
                    "pos": line.pos,
                    "setting": line.setting,
                    "course": line.course,
                    "status": self.status.get(line.line, "ok"),
                }
                for line in self.lines
            ]
            + [
                {
                    "line": bad.line,
                    "dos": None,
                    "code": None,
                    "modifiers": [],
                    "units": None,
                    "status": "unreadable",
                    "text": bad.text,
                    "reason": bad.reason,
                }
                for bad in self.unreadable
            ],
            "findings": [f.to_dict() for f in self.findings],
        }
        if verbose:
            data["no_rule_known"] = [f.to_dict() for f in self.no_rule_known]
        return data


def _severity(finding: Finding) -> Severity | None:
    """A rule-engine verdict as a claim severity (None: nothing to report)."""
    if finding.verdict == "not_allowed":
        return "problem"
    if finding.verdict == "allowed_with_modifier":
        # On a claim the modifiers are what was billed: with the modifier it is bypassed (a warning:
        # documentation must support it); without it the engine already says not allowed.
        return "warning" if finding.modifier_used else "problem"
    if finding.verdict == "depends":
        return "warning"
    return None


@dataclass(slots=True)
class _Merged:
    finding: Finding
    severity: Severity
    lines: set[int]
    dates: set[date]
    sources: dict[str, SourceRef]
    course: str = ""
    also: list[str] = field(default_factory=list)  # other rules that say the same


class ClaimChecker:
    """Checks claim lines against one knowledge base's rules (the pair check's engine)."""

    def __init__(self, checker: RuleChecker) -> None:
        self.checker = checker
        self.kb = checker.kb
        self._fraction_code: dict[str, bool] = {}
        # Every date on which a rule or a code starts or stops applying: between two of them, a check
        # of the same codes gives the same findings (they carry no date of service of their own).
        self._boundaries = sorted(
            {d for r in self.kb.rules for d in (r.effective_from, r.effective_to) if d}
            | {d for c in self.kb.codes.values() for d in (c.effective_from, c.deleted_on) if d}
        )

    def _epoch(self, dos: date) -> int:
        return bisect_right(self._boundaries, dos)

    def _is_fraction(self, code: str) -> bool:
        if code not in self._fraction_code:
            self._fraction_code[code] = is_fraction_code(self.kb, code)
        return self._fraction_code[code]

    def check(self, claim: ClaimInput, *, setting: str = "any", fractions: int | None = None) -> ClaimReport:
        """Check every line. ``setting`` applies to lines whose POS or setting column says nothing;
        ``fractions`` is the course's number of fractions when it has no delivery lines."""
        known = [line for line in claim.lines if line.code in self.kb.codes]
        merged: dict[tuple[Any, ...], _Merged] = {}
        unknown_pairs: dict[tuple[Any, ...], _Merged] = {}

        def add(finding: Finding, lines: Iterable[int], dates: Iterable[date], course: str) -> None:
            if finding.setting.startswith("payer:"):
                return  # a claim names no payer: payer policies are not applied
            target = unknown_pairs if finding.verdict == "unknown" else merged
            severity = "warning" if finding.verdict == "unknown" else _severity(finding)
            if severity is None:
                return
            # One finding per codes and severity: several rules saying the same thing about the same
            # codes (77301 + 77014 under two sources) are one finding naming every rule.
            key: tuple[Any, ...] = (course, finding.kind, frozenset(finding.codes), severity)
            if finding.kind not in ("pair", "units"):
                key = (*key, finding.rule_id or finding.reason[:60])
            if finding.verdict == "unknown":
                key = (course, frozenset(finding.codes))
            item = target.get(key)
            if item is None:
                item = target[key] = _Merged(finding, severity, set(), set(), {}, course)
            if finding.rule_id and finding.rule_id != item.finding.rule_id and finding.rule_id not in item.also:
                item.also.append(finding.rule_id)
            item.lines.update(lines)
            item.dates.update(dates)
            item.sources.update((s.id, s) for s in finding.sources)

        for bad in (line for line in claim.lines if line.code not in self.kb.codes):
            key = ("unknown", bad.course, bad.code)  # one finding per unknown code and course
            if key not in merged:
                merged[key] = _Merged(
                    Finding(
                        codes=(bad.code,),
                        kind="unknown_code",
                        verdict="depends",
                        reason=f"{bad.code} is not in faqbot's code table, so nothing was checked for it.",
                    ),
                    "warning",
                    set(),
                    set(),
                    {},
                    bad.course,
                )
            merged[key].lines.add(bad.line)
            merged[key].dates.add(bad.dos)

        courses: list[CourseSummary] = []
        by_course: dict[str, list[ClaimLine]] = defaultdict(list)
        for line in known:
            by_course[line.course].append(line)
        for course, lines in by_course.items():
            courses.append(self._check_course(course, lines, setting, fractions, add))
        for course in {line.course for line in claim.lines} - set(by_course):
            course_lines = [line for line in claim.lines if line.course == course]
            courses.append(
                CourseSummary(
                    course,
                    setting,
                    fractions,
                    "--fractions" if fractions is not None else "unknown",
                    min(line.dos for line in course_lines),
                    max(line.dos for line in course_lines),
                    len(course_lines),
                )
            )

        def build(item: _Merged) -> ClaimFinding:
            f = item.finding
            dates = tuple(sorted(item.dates))
            message = f.reason
            if item.also:
                message += f" (Also: rule {', '.join(item.also)}.)"
            if len(dates) > 1 and f.span != "course" and f.kind != "unknown_code":
                message = (
                    f"On {len(dates)} dates of service ({dates[0].isoformat()} to {dates[-1].isoformat()}): {message}"
                )
            return ClaimFinding(
                severity=item.severity,
                kind=f.kind,
                lines=tuple(sorted(item.lines)),
                codes=f.codes,
                dos=dates[0] if dates else None,
                message=message,
                rule_id=f.rule_id,
                sources=tuple(item.sources.values()),
                course=item.course,
                dates=dates,
                also_rules=tuple(item.also),
            )

        findings = sorted(
            (build(item) for item in merged.values()),
            key=lambda f: (f.severity != "problem", f.lines[:1], f.kind, f.codes),
        )
        no_rule = tuple(build(item) for item in unknown_pairs.values())
        status: dict[int, LineStatus] = {line.line: "ok" for line in claim.lines}
        for f in findings:
            for number in f.lines:
                if f.severity == "problem" or status.get(number) == "ok":
                    status[number] = f.severity
        for unreadable in claim.unreadable:
            status[unreadable.line] = "unreadable"
        settings = {c.setting for c in courses}
        return ClaimReport(
            lines=claim.lines,
            unreadable=claim.unreadable,
            findings=tuple(findings),
            no_rule_known=no_rule,
            courses=tuple(courses),
            setting=settings.pop() if len(settings) == 1 else ("mixed" if settings else setting),
            status=status,
        )

    def _check_course(self, course: str, lines: list[ClaimLine], default_setting: str, fractions, add) -> CourseSummary:
        def setting_of(line: ClaimLine) -> str:
            return line.setting or default_setting

        codes_in_course = tuple(dict.fromkeys(line.code for line in lines))
        same_findings: dict[tuple[Any, ...], tuple[Finding, ...]] = {}
        # Per date of service (and setting): the pair check with the billed modifiers.
        groups: dict[tuple[date, str, str], list[ClaimLine]] = defaultdict(list)
        for line in lines:
            groups[(line.dos, setting_of(line), line.pos)].append(line)
        for (dos, setting, pos), group in groups.items():
            codes = tuple(dict.fromkeys(line.code for line in group))
            mods: dict[str, set[str]] = defaultdict(set)
            for line in group:
                mods[line.code].update(line.modifiers)
            key = (codes, tuple(sorted((c, tuple(sorted(m))) for c, m in mods.items())), setting, pos, self._epoch(dos))
            findings = same_findings.get(key)
            if findings is None:  # delivery days repeat the same codes: check each combination once per period
                findings = same_findings[key] = self.checker.check(
                    codes, dos=dos, setting=setting, modifiers=mods, billed=True, course_codes=codes_in_course, pos=pos
                ).findings
            for finding in findings:
                if finding.kind == "frequency":
                    continue  # counted below, per course, by unit_findings
                concerned = [line.line for line in group if line.code in finding.codes]
                add(finding, concerned, [dos], course)

        # Pairs whose rule spans the course, met on different dates.
        first_seen: dict[str, date] = {}
        course_mods: dict[str, set[str]] = defaultdict(set)
        for line in lines:
            first_seen[line.code] = min(first_seen.get(line.code, line.dos), line.dos)
            course_mods[line.code].update(line.modifiers)
        dates_of: dict[str, set[date]] = defaultdict(set)
        lines_by_code: dict[str, list[ClaimLine]] = defaultdict(list)
        for line in lines:
            dates_of[line.code].add(line.dos)
            lines_by_code[line.code].append(line)
        course_setting = _one_setting({setting_of(line) for line in lines})
        for a, b in combinations(codes_in_course, 2):
            if dates_of[a] == dates_of[b] and len(dates_of[a]) == 1:
                continue  # only ever on the same date: the per-date check has it
            dos = max(first_seen[a], first_seen[b])
            for finding in self.checker.pair(a, b, dos=dos, setting=course_setting, modifiers=course_mods, billed=True):
                if finding.kind != "pair" or finding.span not in ("course", "course_before"):
                    continue
                column1, column2 = finding.codes
                involved = [*lines_by_code[a], *lines_by_code[b]]
                if finding.span == "course_before":  # only column-2 services on or before the column-1 one
                    latest = max(dates_of[column1])
                    involved = [line for line in involved if line.code == column1 or line.dos <= latest]
                    if not any(line.code == column2 for line in involved):
                        continue
                first = min(line.dos for line in involved)
                add(finding, sorted(line.line for line in involved), [first], course)

        # Fractions: the delivery lines (per date, the units of its delivery code with the most: two
        # delivery levels on one date are one session billed twice, not two fractions), else --fractions.
        per_date: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for line in lines:
            if self._is_fraction(line.code):
                per_date[line.dos][line.code] += line.units
        delivery_units = sum(max(by_code.values()) for by_code in per_date.values())
        if delivery_units:
            n_fractions: int | None = delivery_units
            source: Literal["delivery lines", "--fractions", "unknown"] = "delivery lines"
        elif fractions is not None:
            n_fractions, source = fractions, "--fractions"
        else:
            n_fractions, source = None, "unknown"

        # Unit counts per code: per date, per session, per course, per 5 fractions, one-of sets.
        units: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        for line in lines:
            units[line.code][line.dos] += line.units
        for code, by_date in units.items():
            for finding in self.checker.unit_findings(
                code, setting=course_setting, units_by_date=by_date, fractions=n_fractions
            ):
                concerned = [
                    line.line
                    for line in lines
                    if line.code == code and (finding.dos is None or line.dos == finding.dos)
                ]
                add(finding, concerned, [finding.dos] if finding.dos else [], course)

        return CourseSummary(
            course=course,
            setting=course_setting,
            fractions=n_fractions,
            fractions_from=source,
            first_dos=min(line.dos for line in lines),
            last_dos=max(line.dos for line in lines),
            lines=len(lines),
        )


def _one_setting(settings: set[str]) -> str:
    """The course's setting for course-level rules: the one its lines state, else "any"."""
    stated = settings - {"any", ""}
    return stated.pop() if len(stated) == 1 else "any"


def check_claim(
    checker: RuleChecker, claim: ClaimInput, *, setting: str = "any", fractions: int | None = None
) -> ClaimReport:
    """Check claim lines (see :class:`ClaimChecker`)."""
    return ClaimChecker(checker).check(claim, setting=setting, fractions=fractions)
