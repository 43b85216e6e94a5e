"""Example claims with their expected findings (``*.claim.toml``), replayed by ``faqbot replay``.

An example names a claim file next to it and what ``faqbot claim`` must find in it::

    name = "2026 IMRT course with planted errors"
    file = "imrt-2026-planted-errors.txt"   # CSV, TSV or pasted lines, beside this file
    setting = "any"                         # optional: --setting
    fractions = 25                          # optional: --fractions

    [expect]
    problems = 7                            # exact counts (so nothing unexpected slips in)
    warnings = 4
    unreadable = 1

    [[expect.finding]]                      # each must be in the report
    severity = "problem"
    codes = ["77263", "77262"]              # in any order
    rule_id = "clinical-planning-one-level-per-course"   # optional: the rule, or one it names as "also"
    kind = "pair"                           # optional
    lines = [2, 3]                          # optional: exactly these lines
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faqbot.claim_check import ClaimFinding, ClaimReport, check_claim
from faqbot.claim_lines import read_claim
from faqbot.rules import RuleChecker

SUFFIX = ".claim.toml"
_COUNTS = ("problems", "warnings", "unreadable", "lines")
_FINDING_KEYS = {"severity", "codes", "rule_id", "kind", "lines"}


class ClaimExampleError(Exception):
    """An unreadable or invalid example; the message names the file."""


@dataclass(frozen=True, slots=True)
class ExpectedFinding:
    severity: str
    codes: frozenset[str]
    rule_id: str | None = None
    kind: str | None = None
    lines: tuple[int, ...] | None = None

    def matches(self, finding: ClaimFinding) -> bool:
        return (
            finding.severity == self.severity
            and frozenset(finding.codes) == self.codes
            and (self.rule_id is None or self.rule_id == finding.rule_id or self.rule_id in finding.also_rules)
            and (self.kind is None or self.kind == finding.kind)
            and (self.lines is None or self.lines == finding.lines)
        )

    def describe(self) -> str:
        rule = f" (rule {self.rule_id})" if self.rule_id else ""
        lines = f" on lines {', '.join(map(str, self.lines))}" if self.lines else ""
        return f"{self.severity} about {' + '.join(sorted(self.codes))}{rule}{lines}"


@dataclass(frozen=True, slots=True)
class ClaimExample:
    path: Path
    name: str
    claim_file: Path
    setting: str
    fractions: int | None
    counts: dict[str, int]
    findings: tuple[ExpectedFinding, ...]


@dataclass(frozen=True, slots=True)
class ClaimExampleResult:
    example: ClaimExample
    report: ClaimReport
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def is_claim_example(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def claim_example_files(paths: Iterable[Path]) -> list[Path]:
    """The ``*.claim.toml`` files named, or in folders named (recursively), sorted."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file()))
        elif path.is_file() and is_claim_example(path):
            out.append(path)
    return out


def parse_claim_example(path: Path) -> ClaimExample:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ClaimExampleError(f"{path}: cannot read: {exc}") from None
    unknown = set(doc) - {"name", "file", "setting", "fractions", "expect"}
    if unknown:
        raise ClaimExampleError(f"{path}: unknown key(s): {', '.join(sorted(unknown))}")
    file = doc.get("file")
    if not isinstance(file, str) or not (path.parent / file).is_file():
        raise ClaimExampleError(f"{path}: 'file' must name a claim file beside it")
    setting = doc.get("setting", "any")
    if setting not in ("any", "practitioner", "hospital"):
        raise ClaimExampleError(f"{path}: 'setting' must be any, practitioner or hospital")
    fractions = doc.get("fractions")
    if fractions is not None and (isinstance(fractions, bool) or not isinstance(fractions, int) or fractions < 1):
        raise ClaimExampleError(f"{path}: 'fractions' must be a whole number of at least 1")
    expect = doc.get("expect")
    if not isinstance(expect, dict) or not (set(expect) & {*_COUNTS, "finding"}):
        raise ClaimExampleError(f"{path}: [expect] must give counts ({', '.join(_COUNTS)}) or findings")
    counts: dict[str, int] = {}
    for key, value in expect.items():
        if key == "finding":
            continue
        if key not in _COUNTS or isinstance(value, bool) or not isinstance(value, int):
            raise ClaimExampleError(f"{path}: [expect] {key}: expected one of {', '.join(_COUNTS)} with a number")
        counts[key] = value
    findings = tuple(_expected(raw, path) for raw in expect.get("finding", []))
    return ClaimExample(
        path=path,
        name=str(doc.get("name", path.stem)),
        claim_file=path.parent / file,
        setting=setting,
        fractions=fractions,
        counts=counts,
        findings=findings,
    )


def _expected(raw: Any, path: Path) -> ExpectedFinding:
    if not isinstance(raw, dict) or set(raw) - _FINDING_KEYS or not {"severity", "codes"} <= set(raw):
        raise ClaimExampleError(
            f"{path}: each [[expect.finding]] needs severity and codes (and may give rule_id, kind, lines)"
        )
    if raw["severity"] not in ("problem", "warning"):
        raise ClaimExampleError(f"{path}: finding severity must be problem or warning")
    lines = raw.get("lines")
    return ExpectedFinding(
        severity=raw["severity"],
        codes=frozenset(raw["codes"]),
        rule_id=raw.get("rule_id"),
        kind=raw.get("kind"),
        lines=tuple(lines) if lines is not None else None,
    )


def replay_claim_example(checker: RuleChecker, example: ClaimExample) -> ClaimExampleResult:
    text = example.claim_file.read_bytes().decode("utf-8", "replace")
    report = check_claim(checker, read_claim(text), setting=example.setting, fractions=example.fractions)
    got = {
        "problems": len(report.problems),
        "warnings": len(report.warnings),
        "unreadable": len(report.unreadable),
        "lines": len(report.lines),
    }
    failures = [
        f"{key}: expected {value}, got {got[key]}" for key, value in example.counts.items() if got[key] != value
    ]
    for expected in example.findings:
        if not any(expected.matches(f) for f in report.findings):
            failures.append(f"finding: expected a {expected.describe()}, not found")
    return ClaimExampleResult(example, report, tuple(failures))
