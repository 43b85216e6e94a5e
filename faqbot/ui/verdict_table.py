"""The rule-check verdict as a coloured table: codes, verdict, reason, source."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from faqbot.rules import VERDICT_WORDS, RuleCheck
from faqbot.ui.answer_markdown import verdict_heading, verdict_rows
from faqbot.ui.table_widget import TableWidget

# Component class (coloured in DEFAULT_CSS from the theme) for each verdict.
VERDICT_CLASSES = {
    "allowed": "verdict-table--allowed",
    "allowed_with_modifier": "verdict-table--modifier",
    "depends": "verdict-table--depends",
    "not_allowed": "verdict-table--not-allowed",
    "unknown": "verdict-table--unknown",
}


class VerdictTable(TableWidget):
    """A :class:`~faqbot.rules.RuleCheck` rendered as a table; colours follow the app theme."""

    COMPONENT_CLASSES = {*VERDICT_CLASSES.values(), "verdict-table--muted", "verdict-table--border"}

    DEFAULT_CSS = """
    VerdictTable {
        height: auto;
        margin: 1 0 0 0;
        & > .verdict-table--allowed { color: $text-success; text-style: bold; }
        & > .verdict-table--modifier { color: $text-warning; text-style: bold; }
        & > .verdict-table--depends { color: $text-warning; text-style: bold; }
        & > .verdict-table--not-allowed { color: $text-error; text-style: bold; }
        & > .verdict-table--unknown { color: $text-secondary; text-style: bold; }
        & > .verdict-table--muted { color: $text-muted; }
        & > .verdict-table--border { color: $foreground 30%; }
    }
    """

    def __init__(self, check: RuleCheck, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.check = check

    def _style(self, verdict: str) -> Style:
        return self.get_component_rich_style(VERDICT_CLASSES[verdict], partial=True)

    def render(self) -> RenderableType:
        check = self.check
        muted = self.get_component_rich_style("verdict-table--muted", partial=True)
        border = self.get_component_rich_style("verdict-table--border", partial=True)
        badge = self._style(check.verdict) + Style(reverse=True)
        heading = Text.assemble(
            ("Rule check ", "bold"),
            (f" {VERDICT_WORDS[check.verdict].upper()} ", badge),
            ("  " + verdict_heading(check).split(" · ", 1)[1], muted),
        )
        table = Table(expand=True, show_lines=True, box=box.ROUNDED, border_style=border, header_style="bold")
        table.add_column("Codes", width=7)
        table.add_column("Verdict", width=11)
        table.add_column("Reason", ratio=3)
        table.add_column("Source", ratio=1, overflow="fold")
        for row in verdict_rows(check):
            verdict = Text.assemble((row.verdict, self._style(row.verdict_key)), (f"\n{row.kind}", muted))
            sources = Text()
            for number, source in enumerate(row.sources):
                if number:
                    sources.append("\n")
                sources.append(source.title, style=Style(link=source.url, underline=True))
                sources.append(f" ({source.tier})", style=muted)
            table.add_row(Text(row.codes), verdict, Text(row.reason), sources or Text("—", style=muted))
        return Group(heading, table)
