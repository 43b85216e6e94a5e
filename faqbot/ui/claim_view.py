"""The claim view: several pasted claim lines get a claim check instead of a question answer.

The summary line, a table of findings coloured by severity (lines, codes, rule, reason, source),
then the lines with their status. Built from :class:`~faqbot.claim_check.ClaimReport` alone; every
text from the user or the knowledge base goes in as plain Text, never as markup.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from faqbot.claim_check import ClaimFinding, ClaimReport
from faqbot.rules import setting_label
from faqbot.ui.table_widget import TableWidget

PATIENT_DATA_NOTE = (
    "Claim lines may contain patient data: an export (Ctrl+S) keeps them; share it only where that is allowed."
)
SEVERITY_CLASSES = {
    "problem": "claim-table--problem",
    "warning": "claim-table--warning",
    "ok": "claim-table--ok",
    "unreadable": "claim-table--muted",
}


def summary_content(report: ClaimReport) -> Content:
    style = "$text-error" if report.problems else "$text-warning" if report.warnings else "$text-success"
    courses = "; ".join(
        f"{c.first_dos.isoformat()} to {c.last_dos.isoformat()}, fractions "
        + ("unknown" if c.fractions is None else str(c.fractions))
        for c in report.courses
    )
    setting = "mixed" if report.setting == "mixed" else setting_label(report.setting)
    pieces: list[str | tuple[str, str]] = [
        ("faqbot", "bold $text-primary"),
        "  ",
        ("claim check", "$text-muted"),
        "\n",
        (report.summary_line(), f"bold {style}"),
        "\n",
        (f"setting: {setting}; {courses}", "$text-muted"),
    ]
    if report.no_rule_known:
        pieces += [
            "\n",
            (
                f"{len(report.no_rule_known)} code pairs with no rule known (faqbot claim --verbose lists them): "
                "that does not mean they are fine.",
                "$text-muted",
            ),
        ]
    return Content.assemble(*pieces)


class ClaimTable(TableWidget):
    """Findings (or lines) of a claim report as a table coloured by severity."""

    COMPONENT_CLASSES = {*SEVERITY_CLASSES.values(), "claim-table--border"}
    DEFAULT_CSS = """
    ClaimTable {
        height: auto;
        margin: 1 0 0 0;
        & > .claim-table--problem { color: $text-error; text-style: bold; }
        & > .claim-table--warning { color: $text-warning; text-style: bold; }
        & > .claim-table--ok { color: $text-success; }
        & > .claim-table--muted { color: $text-muted; }
        & > .claim-table--border { color: $foreground 30%; }
    }
    """

    def __init__(self, report: ClaimReport, *, part: str, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.report = report
        self.part = part  # "findings" or "lines"

    def _style(self, key: str) -> Style:
        return self.get_component_rich_style(SEVERITY_CLASSES[key], partial=True)

    def render(self) -> RenderableType:
        border = self.get_component_rich_style("claim-table--border", partial=True)
        muted = self._style("unreadable")
        table = Table(expand=True, show_lines=self.part == "findings", box=box.ROUNDED, border_style=border)
        if self.part == "findings":
            table.add_column("Severity", width=8)
            table.add_column("Lines", width=7)
            table.add_column("Codes", width=13)
            table.add_column("Rule, reason and sources", ratio=1, overflow="fold")
            for finding in self.report.findings:
                table.add_row(*self._finding_row(finding, muted))
            return Group(Text("Findings", style="bold"), table)
        for name, width in (("Line", 5), ("Date", 10), ("Code", 6), ("Mod", 7), ("Units", 5), ("POS", 3)):
            table.add_column(name, width=width)
        table.add_column("Status", ratio=1)
        for line in self.report.lines:
            status = self.report.status.get(line.line, "ok")
            table.add_row(
                str(line.line),
                line.dos.isoformat(),
                Text(line.code),
                Text("-".join(line.modifiers)),
                str(line.units),
                Text(line.pos),
                Text(status, style=self._style(status)),
            )
        for bad in self.report.unreadable:
            table.add_row(str(bad.line), "", "", "", "", "", Text(f"unreadable: {bad.reason}", style=muted))
        return Group(Text("Lines", style="bold"), table)

    def _finding_row(self, finding: ClaimFinding, muted: Style) -> tuple[RenderableType, ...]:
        lines = ", ".join(str(n) for n in finding.lines[:8]) + (" …" if len(finding.lines) > 8 else "")
        text = Text()
        if finding.rule_id:
            text.append(finding.rule_id + "\n", style=muted)
        text.append(finding.message)
        for source in finding.sources:  # under the reason: the reason gets the table's width
            text.append("\n• ", style=muted)
            text.append(source.title, style=Style(link=source.url, underline=True))
            text.append(f" ({source.tier})", style=muted)
        return (
            Text(finding.severity, style=self._style(finding.severity)),
            Text(lines or "course"),
            Text(" + ".join(finding.codes)),
            text,
        )


class ClaimView(Vertical):
    """A claim check in the conversation: summary, findings, lines, the patient-data reminder."""

    def __init__(self, report: ClaimReport) -> None:
        super().__init__(classes="answer claim -no-match" if report.problems else "answer claim")
        self.report = report

    def compose(self) -> ComposeResult:
        yield Static(summary_content(self.report), classes="answer-meta claim-summary")
        if self.report.findings:
            yield ClaimTable(self.report, part="findings", classes="claim-findings")
        yield ClaimTable(self.report, part="lines", classes="claim-lines")
        yield Static(Content(PATIENT_DATA_NOTE), classes="claim-note")


def claim_markdown(question: str, report: ClaimReport) -> str:
    """A claim check as Markdown for an export: the pasted lines, the summary, findings, lines."""
    from faqbot.ui.answer_markdown import escape_markdown, quote

    def cell(text: str) -> str:
        return escape_markdown(" ".join(text.split())).replace("|", "\\|")

    parts = [
        "### Claim",
        quote(question),
        f"**Claim check** · {escape_markdown(report.summary_line())}",
        f"> **Patient data:** {escape_markdown(PATIENT_DATA_NOTE)}",
    ]
    if report.findings:
        rows = ["| severity | lines | codes | rule | reason | sources |", "|---|---|---|---|---|---|"]
        for f in report.findings:
            sources = "; ".join(f"[{cell(s.title)}]({s.url}) ({s.tier})" for s in f.sources) or "—"
            rows.append(
                f"| {f.severity} | {', '.join(map(str, f.lines)) or 'course'} | {' + '.join(f.codes)} | "
                f"{cell(f.rule_id or '—')} | {cell(f.message)} | {sources} |"
            )
        parts.append("\n".join(rows))
    rows = ["| line | date | code | modifiers | units | POS | status |", "|---|---|---|---|---|---|---|"]
    for line in report.lines:
        rows.append(
            f"| {line.line} | {line.dos.isoformat()} | {cell(line.code)} | {cell('-'.join(line.modifiers))} | "
            f"{line.units} | {cell(line.pos)} | {report.status.get(line.line, 'ok')} |"
        )
    for bad in report.unreadable:
        rows.append(f"| {bad.line} | | | | | | unreadable: {cell(bad.reason)} |")
    parts.append("\n".join(rows))
    return "\n\n".join(parts)
