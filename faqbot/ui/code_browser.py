"""The code browser: every code in a table, filtered as you type; Enter opens the card."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.coordinate import Coordinate
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label

from faqbot.model import CodeCard, KnowledgeBase
from faqbot.ui.code_card_screen import CodeCardScreen

# (label, key, width); the description takes the width that is left (see on_resize).
COLUMNS = (
    ("Code", "code", 6),
    ("System", "system", 6),
    ("Family", "family", 30),
    ("Status", "status", 13),
    ("Description", "description", 0),
)
STATUS_WORDS = {"active": "active", "deleted": "deleted", "not_yet_effective": "not yet valid"}
STATUS_STYLES = {"active": "", "deleted": "bold red", "not_yet_effective": "yellow"}


def haystack(card: CodeCard, kb: KnowledgeBase) -> str:
    """Everything a filter may match for one code, lower case."""
    family = kb.families.get(card.family)
    return " ".join(
        [
            card.code,
            card.system,
            card.family,
            card.family.replace("_", " "),
            family.title if family else "",
            card.description,
            card.unit,
            card.component,
            card.note,
            " ".join(card.replaced_by),
        ]
    ).lower()


def filter_codes(kb: KnowledgeBase, query: str) -> list[CodeCard]:
    """Codes matching every word of ``query`` (by code, family or words): codes that a word names or
    starts first, then the rest, each group in code order."""
    words = query.lower().split()
    cards = sorted(kb.codes.values(), key=lambda c: c.code)
    found = [card for card in cards if all(word in haystack(card, kb) for word in words)]

    def rank(card: CodeCard) -> int:
        code = card.code.lower()
        if code in words:
            return 0
        return 1 if any(code.startswith(word) for word in words) else 2

    return sorted(found, key=rank)


class CodeBrowserScreen(ModalScreen[str | None]):
    """Browse the code table. Dismisses with a question to ask (chosen from a card), or None."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="browser.close"),
        Binding("down", "cursor(1)", "Next code", show=False, id="browser.down"),
        Binding("up", "cursor(-1)", "Previous code", show=False, id="browser.up"),
        Binding("enter", "open_card", "Open card", id="browser.open"),
    ]

    def __init__(self, kb: KnowledgeBase, as_of: date) -> None:
        super().__init__()
        self.kb, self.as_of = kb, as_of

    def compose(self) -> ComposeResult:
        with Vertical(id="browser-dialog"):
            yield Input(placeholder="Filter by code, family or words (e.g. 7742, imrt, deleted)", id="browser-filter")
            yield DataTable(id="browser-table", cursor_type="row", zebra_stripes=True)
            yield Label(id="browser-count")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#browser-dialog").border_title = "Code browser"
        self._description_width = 40
        self._add_columns()
        self.refill("")
        self.query_one("#browser-filter", Input).focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_description)

    def _add_columns(self) -> None:
        for label, key, width in COLUMNS:
            self.table.add_column(label, key=key, width=width or self._description_width)

    def _fit_description(self) -> None:
        """Give the description column the table's remaining width, so there is no horizontal scrolling."""
        table = self.table
        fixed = sum(width for _, _, width in COLUMNS) + 2 * table.cell_padding * len(COLUMNS)
        width = max(20, table.scrollable_content_region.width - fixed - 1)
        if width != self._description_width:
            self._description_width = width
            table.clear(columns=True)
            self._add_columns()
            self.refill(self.query_one("#browser-filter", Input).value)

    @property
    def table(self) -> DataTable:
        return self.query_one("#browser-table", DataTable)

    def refill(self, query: str) -> None:
        """Show the codes matching ``query``."""
        table = self.table
        table.clear()
        cards = filter_codes(self.kb, query)
        for card in cards:
            family = self.kb.families.get(card.family)
            status = card.status_on(self.as_of)
            table.add_row(
                Text(card.code, style="bold"),
                Text(card.system),
                Text(family.title if family else card.family),
                Text(
                    STATUS_WORDS[status] if card.deletion_confirmed or status != "deleted" else "reported deleted",
                    style=STATUS_STYLES[status],
                ),
                Text(card.description, no_wrap=True, overflow="ellipsis"),
                key=card.code,
            )
        if cards:
            table.move_cursor(row=0, animate=False)
        total = len(self.kb.codes)
        shown = f"{len(cards)} of {total} codes" if query.strip() else f"{total} codes"
        self.query_one("#browser-count", Label).update(
            Content(f"{shown} · status as of {self.as_of.isoformat()} · Enter opens a card")
        )

    @on(Input.Changed, "#browser-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.refill(event.value)

    @on(Input.Submitted, "#browser-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open_card()

    @on(DataTable.RowSelected, "#browser-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_card(str(event.row_key.value))

    def action_cursor(self, step: int) -> None:
        table = self.table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_open_card(self) -> None:
        table = self.table
        if table.row_count:
            row_key, _ = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
            self.open_card(str(row_key.value))

    def open_card(self, code: str) -> None:
        def asked(question: str | None) -> None:
            if question:
                self.dismiss(question)

        self.app.push_screen(CodeCardScreen(self.kb.codes[code], self.kb, self.as_of), asked)

    def action_close(self) -> None:
        self.dismiss(None)
