"""The rule-check verdict as a coloured table: codes, verdict, reason, source."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from faqbot.rules import VERDICT_WORDS, RuleCheck
from faqbot.ui.answer_markdown import verdict_heading, verdict_rows

# Theme variable that colours each verdict.
VERDICT_COLOURS = {
    "allowed": "success",
    "allowed_with_modifier": "warning",
    "depends": "warning",
    "not_allowed": "error",
    "unknown": "secondary",
}


class VerdictTable(Widget):
    """A :class:`~faqbot.rules.RuleCheck` rendered as a table; colours follow the app theme."""

    DEFAULT_CSS = """
    VerdictTable {
        height: auto;
        margin: 1 0 0 0;
    }
    """

    def __init__(self, check: RuleCheck, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.check = check

    def _colour(self, verdict: str) -> str:
        return self.app.theme_variables.get(VERDICT_COLOURS[verdict], "") or "default"

    def render(self) -> RenderableType:
        check = self.check
        muted = self.app.theme_variables.get("text-muted", "") or "default"
        colour = self._colour(check.verdict)
        heading = Text.assemble(
            ("Rule check ", "bold"),
            (f" {VERDICT_WORDS[check.verdict].upper()} ", Style(bold=True, color="black", bgcolor=colour)),
            (" " + verdict_heading(check).split(" · ", 1)[1], muted),
        )
        table = Table(expand=True, show_lines=True, border_style=muted, header_style="bold", pad_edge=False)
        table.add_column("Codes", no_wrap=True, width=15)
        table.add_column("Verdict", width=13)
        table.add_column("Reason", ratio=3)
        table.add_column("Source", ratio=1)
        for row in verdict_rows(check):
            verdict = Text(row.verdict, style=Style(bold=True, color=self._colour(row.verdict_key)))
            verdict.append(f"\n{row.kind}", style=muted)
            sources = Text()
            for number, source in enumerate(row.sources):
                if number:
                    sources.append("\n")
                sources.append(source.title, style=Style(link=source.url, underline=True))
            table.add_row(Text(row.codes), verdict, Text(row.reason), sources or Text("—", style=muted))
        return Group(heading, table)
