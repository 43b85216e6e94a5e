"""Scripted Q&A transcripts: parse and validate them, replay them through ``Faqbot.answer``.

A transcript is a TOML file::

    name = "seed questions"
    [defaults]            # optional
    as_of = 2026-11-26
    setting = "any"       # any | practitioner | hospital

    [[turn]]
    question = "What is the CPT code 77012?"
    entry = "what-is-77012"          # expected entry id ("" or "none" = no entry)
    status = "answered"              # answered | no_match
    verdict = "allowed"              # rule-check overall verdict ("none" = no rule check)
    codes = ["77012"]                # recognized codes, in order
    unknown_codes = []
    contains = ["needle"]            # answer text, case-insensitive
    not_contains = ["radiation therapy guidance"]
    min_confidence = 0.5

Every turn needs at least one expectation: a check that cannot fail is not a check.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from faqbot.engine import Answer, Faqbot
from faqbot.rules import SEVERITY

EXPECTATIONS = ("entry", "status", "verdict", "codes", "unknown_codes", "contains", "not_contains", "min_confidence")
_TURN_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*turn[ \t]*\]\]", re.MULTILINE)


class TranscriptError(Exception):
    """An unreadable or invalid transcript; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    line: int
    as_of: date | None = None
    setting: str | None = None
    entry: str | None = None
    status: str | None = None
    verdict: str | None = None
    codes: tuple[str, ...] | None = None
    unknown_codes: tuple[str, ...] | None = None
    contains: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    min_confidence: float | None = None
    also: tuple[str, ...] = ()  # other entries that answer the question as well as ``entry``

    @property
    def accepted_entries(self) -> frozenset[str]:
        return frozenset({self.entry or "none", *self.also})


@dataclass(frozen=True, slots=True)
class Transcript:
    path: Path
    name: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True, slots=True)
class TurnResult:
    transcript: Transcript
    number: int  # 1-based
    turn: Turn
    answer: Answer
    failures: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.failures


def _texts(value: Any, where: str, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TranscriptError(f"{where}: '{name}' must be text or a list of text")


def _turn_lines(text: str) -> list[int]:
    return [text.count("\n", 0, m.start()) + 1 for m in _TURN_HEADER.finditer(text)]


def parse_transcript(path: Path) -> Transcript:
    """Read and validate one transcript file; raise TranscriptError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(f"{path}: cannot read: {exc}") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TranscriptError(f"{path}: not valid TOML: {exc}") from None
    unknown_top = set(doc) - {"name", "defaults", "turn"}
    if unknown_top:
        raise TranscriptError(f"{path}: line 1: unknown top-level key(s): {', '.join(sorted(unknown_top))}")
    defaults = doc.get("defaults", {})
    if not isinstance(defaults, dict) or set(defaults) - {"as_of", "setting"}:
        raise TranscriptError(f"{path}: [defaults] takes only as_of and setting")
    raw_turns = doc.get("turn")
    if not isinstance(raw_turns, list) or not raw_turns:
        raise TranscriptError(f"{path}: no [[turn]] tables")
    lines = _turn_lines(text)
    turns = []
    for i, raw in enumerate(raw_turns):
        line = lines[i] if i < len(lines) else 0
        turns.append(_parse_turn(raw, f"{path}: line {line} (turn {i + 1})", defaults, line))
    name = doc.get("name", path.stem)
    if not isinstance(name, str):
        raise TranscriptError(f"{path}: line 1: 'name' must be text")
    return Transcript(path, name, tuple(turns))


def _parse_turn(raw: dict[str, Any], where: str, defaults: dict[str, Any], line: int) -> Turn:
    # ``source`` (where a real question was asked) and ``note`` document a turn; they expect nothing.
    allowed = {"question", "as_of", "setting", "source", "note", "also", *EXPECTATIONS}
    extra = set(raw) - allowed
    if extra:
        raise TranscriptError(f"{where}: unknown key(s): {', '.join(sorted(extra))}")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise TranscriptError(f"{where}: 'question' is missing or empty")
    if not any(key in raw for key in EXPECTATIONS):
        raise TranscriptError(f"{where}: no expectation (give at least one of {', '.join(EXPECTATIONS)})")
    as_of = raw.get("as_of", defaults.get("as_of"))
    if as_of is not None and not (isinstance(as_of, date) and not hasattr(as_of, "hour")):
        raise TranscriptError(f"{where}: 'as_of' must be a date like 2026-11-26")
    setting = raw.get("setting", defaults.get("setting"))
    if setting is not None and setting not in ("any", "practitioner", "hospital"):
        raise TranscriptError(f"{where}: 'setting' must be any, practitioner or hospital")
    status = raw.get("status")
    if status is not None and status not in ("answered", "no_match"):
        raise TranscriptError(f"{where}: 'status' must be answered or no_match")
    verdict = raw.get("verdict")
    if verdict is not None and verdict not in (*SEVERITY, "none"):
        raise TranscriptError(f"{where}: 'verdict' must be one of {', '.join(SEVERITY)} or none")
    min_conf = raw.get("min_confidence")
    if min_conf is not None and (
        isinstance(min_conf, bool) or not isinstance(min_conf, (int, float)) or not 0 <= min_conf <= 1
    ):
        raise TranscriptError(f"{where}: 'min_confidence' must be a number from 0 to 1")
    entry = raw.get("entry")
    if entry is not None and not isinstance(entry, str):
        raise TranscriptError(f"{where}: 'entry' must be text")
    return Turn(
        question=question.strip(),
        line=line,
        as_of=as_of,
        setting=setting,
        entry=entry,
        also=_texts(raw["also"], where, "also") if "also" in raw else (),
        status=status,
        verdict=verdict,
        codes=_texts(raw["codes"], where, "codes") if "codes" in raw else None,
        unknown_codes=_texts(raw["unknown_codes"], where, "unknown_codes") if "unknown_codes" in raw else None,
        contains=_texts(raw.get("contains", []), where, "contains"),
        not_contains=_texts(raw.get("not_contains", []), where, "not_contains"),
        min_confidence=float(min_conf) if min_conf is not None else None,
    )


def transcript_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and *.toml files in folders named (recursively), sorted; missing paths raise.
    Example claims (``*.claim.toml``, see ``faqbot.claim_examples``) are not transcripts: left out."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.toml") if p.is_file() and not p.name.endswith(".claim.toml")))
        elif path.is_file() and path.name.endswith(".claim.toml"):
            continue
        elif path.is_file():
            out.append(path)
        else:
            raise TranscriptError(f"{path}: no such file or folder")
    return out


def check_turn(turn: Turn, answer: Answer) -> tuple[str, ...]:
    """What differs between a turn's expectations and the answer (empty when it passes)."""
    failures: list[str] = []
    got_entry = answer.entry_id or "none"
    if turn.entry is not None and got_entry not in turn.accepted_entries:
        failures.append(f"entry: expected {turn.entry or 'none'}, got {got_entry}")
    if turn.status is not None and turn.status != answer.status:
        failures.append(f"status: expected {turn.status}, got {answer.status}")
    got_verdict = answer.rule_check.verdict if answer.rule_check else "none"
    if turn.verdict is not None and turn.verdict != got_verdict:
        failures.append(f"verdict: expected {turn.verdict}, got {got_verdict}")
    if turn.codes is not None and tuple(turn.codes) != answer.codes:
        failures.append(f"codes: expected {list(turn.codes)}, got {list(answer.codes)}")
    if turn.unknown_codes is not None and tuple(turn.unknown_codes) != answer.unknown_codes:
        failures.append(f"unknown_codes: expected {list(turn.unknown_codes)}, got {list(answer.unknown_codes)}")
    text = answer.answer.lower()
    for needle in turn.contains:
        if needle.lower() not in text:
            failures.append(f"contains: answer lacks {needle!r}")
    for needle in turn.not_contains:
        if needle.lower() in text:
            failures.append(f"not_contains: answer has {needle!r}")
    if turn.min_confidence is not None and answer.confidence < turn.min_confidence:
        failures.append(f"min_confidence: expected >= {turn.min_confidence}, got {answer.confidence:.3f}")
    return tuple(failures)


def replay(engine: Faqbot, transcripts: Iterable[Transcript]) -> list[TurnResult]:
    results: list[TurnResult] = []
    for transcript in transcripts:
        for number, turn in enumerate(transcript.turns, start=1):
            answer = engine.answer(turn.question, as_of=turn.as_of, setting=turn.setting)
            # An expectation naming an entry the knowledge base does not have can never pass: say why.
            unknown = sorted(
                e for e in turn.accepted_entries if e not in ("", "none") and e not in engine.kb.entries_by_id
            )
            failures = tuple(f"entry: no entry '{e}' in the knowledge base" for e in unknown)
            results.append(TurnResult(transcript, number, turn, answer, failures + check_turn(turn, answer)))
    return results


def record(engine: Faqbot, questions: Iterable[str], *, name: str, as_of: date) -> str:
    """A transcript (TOML text) whose expectations are today's answers, for a curator to review."""
    lines = [f"name = {_toml_str(name)}", "", "[defaults]", f"as_of = {as_of.isoformat()}", ""]
    for question in questions:
        answer = engine.answer(question, as_of=as_of)
        lines += [
            "[[turn]]",
            f"question = {_toml_str(question)}",
            f"entry = {_toml_str(answer.entry_id or 'none')}",
            f"status = {_toml_str(answer.status)}",
        ]
        if answer.rule_check is not None:
            lines.append(f"verdict = {_toml_str(answer.rule_check.verdict)}")
        lines.append("")
    return "\n".join(lines)


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


def junit_xml(results: list[TurnResult], claims: Iterable[Any] = ()) -> str:
    """JUnit XML, one testcase per turn, one testsuite per transcript file; ``claims``
    (``faqbot.claim_examples.ClaimExampleResult``) one testcase each, in a suite per file."""
    from xml.etree import ElementTree as ET

    claims = list(claims)
    root = ET.Element(
        "testsuites",
        tests=str(len(results) + len(claims)),
        failures=str(sum(not r.passed for r in [*results, *claims])),
    )
    suites: dict[Path, ET.Element] = {}
    for result in results:
        path = result.transcript.path
        if path not in suites:
            suites[path] = ET.SubElement(root, "testsuite", name=result.transcript.name, file=str(path))
        case = ET.SubElement(
            suites[path],
            "testcase",
            classname=str(path),
            name=f"turn {result.number}: {result.turn.question}",
            file=str(path),
            line=str(result.turn.line),
        )
        if not result.passed:
            failure = ET.SubElement(case, "failure", message="; ".join(result.failures))
            failure.text = "\n".join(result.failures)
    for claim in claims:
        path = claim.example.path
        suite = ET.SubElement(root, "testsuite", name=claim.example.name, file=str(path))
        suites[path] = suite
        case = ET.SubElement(
            suite, "testcase", classname=str(path), name=f"claim: {claim.example.name}", file=str(path)
        )
        if not claim.passed:
            failure = ET.SubElement(case, "failure", message="; ".join(claim.failures))
            failure.text = "\n".join(claim.failures)
    for suite in suites.values():
        cases = list(suite)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
