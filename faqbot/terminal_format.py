"""Plain-text rendering of answers, code cards and rule checks for the command line."""

from __future__ import annotations

import textwrap
from datetime import date

from faqbot.disclaimer import ALSO_ASKED_HEADING, DISCLAIMER
from faqbot.engine import Answer, code_status_text
from faqbot.model import CodeCard, KnowledgeBase
from faqbot.rules import VERDICT_WORDS, RuleCheck, setting_label

WIDTH = 88


def _wrap(text: str, indent: str = "", *, bullet: str = "") -> str:
    """Wrapped paragraphs; with ``bullet``, the first line starts with it and the rest align under its text."""
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    first = bullet or indent
    rest = " " * len(bullet) if bullet else indent
    return "\n\n".join(
        textwrap.fill(" ".join(p.split()), WIDTH, initial_indent=first, subsequent_indent=rest) for p in paragraphs
    )


def format_check(check: RuleCheck) -> str:
    """The rule check as a table: one row per finding (verdict, codes, kind), its reason and sources below."""
    lines = [
        f"Verdict: {VERDICT_WORDS[check.verdict].upper()}   codes: {', '.join(check.headline_codes)}   "
        f"date of service: {check.dos.isoformat()}   setting: {setting_label(check.setting)}"
        + (f"   scope: {check.scope}" if check.scope else ""),
        "",
        f"{'verdict':<25}{'codes':<22}kind",
        f"{'-' * 24} {'-' * 21} {'-' * 17}",
    ]
    for finding in check.ordered_findings:
        kind = finding.kind if finding.asked else f"{finding.kind} (other codes named)"
        lines.append(f"{VERDICT_WORDS[finding.verdict]:<25}{' + '.join(finding.codes):<22}{kind}")
        lines.append(_wrap(finding.reason, "    "))
        details: list[str] = []
        if finding.modifiers:
            details.append(f"modifiers that may apply: {', '.join(finding.modifiers)}")
        if finding.scope:
            details.append(f"scope: {finding.scope}")
        if finding.setting != "any":
            details.append(f"setting: {setting_label(finding.setting)}")
        if finding.effective_from or finding.effective_to:
            start = finding.effective_from.isoformat() if finding.effective_from else "…"
            end = finding.effective_to.isoformat() if finding.effective_to else "…"
            details.append(f"in effect: {start} to {end} (dates of service)")
        if details:
            lines.append(_wrap("; ".join(details), "    "))
        if finding.weakly_sourced:
            lines.append(
                "    weakly sourced: only a billing company or a code-lookup site says so; confirm with the MAC or payer"
            )
        lines.extend(f"    source ({source.tier}): {source.title} <{source.url}>" for source in finding.sources)
        lines.append("")
    return "\n".join(lines).rstrip()


def format_answer(answer: Answer) -> str:
    out: list[str] = []
    if answer.status == "no_match":
        out.append(_wrap(answer.answer))
    else:
        matched = f"entry {answer.entry_id}" if answer.entry_id else answer.kind.replace("_", " ")
        out.append(f"[{matched} · confidence {answer.confidence:.2f} · as of {answer.as_of.isoformat()}]")
        out.append("")
        if answer.rule_check is not None:  # the verdict first; the entry's text agrees with it
            out += [format_check(answer.rule_check), ""]
        if answer.direct_answer:
            out.append(_wrap(answer.direct_answer))
    if answer.misconception:
        out += ["", "Common misconception:", _wrap(answer.misconception, "  ")]
    if answer.also_asked:
        out += ["", ALSO_ASKED_HEADING] + [
            _wrap(f"“{a.part}” -> {a.question} ({a.entry_id}, {a.confidence:.2f})", bullet="  - ")
            for a in answer.also_asked
        ]
    if answer.notices:
        out += ["", "Notes:"] + [_wrap(n, bullet="  - ") for n in answer.notices]
    if answer.codes or answer.unknown_codes:
        out += [
            "",
            f"Codes: {', '.join(answer.codes) or '-'}"
            + (f"   not in code table: {', '.join(answer.unknown_codes)}" if answer.unknown_codes else ""),
        ]
    if answer.sources:
        out += ["", "Sources:"] + [f"  - [{s.tier}] {s.title} <{s.url}>" for s in answer.sources]
    if answer.suggestions:
        heading = "Did you mean:" if answer.status == "no_match" else "Related:"
        out += ["", heading] + [f"  - {s.question}  ({s.entry_id}, {s.score:.2f})" for s in answer.suggestions]
    out += ["", _wrap(DISCLAIMER)]
    return "\n".join(out)


def format_card(card: CodeCard, kb: KnowledgeBase, as_of: date) -> str:
    family = kb.families.get(card.family)
    lines = [
        f"{card.code}  [{card.system}]  {family.title if family else card.family}",
        _wrap(card.description, "  "),
    ]
    if card.unit:
        lines.append(_wrap(f"Unit: {card.unit}", "  "))
    if card.component:
        lines.append(_wrap(f"Component: {card.component}", "  "))
    lines.append(_wrap(code_status_text(card, as_of), "  "))
    if card.note:
        lines.append(_wrap(f"Note: {card.note}", "  "))
    for source_id in card.sources:
        source = kb.sources[source_id]
        lines.append(f"  Source: {source.title} <{source.url}> (accessed {source.accessed.isoformat()})")
    return "\n".join(lines)
