"""An :class:`~faqbot.engine.Answer` as Markdown: pure functions shared by the conversation view and the export.

Knowledge-base text is prose, not Markdown, and questions are typed by users, so everything that
goes into Markdown is escaped here; nothing a user types is ever interpreted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from faqbot.disclaimer import ALSO_ASKED_HEADING
from faqbot.rules import VERDICT_WORDS, RuleCheck, SourceRef, setting_label

if TYPE_CHECKING:  # the engine imports scikit-learn: keep it off the UI's start-up path
    from faqbot.engine import Answer

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|~#!$&])")
_LINE_START_SPECIAL = re.compile(r"^(\s*)(\d+(?=[.)])|(?=[-+=]))", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Escape ``text`` so that Markdown shows it literally (no emphasis, links, HTML, lists or headings)."""
    escaped = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LINE_START_SPECIAL.sub(lambda m: f"{m.group(1)}{m.group(2)}\\", escaped)


def escape_table_cell(text: str) -> str:
    """Escape text for one cell of a Markdown pipe table (one line, no bare pipes)."""
    return escape_markdown(" ".join(text.split()))


def link(source: SourceRef) -> str:
    """A Markdown link to a source, its title escaped."""
    url = source.url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{escape_markdown(source.title)}]({url})"


def direct_answer_markdown(answer: Answer) -> str:
    """The direct answer as escaped Markdown paragraphs."""
    paragraphs = [" ".join(p.split()) for p in answer.direct_answer.split("\n\n") if p.strip()]
    return "\n\n".join(escape_markdown(p) for p in paragraphs)


def notice_label(notice: str) -> str:
    """A short label for one of ``Answer.notices`` (deleted code, did-you-mean, unknown code)."""
    if " was deleted on " in notice:
        return "Deleted code"
    if " is reported deleted " in notice:
        return "Reported deleted"
    if " is not valid before " in notice:
        return "Not yet valid"
    if "Did you mean" in notice:
        return "Code not found"
    if "not in our code table" in notice:
        return "Unknown code"
    if notice.startswith("Close call:"):
        return "Close call"
    return "Note"


def confidence_label(answer: Answer) -> str:
    """``confidence 0.93 (high)``, or ``no match``; levels from :data:`faqbot.engine.CONFIDENCE_LEVELS`."""
    if answer.status == "no_match":
        return "no match"
    return f"confidence {answer.confidence:.2f} ({answer.confidence_level})"


def matched_label(answer: Answer) -> str:
    """What answered: the entry id, or the kind of answer."""
    if answer.entry_id:
        return f"entry {answer.entry_id}"
    return answer.kind.replace("_", " ") if answer.kind != "none" else "no entry"


@dataclass(frozen=True, slots=True)
class VerdictRow:
    """One line of the verdict table."""

    codes: str
    verdict: str
    verdict_key: str
    kind: str
    reason: str
    sources: tuple[SourceRef, ...]


def verdict_heading(check: RuleCheck) -> str:
    """``ALLOWED · 77295, 77300 · date of service 2026-11-26 · any setting``."""
    return (
        f"{VERDICT_WORDS[check.verdict].upper()} · {', '.join(check.headline_codes)} · date of service {check.dos.isoformat()} · "
        f"{setting_label(check.setting)}"
    )


def verdict_rows(check: RuleCheck) -> list[VerdictRow]:
    """The findings of a rule check, one row each: what was asked first, then the other codes named."""
    rows: list[VerdictRow] = []
    for finding in check.ordered_findings:
        extra: list[str] = []
        if finding.modifiers:
            extra.append(f"Modifiers that may apply: {', '.join(finding.modifiers)}.")
        if finding.scope:
            extra.append(f"Scope: {finding.scope}.")
        reason = " ".join([" ".join(finding.reason.split()), *extra])
        rows.append(
            VerdictRow(
                codes=" + ".join(finding.codes),
                verdict=VERDICT_WORDS[finding.verdict],
                verdict_key=finding.verdict,
                kind=finding.kind.replace("_", " ") + ("" if finding.asked else " (other codes)"),
                reason=reason,
                sources=finding.sources,
            )
        )
    return rows


def verdict_table_markdown(check: RuleCheck) -> str:
    """The rule check as a heading line and a Markdown pipe table (codes, verdict, reason, source)."""
    lines = [
        f"**Rule check: {escape_markdown(verdict_heading(check))}**",
        "",
        "| Codes | Verdict | Reason | Source |",
        "| --- | --- | --- | --- |",
    ]
    for row in verdict_rows(check):
        sources = "; ".join(link(s) for s in row.sources) or "—"
        lines.append(
            f"| {escape_table_cell(row.codes)} | {escape_table_cell(row.verdict)} ({escape_table_cell(row.kind)}) "
            f"| {escape_table_cell(row.reason)} | {sources} |"
        )
    return "\n".join(lines)


def sources_markdown(sources: tuple[SourceRef, ...]) -> str:
    """A bullet list of source links, each with its tier and its address in plain sight."""
    return "\n".join(f"- {link(s)} · {s.tier} · {escape_markdown(s.url)}" for s in sources)


def quote(text: str) -> str:
    """Escaped text as a Markdown block quote."""
    return "\n".join(f"> {line}" if line else ">" for line in escape_markdown(text).splitlines() or [""])


def answer_markdown(answer: Answer, *, suggestions: tuple[str, ...] = ()) -> str:
    """One question and its answer as Markdown, for pasting into a ticket."""
    parts = [
        "### Question",
        quote(answer.question),
        f"**Answer** · {escape_markdown(matched_label(answer))} · {confidence_label(answer)} · "
        f"as of {answer.as_of.isoformat()}",
    ]
    for notice in answer.notices:
        parts.append(f"> **{notice_label(notice)}:** {escape_markdown(notice)}")
    if answer.rule_check is not None:  # the verdict first, as in the app
        parts.append(verdict_table_markdown(answer.rule_check))
    body = direct_answer_markdown(answer)
    if body:
        parts.append(body)
    if answer.misconception:
        parts.append(f"> **Common misconception:** {escape_markdown(' '.join(answer.misconception.split()))}")
    if answer.also_asked:
        parts.append(
            f"**{ALSO_ASKED_HEADING}**\n\n"
            + "\n".join(f"- “{escape_markdown(a.part)}”: {escape_markdown(a.question)}" for a in answer.also_asked)
        )
    if answer.sources:
        parts.append("**Sources**\n\n" + sources_markdown(answer.sources))
    if suggestions:
        heading = "Did you mean" if answer.status == "no_match" else "Related questions"
        parts.append(f"**{heading}**\n\n" + "\n".join(f"- {escape_markdown(s)}" for s in suggestions))
    return "\n\n".join(parts)
