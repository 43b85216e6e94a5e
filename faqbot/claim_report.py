"""A claim report as terminal text: the summary line, problems, warnings, then the per-line table."""

from __future__ import annotations

import json
import textwrap

from faqbot.claim_check import ClaimFinding, ClaimReport
from faqbot.rules import setting_label

WIDTH = 88


def _shown(text: str) -> str:
    """User text on one line, control characters escaped."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


def _lines_label(numbers: tuple[int, ...]) -> str:
    if not numbers:
        return "course"
    shown = ", ".join(str(n) for n in numbers[:12])
    more = f" (+{len(numbers) - 12} more)" if len(numbers) > 12 else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


def format_finding(number: int, finding: ClaimFinding) -> str:
    head = f"{number}. {_lines_label(finding.lines)} · {' + '.join(finding.codes)}"
    if finding.dos:
        head += f" · {finding.dos.isoformat()}"
    if finding.course:
        head += f" · course {_shown(finding.course)}"
    if finding.rule_id:
        head += f" · rule {finding.rule_id}"
    out = [textwrap.fill(head, WIDTH, initial_indent="  ", subsequent_indent="     ", break_on_hyphens=False)]
    out.append(
        textwrap.fill(finding.message, WIDTH, initial_indent="     ", subsequent_indent="     ", break_on_hyphens=False)
    )
    for source in finding.sources:
        out.append(
            textwrap.fill(
                f"source: [{source.tier}] {source.title} <{source.url}>",
                WIDTH,
                initial_indent="     ",
                subsequent_indent="       ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def format_claim_report(report: ClaimReport, *, verbose: bool = False) -> str:
    """The report as the terminal shows it (``faqbot claim`` without ``--json``)."""
    out = [report.summary_line()]
    context = [f"setting: {setting_label(report.setting) if report.setting != 'mixed' else 'mixed'}"]
    for course in report.courses:
        name = f"course {_shown(course.course)}: " if course.course else ""
        fractions = "unknown" if course.fractions is None else f"{course.fractions} (from {course.fractions_from})"
        context.append(f"{name}{course.first_dos.isoformat()} to {course.last_dos.isoformat()}, fractions {fractions}")
    out.append("; ".join(context))
    if report.no_rule_known:
        hint = "" if verbose else " (listed with --verbose)"
        out.append(
            f"{len(report.no_rule_known)} code pairs with no rule known{hint}: that does not mean they are fine."
        )
    for title, findings in (("Problems", report.problems), ("Warnings", report.warnings)):
        if findings:
            out += ["", title]
            out += [format_finding(i, f) for i, f in enumerate(findings, start=1)]
    if verbose and report.no_rule_known:
        out += ["", "No rule known (check the current NCCI edits and the payer's policy)"]
        out += [
            f"  {_lines_label(f.lines)} · {' + '.join(f.codes)}" + (f" · course {_shown(f.course)}" if f.course else "")
            for f in report.no_rule_known
        ]
    if report.unreadable:
        out += ["", "Unreadable lines (not checked)"]
        out += [f"  line {bad.line}: {bad.reason}: {_shown(bad.text)[:60]}" for bad in report.unreadable]
    out += ["", "Lines", f"  {'line':>4}  {'dos':<10}  {'code':<6} {'modifiers':<10} {'units':>5}  {'pos':<3}  status"]
    for line in report.lines:
        out.append(
            f"  {line.line:>4}  {line.dos.isoformat():<10}  {line.code:<6} {'-'.join(line.modifiers) or '':<10} "
            f"{line.units:>5}  {line.pos or '':<3}  {report.status.get(line.line, 'ok')}"
        )
    return "\n".join(out)


def claim_report_json(report: ClaimReport, *, verbose: bool = False) -> str:
    return json.dumps(report.to_dict(verbose=verbose), indent=2, ensure_ascii=False)
